// Heartbeats with the script's last activity (issue 5): stored in runs.activity (migration 4) by the
// ingestor, carried by run events and the run detail, printed by `trackwell show` for running and
// crashed runs. Older clients' heartbeats (no activity) and malformed ones change nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import path from 'node:path';
import { Store } from '../../runtime/store/store';
import { Ingestor } from '../../runtime/ingest/ingestor';
import { LiveBus } from '../../runtime/live/bus';
import { encodeJournalLine } from '../../runtime/ingest/journalFormat';
import { livenessLines } from '../../runtime/cli/metadataText';
import type { LiveEvent } from '../../runtime/protocol/live';
import { tmpDir } from '../helpers/cli';

test('heartbeat activity: stored newest-first, ignored when absent or malformed, on run events, in show lines', () => {
  const store = Store.open(path.join(tmpDir(), 'db.sqlite'));
  const bus = new LiveBus();
  const events: LiveEvent[] = [];
  bus.subscribe((e) => events.push(...e));
  const ingestor = new Ingestor(store, bus, () => {});
  const journal = crypto.randomUUID();
  let seq = 0;
  const add = (t: string, ts: number, fields: object = {}) => ingestor.ingestBytes(journal, ingestor.storedOffset(journal), null,
    Buffer.from(encodeJournalLine({ s: seq++, t, ts, ...fields })));
  try {
    const t0 = 1_800_000_000;
    add('run', t0, { journal, id: 'beat0001', project: 'p', start_time: t0, host: 'elsewhere' });
    const key = store.runByProjectAndId('p', 'beat0001')!.key;
    add('heartbeat', t0 + 5); // a client from before activity was reported
    assert.equal(store.runByKey(key)!.activity, null);
    assert.equal(store.runByKey(key)!.heartbeat_at, t0 + 5);
    add('heartbeat', t0 + 10, { activity: { ts: t0 + 8, kind: 'log', step: 41 } });
    assert.deepEqual(store.runByKey(key)!.activity, { ts: t0 + 8, kind: 'log', step: 41 });
    for (const bad of [{ ts: 'soon', kind: 'log' }, { ts: t0 + 9, kind: 'gpu' }, 'log', null]) add('heartbeat', t0 + 11, { activity: bad });
    add('heartbeat', t0 + 12, { activity: { ts: t0 + 3, kind: 'console', step: null } }); // older than the stored one
    assert.deepEqual(store.runByKey(key)!.activity, { ts: t0 + 8, kind: 'log', step: 41 });
    add('heartbeat', t0 + 25, { activity: { ts: t0 + 24, kind: 'console', step: 2.5 } });
    const stored = store.runByKey(key)!;
    assert.deepEqual(stored.activity, { ts: t0 + 24, kind: 'console', step: null }, 'a step that is not an integer is dropped');
    // The throttled heartbeat event carries it, for the Overview.
    const beat = events.filter((e) => e.type === 'run' && e.heartbeat).at(-1);
    assert.ok(beat && beat.type === 'run');
    assert.deepEqual(beat.run.activity, { ts: t0 + 24, kind: 'console', step: null });

    const now = t0 + 30;
    assert.deepEqual(livenessLines(stored, now).map((l) => l.replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/, 'TIME')), [
      '  heartbeat  TIME (5s ago)',
      '  activity   console output, TIME (6s ago)',
    ]);
    assert.match(livenessLines({ ...stored, activity: { ts: t0 + 8, kind: 'log', step: 41 } }, now)[1], /^ {2}activity {3}log\(\) at step 41, .* \(22s ago\)$/);
    assert.match(livenessLines({ ...stored, state: 'crashed', activity: null }, now)[1], /none reported yet/);
    assert.deepEqual(livenessLines({ ...stored, state: 'finished' }, now), [], 'a finished run has no liveness to show');
  } finally {
    store.close();
  }
});
