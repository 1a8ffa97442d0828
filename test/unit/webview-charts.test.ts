// Pure chart helpers: smoothing, sections, run colours, system-metric units, routes, virtual rows.
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
