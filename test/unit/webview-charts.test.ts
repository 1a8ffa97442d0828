// Pure chart helpers: smoothing, sections, run colours, system-metric units, routes, virtual rows, tooltip
// values, keyboard reading, and how the runs list takes live changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ema, emaNext, emaStart } from '../../webview/charts/ema';
import { groupSections, sectionOf, DEFAULT_SECTION } from '../../webview/charts/sections';
import { assignColors, palette, PALETTE_SIZE } from '../../webview/charts/colors';
import { unitOf, unitLabel, formatBytes } from '../../webview/charts/units';
import { metricDef, chartedMetrics } from '../../webview/charts/metrics';
import { parseHash, formatRoute, parseRoute } from '../../webview/route';
import { visibleRows, pagesFor, scrollToRow } from '../../webview/views/virtual';
import type { DashboardView } from '../../runtime/protocol/webview';
import { diffRows, flatten } from '../../webview/util/flatten';
import { formatDuration, formatNumber } from '../../webview/util/format';
import { toPts, lastValue } from '../../webview/charts/loader';
import { exactValue } from '../../webview/charts/units';
import { nearestIndex, nextX, xStops, zoomAround } from '../../webview/charts/keyboard';
import { columnValue, infoMovesRow, type ListQuery } from '../../webview/views/runsColumns';
import type { RunInfo } from '../../runtime/protocol/live';

const close = (a: (number | null)[], b: number[]) => a.forEach((v, i) => assert.ok(Math.abs((v as number) - b[i]) < 1e-12, `${v} != ${b[i]} at ${i}`));

test('EMA is debiased like TensorBoard: first point unchanged, constant series stays constant', () => {
  const w = 0.6;
  const ys = [1, 2, 3, 4];
  // TensorBoard: last = last*w + (1-w)*y; value = last / (1 - w^n)
  let last = 0;
  const expected = ys.map((y, i) => { last = last * w + (1 - w) * y; return last / (1 - w ** (i + 1)); });
  close(ema(ys, w), expected);
  assert.equal(ema([5], 0.9)[0], 5);
  close(ema([3, 3, 3, 3, 3], 0.99), [3, 3, 3, 3, 3]);
  assert.deepEqual(ema([1, 2], 0), [1, 2]);
});

test('EMA passes gaps through and incremental steps equal the batch result', () => {
  const ys = [1, null, NaN, 4, 8];
  const batch = ema(ys, 0.5);
  assert.equal(batch[1], null);
  assert.ok(Number.isNaN(batch[2] as number));
  close([batch[3] as number], [(0.5 * 0.5 + 0.5 * 4) / (1 - 0.25)]);
  const s = emaStart();
  const inc = ys.map((y) => emaNext(s, y, 0.5));
  assert.deepEqual(inc.slice(3), batch.slice(3));
});

test('sections: the name up to the last slash; default section first; natural order', () => {
  assert.equal(sectionOf('a/b/c'), 'a/b');
  assert.equal(sectionOf('loss'), DEFAULT_SECTION);
  assert.equal(sectionOf('/x'), DEFAULT_SECTION);
  const s = groupSections(['val/loss', 'train/loss10', 'lr', 'train/loss2', 'a/b/c', 'epoch']);
  assert.deepEqual(s, [
    { name: DEFAULT_SECTION, metrics: ['epoch', 'lr'] },
    { name: 'a/b', metrics: ['a/b/c'] },
    { name: 'train', metrics: ['train/loss2', 'train/loss10'] },
    { name: 'val', metrics: ['val/loss'] },
  ]);
});

test('colours: stable per run key, distinct within a set, independent of pick order', () => {
  const a = assignColors([3, 1, 2], PALETTE_SIZE);
  assert.deepEqual([a.get(1), a.get(2), a.get(3)], [1, 2, 3]);
  const b = assignColors([2, 2 + PALETTE_SIZE], PALETTE_SIZE);
  assert.notEqual(b.get(2), b.get(2 + PALETTE_SIZE));
  assert.deepEqual(assignColors([7, 40, 5], PALETTE_SIZE), assignColors([5, 7, 40], PALETTE_SIZE));
  assert.equal(assignColors([9], PALETTE_SIZE).get(9), assignColors([9, 1, 2], PALETTE_SIZE).get(9));
  const many = assignColors(Array.from({ length: PALETTE_SIZE }, (_, i) => i * PALETTE_SIZE), PALETTE_SIZE);
  assert.equal(new Set(many.values()).size, PALETTE_SIZE);
  const p = palette((v) => (v === '--vscode-charts-blue' ? ' #123456 ' : ''));
  assert.equal(p[0], '#123456');
  assert.equal(p[1], '#d18616');
  assert.equal(p.length, PALETTE_SIZE);
});

test('system metric units', () => {
  const cases: [string, string][] = [
    ['cpu', '%'], ['memory_percent', '%'], ['proc.memory.percent', '%'], ['gpu.0.gpu', '%'], ['gpu.0.memory', '%'],
    ['gpu.0.powerPercent', '%'], ['proc.memory.rssMB', 'MB'], ['proc.memory.availableMB', 'MB'], ['disk./.usageGB', 'GB'],
    ['disk./.usagePercent', '%'], ['gpu.0.temp', '°C'], ['gpu.0.powerWatts', 'W'], ['gpu.0.smClock', 'MHz'],
    ['network.sent', 'bytes'], ['gpu.0.memoryAllocatedBytes', 'bytes'], ['disk.sda.in', 'MB'], ['proc.cpu.threads', ''],
    // what the sampler records: MB read / written since the run's first sample (runtime/metrics/systemStats.ts DeltaCounters)
    ['disk.in', 'MB'], ['disk.out', 'MB'], ['network.recv', 'bytes'], ['diskette.in', ''],
  ];
  for (const [tag, unit] of cases) assert.equal(unitOf(tag), unit, tag);
  assert.equal(unitLabel('gpu.0.temp'), 'gpu.0.temp (°C)');
  assert.equal(unitLabel('disk.out'), 'disk.out (MB)');
  assert.equal(formatBytes(1536), '1.5 KB');
  assert.equal(formatBytes(12), '12 B');
});

test('metric definitions: exact names, then globs; hidden metrics are not charted', () => {
  const defs = { 'val/*': { step_metric: 'epoch' }, 'val/secret': { hidden: true }, epoch: {} };
  assert.equal(metricDef('val/acc', defs)?.step_metric, 'epoch');
  assert.equal(metricDef('val/secret', defs)?.hidden, true);
  assert.equal(metricDef('train/loss', defs), undefined);
  const keys = [{ name: 'val/acc', numeric: true }, { name: 'val/secret', numeric: true }, { name: 'word', numeric: false }, { name: 'loss', numeric: true }];
  assert.deepEqual(chartedMetrics(keys, defs), ['val/acc', 'loss']);
});

test('routes: token taken out of the fragment; views round-trip', () => {
  assert.deepEqual(parseHash('#token=abc%2B1'), { view: { kind: 'runs' }, token: 'abc+1' });
  assert.deepEqual(parseHash('#/run/12&token=t'), { view: { kind: 'run', key: 12 }, token: 't' });
  assert.deepEqual(parseHash('#/compare/3,1,3'), { view: { kind: 'compare', keys: [3, 1] }, token: undefined });
  assert.equal(parseRoute('/run/abc'), undefined);
  const views: DashboardView[] = [{ kind: 'runs' }, { kind: 'runs', project: 'a b' }, { kind: 'run', key: 4 }, { kind: 'compare', keys: [1, 2] }];
  for (const v of views) {
    assert.deepEqual(parseHash(formatRoute(v)).view, v);
  }
});

test('virtual rows and pages', () => {
  assert.deepEqual(visibleRows(0, 100, 20, 10000, 2), { start: 0, end: 8 });
  assert.deepEqual(visibleRows(2000, 100, 20, 10000, 2), { start: 98, end: 108 });
  assert.deepEqual(visibleRows(0, 100, 20, 3, 2), { start: 0, end: 3 });
  assert.deepEqual(pagesFor({ start: 98, end: 305 }, 100), [0, 1, 2, 3]);
  assert.deepEqual(pagesFor({ start: 0, end: 0 }, 100), []);
  assert.equal(scrollToRow(50, 0, 100, 20), 920);
  assert.equal(scrollToRow(2, 100, 100, 20), 40);
  assert.equal(scrollToRow(6, 100, 100, 20), 100);
});

test('config diff: flattened keys, differing rows marked, missing keys differ', () => {
  assert.deepEqual([...flatten({ a: { b: 1, c: [1] }, d: { $num: 'NaN' }, e: {} })], [['a.b', 1], ['a.c', [1]], ['d', { $num: 'NaN' }], ['e', {}]]);
  const rows = diffRows([{ lr: 0.1, opt: { name: 'adam' }, seed: 1 }, { lr: 0.2, opt: { name: 'adam' } }]);
  assert.deepEqual(rows.map((r) => [r.key, r.differs]), [['lr', true], ['opt.name', false], ['seed', true]]);
  assert.deepEqual(rows[2].values, ['1', undefined]);
});

test('formatting', () => {
  assert.equal(formatDuration(3725), '1h 02m');
  assert.equal(formatDuration(65), '1m 05s');
  assert.equal(formatDuration(2.5), '2.5s');
  assert.equal(formatNumber(0.000123), '1.23e-4');
  assert.equal(formatNumber(0.1234567), '0.12346');
  assert.equal(formatNumber(42), '42');
});

test('fetched gaps keep their kind, and the tooltip names it: Infinity and -Infinity are not NaN', () => {
  const pts = toPts({ x: [0, 1, 2, 3], y: [1, null, null, null], nonFinite: { 1: 'Infinity', 2: '-Infinity', 3: 'NaN' }, count: 4, sampled: false, steps: [0, 1, 2, 3] });
  assert.deepEqual(pts.map((p) => exactValue(p.y, p.nf)), ['1', 'Infinity', '-Infinity', 'NaN']);
  assert.equal(pts[0].nf, undefined);
  assert.equal(exactValue(null), 'NaN', 'a gap of unknown kind');
  assert.equal(exactValue(2048, undefined, 'bytes'), '2048 (2.0 KB)');
  assert.deepEqual(lastValue({ x: [4, 9], y: [0.5, null], count: 2, sampled: false, steps: [4, 9] }), { v: NaN, step: 9 });
  assert.equal(lastValue({ x: [], y: [], count: 0, sampled: false, steps: [] }), undefined);
});

test('keyboard reading: arrows step through drawn x values, +/- zoom around the point and stay in the data', () => {
  const stops = xStops([[{ x: 0 }, { x: 2 }, { x: 4 }], [{ x: 1 }, { x: 2 }, { x: NaN }, { x: 9 }]], -Infinity, 4);
  assert.deepEqual(stops, [0, 1, 2, 4]);
  assert.equal(nextX(stops, null, 'ArrowRight'), 0);
  assert.equal(nextX(stops, null, 'ArrowLeft'), 4);
  assert.equal(nextX(stops, 1, 'ArrowRight'), 2);
  assert.equal(nextX(stops, 1.5, 'ArrowLeft'), 1);
  assert.equal(nextX(stops, 4, 'ArrowRight'), 4, 'stays at the end');
  assert.equal(nextX(stops, 0, 'ArrowLeft'), 0);
  assert.equal(nextX(stops, 2, 'Home'), 0);
  assert.equal(nextX(stops, 2, 'End'), 4);
  assert.equal(nextX([], null, 'End'), undefined);

  assert.equal(nearestIndex([{ x: 0 }, { x: 10 }, { x: 20 }], 14, true), 1);
  assert.equal(nearestIndex([{ x: 0 }, { x: 10 }, { x: 20 }], 16, true), 2);
  assert.equal(nearestIndex([{ x: 5 }, { x: 1 }, { x: 3 }], 2.9, false), 2);
  assert.equal(nearestIndex([], 1, true), -1);

  assert.deepEqual(zoomAround([0, 100], 50, 0.5, [0, 100]), [25, 75]);
  assert.deepEqual(zoomAround([0, 100], 90, 0.5, [0, 100]), [50, 100], 'shifted back inside the data');
  assert.deepEqual(zoomAround([40, 60], 45, 2, [0, 100]), [25, 65]);
  assert.equal(zoomAround([20, 80], 50, 2, [0, 100]), null, 'out to everything: a reset');
  assert.equal(zoomAround([5, 5], 5, 0.5, [0, 100]), undefined);
});

test('runs list: column values read like the API (nested, else a flat dotted key); which live changes move a row', () => {
  const summary = { 'eval.loss': 0.5, eval: { acc: 0.9 }, a: { b: null }, 'a.b': 3 };
  assert.equal(columnValue(summary, 'eval.loss'), 0.5, 'a flat dotted key');
  assert.equal(columnValue(summary, 'eval.acc'), 0.9, 'a nested key');
  assert.equal(columnValue(summary, 'a.b'), 3, 'nested null falls back to the flat key, as coalesce does');
  assert.equal(columnValue(summary, 'missing.key'), undefined);

  const run: RunInfo = {
    key: 1, project: 'p', id: 'r', name: 'n', state: 'running', group: null, job_type: null, tags: [], notes: null, sweep_id: null,
    launch_id: null, created_at: 0, updated_at: 0, finished_at: null, heartbeat_at: 0, exit_code: null, last_step: null, history_rows: 0,
  };
  const q: ListQuery = { sort: 'created_at', project: '', state: '', tag: '', group: '', q: '' };
  const beat = { ...run, heartbeat_at: 10, updated_at: 10 };
  const done = { ...run, state: 'finished' as const, finished_at: 5 };
  assert.equal(infoMovesRow(q, run, beat), false, 'a heartbeat moves nothing');
  assert.equal(infoMovesRow(q, run, done), false, 'unfiltered, sorted by start: patched in place');
  assert.equal(infoMovesRow({ ...q, state: 'running' }, run, done), true, 'filtered to running: it leaves the list');
  assert.equal(infoMovesRow({ ...q, state: 'running' }, run, beat), false);
  assert.equal(infoMovesRow({ ...q, sort: 'duration' }, run, done), true, 'its duration stopped growing');
  assert.equal(infoMovesRow({ ...q, sort: 'name' }, run, { ...run, name: 'm' }), true);
  assert.equal(infoMovesRow({ ...q, tag: 'x' }, run, { ...run, tags: ['x'] }), true);
  assert.equal(infoMovesRow({ ...q, q: 'abc' }, run, { ...run, notes: 'abc' }), true);
});
