"""The writer thread of one run: everything `log()` enqueued becomes journal records here.

The training thread only appends to `queue` (a deque: append/popleft are atomic). This thread wakes
every 20 ms (or at once for a barrier), applies items in order: the step/commit state machine
(history.py), step_sync, sanitising, summary defaults and define_metric aggregates, console
coalescing; then writes the lines in one call and flushes. It emits a heartbeat every 5 s (with the
last activity: when the script last called log() or wrote to the console, and the step it logged to) and
summary changes at most every 0.5 s. An error in one item is reported once and the item skipped: the thread
itself never dies while the run is open.
"""
import base64
import codecs
import collections
import re
import sys
import threading
import time

from . import sanitize
from .history import StepMachine
from .metrics import Aggregate, Registry, canonical, split_name
from .process import write_terminal

HEARTBEAT_SECONDS = 5.0
SUMMARY_INTERVAL = 0.5
TICK = 0.02
CONSOLE_RECORD_MAX = 64 * 1024

# queue item kinds (log items are (dict, step, commit, ts) and are told apart by their first element)
CONFIG, SUMMARY_SET, SUMMARY_DEL, METRIC, RUN, CONSOLE, BARRIER, FINISH, META, DISCARD, FILE = range(1, 12)

_FAST = (int, float, str, bool, type(None))
_NAME_RE = re.compile(r"^[_a-zA-Z][_a-zA-Z0-9]*$")
_MISSING = object()


def warn(msg):
    try:
        sys.stderr.write("trackwell: WARNING %s\n" % msg)
    except Exception:
        pass


def valid_metric_name(name):
    """W&B's advisory rule, applied to each `/`-separated section part (`/` is section syntax)."""
    return all(_NAME_RE.match(p) for p in name.split("/"))


class Writer:
    def __init__(self, journal, start_time, start_step=0, runtime_offset=0.0, stored_summary=None, on_lines=None):
        self.queue = collections.deque()
        self.wake = threading.Event()
        self.journal = journal  # JournalFile or None (journal could not be created)
        self.start_time = start_time
        self.runtime_offset = runtime_offset or 0.0
        self.steps = StepMachine(start_step)
        self.registry = Registry()
        self.summary = dict(stored_summary or {})
        self.stored_summary = dict(stored_summary or {})
        self.summary_lock = threading.Lock()
        self.manual = set()
        self.dirty = set()
        self.removed = set()
        self.aggs = {}
        self.latest = {}
        self.lines = []
        self.committed = []
        self.on_lines = on_lines  # called after lines reach the file (pokes the sender)
        self.closed = False
        self.console_captured = None  # callable -> bool, set by the run
        self._con = None  # [stream, parts, ts, size, is_bytes]
        self._decoders = {}
        self._warned = set()
        self._good_names = set()
        self._last_hb = time.time()
        # Last activity, for heartbeats: [ts, kind, step of the last log()]. Set as items are applied on
        # this thread, so the training thread pays nothing; the writer's own warnings do not count.
        self._activity = [None, None, None]
        self._last_summary = 0.0
        self._write_failed = False
        self.thread = threading.Thread(target=self._main, name="trackwell-writer", daemon=True)

    # --- thread main -----------------------------------------------------------------------------------
    def start(self):
        self.thread.start()

    def _main(self):
        while True:
            self.wake.wait(TICK)
            self.wake.clear()
            try:
                if self.drain():
                    return
                self._periodic(time.time())
            except Exception as e:  # keep going: a tracking bug must not end recording
                self.internal_error(e)

    def drain(self):
        """Applies every queued item; returns True once the run's journal is closed."""
        q = self.queue
        while q:
            item = q.popleft()
            try:
                if type(item[0]) is dict:
                    act = self._activity
                    act[0], act[1], act[2] = item[3], "log", item[1] if item[1] is not None else self.steps.step
                    if self._con is not None:
                        self._console_flush()
                    warning = self.steps.log(item[0], item[1], item[2], item[3], self.committed)
                    if warning:
                        self.warn(warning)
                    if self.committed:
                        for step, row, ts in self.committed:
                            self._commit(step, row, ts)
                        self.committed.clear()
                elif item[0] == CONSOLE:
                    self._activity[0], self._activity[1] = item[3], "console"
                    self._console_add(item[1], item[2], item[3])
                else:
                    if self._con is not None:
                        self._console_flush()
                    if self._command(item):
                        return True
            except Exception as e:
                self.internal_error(e)
                if type(item[0]) is not dict and item[0] in (BARRIER, FINISH, DISCARD):
                    item[-1].set()  # never leave a waiter hanging
                    if item[0] != BARRIER:
                        self.closed = True
                        return True
        if self._con is not None:
            self._console_flush()
        self._write()
        return False

    def _periodic(self, now):
        if now - self._last_hb >= HEARTBEAT_SECONDS:
            self._last_hb = now
            rec = {"t": "heartbeat", "ts": now}
            ts, kind, step = self._activity
            if ts is not None:
                rec["activity"] = {"ts": ts, "kind": kind, "step": step}
            self._add(rec)
        if (self.dirty or self.removed) and now - self._last_summary >= SUMMARY_INTERVAL:
            self._emit_summary(now)
        self._write()

    # --- records ----------------------------------------------------------------------------------
    def _add(self, record):
        if self.journal is not None and not self.closed:
            try:
                self.journal.add(self.lines, record)
            except (TypeError, ValueError) as e:  # should not happen after sanitising; never fatal
                self.internal_error(e)

    def _write(self):
        if not self.lines or self.journal is None:
            self.lines.clear()
            return
        try:
            self.journal.write(self.lines)
        except OSError as e:
            if not self._write_failed:
                self._write_failed = True
                self.warn("cannot write the journal %s (%s); records are being lost" % (self.journal.path, e))
        self.lines.clear()
        if self.on_lines:
            self.on_lines()

    def _command(self, item):
        kind = item[0]
        if kind == CONFIG:
            rec = {"t": "config", "ts": time.time(), "update": item[1]}
            if item[2]:
                rec["locked"] = list(item[2])
            self._add(rec)
        elif kind == SUMMARY_SET:
            self._summary_set(item[1])
        elif kind == SUMMARY_DEL:
            with self.summary_lock:
                self.summary.pop(item[1], None)
                self.manual.discard(item[1])
                self.dirty.discard(item[1])
                self.removed.add(item[1])
        elif kind == METRIC:
            m = item[1]
            self.registry.set(m)
            rec = m.as_record()
            rec["ts"] = time.time()
            self._add(rec)
            if m.summary is not None and "none" in m.summary and not m.name.endswith("*"):
                self._summary_drop(split_name(m.name))
        elif kind == RUN:
            rec = dict(item[1])
            rec["t"] = "run"
            rec["ts"] = time.time()
            self._add(rec)
        elif kind == META or kind == FILE:
            rec = dict(item[1])
            rec["t"] = "meta" if kind == META else "file"
            rec["ts"] = time.time()
            self._add(rec)
        elif kind == BARRIER:
            self._write()
            item[1].set()
        elif kind == FINISH:
            self._finish(item[1], item[2], item[3])
            item[4].set()
            return True
        elif kind == DISCARD:
            rec = dict(item[1])
            rec.update({"t": "run", "ts": time.time(), "discard": True})
            self._add(rec)
            self._close()
            item[2].set()
            return True
        return False

    def _finish(self, state, exit_code, error):
        self._flush_decoders()
        self.steps.flush(self.committed)
        for step, row, ts in self.committed:
            self._commit(step, row, ts)
        self.committed.clear()
        if self.steps.dropped > 1:
            self.warn("%d log() calls with a step below the current step were ignored in this run" % self.steps.dropped)
        now = time.time()
        if self.dirty or self.removed:
            self._emit_summary(now)
        self._add({"t": "exit", "ts": now, "state": state, "exit_code": exit_code, "error": error})
        self._close()

    def _close(self):
        self._write()
        if self.journal is not None:
            try:
                self.journal.sync()
            except OSError:
                pass
        self.closed = True

    # --- history ----------------------------------------------------------------------------------
    def _commit(self, step, row, ts):
        reg = self.registry
        if reg.any_sync:
            self._step_sync(row)
        drops = None
        good = self._good_names
        for k, v in row.items():
            if k not in good:
                self._check_name(k)
            if type(v) not in _FAST:
                if drops is None:
                    drops = []
                row[k] = sanitize.normalize_tree(v, (k,), drops)
        if drops:
            for k in [k for k, v in row.items() if v is sanitize.DROPPED]:
                del row[k]
            for path, why in drops:
                self._warn_drop(path, why)
        self._summarize(row)
        if not row:
            return
        self._add({"t": "history", "ts": ts, "step": step,
                   "runtime": round(ts - self.start_time + self.runtime_offset, 6), "data": row})

    def _warn_drop(self, path, why, what="history"):
        """One warning per dropped leaf: its full dotted path, why, and what to log instead."""
        name = canonical(path)
        kept = "the rest of the row is kept" if what == "history" else "the rest of the summary is kept"
        if len(path) > 1:
            kept += " (the other keys under '%s' too)" % canonical(path[:-1])
        self._warn_once("drop:%s:%s" % (what, name),
                        "dropped the value %s '%s': a value %s; %s. To record it, pass a number, string, bool, "
                        "None, a list or dict of those, or a numpy/torch value: convert other objects first "
                        "(e.g. float(x), str(x) or x.tolist())."
                        % ("logged as" if what == "history" else "set in the summary as", name, why, kept))

    def _check_name(self, name):
        self._good_names.add(name)
        if not valid_metric_name(name):
            self._warn_once("names", "metric name %r does not follow W&B's advisory naming rule "
                                     "^[_a-zA-Z][_a-zA-Z0-9]*$ (per '/'-separated section); it is stored unchanged. "
                                     "(This warning is shown once per run.)" % name)

    def _step_sync(self, row):
        reg = self.registry
        latest = self.latest
        for name, path in reg.step_metrics.items():
            v = _get_path(row, path)
            if v is not _MISSING:
                latest[name] = v
        for path in list(_leaf_paths(row)):
            m = reg.match(canonical(path))
            if m is None or not m.step_metric or not m.step_sync or m.step_metric == canonical(path):
                continue
            sm = m.step_metric
            if sm in latest and _get_path(row, reg.step_metrics[sm]) is _MISSING:
                _set_path(row, reg.step_metrics[sm], latest[sm])

    # --- summary ----------------------------------------------------------------------------------
    def _summarize(self, row):
        manual = self.manual
        simple = not self.registry.any_summary
        vals = self.summary
        dirty = self.dirty
        with self.summary_lock:
            for k, v in row.items():
                if k in manual:
                    continue
                if type(v) is dict:
                    self._summary_tree((k,), v)
                elif v is None:
                    continue
                elif simple:
                    vals[k] = v
                    dirty.add(k)
                else:
                    self._summary_leaf((k,), v)

    def _summary_tree(self, path, tree):
        for k, v in tree.items():
            p = path + (k,)
            if type(v) is dict:
                self._summary_tree(p, v)
            elif v is not None:
                name = canonical(p)
                if name not in self._good_names:
                    self._good_names.add(name)
                    if not all(valid_metric_name(c) for c in p):
                        self._check_name(".".join(p))
                self._summary_leaf(p, v)

    def _summary_leaf(self, path, v):
        name = canonical(path)
        m = self.registry.match(name)
        if m is None or m.summary is None:
            _set_path(self.summary, path, v)
            self.dirty.add(path[0])
            return
        if "none" in m.summary:
            self._summary_drop(path, locked=True)
            return
        agg = self.aggs.get(name)
        if agg is None:
            agg = self.aggs[name] = Aggregate()
            agg.seed(_get_path(self.stored_summary, path))
        agg.add(v)
        view = agg.view(m.summary, m.goal)
        if view:
            _set_path(self.summary, path, view)
            self.dirty.add(path[0])

    def _summary_drop(self, path, locked=False):
        ctx = self.summary_lock if not locked else _NullCtx
        with ctx:
            if len(path) == 1:
                if path[0] in self.summary:
                    self.summary.pop(path[0], None)
                    self.dirty.discard(path[0])
                    self.removed.add(path[0])
            elif _get_path(self.summary, path) is not _MISSING:
                parent = _get_path(self.summary, path[:-1])
                parent.pop(path[-1], None)
                self.dirty.add(path[0])

    def _summary_set(self, items):
        with self.summary_lock:
            for k, v in items.items():
                drops = []
                v = sanitize.normalize_tree(v, (k,), drops)
                for path, why in drops:
                    self._warn_drop(path, why, "summary")
                if v is sanitize.DROPPED:
                    continue
                self.summary[k] = v
                self.manual.add(k)
                self.dirty.add(k)
                self.removed.discard(k)

    def _emit_summary(self, now):
        with self.summary_lock:
            update = {k: self.summary[k] for k in self.dirty if k in self.summary}
            remove = sorted(k for k in self.removed if k not in self.summary)
            self.dirty.clear()
            self.removed.clear()
            rec = {"t": "summary", "ts": now, "update": _copy_tree(update)}
        if remove:
            rec["remove"] = remove
        self._last_summary = now
        if update or remove:
            self._add(rec)

    def snapshot(self):
        with self.summary_lock:
            return _copy_tree(self.summary)

    # --- console ----------------------------------------------------------------------------------
    def _console_add(self, stream, data, ts):
        is_bytes = type(data) is bytes
        c = self._con
        if c is not None and (c[0] != stream or c[4] != is_bytes or c[3] + len(data) > CONSOLE_RECORD_MAX):
            self._console_flush()
            c = None
        if c is None:
            self._con = [stream, [data], ts, len(data), is_bytes]
        else:
            c[1].append(data)
            c[3] += len(data)

    def _console_flush(self):
        stream, parts, ts, _, is_bytes = self._con
        self._con = None
        if not is_bytes:
            text = "".join(parts)
            if text:
                self._add({"t": "console", "ts": ts, "stream": stream, "text": text})
            return
        self._console_bytes(stream, b"".join(parts), ts, final=False)

    def _console_bytes(self, stream, data, ts, final):
        dec = self._decoders.get(stream)
        if dec is None:
            dec = self._decoders[stream] = codecs.getincrementaldecoder("utf-8")()
        try:
            text = dec.decode(data, final)
        except UnicodeDecodeError:
            pending = dec.getstate()[0]
            dec.reset()
            self._add({"t": "console", "ts": ts, "stream": stream, "b64": base64.b64encode(pending + data).decode("ascii")})
            return
        if text:
            self._add({"t": "console", "ts": ts, "stream": stream, "text": text})

    def _flush_decoders(self):
        if self._con is not None:
            self._console_flush()
        for stream, dec in list(self._decoders.items()):
            pending = dec.getstate()[0]
            if pending:
                self._console_bytes(stream, b"", time.time(), final=True)

    # --- errors ------------------------------------------------------------------------------------
    def _warn_once(self, key, msg):
        if key not in self._warned:
            self._warned.add(key)
            self.warn(msg)

    def warn(self, msg):
        """A warning from this thread: to the terminal, and (when the run captures its console) straight
        into the journal in order; going through the captured stream would queue it behind later items."""
        text = "trackwell: WARNING %s\n" % msg
        try:
            write_terminal(text)
        except Exception:
            pass
        if self.console_captured is not None and self.console_captured() and not self.closed:
            self._console_add("stderr", text, time.time())

    def internal_error(self, exc):
        self._warn_once("internal:%s" % type(exc).__name__,
                        "internal error in the writer thread (%s: %s); the affected record was skipped, recording goes on"
                        % (type(exc).__name__, exc))


class _NullCtxType:
    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False


_NullCtx = _NullCtxType()


def _get_path(tree, path):
    cur = tree
    for p in path:
        if type(cur) is not dict or p not in cur:
            return _MISSING
        cur = cur[p]
    return cur


def _set_path(tree, path, value):
    cur = tree
    for p in path[:-1]:
        nxt = cur.get(p)
        if type(nxt) is not dict:
            nxt = cur[p] = {}
        cur = nxt
    cur[path[-1]] = value


def _leaf_paths(tree, prefix=()):
    for k, v in tree.items():
        if type(v) is dict and v:
            yield from _leaf_paths(v, prefix + (k,))
        else:
            yield prefix + (k,)


def _copy_tree(v):
    if type(v) is dict:
        return {k: _copy_tree(x) for k, x in v.items()}
    return v
