// Where "Compare Source Snapshot with Current File" looks for the current copy of a stored file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { localCandidates, snapshotRelPath } from '../../extension/logic/snapshotPaths';

test('stored paths map back to the path relative to the root they were taken from', () => {
  assert.equal(snapshotRelPath('code/pkg/model.py'), 'pkg/model.py');
  assert.equal(snapshotRelPath('snapshots/source-p-train.py/train.py'), 'train.py');
  assert.equal(snapshotRelPath('snapshots/all_code/a/b.py'), 'a/b.py');
  assert.equal(snapshotRelPath('requirements.txt'), 'requirements.txt');
});

test('candidates: git root, working directory, script folder, then workspace folders; never outside them', () => {
  const meta = { git: { root: '/repo' }, program: { cwd: '/repo/sub', path: '/repo/sub/train.py' } };
  assert.deepEqual(localCandidates('code/pkg/model.py', meta, ['/ws', '/repo']),
    ['/repo/pkg/model.py', '/repo/sub/pkg/model.py', '/ws/pkg/model.py']);
  assert.deepEqual(localCandidates('code/x.py', { git: null, program: null }, ['/ws']), ['/ws/x.py']);
  assert.deepEqual(localCandidates('code/../../etc/passwd', meta, ['/ws']), []);
  assert.deepEqual(localCandidates('snapshots/n/../../x', meta, ['/ws']), []);
});
