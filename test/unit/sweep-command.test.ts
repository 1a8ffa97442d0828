// Sweep command macro expansion: argument arrays, Python value formatting. And how many trials an agent runs at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandCommand, pyRepr } from '../../runtime/sweeps/command';
import { effectiveParallel } from '../../runtime/sweeps/agent';

const ctx = (params: Record<string, unknown>, extra: Partial<Parameters<typeof expandCommand>[1]> = {}) => ({
  program: 'train.py', interpreter: 'python3', params, paramsJsonFile: '/tmp/p.json', env: { HOME: '/home/u' }, platform: 'linux' as const, ...extra,
});

test('the default command is env, interpreter, program, --k=v args', () => {
  assert.deepEqual(expandCommand(undefined, ctx({ lr: 0.001, layers: 2, act: 'relu' })),
    ['/usr/bin/env', 'python3', 'train.py', '--lr=0.001', '--layers=2', '--act=relu']);
});

test('every macro form', () => {
  const p = { lr: 1e-5, flag: true, off: false, name: 'a b' };
  const c = ctx(p);
  assert.deepEqual(expandCommand(['${args_no_equals}'], c), ['--lr', '1e-05', '--flag', 'True', '--off', 'False', '--name', 'a b']);
  assert.deepEqual(expandCommand(['${args_no_hyphens}'], c), ['lr=1e-05', 'flag=True', 'off=False', 'name=a b']);
  assert.deepEqual(expandCommand(['${args_no_boolean_flags}'], c), ['--lr=1e-05', '--flag', '--name=a b']);
  assert.deepEqual(expandCommand(['${args_json}'], c), [JSON.stringify(p)]);
  assert.deepEqual(expandCommand(['--config', '${args_json_file}'], c), ['--config', '/tmp/p.json']);
  assert.deepEqual(expandCommand(['${args_append_hydra}'], ctx({ a: 1 })), ['+a=1']);
  assert.deepEqual(expandCommand(['${args_override_hydra}'], ctx({ a: 1 })), ['++a=1']);
  assert.deepEqual(expandCommand(['${envvar:HOME}/data', '${envvar:NOPE}'], c), ['/home/u/data', '${envvar:NOPE}']);
  assert.deepEqual(expandCommand(['--cfg=${args_json_file}'], c), ['--cfg=/tmp/p.json']);
  assert.deepEqual(expandCommand(['${env}', 'x'], { ...c, platform: 'win32' }), ['x']);
});

test('values print as Python str() would', () => {
  assert.equal(pyRepr(0.0001), '0.0001');
  assert.equal(pyRepr(0.00001), '1e-05');
  assert.equal(pyRepr(1.5e16), '1.5e+16');
  assert.equal(pyRepr(2.5), '2.5');
  assert.equal(pyRepr(3), '3');
  assert.equal(pyRepr(null), 'None');
  assert.equal(pyRepr([1, 'a', true]), "[1, 'a', True]");
  assert.equal(pyRepr({ a: { b: 0.5 } }), "{'a': {'b': 0.5}}");
  assert.equal(pyRepr(123456.789), '123456.789');
});

test('agent: --parallel is capped at the number of GPUs given, with a warning', () => {
  const warned: string[] = [];
  const warn = (m: string) => void warned.push(m);
  assert.equal(effectiveParallel(2, ['0', '1'], warn), 2);
  assert.equal(effectiveParallel(1, ['0', '1'], warn), 1);
  assert.equal(effectiveParallel(4, [], warn), 4, 'no GPUs given: nothing to pin, nothing to cap');
  assert.equal(effectiveParallel(undefined, [], warn), 1);
  assert.deepEqual(warned, []);
  assert.equal(effectiveParallel(3, ['2', '3'], warn), 2);
  assert.deepEqual(warned, ['trackwell agent: warning: --parallel 3 but only 2 GPUs (2,3); running 2 trials at a time so each has its own GPU']);
});
