// Where a stored source or code snapshot lives in the workspace now, for "Compare Source Snapshot with
// Current File". Free of `vscode` so it can be unit-tested.
import path from 'node:path';

/** The path a stored file had relative to its root: `code/<rel>` and `snapshots/<name>/<rel>` -> `<rel>`. */
export function snapshotRelPath(storedPath: string): string {
  if (storedPath.startsWith('code/')) return storedPath.slice('code/'.length);
  const m = /^snapshots\/[^/]+\/(.+)$/.exec(storedPath);
  return m ? m[1] : storedPath;
}

/**
 * Candidate local files, best first: under the run's git root, its working directory and its script's
 * folder (the roots the client made the relative path from), then under each workspace folder.
 * A relative path that climbs out of its root is never a candidate.
 */
export function localCandidates(storedPath: string, meta: { git?: unknown; program?: unknown }, workspaceFolders: string[]): string[] {
  const rel = snapshotRelPath(storedPath);
  if (path.isAbsolute(rel) || rel.split('/').includes('..')) return [];
  const field = (o: unknown, k: string): string | undefined => {
    const v = o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined;
    return typeof v === 'string' && v ? v : undefined;
  };
  const script = field(meta.program, 'path');
  const roots = [field(meta.git, 'root'), field(meta.program, 'cwd'), script ? path.dirname(script) : undefined, ...workspaceFolders];
  return [...new Set(roots.filter((r): r is string => !!r).map((r) => path.join(r, ...rel.split('/'))))];
}
