// Files saved with a run (sources, the uncommitted diff, requirements) through a real runtime: the
// files API lists what the journal's `file` records stored and serves the bytes from the blob store by
// sha256 only; no client-supplied path reaches the file system. `show` prints the collected information.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { cli, cliJson, tmpDir } from '../helpers/cli';
import { JournalWriter } from '../helpers/journal';
import { startRuntime } from '../helpers/runtime';
import { blobPath } from '../../runtime/store/blobs';

/** Writes a blob the way the Python client does (runtime/python/trackwell/blobs.py). */
function putBlob(root: string, data: Buffer): string {
  const sha = crypto.createHash('sha256').update(data).digest('hex');
  const p = blobPath(path.join(root, 'blobs'), sha);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, data);
  return sha;
}

test('the files API lists a run\'s files and serves their bytes; paths outside the stored rows are 404', async () => {
  const root = tmpDir();
  const script = Buffer.from('import helper\nprint(helper.greet())\n');
  const patch = Buffer.from('diff --git a/helper.py b/helper.py\n--- a/helper.py\n+++ b/helper.py\n@@ -1 +1,2 @@\n x = 1\n+y = 2\n');
  const binary = Buffer.from([0, 1, 2, 255, 254]);
  const j = new JournalWriter(path.join(root, 'runs', '20240101-000000-files001'), 'files001', 'proj');
  j.add('meta', { program: { argv: ['train.py'], path: '/w/train.py', cwd: '/w', python: '3.11.7' }, git: { commit: 'abc', root: '/w' }, host: { hostname: 'h', cpu_count: 4 } });
  const files: [string, Buffer, string][] = [['code/train.py', script, 'source'], ['diff.patch', patch, 'patch'], ['requirements.txt', Buffer.from('numpy\n'), 'requirements'], ['media/raw.bin', binary, 'other']];
  for (const [p, data, kind] of files) j.add('file', { path: p, sha256: putBlob(root, data), size: data.length, kind });
  // Rejected at ingest: they name something outside the run, or a blob by something else than a sha256.
  j.add('file', { path: '../escape.txt', sha256: putBlob(root, Buffer.from('x')), size: 1, kind: 'other' });
  j.add('file', { path: '/etc/passwd', sha256: putBlob(root, Buffer.from('y')), size: 1, kind: 'other' });
  j.add('file', { path: 'bad-sha.txt', sha256: '../../token', size: 1, kind: 'other' });
  // A row whose bytes never reached this data root (copied store without blobs/).
  j.add('file', { path: 'lost.txt', sha256: 'f'.repeat(64), size: 3, kind: 'other' });
  // The collector's complete record replaces the early one key by key.
  j.add('meta', {
    program: { argv: ['train.py', '--lr', '0.1'], path: '/w/train.py', cwd: '/w', python: '3.11.7', executable: '/usr/bin/python3' },
    git: { root: '/w', remote: 'https://example.invalid/r.git', commit: 'abc123', branch: 'main', dirty: true },
    sources: [['train.py', crypto.createHash('md5').update(script).digest('hex')]],
    dependencies: ['numpy==2.0.0', 'pip==24.0'],
    host: { hostname: 'gpu-box', os: 'Linux', release: '6.1', cpu: 'AMD EPYC', cpu_count: 4, memory_total: 8 * 2 ** 30, gpus: [{ name: 'NVIDIA A100', memory_total: 40 * 2 ** 30, driver: '535.1' }] },
  });
  j.add('exit', { state: 'finished', exit_code: 0 });
  const other = new JournalWriter(path.join(root, 'runs', '20240101-000000-files002'), 'files002', 'proj');
  other.add('exit', { state: 'finished', exit_code: 0 });

  const rt = await startRuntime(root);
  try {
    const runs = (await rt.get('/api/runs?sort=id')).runs;
    const key = runs.find((r: any) => r.id === 'files001').key;
    const otherKey = runs.find((r: any) => r.id === 'files002').key;
    const list = await rt.get(`/api/runs/${key}/files`);
    assert.deepEqual(list.files.map((f: any) => [f.path, f.kind, f.size]),
      [['code/train.py', 'source', script.length], ['diff.patch', 'patch', patch.length], ['lost.txt', 'other', 3], ['media/raw.bin', 'other', 5], ['requirements.txt', 'requirements', 6]]);
    assert.ok(list.files.every((f: any) => /^[0-9a-f]{64}$/.test(f.sha256) && f.ts > 0));
    assert.deepEqual((await rt.get(`/api/runs/${otherKey}/files`)).files, []);

    const get = (k: number, p: string) => fetch(`${rt.url}/api/runs/${k}/files/content?path=${encodeURIComponent(p)}`, { headers: { Authorization: `Bearer ${rt.token}` } });
    for (const [p, data] of files) {
      const res = await get(key, p);
      assert.equal(res.status, 200, p);
      assert.deepEqual(Buffer.from(await res.arrayBuffer()), data, p);
    }
    assert.match((await get(key, 'code/train.py')).headers.get('content-type') ?? '', /^text\/x-python/);
    assert.match((await get(key, 'diff.patch')).headers.get('content-type') ?? '', /^text\/x-diff/);
    assert.equal((await get(key, 'media/raw.bin')).headers.get('content-type'), 'application/octet-stream');
    assert.match((await get(key, 'code/train.py')).headers.get('content-security-policy') ?? '', /sandbox/);

    // Only a stored row's exact path: traversal, absolute paths, look-alikes and other runs' files are 404.
    const token = fs.readFileSync(path.join(root, 'token'), 'utf8');
    for (const p of ['../token', '../../token', 'code/../../token', '/etc/passwd', path.join(root, 'token'), 'code/./train.py', 'code//train.py',
      './diff.patch', 'CODE/train.py', 'code/train.py ', '../escape.txt', 'escape.txt', 'bad-sha.txt', 'nope.py', '..', '.', 'blobs']) {
      const res = await get(key, p);
      assert.equal(res.status, 404, `${p} -> ${res.status}`);
      const body = await res.text();
      assert.ok(!body.includes(token.trim()), p);
      assert.match(JSON.parse(body).error, /has no file|not in this data root/);
    }
    assert.equal((await get(otherKey, 'code/train.py')).status, 404, 'another run\'s file');
    assert.equal((await get(key, 'lost.txt')).status, 404, 'a stored row whose blob is missing');
    assert.equal((await rt.request('GET', `/api/runs/${key}/files/content`)).status, 400, 'no path');
    assert.equal((await rt.request('GET', '/api/runs/99999/files')).status, 404, 'unknown run');
    assert.equal((await rt.request('GET', `/api/runs/..%2F..%2Ftoken/files/content?path=x`)).status, 404);

    // show: metadata merged from both meta records, in the human and the JSON output.
    const shown = cliJson(root, ['show', 'files001', '--json']);
    assert.deepEqual(Object.keys(shown.metadata).sort(), ['dependencies', 'git', 'host', 'program', 'sources']);
    assert.equal(shown.metadata.git.commit, 'abc123');
    assert.deepEqual(shown.metadata.program.argv, ['train.py', '--lr', '0.1']);
    const bare = cliJson(root, ['show', 'files002', '--json']);
    assert.deepEqual(bare.metadata, { program: null, git: null, sources: null, dependencies: null, host: null });
    const human = cli(root, ['show', 'files001']).stdout;
    assert.match(human, /program +train\.py --lr 0\.1/);
    assert.match(human, /git +abc123 \(dirty\) on main {2}https:\/\/example\.invalid\/r\.git/);
    assert.match(human, /sources +1 file\n +[0-9a-f]{32} {2}train\.py/);
    assert.match(human, /dependencies +2 installed distributions/);
    assert.match(human, /host +gpu-box {2}Linux 6\.1 {2}AMD EPYC, 4 cores {2}8\.0 GiB/);
    assert.match(human, /gpu +NVIDIA A100 {2}40\.0 GiB {2}driver 535\.1/);
  } finally {
    await rt.stop();
  }
});
