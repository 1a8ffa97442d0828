// A serving runtime ingests, on its own (no `trackwell sync`), an offline run that a real Python script
// records into its data root while it runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, tmpDir, waitFor } from '../helpers/cli';
import { startRuntime } from '../helpers/runtime';

const SCRIPT = `
import trackwell as tw
run = tw.init(project="scanned", id="offln001", mode="offline", config={"lr": 0.5})
for i in range(5):
    run.log({"loss": 1.0 / (i + 1)})
run.finish()
print(run.dir)
`;

test('the runtime picks up an offline run written into its data root while it serves', async () => {
  const root = tmpDir();
  const rt = await startRuntime(root);
  try {
    assert.equal((await rt.get('/api/runs')).total, 0);
    const work = tmpDir();
    fs.writeFileSync(path.join(work, 'train.py'), SCRIPT);
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, TRACKWELL_DIR: root, PYTHONPATH: path.join(ROOT, 'runtime', 'python') };
    const py = spawnSync('python3', ['train.py'], { cwd: work, env, encoding: 'utf8', timeout: 60000 });
    assert.equal(py.status, 0, py.stderr);
    // Offline: the script wrote its journal into the data root (run.dir is its files/ folder) and sent nothing.
    const runDir = path.dirname(py.stdout.trim().split('\n').pop()!);
    assert.equal(path.dirname(runDir), path.join(root, 'runs'));
    assert.ok(fs.existsSync(path.join(runDir, 'run.journal')), runDir);

    // Bounded wait for the runtime's periodic scan (every 2 s); not a speed assertion.
    const run = await waitFor(async () => {
      const runs = (await rt.get('/api/runs')).runs as any[];
      return runs.find((r) => r.id === 'offln001' && r.state === 'finished');
    }, 30000, 'the offline run to be ingested by the runtime');
    assert.equal(run.project, 'scanned');
    const detail = await rt.get(`/api/runs/${run.key}`);
    assert.deepEqual(detail.config, { lr: 0.5 });
    const h = await rt.get(`/api/runs/${run.key}/history?keys=loss&width=100`);
    assert.deepEqual(h.series.loss.x, [0, 1, 2, 3, 4]);
    assert.deepEqual(h.series.loss.y, [1, 0.5, 1 / 3, 0.25, 0.2]);
  } finally {
    await rt.stop();
  }
});
