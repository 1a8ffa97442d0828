// The Runs view's model, kept free of `vscode` so it can be unit-tested: runs grouped by project,
// newest first, updated from live events.
import type { LiveEvent, RunInfo } from '../../runtime/protocol/live';
import type { RunState } from '../../runtime/protocol/journal';

export class RunsModel {
  private runs = new Map<number, RunInfo>();

  reset(runs: RunInfo[]): void {
    this.runs = new Map(runs.map((r) => [r.key, r]));
  }

  /** Applies live events; returns whether anything the tree shows changed. */
  apply(events: LiveEvent[]): boolean {
    let changed = false;
    for (const e of events) {
      if (e.type === 'run') {
        this.runs.set(e.run.key, e.run);
        changed = true;
      } else if (e.type === 'run-deleted') {
        changed = this.runs.delete(e.run.key) || changed;
      } else if (e.type === 'history') {
        const r = this.runs.get(e.run.key);
        const last = e.points[e.points.length - 1];
        if (r && last) {
          r.last_step = last.step;
          r.history_rows += e.points.length;
        }
      }
    }
    return changed;
  }

  get(key: number): RunInfo | undefined {
    return this.runs.get(key);
  }

  all(): RunInfo[] {
    return [...this.runs.values()];
  }

  projects(): { name: string; runs: number; running: number }[] {
    const by = new Map<string, { name: string; runs: number; running: number }>();
    for (const r of this.runs.values()) {
      const p = by.get(r.project) ?? { name: r.project, runs: 0, running: 0 };
      p.runs++;
      if (r.state === 'running') p.running++;
      by.set(r.project, p);
    }
    return [...by.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  runsOf(project: string): RunInfo[] {
    return this.all().filter((r) => r.project === project).sort((a, b) => b.created_at - a.created_at || b.key - a.key);
  }

  live(): RunInfo[] {
    return this.all().filter((r) => r.state === 'running').sort((a, b) => b.created_at - a.created_at);
  }

  byLaunchId(launchId: string): RunInfo | undefined {
    return this.all().find((r) => r.launch_id === launchId || r.id === launchId);
  }
}

/** Codicon and theme colour for each state. */
export function stateIcon(state: RunState): { icon: string; color?: string } {
  switch (state) {
    case 'running': return { icon: 'sync~spin', color: 'charts.blue' };
    case 'finished': return { icon: 'pass', color: 'testing.iconPassed' };
    case 'failed': return { icon: 'error', color: 'testing.iconFailed' };
    case 'crashed': return { icon: 'warning', color: 'list.warningForeground' };
    case 'killed': return { icon: 'circle-slash', color: 'disabledForeground' };
  }
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function runDuration(r: RunInfo, now = Date.now() / 1000): number {
  const end = r.state === 'running' ? now : r.finished_at ?? r.heartbeat_at ?? r.updated_at;
  return Math.max(0, end - r.created_at);
}

export function runLabel(r: RunInfo): string {
  return r.name ? `${r.name}` : r.id;
}

export function runDescription(r: RunInfo, now = Date.now() / 1000): string {
  return `${r.state} · ${formatDuration(runDuration(r, now))}`;
}
