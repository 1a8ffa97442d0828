// Typed calls of the runtime's query API (runtime/protocol/api.ts), over whichever transport.
import type { ColumnsResponse, ConsoleResponse, FilesResponse, HistoryResponse, ProjectsResponse, RunDetail, RunsResponse, XAxis } from '../runtime/protocol/api';
import type { Transport } from './transport/types';

export interface RunsQuery {
  project?: string;
  state?: string;
  tag?: string;
  group?: string;
  q?: string;
  sort?: string;
  order?: 'asc' | 'desc';
  columns?: string[];
  offset?: number;
  limit?: number;
}

export interface HistoryQuery {
  keys: string[];
  x: XAxis;
  width: number;
  from?: number;
  to?: number;
}

export class Api {
  constructor(readonly transport: Transport) {}

  projects(): Promise<ProjectsResponse> {
    return this.transport.request('/api/projects');
  }

  runs(q: RunsQuery): Promise<RunsResponse> {
    return this.transport.request('/api/runs', { ...q, columns: q.columns?.length ? q.columns.join(',') : undefined });
  }

  /** Every config/summary key of the runs a filter matches (the column picker). */
  columns(q: RunsQuery): Promise<ColumnsResponse> {
    const { project, state, tag, group, q: text } = q;
    return this.transport.request('/api/columns', { project, state, tag, group, q: text });
  }

  run(key: number): Promise<RunDetail> {
    return this.transport.request(`/api/runs/${key}`);
  }

  history(key: number, q: HistoryQuery): Promise<HistoryResponse> {
    const finite = (v?: number) => (v !== undefined && Number.isFinite(v) ? v : undefined);
    return this.transport.request(`/api/runs/${key}/history`, {
      keys: q.keys.join(','), x: q.x, width: Math.max(50, Math.round(q.width)), from: finite(q.from), to: finite(q.to),
    });
  }

  console(key: number, offset: number, limit = 1 << 20): Promise<ConsoleResponse> {
    return this.transport.request(`/api/runs/${key}/console`, { offset, limit });
  }

  files(key: number): Promise<FilesResponse> {
    return this.transport.request(`/api/runs/${key}/files`);
  }

  /** A stored file's content as text (sources, patches, requirements). */
  fileText(key: number, path: string): Promise<string> {
    return this.transport.request(`/api/runs/${key}/files/content`, { path }, { as: 'text' });
  }

  stop(key: number): Promise<{ ok: boolean }> {
    return this.transport.request(`/api/runs/${key}/stop`, undefined, { method: 'POST' });
  }
}
