// The content-addressed blob store: `<data root>/blobs/<sha256[:2]>/<sha256>`. The Python client writes
// blobs (runtime/python/trackwell/blobs.py, same layout) before the `file` journal records that name
// them; the runtime only reads them. A path is derived from a sha256 alone, never from a file name.
import path from 'node:path';
import type { DB } from './db';
import type { RunFile } from '../protocol/api';

const SHA256 = /^[0-9a-f]{64}$/;

/** Where the blob of `sha256` lives; throws for anything but 64 lowercase hex digits. */
export function blobPath(blobsDir: string, sha256: string): string {
  if (!SHA256.test(sha256)) throw new Error(`not a sha256: ${JSON.stringify(sha256)}`);
  return path.join(blobsDir, sha256.slice(0, 2), sha256);
}

/** The files saved with a run, by path. */
export function runFiles(db: DB, runKey: number): RunFile[] {
  return db.prepare('SELECT path, sha256, size, kind, ts FROM files WHERE run_key = ? ORDER BY path').all(runKey) as RunFile[];
}

/** One stored file row, matched exactly by its path. */
export function runFile(db: DB, runKey: number, filePath: string): RunFile | undefined {
  return db.prepare('SELECT path, sha256, size, kind, ts FROM files WHERE run_key = ? AND path = ?').get(runKey, filePath) as RunFile | undefined;
}

/** A content type for a stored file: text for sources, patches and requirements, else from the extension. */
export function contentType(filePath: string, kind: string | null): string {
  if (kind === 'patch' || filePath.endsWith('.patch') || filePath.endsWith('.diff')) return 'text/x-diff; charset=utf-8';
  const ext = path.extname(filePath).toLowerCase();
  const types: Record<string, string> = {
    '.py': 'text/x-python; charset=utf-8', '.txt': 'text/plain; charset=utf-8', '.md': 'text/markdown; charset=utf-8',
    '.json': 'application/json', '.yaml': 'text/yaml; charset=utf-8', '.yml': 'text/yaml; charset=utf-8',
    '.csv': 'text/csv; charset=utf-8', '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.svg': 'image/svg+xml',
  };
  if (types[ext]) return types[ext];
  return kind === 'source' || kind === 'code' || kind === 'requirements' ? 'text/plain; charset=utf-8' : 'application/octet-stream';
}
