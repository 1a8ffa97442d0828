// `npm test`: set up (idempotent), build, typecheck, lint, then every test layer. Runs them all and fails if any failed.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const skipE2e = process.env.TRACKWELL_SKIP_E2E === '1';
const steps = [
  ['setup and build', 'node', ['scripts/setup.mjs', '--tests']],
  ['typecheck', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']],
  ['lint', 'npx', ['eslint', '.']],
  ['node tests (unit, integration, browser)', 'node', ['scripts/run-node-tests.mjs']],
  // STRICT: a missing build or shared/examples fails the python tests that need it instead of skipping them.
  ['python tests (stored through the runtime)', 'python3', ['-m', 'pytest', '-q', 'runtime/python/tests'], { TRACKWELL_TESTS_STRICT: '1' }],
  ['python tests (raw journal records)', 'python3', ['-m', 'pytest', '-q', 'runtime/python/tests'],
    { TRACKWELL_TEST_BACKEND: 'journal', TRACKWELL_TESTS_STRICT: '1' }],
  ...(skipE2e ? [] : [['end-to-end tests (VS Code)', 'node', ['scripts/run-e2e.mjs']]]),
];
const failed = [];
for (const [name, cmd, args, env] of steps) {
  console.log(`\n=== ${name}: ${cmd} ${args.join(' ')}`);
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  console.log(`=== ${name}: ${r.status === 0 ? 'ok' : 'FAILED'} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  if (r.status !== 0) failed.push(name);
  if (r.status !== 0 && name.startsWith('setup')) break;
}
console.log(failed.length ? `\nnpm test: FAILED: ${failed.join(', ')}` : '\nnpm test: all steps passed');
process.exit(failed.length ? 1 : 0);
