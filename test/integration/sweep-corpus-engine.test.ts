// Every config the checks accept must work in the engine: the controller stores it and hands out a
// first trial whose parameters cover the config's parameters. (The corpus: test/fixtures/sweeps.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parseSweepYaml } from '../../runtime/sweeps/config';
import { SweepController } from '../../runtime/sweeps/controller';
import { Store } from '../../runtime/store/store';
import { LiveBus } from '../../runtime/live/bus';
import { tmpDir } from '../helpers/cli';

const dir = path.resolve(__dirname, '../fixtures/sweeps');
const valid = fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort()
  .map((f) => ({ f, parsed: parseSweepYaml(fs.readFileSync(path.join(dir, f), 'utf8')) }))
  .filter((x) => x.parsed.config);

test('the corpus has valid configs to run', () => assert.ok(valid.length >= 10, `only ${valid.length}`));

test('each valid corpus config is accepted by the controller and yields a first trial', () => {
  const store = Store.open(path.join(tmpDir(), 'store.sqlite'));
  const ctl = new SweepController(store);
  for (const { f, parsed } of valid) {
    const sweep = ctl.create({ config: parsed.config!, project: 'corpus', seed: 1 });
    const a = ctl.next(sweep.id, null);
    assert.ok('run_id' in a, `${f}: ${JSON.stringify(a)}`);
    for (const name of Object.keys(parsed.config!.parameters)) assert.ok(name in a.params, `${f}: no value for ${name}`);
  }
  store.close();
});

test('sweep live events carry the agent count as agents register and exit', () => {
  const store = Store.open(path.join(tmpDir(), 'store.sqlite'));
  const bus = new LiveBus();
  const seen: number[] = [];
  bus.subscribe((events) => {
    for (const e of events) if (e.type === 'sweep') seen.push(e.sweep.agents);
  });
  const ctl = new SweepController(store, bus);
  const sweep = ctl.create({ config: valid[0].parsed.config!, project: 'corpus', seed: 1 });
  const a = ctl.registerAgent(sweep.id, 'host', 1);
  const b = ctl.registerAgent(sweep.id, 'host', 2);
  ctl.agentExited(a);
  ctl.agentExited(b);
  assert.deepEqual(seen.slice(-4), [1, 2, 1, 0]);
  store.close();
});
