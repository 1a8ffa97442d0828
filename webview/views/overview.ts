// The run's Overview tab: what the client collected about where it ran (the `meta` records):
// program, git and host. Missing parts say so instead of showing blanks. A running (or crashed) run
// also shows its last heartbeat and last activity: heartbeats without activity mean a hung script.
import type { JsonObject, JsonValue, RunActivity, RunState } from '../../runtime/protocol/journal';
import { h, clear } from '../util/dom';
import { formatClock, formatDuration } from '../util/format';
import './runInfo.css';
import { gpuSummary } from '../../runtime/protocol/gpuSummary';

/** What the Activity card needs of a run (RunDetail and live RunInfo both have it). */
export interface RunLiveness {
  state: RunState;
  heartbeat_at: number | null;
  activity?: RunActivity | null;
}

const obj = (v: JsonValue | undefined): JsonObject | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? v : undefined);
const text = (v: JsonValue | undefined): string => (v === null || v === undefined ? '' : String(v));

export function formatBytes(n: JsonValue | undefined): string {
  if (typeof n !== 'number' || !(n >= 0)) return '';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return i === 0 ? `${n} B` : `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** `python train.py --lr 0.1`, quoting arguments a shell would split. */
function commandLine(program: JsonObject): string {
  const argv = Array.isArray(program.argv) ? program.argv.map(text) : [text(program.path)];
  const q = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  return ['python', ...argv.map(q)].join(' ');
}

type Row = [string, Node | string | null];

function card(title: string, rows: Row[], empty: string): HTMLElement {
  const shown = rows.filter(([, v]) => v !== null && v !== '');
  return h('section', { class: 'tw-ov-card', 'aria-label': title }, h('h2', null, title),
    shown.length
      ? h('dl', { class: 'tw-ov-list' }, shown.flatMap(([k, v]) => [h('dt', null, k), h('dd', { 'data-field': k.toLowerCase() }, v)]))
      : h('p', { class: 'tw-muted' }, empty));
}

const mono = (s: string) => (s ? h('code', null, s) : null);

const agoText = (ts: number) => `${formatDuration(Math.max(0, Math.floor(Date.now() / 1000 - ts)))} ago`;

/** "12:00:05 (3s ago)"; the part in parentheses is kept current by Overview.tick(). */
const when = (ts: number) => h('span', null, `${formatClock(ts)} (`, h('span', { class: 'tw-ov-ago', 'data-ts': String(ts) }, agoText(ts)), ')');

function activityText(a: RunActivity): string {
  if (a.kind === 'log') return a.step !== null ? `log() at step ${a.step}, ` : 'log(), ';
  return a.step !== null ? `console output (last log() at step ${a.step}), ` : 'console output, ';
}

export class Overview {
  readonly el = h('div', { class: 'tw-overview' });
  /** holds the Activity card, so heartbeats repaint only it */
  private liveSlot = h('div', { class: 'tw-ov-live' });

  set(meta: JsonObject, run?: RunLiveness): void {
    clear(this.el);
    if (run) this.setLive(run);
    this.el.append(this.liveSlot);
    const program = obj(meta.program);
    const git = obj(meta.git);
    const host = obj(meta.host);
    const gpus = gpuSummary(meta); // the client's list, else the runtime's sampler inventory (AMD too)
    const env = obj(host?.env);
    this.el.append(
      card('Program', program ? [
        ['Command', mono(commandLine(program))],
        ['Working directory', mono(text(program.cwd))],
        ['Python', program.python ? `${text(program.python)}${program.executable ? ` (${text(program.executable)})` : ''}` : null],
      ] : [], 'Not recorded.'),
      card('Git', git ? [
        ['Remote', mono(text(git.remote))],
        ['Branch', text(git.branch) || (git.commit ? '(detached HEAD)' : null)],
        ['Commit', mono(text(git.commit))],
        ['State', git.dirty === true ? h('span', { class: 'tw-ov-dirty' }, 'uncommitted changes (see diff.patch in Files)') : git.dirty === false ? 'clean' : null],
      ] : [], 'Not a git repository (or git information was switched off).'),
      card('Host', host ? [
        ['Hostname', text(host.hostname)],
        ['OS', [text(host.os), text(host.release)].join(' ').trim()],
        ['CPU', [text(host.cpu), host.cpu_count ? `${text(host.cpu_count)} cores` : ''].filter(Boolean).join(', ')],
        ['Memory', formatBytes(host.memory_total)],
        ['GPUs', gpus.length ? h('ul', { class: 'tw-ov-gpus' }, gpus.map((g) =>
          h('li', null, `${text(g.name)}${g.memory_total ? `, ${formatBytes(g.memory_total)}` : ''}${g.driver ? `, driver ${text(g.driver)}` : ''}`))) : 'none'],
        ['Environment', env && Object.keys(env).length ? h('ul', { class: 'tw-ov-env' }, Object.entries(env).map(([k, v]) => h('li', null, mono(`${k}=${text(v)}`)))) : null],
      ] : [], 'Not recorded.'),
    );
  }

  /** Last heartbeat and last activity while the run is running (or after it crashed); nothing otherwise. */
  setLive(run: RunLiveness): void {
    clear(this.liveSlot);
    if (run.state !== 'running' && run.state !== 'crashed') return;
    const a = run.activity;
    this.liveSlot.append(card('Activity', [
      ['Last heartbeat', run.heartbeat_at !== null ? when(run.heartbeat_at) : 'none yet'],
      ['Last activity', a ? h('span', null, activityText(a), when(a.ts)) : 'none reported yet (no log() call or console output)'],
    ], ''));
  }

  /** Keeps the "… ago" texts current (called every second by the run view). */
  tick(): void {
    this.liveSlot.querySelectorAll<HTMLElement>('.tw-ov-ago').forEach((e) => (e.textContent = agoText(Number(e.dataset.ts))));
  }
}
