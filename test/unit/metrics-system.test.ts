// Host counters parsed from /proc text, delta logic, run settings, and the store side of system
// metrics: migration 2, the ingestor keeping `stats`, history queries and export of samples.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { DeltaCounters, MB, parseDiskstats, parseMeminfo, parseNetDev, diskUsage } from '../../runtime/metrics/systemStats';
import { globalInterval, parseRunStats, DEFAULT_INTERVAL_SECONDS } from '../../runtime/metrics/monitor';
import { Store } from '../../runtime/store/store';
import { Ingestor } from '../../runtime/ingest/ingestor';
import { encodeJournalLine } from '../../runtime/ingest/journalFormat';
import { SCHEMA_VERSION } from '../../runtime/store/migrations';
import { minMaxDownsample, readSystemSamples, SystemSampleWriter, systemExportLines, systemHistory } from '../../runtime/store/systemSamples';
import { tmpDir } from '../helpers/cli';

test('meminfo, diskstats and net/dev parsers', () => {
  assert.deepEqual(parseMeminfo('MemTotal:       16384 kB\nMemFree:  1024 kB\nMemAvailable:   8192 kB\n'), { totalBytes: 16384 * 1024, availableBytes: 8192 * 1024 });
  // Kernels before 3.14 have no MemAvailable: free + buffers + cached.
  assert.deepEqual(parseMeminfo('MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 200 kB\n'), { totalBytes: 1024000, availableBytes: 350 * 1024 });
  const disk = [
    '   7       0 loop0 50 0 4000 10 0 0 0 0 0 10 10 0 0 0 0 0 0',
    '   8       0 sda 100 0 2048 0 10 0 4096 0 0 0 0',
    '   8       1 sda1 90 0 2000 0 9 0 4000 0 0 0 0',
    ' 259       0 nvme0n1 5 0 10 0 5 0 20 0 0 0 0',
    ' 259       1 nvme0n1p1 5 0 10 0 5 0 20 0 0 0 0',
  ].join('\n');
  assert.deepEqual(parseDiskstats(disk), { readBytes: (2048 + 10) * 512, writeBytes: (4096 + 20) * 512 }, 'partitions and loops skipped by name');
  assert.deepEqual(parseDiskstats(disk, new Set(['sda'])), { readBytes: 2048 * 512, writeBytes: 4096 * 512 });
  const net = 'Inter-| Receive | Transmit\n face |bytes packets errs drop fifo frame compressed multicast|bytes\n' +
    '    lo: 100 1 0 0 0 0 0 0 200 2 0 0 0 0 0 0\n  eth0: 1000 1 0 0 0 0 0 0 3000 2 0 0 0 0 0 0\n';
  assert.deepEqual(parseNetDev(net), { recvBytes: 1100, sentBytes: 3200 });
  const u = diskUsage('/');
  assert.ok(u.usedBytes > 0 && u.percent > 0 && u.percent <= 100);
});

test('deltas start at 0, grow with the counters, survive a counter reset and resume from stored values', () => {
  const c = (r: number, w: number, rx: number, tx: number) => ({ diskReadBytes: r, diskWriteBytes: w, netRecvBytes: rx, netSentBytes: tx });
  const d = new DeltaCounters(c(10 * MB, 20 * MB, 1000, 2000));
  assert.deepEqual(d.values(c(10 * MB, 20 * MB, 1000, 2000)), { 'disk.in': 0, 'disk.out': 0, 'network.recv': 0, 'network.sent': 0 });
  assert.deepEqual(d.values(c(12 * MB, 21 * MB, 1500, 2600)), { 'disk.in': 2, 'disk.out': 1, 'network.recv': 500, 'network.sent': 600 });
  // An interface went away: its bytes drop out of the sum. The series holds, then grows again.
  assert.deepEqual(d.values(c(12 * MB, 21 * MB, 100, 2600)), { 'disk.in': 2, 'disk.out': 1, 'network.recv': 500, 'network.sent': 600 });
  assert.deepEqual(d.values(c(12 * MB, 21 * MB, 300, 2600))['network.recv'], 700);
  // A restarted runtime continues a run's series from its last stored values.
  const resumed = new DeltaCounters(c(50 * MB, 50 * MB, 9000, 9000), { 'disk.in': 2, 'disk.out': 1, 'network.recv': 700, 'network.sent': 600 });
  assert.deepEqual(resumed.values(c(51 * MB, 50 * MB, 9100, 9000)), { 'disk.in': 3, 'disk.out': 1, 'network.recv': 800, 'network.sent': 600 });
});

test('run settings and the global interval', () => {
  assert.deepEqual(parseRunStats(null), { disabled: false });
  assert.deepEqual(parseRunStats('{"sampling_interval": 5, "disk_paths": ["/", "/data"], "disabled": false}'), { disabled: false, intervalSeconds: 5, diskPaths: ['/', '/data'] });
  assert.deepEqual(parseRunStats('{"sampling_interval": null, "disk_paths": null, "disabled": true}'), { disabled: true });
  assert.equal(parseRunStats('{"sampling_interval": 0.001}').intervalSeconds, 0.1);
  assert.deepEqual(parseRunStats('{"sampling_interval": -1, "disk_paths": [3, ""]}'), { disabled: false, diskPaths: [] });
  assert.deepEqual(parseRunStats('not json'), { disabled: false });
  const warned: string[] = [];
  const w = (m: string) => warned.push(m);
  assert.equal(globalInterval(undefined, undefined, w), DEFAULT_INTERVAL_SECONDS);
  assert.equal(globalInterval(undefined, '1', w), 1);
  assert.equal(globalInterval(5, '1', w), 5, 'the Runtime option wins over the environment');
  assert.equal(globalInterval(undefined, '0', w), 0, '0 switches the sampler off');
  assert.equal(globalInterval(undefined, 'often', w), DEFAULT_INTERVAL_SECONDS);
  assert.equal(warned.length, 1);
});

function storeWithRun() {
  const store = Store.open(path.join(tmpDir(), 'db.sqlite'));
  const ingestor = new Ingestor(store, undefined, () => {});
  const journal = 'j-' + Math.random().toString(36).slice(2);
  const line = encodeJournalLine({ s: 0, t: 'run', ts: 1000, journal, id: 'r1', project: 'p', start_time: 1000, pid: 1, host: 'h',
    stats: { sampling_interval: 3, disk_paths: ['/data'], disabled: false } });
  const out = ingestor.ingestBytes(journal, 0, null, Buffer.from(line));
  assert.equal(out.conflict, false);
  const key = (store.db.prepare("SELECT key FROM runs WHERE id = 'r1'").get() as any).key as number;
  return { store, ingestor, key, journal };
}

test('migration 2: runs.stats kept by the ingestor, system_samples, and samples go with their run', () => {
  const { store, ingestor, key, journal } = storeWithRun();
  try {
    assert.equal(SCHEMA_VERSION >= 2, true);
    const stats = () => (store.db.prepare('SELECT stats FROM runs WHERE key = ?').get(key) as any).stats;
    assert.deepEqual(JSON.parse(stats()), { sampling_interval: 3, disk_paths: ['/data'], disabled: false });
    // A later run record without stats (a resume by an older client) keeps them.
    ingestor.ingestBytes(journal, ingestor.storedOffset(journal), null, Buffer.from(encodeJournalLine({ s: 1, t: 'run', ts: 1001, journal, id: 'r1', project: 'p', start_time: 1000 })));
    assert.ok(stats());
    const w = new SystemSampleWriter(store);
    store.db.transaction(() => {
      assert.deepEqual(w.insert(key, 1002, { cpu: 50, 'disk./.usageGB': 10 }), ['cpu', 'disk./.usageGB']);
      assert.deepEqual(w.insert(key, 1004, { cpu: 60, 'disk./.usageGB': 10 }), []);
    })();
    assert.deepEqual(w.lastSample(key), { ts: 1004, data: { cpu: 60, 'disk./.usageGB': 10 } });
    assert.deepEqual(store.runKeys(key), [{ name: 'system/cpu', numeric: true }, { name: 'system/disk./.usageGB', numeric: true }]);
    // Not numeric series: the history index leaves them out (no full-history reload for them).
    assert.equal((store.db.prepare('SELECT count(*) AS n FROM run_keys WHERE run_key = ? AND numeric = 1').get(key) as any).n, 0);
    store.deleteRun(key);
    assert.equal((store.db.prepare('SELECT count(*) AS n FROM system_samples').get() as any).n, 0);
  } finally {
    store.close();
  }
});

test('history of system tags: x = step (sample index), relative, wall; ranges; min/max downsampling', () => {
  const { store, key } = storeWithRun();
  try {
    const w = new SystemSampleWriter(store);
    store.db.transaction(() => {
      for (let i = 0; i < 5000; i++) w.insert(key, 1000 + 2 * i, { cpu: i === 1234 ? 1000 : i % 100, ...(i % 2 ? { 'gpu.0.gpu': i } : {}) });
    })();
    const small = systemHistory(store.db, key, ['cpu'], 'relative', 1000, 0, 10, 1000);
    assert.deepEqual(small.cpu.points.map((p) => [p.x, p.y, p.step]), [[0, 0, 0], [2, 1, 1], [4, 2, 2], [6, 3, 3], [8, 4, 4], [10, 5, 5]]);
    const wall = systemHistory(store.db, key, ['cpu', 'gpu.0.gpu'], 'wall', 1000, 1000, 1006);
    assert.deepEqual(wall.cpu.points.map((p) => p.x), [1000, 1002, 1004, 1006]);
    assert.deepEqual(wall['gpu.0.gpu'].points.map((p) => [p.x, p.y, p.step]), [[1002, 1, 1], [1006, 3, 3]]);
    const step = systemHistory(store.db, key, ['cpu'], 'step', 1000, 100, 102);
    assert.deepEqual(step.cpu.points.map((p) => [p.x, p.y]), [[100, 0], [101, 1], [102, 2]]);
    const all = systemHistory(store.db, key, ['cpu', 'cpu'], 'relative', 100, -Infinity, Infinity, 1000);
    assert.equal(all.cpu.count, 5000);
    assert.equal(all.cpu.sampled, true);
    assert.ok(all.cpu.points.length <= 202);
    assert.ok(all.cpu.points.some((p) => p.y === 1000), 'the spike survives downsampling');
    assert.deepEqual([all.cpu.points[0].x, all.cpu.points.at(-1)!.x], [0, 9998], 'first and last points exact');
    assert.equal(systemHistory(store.db, key, ['cpu'], 'metric:epoch', 100).cpu.count, 0);
    assert.equal(systemHistory(store.db, key, ['nope'], 'wall', 100).nope.count, 0);
    assert.deepEqual(minMaxDownsample([], 10), { points: [], count: 0, sampled: false });
  } finally {
    store.close();
  }
});

test('export of samples: jsonl and csv with _timestamp, _runtime, then sorted tags', () => {
  const { store, key } = storeWithRun();
  try {
    const w = new SystemSampleWriter(store);
    w.insert(key, 1002.5, { 'proc.memory.rssMB': 12.5, cpu: 50 });
    w.insert(key, 1004.5, { cpu: 60, 'gpu.0.gpu': 7 });
    const jsonl = [...systemExportLines(store.db, key, 1000, 'jsonl')];
    assert.deepEqual(jsonl, [
      '{"_timestamp":1002.5,"_runtime":2.5,"cpu":50,"proc.memory.rssMB":12.5}\n',
      '{"_timestamp":1004.5,"_runtime":4.5,"cpu":60,"gpu.0.gpu":7}\n',
    ]);
    const csv = [...systemExportLines(store.db, key, 1000, 'csv')].join('');
    assert.equal(csv, '_timestamp,_runtime,cpu,gpu.0.gpu,proc.memory.rssMB\n1002.5,2.5,50,,12.5\n1004.5,4.5,60,7,\n');
    assert.equal(readSystemSamples(store.db, key).length, 2);
  } finally {
    store.close();
  }
});

test('a version-1 store upgrades to migration 2 with its runs intact', async () => {
  const Database = (await import('better-sqlite3')).default;
  const { MIGRATIONS } = await import('../../runtime/store/migrations');
  const file = path.join(tmpDir(), 'old.sqlite');
  const old = new Database(file);
  old.exec(MIGRATIONS.find((m) => m.version === 1)!.sql);
  old.pragma('user_version = 1');
  old.prepare("INSERT INTO projects (name, created_at) VALUES ('p', 1)").run();
  old.prepare("INSERT INTO runs (project_id, id, created_at, updated_at) VALUES (1, 'old1', 1, 1)").run();
  old.close();
  const store = Store.open(file);
  try {
    assert.equal(store.db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    assert.deepEqual(store.db.prepare("SELECT id, stats FROM runs").all(), [{ id: 'old1', stats: null }]);
    assert.equal((store.db.prepare('SELECT count(*) AS n FROM system_samples').get() as any).n, 0);
  } finally {
    store.close();
  }
});
