// Columns of the runs list: the fixed ones, and any config.* / summary.* value the user picks.
import type { RunListItem } from '../../runtime/protocol/api';
import type { RunInfo } from '../../runtime/protocol/live';
import type { JsonValue } from '../../runtime/protocol/journal';
import { formatDate, formatDuration, formatValue } from '../util/format';
import { h } from '../util/dom';

export interface Column {
  id: string;
  title: string;
  width: number;
  /** the API's sort key; none = not sortable */
  sort?: string;
  /** can be hidden from the column picker */
  optional?: boolean;
  cell(r: RunListItem, now: number): Node | string;
}

/** A running run whose client is still beating (HEARTBEAT_SECONDS = 5; allow a few misses). */
export const isLive = (r: RunListItem, now: number): boolean => r.state === 'running' && now - (r.heartbeat_at ?? r.updated_at) < 30;

export const durationOf = (r: RunListItem, now: number): number => (r.state === 'running' ? Math.max(0, now - r.created_at) : r.duration);

export function statusBadge(state: string, live: boolean): HTMLElement {
  return h('span', { class: `tw-status tw-state-${state}${live ? ' tw-live' : ''}`, title: live ? 'running, live' : state },
    h('span', { class: 'tw-dot', 'aria-hidden': 'true' }), state);
}

export const BASE_COLUMNS: Column[] = [
  { id: 'state', title: 'Status', width: 104, sort: 'state', cell: (r, now) => statusBadge(r.state, isLive(r, now)) },
  {
    id: 'name', title: 'Name', width: 230, sort: 'name',
    cell: (r) => h('span', { class: 'tw-name' }, h('span', { class: 'tw-name-text' }, r.name ?? r.id), r.name ? h('span', { class: 'tw-muted tw-id' }, r.id) : null),
  },
  { id: 'project', title: 'Project', width: 120, sort: 'project', optional: true, cell: (r) => r.project },
  { id: 'group', title: 'Group', width: 110, sort: 'group', optional: true, cell: (r) => r.group ?? '' },
  {
    id: 'tags', title: 'Tags', width: 150, sort: 'tags', optional: true,
    cell: (r) => h('span', { class: 'tw-tags' }, r.tags.map((t) => h('span', { class: 'tw-tag', 'data-tag': t, title: `Show runs tagged ${t}` }, t))),
  },
  { id: 'created_at', title: 'Started', width: 180, sort: 'created_at', optional: true, cell: (r) => formatDate(r.created_at) },
  { id: 'duration', title: 'Duration', width: 92, sort: 'duration', optional: true, cell: (r, now) => h('span', { class: 'tw-duration' }, formatDuration(durationOf(r, now))) },
];

export function valueColumn(id: string): Column {
  const [kind, ...rest] = id.split('.');
  return {
    id, title: rest.join('.'), width: 120, sort: id,
    cell: (r) => {
      const v: JsonValue | undefined = r.columns?.[id];
      const text = formatValue(v);
      return h('span', { class: `tw-val${typeof v === 'number' ? ' tw-num' : ''}`, title: `${kind}.${rest.join('.')} = ${text}` }, text);
    },
  };
}

/** Reads a dotted path out of a nested object (live summary updates for summary.* columns). */
export function pathValue(obj: unknown, path: string): JsonValue | undefined {
  let cur: unknown = obj;
  for (const seg of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur as JsonValue | undefined;
}

/**
 * A config/summary column's value in an object the way the API reads it (runQueries.jsonColumn): the
 * nested path a → b, else a top-level key literally named "a.b" (flat dotted keys, as W&B logs them).
 */
export function columnValue(obj: unknown, path: string): JsonValue | undefined {
  const nested = pathValue(obj, path);
  if (nested !== undefined && nested !== null) return nested;
  if (path.includes('.') && obj !== null && typeof obj === 'object' && !Array.isArray(obj) && Object.hasOwn(obj, path)) return (obj as Record<string, JsonValue>)[path];
  return nested;
}

/** What the list is filtered and sorted by (RunsPrefs' fields that decide which rows show, in what order). */
export interface ListQuery {
  sort: string;
  project: string;
  state: string;
  tag: string;
  group: string;
  q: string;
}

/** RunInfo fields each sort key orders by (config./summary. sorts are handled by their own events). */
const SORT_FIELDS: Record<string, (keyof RunInfo)[]> = {
  state: ['state'], name: ['name', 'id'], id: ['id'], project: ['project'], group: ['group'], tags: ['tags'], notes: ['notes'],
  job_type: ['job_type'], duration: ['state', 'finished_at'], finished_at: ['finished_at'], exit_code: ['exit_code'],
  sweep_id: ['sweep_id'], last_step: ['last_step'], history_rows: ['history_rows'], updated_at: ['updated_at'],
  heartbeat_at: ['heartbeat_at'], created_at: ['created_at'],
};

/**
 * Whether a listed run's new info can move it within the list or out of it: a field the list is
 * filtered or sorted by changed (a running run finishing under state=running, say). Then the list is
 * queried again rather than patched in place.
 */
export function infoMovesRow(q: ListQuery, old: RunInfo, next: RunInfo): boolean {
  const changed = (f: keyof RunInfo) => JSON.stringify(old[f]) !== JSON.stringify(next[f]);
  if (q.state && changed('state')) return true;
  if (q.project && changed('project')) return true;
  if (q.group && changed('group')) return true;
  if (q.tag && changed('tags')) return true;
  if (q.q && (['id', 'name', 'notes', 'tags', 'group', 'job_type', 'project'] as const).some(changed)) return true;
  return (SORT_FIELDS[q.sort] ?? []).some(changed);
}
