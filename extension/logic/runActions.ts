// The Runs view's context actions without `vscode`: which runs an action applies to (the clicked node,
// the multi-selection, or the view's selection), the delete prompt, and the launches from the editor
// that wait for their run to appear.
import type { RunInfo } from '../../runtime/protocol/live';

/** A Runs view node, structurally (runsTree.ts's RunsNode). */
export type RunNodeLike = { kind: string; run?: RunInfo } | undefined | null;

/** A run key from a command argument: a number (status bar, webview) or a run node. */
export function runKeyOf(arg: unknown): number | undefined {
  if (typeof arg === 'number') return Number.isInteger(arg) ? arg : undefined;
  const n = arg as RunNodeLike;
  return n && typeof n === 'object' && n.kind === 'run' && n.run ? n.run.key : undefined;
}

/**
 * The runs a context action applies to. VS Code passes the clicked node and, with several selected, all
 * of them; from the palette there is no argument and the view's selection counts. Project and message
 * nodes are ignored.
 */
export function selectedRuns(arg: unknown, many: unknown, selection: readonly RunNodeLike[]): RunInfo[] {
  const nodes = (Array.isArray(many) && many.length ? many : arg ? [arg] : selection) as RunNodeLike[];
  const seen = new Set<number>();
  const out: RunInfo[] = [];
  for (const n of nodes) {
    if (!n || typeof n !== 'object' || n.kind !== 'run' || !n.run || seen.has(n.run.key)) continue;
    seen.add(n.run.key);
    out.push(n.run);
  }
  return out;
}

export function runTitle(r: RunInfo): string {
  return r.name ?? r.id;
}

/** The modal question before deleting runs. */
export function deletePrompt(runs: RunInfo[]): string {
  const what = runs.length === 1 ? `run "${runTitle(runs[0])}"` : `${runs.length} runs`;
  return `Delete ${what}? Its history, console and files are removed from the store.`;
}

/**
 * Runs started with "Run with Tracking" whose panel opens as soon as the runtime reports them. A launch
 * whose run never appears (the script failed before `init`, or ran offline) is forgotten after `maxAgeMs`.
 */
export class PendingLaunches<T = unknown> {
  private pending = new Map<string, { value: T; at: number }>();

  constructor(private readonly maxAgeMs = 10 * 60_000) {}

  add(launchId: string, value: T, now = Date.now()): void {
    this.prune(now);
    this.pending.set(launchId, { value, at: now });
  }

  /** The launch `run` belongs to (by its launch id, or its id when the launcher chose it), removed; undefined if none. */
  take(run: Pick<RunInfo, 'id' | 'launch_id'>, now = Date.now()): T | undefined {
    this.prune(now);
    for (const id of [run.launch_id, run.id]) {
      if (!id) continue;
      const hit = this.pending.get(id);
      if (hit) {
        this.pending.delete(id);
        return hit.value;
      }
    }
    return undefined;
  }

  get size(): number {
    return this.pending.size;
  }

  prune(now = Date.now()): void {
    for (const [id, p] of this.pending) if (now - p.at > this.maxAgeMs) this.pending.delete(id);
  }
}
