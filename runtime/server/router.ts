// A minimal router for the runtime's HTTP API: exact paths and `:param` segments, JSON in and out.
import type http from 'node:http';

export interface Request {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  json<T = any>(): T;
}

export type Reply =
  | { status?: number; json: unknown }
  | { status?: number; body: string | Buffer; type: string; headers?: Record<string, string> };

export type Handler = (req: Request) => Reply | Promise<Reply>;

export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

interface Route {
  method: string;
  parts: string[];
  handler: Handler;
}

export class Router {
  private routes: Route[] = [];

  on(method: string, pattern: string, handler: Handler): this {
    this.routes.push({ method, parts: pattern.split('/').filter(Boolean), handler });
    return this;
  }

  match(method: string, path: string): { handler: Handler; params: Record<string, string> } | undefined {
    const segs = path.split('/').filter(Boolean).map(decodeURIComponent);
    let methodMismatch = false;
    for (const r of this.routes) {
      if (r.parts.length !== segs.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < segs.length && ok; i++) {
        if (r.parts[i].startsWith(':')) params[r.parts[i].slice(1)] = segs[i];
        else ok = r.parts[i] === segs[i];
      }
      if (!ok) continue;
      if (r.method !== method) { methodMismatch = true; continue; }
      return { handler: r.handler, params };
    }
    if (methodMismatch) throw new HttpError(405, `${method} is not allowed on ${path}`);
    return undefined;
  }
}

export function parseJsonBody<T>(body: Buffer): T {
  if (!body.length) return {} as T;
  try {
    return JSON.parse(body.toString('utf8')) as T;
  } catch (e) {
    throw new HttpError(400, `request body is not valid JSON: ${(e as Error).message}`);
  }
}
