// The extension's logic that needs no VS Code: the Runs model, lens placement, interpreter choice,
// status text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RunsModel, formatDuration, runDescription, stateIcon } from '../../extension/logic/runsModel';
import { runLensLines } from '../../extension/logic/codeLensLines';
import { chooseInterpreter } from '../../extension/logic/interpreter';
import { firstChartedKey, formatValue, seedValue, statusText } from '../../extension/logic/statusText';
import type { RunInfo } from '../../runtime/protocol/live';

const run = (key: number, over: Partial<RunInfo> = {}): RunInfo => ({
  key, project: 'p', id: `id${key}`, name: `run-${key}`, state: 'running', group: null, job_type: null, tags: [], notes: null,
  sweep_id: null, launch_id: null, created_at: 1000 + key, updated_at: 1000 + key, finished_at: null, heartbeat_at: null,
  exit_code: null, last_step: null, history_rows: 0, ...over,
});

test('the runs model groups by project, newest first, and follows live events', () => {
  const m = new RunsModel();
  m.reset([run(1), run(2, { project: 'q' }), run(3, { state: 'finished' })]);
  assert.deepEqual(m.projects(), [{ name: 'p', runs: 2, running: 1 }, { name: 'q', runs: 1, running: 1 }]);
  assert.deepEqual(m.runsOf('p').map((r) => r.key), [3, 1]);
  assert.equal(m.apply([{ type: 'run', run: run(1, { state: 'failed' }) }]), true);
  assert.equal(m.get(1)!.state, 'failed');
  assert.equal(m.apply([{ type: 'run-deleted', run: { key: 2, project: 'q', id: 'id2' } }]), true);
  assert.deepEqual(m.projects().map((p) => p.name), ['p']);
  assert.equal(m.apply([{ type: 'history', run: { key: 3, project: 'p', id: 'id3' }, points: [{ step: 7, ts: 0, runtime: 0, values: {} }], newKeys: [] }]), false);
  assert.equal(m.get(3)!.last_step, 7);
  m.apply([{ type: 'run', run: run(4, { launch_id: 'abcdefgh' }) }]);
  assert.equal(m.byLaunchId('abcdefgh')!.key, 4);
  assert.deepEqual(m.live().map((r) => r.key), [4]);
});

test('states have distinct icons, durations read like a clock', () => {
  const icons = new Set(['running', 'finished', 'failed', 'crashed', 'killed'].map((s) => stateIcon(s as any).icon));
  assert.equal(icons.size, 5);
  assert.equal(formatDuration(5), '5s');
  assert.equal(formatDuration(125), '2m 05s');
  assert.equal(formatDuration(3 * 3600 + 65), '3h 01m');
  assert.equal(runDescription(run(1, { state: 'finished', created_at: 0, finished_at: 90 })), 'finished · 1m 30s');
});

test('Run with Tracking lenses sit above the main guard and init calls, not in docstrings or comments', () => {
  const src = [
    '"""Example:',
    '    wandb.init(project="x")',
    '"""',
    'import wandb',
    '# wandb.init() in a comment',
    'run = wandb.init(project="p")',
    'def main():',
    '    tw.init()',
    "if __name__ == '__main__':",
    '    main()',
    '    if __name__ == "__main__":',
  ].join('\n');
  assert.deepEqual(runLensLines(src), [5, 7, 8]);
});

test('the interpreter comes from the Python extension, then the setting, then python3', () => {
  assert.deepEqual(chooseInterpreter({ fromPythonExtension: '/venv/bin/python', setting: '/usr/bin/python3.11' }), { path: '/venv/bin/python', source: 'python-extension' });
  assert.deepEqual(chooseInterpreter({ setting: ' /usr/bin/python3.11 ' }), { path: '/usr/bin/python3.11', source: 'setting' });
  assert.deepEqual(chooseInterpreter({ platform: 'linux' }), { path: 'python3', source: 'default' });
  assert.deepEqual(chooseInterpreter({ platform: 'win32' }), { path: 'python', source: 'default' });
});

test('the status text counts live runs and shows the newest run\'s first charted metric', () => {
  assert.equal(statusText([]), undefined);
  assert.equal(statusText([run(1)]), '$(pulse) 1 run');
  assert.equal(statusText([run(1), run(2)], { key: 'loss', value: 0.123456 }), '$(pulse) 2 runs · loss 0.1235');
  assert.equal(formatValue(1234567), '1.23e+6');
  assert.equal(formatValue(0.00001234), '1.23e-5');
  assert.equal(firstChartedKey(['train/loss', '_runtime', 'acc', 'system/cpu'], { acc: { hidden: true } }), 'train/loss');
});

test('the status bar\'s metric is the run panel\'s first chart: default section first, natural order, define_metric hiding', () => {
  // The panel's default section ("Charts": names without a '/') comes before every other section.
  assert.equal(firstChartedKey(['a/x', 'b/y', 'zeta']), 'zeta');
  // Sections in natural order, then metrics in natural order: loss2 before loss10.
  assert.equal(firstChartedKey(['val/loss10', 'val/loss2', 'train10/x', 'train2/x']), 'train2/x');
  assert.equal(firstChartedKey(['loss10', 'loss2', 'Loss3']), 'loss2');
  // Hidden by its own definition, or by the most specific glob.
  assert.equal(firstChartedKey(['acc', 'accuracy', 'loss'], { 'acc*': { hidden: true } }), 'loss');
  assert.equal(firstChartedKey(['val/acc', 'val/loss', 'x/y'], { 'val/*': { hidden: true } }), 'x/y');
  assert.equal(firstChartedKey(['val/acc', 'val/loss'], { 'val/*': { hidden: true }, 'val/loss': { hidden: false } }), 'val/loss');
  assert.equal(firstChartedKey(['acc'], { '*': { hidden: true } }), undefined);
  // Non-numeric history keys (media, tables) get no chart; "_" keys and system metrics never lead.
  assert.equal(firstChartedKey([{ name: 'image', numeric: false }, { name: 'loss', numeric: true }]), 'loss');
  assert.equal(firstChartedKey(['_step', '_runtime', 'system/cpu']), undefined);
});

test('the status bar is seeded with the last logged value: history\'s last point, else a numeric summary', () => {
  const hist = (y: (number | null)[]) => ({ x: 'step' as const, series: { loss: { x: y.map((_, i) => i), y, count: y.length, sampled: false, steps: y.map((_, i) => i) } } });
  assert.equal(seedValue('loss', hist([0.9, 0.5]), { loss: 0.7 }), 0.5);
  assert.equal(seedValue('loss', hist([]), { loss: 0.7 }), 0.7);
  assert.equal(seedValue('loss', hist([0.9, null]), { loss: 0.7 }), 0.7);
  assert.equal(seedValue('loss', undefined, { loss: { min: 0.1 } }), undefined);
  assert.equal(seedValue('loss', undefined, {}), undefined);
});
