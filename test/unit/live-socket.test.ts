// A live subscriber's bounded queue (runtime/server/liveSocket.ts) driven through a stand-in socket whose
// buffered bytes the test sets: overflow by events, by bytes and by a slow socket, and the resync that
// follows only once the socket has drained, with every later event delivered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Subscriber, MAX_QUEUED_EVENTS, MAX_QUEUED_BYTES, MAX_SOCKET_BUFFER } from '../../runtime/server/liveSocket';
import type { LiveEvent } from '../../runtime/protocol/live';

class FakeSocket {
  readonly OPEN = 1 as const;
  readyState = 1 as 0 | 1 | 2 | 3;
  bufferedAmount = 0;
  sent: any[] = [];
  send(text: string): void {
    this.sent.push(JSON.parse(text));
  }
}

const run = { key: 1, project: 'p', id: 'r1' };
const summary = (n: number): LiveEvent => ({ type: 'summary', run, summary: { n } });
const consoleEv = (text: string): LiveEvent => ({ type: 'console', run, offset: 0, ts: 0, stream: 'stdout', text });

function subscriber(): { sub: Subscriber; ws: FakeSocket } {
  const ws = new FakeSocket();
  const sub = new Subscriber(ws as never);
  sub.console = '*';
  return { sub, ws };
}

/** The summaries' n values delivered after the first resync (or all, without one). */
const deliveredAfterResync = (ws: FakeSocket) => {
  const at = ws.sent.findIndex((m) => m.type === 'resync');
  return ws.sent.slice(at + 1).filter((m) => m.type === 'events').flatMap((m) => m.events).filter((e: any) => e.type === 'summary').map((e: any) => e.summary.n);
};

test('events are batched per flush, in order, as one events message', () => {
  const { sub, ws } = subscriber();
  sub.push([summary(1), summary(2)]);
  sub.push([summary(3)]);
  assert.deepEqual(ws.sent, [], 'nothing before the flush');
  sub.flush();
  assert.deepEqual(ws.sent, [{ type: 'events', events: [summary(1), summary(2), summary(3)] }]);
  sub.flush();
  assert.equal(ws.sent.length, 1, 'an empty queue sends nothing');
});

test('too many queued events: the resync waits for the flush, and everything after it is delivered', () => {
  const { sub, ws } = subscriber();
  sub.push(Array.from({ length: MAX_QUEUED_EVENTS + 1 }, (_, i) => summary(i)));
  // Events still arriving before the subscriber resumes are dropped: the resync must not precede them,
  // or a client refetching on it at once would never see them.
  sub.push([summary(-1)]);
  assert.deepEqual(ws.sent, [], 'no resync while events are still being dropped');
  sub.flush();
  assert.deepEqual(ws.sent, [{ type: 'resync', reason: 'too many queued events' }]);
  sub.push([summary(100)]);
  sub.flush();
  sub.push([summary(101)]);
  sub.flush();
  assert.deepEqual(deliveredAfterResync(ws), [100, 101]);
});

test('a queue over the byte cap is dropped even with few events; under it everything goes out', () => {
  const big = 'x'.repeat(Math.floor(MAX_QUEUED_BYTES / 3));
  const under = subscriber();
  under.sub.push([consoleEv(big), consoleEv(big)]);
  under.sub.flush();
  assert.equal(under.ws.sent[0].type, 'events');
  assert.equal(under.ws.sent[0].events.length, 2);

  const over = subscriber();
  over.sub.push([consoleEv(big), consoleEv(big)]);
  over.sub.push([consoleEv(big), consoleEv(big)]);
  assert.deepEqual(over.ws.sent, []);
  over.sub.flush();
  assert.deepEqual(over.ws.sent, [{ type: 'resync', reason: 'too many queued bytes' }]);
  over.sub.push([summary(7)]);
  over.sub.flush();
  assert.deepEqual(deliveredAfterResync(over.ws), [7]);
});

test('a socket that stops draining: queue dropped, resync only once it has drained, then events again', () => {
  const { sub, ws } = subscriber();
  sub.push([summary(1)]);
  ws.bufferedAmount = MAX_SOCKET_BUFFER + 1;
  sub.flush();
  assert.deepEqual(ws.sent, [], 'the slow socket gets nothing more');
  sub.push([summary(2)]);
  ws.bufferedAmount = MAX_SOCKET_BUFFER / 2; // draining, not yet drained
  sub.flush();
  sub.push([summary(3)]);
  assert.deepEqual(ws.sent, []);
  ws.bufferedAmount = 0;
  sub.flush();
  assert.deepEqual(ws.sent, [{ type: 'resync', reason: 'the connection is too slow' }]);
  sub.push([summary(4)]);
  sub.flush();
  assert.deepEqual(deliveredAfterResync(ws), [4]);
});

test('a closed socket is sent nothing and an unsubscribed stream is not queued', () => {
  const { sub, ws } = subscriber();
  sub.console = undefined;
  sub.push([consoleEv('hidden'), summary(1)]);
  sub.flush();
  assert.deepEqual(ws.sent[0].events, [summary(1)]);
  ws.readyState = 3;
  sub.push([summary(2)]);
  sub.flush();
  assert.equal(ws.sent.length, 1);
});
