"""`Run` (W&B's `wandb.Run`): the object `init()` returns. Named run_core so `trackwell.run` stays the
live current run.

The training thread's cost is `log()`: it checks and copies the dict and appends it to the writer's
queue, nothing else. Everything that must see what was logged before it (`run.summary`, `run.step`,
`finish()`) first waits for the writer to catch up (a barrier: an Event, no busy loop).
"""
import os
import threading
import time

from . import process
from .collect import Collector, basic_meta
from .journal import JournalFile
from .metrics import build_definition
from .run_config import Config
from .run_summary import LocalSummaryBackend, Summary
from .settings import stats_settings
from .writer import BARRIER, CONFIG, CONSOLE, DISCARD, FINISH, META, METRIC, RUN, SUMMARY_DEL, SUMMARY_SET, Writer, warn

_time = time.time
_CONSOLE_KEEP_MAX = 16 << 20


def validate_tags(tags):
    """A single string is one tag; each tag must be 1-64 characters (W&B's Settings.validate_run_tags)."""
    if tags is None:
        return None
    if isinstance(tags, str):
        tags = (tags,)
    try:
        tags = tuple(tags)
    except TypeError:
        raise ValueError("tags must be a string or a sequence of strings, got %r" % (tags,)) from None
    for t in tags:
        if not isinstance(t, str):
            raise ValueError("Each tag must be a string, got %r" % (t,))
        if len(t) == 0:
            raise ValueError("Tags must not be empty strings")
        if len(t) > 64:
            raise ValueError("Tag %r is longer than 64 characters" % (t,))
    return tags


_SCALARS = (float, int, str, bool, type(None), bytes)  # floats first: the common case, checked for every logged key
_MAX_DEPTH = 64  # deeper (a reference cycle?) is left shared; the writer drops it with a warning


def _copy_tree(d, depth=0, strict=True):
    """Copy of a nested dict for log(): dicts are copied (their keys checked), other values snapshotted.

    Keys are checked along dicts nested in dicts (log() raises for them); a dict inside a list is only
    copied, and the writer drops a bad one with a warning, as it always has."""
    out = d.copy()
    for k, v in out.items():
        if strict and type(k) is not str:
            raise ValueError("log() keys must be strings; got %r in a nested dict" % (k,))
        if type(v) not in _SCALARS:
            out[k] = _snapshot(v, depth + 1, strict)
    return out


def _snapshot(v, depth=0, strict=True):
    """What log() keeps of a value: the value as it is now, so that mutating it after log() (a list
    append, `arr[:] = 0`, `t.add_(1)`) cannot change what is recorded. Dicts, lists and tuples are
    copied with the containers inside them; numpy-like arrays with `.copy()` (one memcpy), tensors with
    `.detach().clone()` (a copy on their device: no transfer to the host on the training thread).
    Anything else is kept as it is; the writer thread turns it into JSON later."""
    t = type(v)
    if t in _SCALARS or depth > _MAX_DEPTH:
        return v
    if t is dict:
        return _copy_tree(v, depth, strict)
    if t is list or t is tuple or (isinstance(v, (list, tuple)) and not isinstance(v, dict)):
        # tuples and list subclasses are stored as lists anyway
        out = [x if type(x) in _SCALARS else _snapshot(x, depth + 1, False) for x in v]
        return tuple(out) if t is tuple else out
    if isinstance(v, dict):  # OrderedDict, defaultdict...: stored as plain dicts anyway
        return _copy_tree(dict(v), depth, strict)
    if isinstance(v, (int, float, str)):  # IntEnum, numpy.float64...: immutable
        return v
    if getattr(v, "tolist", None) is None:
        return v
    try:
        clone, detach = getattr(v, "clone", None), getattr(v, "detach", None)
        if callable(clone) and callable(detach):  # torch.Tensor
            return detach().clone()
        copy = getattr(v, "copy", None)
        if callable(copy) and hasattr(v, "ndim"):  # numpy.ndarray (and numpy scalars, pandas objects)
            return copy()
    except Exception:
        pass  # left shared: the writer converts it (or drops it, with a warning) later
    return v


class Run:
    """A tracked run. Create it with `init()`."""

    def __init__(self, *, settings, run_id, project, entity, name, notes=None, tags=(), group=None, job_type=None,
                 sweep_id=None, mode="online", data_root=None, base_dir=None, resumed=False, start_step=0,
                 runtime_offset=0.0, resume_from_step=None, fork_from=None, launch_id=None, stored_summary=None,
                 implicit=False):
        self._settings = settings
        self._id = run_id
        self._project = project
        self._entity = entity
        self._name = name
        self._notes = notes
        self._tags = tuple(tags or ())
        self._group = group
        self._job_type = job_type
        self._sweep_id = sweep_id
        self._mode = mode
        self._data_root = data_root
        self._base_dir = base_dir
        self._resumed = bool(resumed)
        self._resume_from_step = resume_from_step
        self._fork_from = fork_from
        self._launch_id = launch_id
        self._implicit = implicit
        self._start_time = _time()
        self._journal_uuid = _uuid4()
        self._run_dir = self._files_dir = self._journal_path = None
        self._closed = False  # finishing or finished: log() is ignored
        self._finished = False
        self._console_open = True
        self._console_captured = False  # set once capture has fed this run (its warnings then go to the journal)
        self._finish_lock = threading.RLock()
        self._defs_lock = threading.Lock()
        self._defs = {}
        self._warned = set()
        self._sender = None
        self._writer = None
        self._collector = None
        self._keep_console = None  # launched run: console kept until init decides to adopt or discard
        self._frozen_settings = None
        self.config = Config()
        if mode == "disabled":
            self._append = None
            self.summary = Summary(LocalSummaryBackend())
            self._start_step = start_step
            return
        self._start_step = start_step
        self._start_files(stored_summary, start_step, runtime_offset)
        self.summary = Summary(self)
        self.config._emit = self._emit_config

    # --- startup -------------------------------------------------------------------------------------
    def _start_files(self, stored_summary, start_step, runtime_offset):
        from .dataroot import make_run_dir

        journal = None
        try:
            self._run_dir = make_run_dir(self._base_dir, self._id, self._start_time)
            self._files_dir = os.path.join(self._run_dir, "files")
            os.makedirs(self._files_dir, mode=0o700, exist_ok=True)
            self._journal_path = os.path.join(self._run_dir, "run.journal")
            journal = JournalFile(self._journal_path)
        except OSError as e:
            warn("cannot create the run directory under %s (%s); this run is not recorded" % (self._base_dir, e))
        self._writer = Writer(journal, self._start_time, start_step, runtime_offset, stored_summary,
                              on_lines=self._poke_sender)
        self._writer.console_captured = lambda: self._console_captured
        self._append = self._writer.queue.append
        self._append((RUN, self._run_record()))
        self._append((META, basic_meta(self._settings)))
        if journal is not None:
            self._collector = Collector(self, self._settings)

    def _start_threads(self):
        """Starts the writer and (online) the sender; called by init once the first records are queued."""
        if self._writer is None:
            return
        self._writer.start()
        if self._collector is not None:
            self._collector.start()
        if self._mode == "online" and self._writer.journal is not None:
            from .transport import Sender

            self._sender = Sender(self._journal_path, self._journal_uuid, self._data_root, on_error=self._thread_error)
            self._sender.start()

    def _poke_sender(self):
        s = self._sender
        if s is not None:
            s.poke()

    def _thread_error(self, where, exc):
        key = "thread:" + where
        if key not in self._warned:
            self._warned.add(key)
            warn("internal error in the %s thread (%s: %s); the run goes on recording to its journal only (%s)"
                 % (where, type(exc).__name__, exc, self._journal_path))

    def _run_record(self):
        rec = {
            "journal": self._journal_uuid, "id": self._id, "project": self._project, "entity": self._entity,
            "name": self._name, "notes": self._notes, "tags": list(self._tags), "group": self._group,
            "job_type": self._job_type, "sweep_id": self._sweep_id, "start_time": self._start_time,
            "pid": os.getpid(), "host": process.hostname(), "run_dir": self._run_dir,
            "mode": "offline" if self._mode == "offline" else "online", "resumed": self._resumed,
            "resume_from_step": self._resume_from_step, "fork_from": self._fork_from, "launch_id": self._launch_id,
        }
        stats = stats_settings(self._settings)
        if stats:
            rec["stats"] = stats  # the runtime's system-metrics sampler reads it (runs.stats)
        return rec

    def _emit_run(self):
        if self._append is not None and not self._closed:
            self._append((RUN, self._run_record()))
            self._frozen_settings = None

    def _emit_config(self, update, locked):
        if self._append is not None and not self._closed:
            self._append((CONFIG, update, locked))

    # --- logging -------------------------------------------------------------------------------------
    def log(self, data, step=None, commit=None, sync=None):
        """Logs a dict of values to the run's history (see history.py for the step/commit rules).

        Cost on the calling thread: a check and a copy of the dict (lists and arrays in it are copied
        too, so later changes to them are not recorded); no I/O. Raises ValueError for a
        non-dict, a non-string key, or an invalid step."""
        if type(data) is not dict:
            data = _as_dict(data)
        row = data.copy()
        for k, v in row.items():
            if type(k) is not str:
                raise ValueError("log() keys must be strings; got %r" % (k,))
            if type(v) not in _SCALARS:
                row[k] = _snapshot(v)
        if step is not None:
            step = _check_step(step)
        if self._closed:
            self._warn_closed("log")
            return
        if self._append is not None:
            self._append((row, step, commit, _time()))

    def define_metric(self, name, step_metric=None, step_sync=None, hidden=None, summary=None, goal=None, overwrite=None):
        """Customises a metric; a second call merges with the first unless overwrite=True."""
        with self._defs_lock:
            m = build_definition(self._defs.get(name), name, step_metric, step_sync, hidden, summary, goal, overwrite)
            self._defs[name] = m
        if self._append is not None and not self._closed:
            self._append((METRIC, m.copy()))
        return m.copy()

    # --- summary backend (see run_summary.Summary) --------------------------------------------------------
    def summary_set(self, items):
        if self._closed:
            self._warn_closed("summary.update")
        elif self._append is not None:
            self._append((SUMMARY_SET, dict(items)))

    def summary_delete(self, key):
        if self._closed:
            self._warn_closed("summary.__delitem__")
        elif self._append is not None:
            self._append((SUMMARY_DEL, key))

    def summary_snapshot(self):
        self._barrier()
        return self._writer.snapshot()

    def _barrier(self, timeout=30.0):
        """Returns once the writer has applied everything queued before this call."""
        w = self._writer
        if w is None or w.closed:
            return
        if threading.current_thread() is w.thread:
            return
        if not w.thread.is_alive():
            w.drain()  # not started (or gone): apply on this thread
            return
        ev = threading.Event()
        self._append((BARRIER, ev))
        w.wake.set()
        ev.wait(timeout)

    # --- properties ------------------------------------------------------------------------------------
    @property
    def id(self):
        return self._id

    @property
    def name(self):
        return self._name

    @name.setter
    def name(self, value):
        self._name = None if value is None else str(value)
        self._emit_run()

    @property
    def notes(self):
        return self._notes

    @notes.setter
    def notes(self, value):
        self._notes = value
        self._emit_run()

    @property
    def tags(self):
        return self._tags

    @tags.setter
    def tags(self, value):
        self._tags = validate_tags(value) or ()
        self._emit_run()

    @property
    def group(self):
        return self._group

    @property
    def job_type(self):
        return self._job_type

    @property
    def project(self):
        return self._project

    @property
    def entity(self):
        return self._entity

    @property
    def path(self):
        return "%s/%s/%s" % (self._entity, self._project, self._id)

    @property
    def dir(self):
        """The run's files folder (`<run dir>/files`)."""
        return self._files_dir

    @property
    def resumed(self):
        return self._resumed

    @property
    def offline(self):
        return self._mode == "offline"

    @property
    def disabled(self):
        return self._mode == "disabled"

    @property
    def start_time(self):
        return self._start_time

    @property
    def sweep_id(self):
        return self._sweep_id

    @property
    def step(self):
        """The step the next `log()` without a step goes to (after everything logged so far)."""
        if self._writer is None:
            return self._start_step
        self._barrier()
        return self._writer.steps.step

    @property
    def url(self):
        return None  # offline: W&B semantics; online: the local dashboard has no stable run URL yet

    @property
    def project_url(self):
        return None

    @property
    def sweep_url(self):
        return None

    @property
    def settings(self):
        """A frozen copy of the run's settings, with the computed paths filled in."""
        if self._frozen_settings is None:
            s = self._settings.copy()
            s._values.update({
                "run_id": self._id, "run_name": self._name, "run_notes": self._notes, "run_tags": self._tags,
                "run_group": self._group, "run_job_type": self._job_type, "project": self._project,
                "entity": self._entity, "mode": self._mode, "resumed": self._resumed, "sweep_id": self._sweep_id,
                "files_dir": self._files_dir, "sync_dir": self._run_dir, "sync_file": self._journal_path,
                "data_root": self._data_root, "launch_id": self._launch_id, "host": process.hostname(),
            })
            self._frozen_settings = s.freeze()
        return self._frozen_settings

    @property
    def config_static(self):
        return _Static(self.config.as_dict())

    # --- ending -------------------------------------------------------------------------------------
    def finish(self, exit_code=None, quiet=None):
        """Ends the run: 0/None -> finished, anything else -> failed. Blocks until the journal is on disk
        and (bounded, 10 s) the runtime has it."""
        code = 0 if exit_code is None else exit_code
        self._finish("finished" if code == 0 else "failed", code, None)

    def _finish(self, state, exit_code, error, sender_timeout=10.0):
        with self._finish_lock:
            if self._closed:
                return
            self._closed = True
        try:
            process.release_console(self)
        except Exception:
            pass
        self._console_open = False
        if self._collector is not None:
            self._collector.finish(1.0 if state == "killed" else None)  # its last records go before the exit record
        w = self._writer
        if w is not None:
            ev = threading.Event()
            self._append((FINISH, state, exit_code, error, ev))
            w.wake.set()
            if w.thread.is_alive():
                ev.wait(30.0)
            else:
                w.drain()
            if self._sender is not None:
                try:
                    self._sender.finish(sender_timeout)
                except Exception as e:
                    self._thread_error("sender", e)
            if w.journal is not None:
                w.journal.close()
        self._finished = True
        process.unregister(self)

    def _discard(self, timeout=2.0):
        """Drops a launched run that an init with its own id/resume replaced (a `discard` run record)."""
        with self._finish_lock:
            if self._closed:
                return
            self._closed = True
        try:
            process.release_console(self)
        except Exception:
            pass
        self._console_open = False
        self._keep_console = None
        if self._collector is not None:
            self._collector.stop()
        w = self._writer
        if w is not None:
            ev = threading.Event()
            self._append((DISCARD, self._run_record(), ev))
            w.wake.set()
            if w.thread.is_alive():
                ev.wait(10.0)
            else:
                w.drain()
            if self._sender is not None:
                self._sender.finish(timeout)
            if w.journal is not None:
                w.journal.close()
        self._finished = True
        process.unregister(self)

    def mark_preempting(self):
        """Records that the run is about to be preempted (a `meta` record; the state stays running)."""
        if self._append is not None and not self._closed:
            self._append((META, {"preempting": True, "preempting_at": _time()}))

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.finish()
        else:
            from .exit_hooks import error_info, state_for_exception

            state, code = state_for_exception(exc_type)
            if issubclass(exc_type, SystemExit):
                c = exc.code
                state, code = ("finished", 0) if c in (None, 0) else ("failed", c if isinstance(c, int) else 1)
                self._finish(state, code, None)
            else:
                self._finish(state, code, error_info(exc_type, exc, tb))
        return False

    # --- console (called from capture threads) -------------------------------------------------------------
    def _on_console(self, stream, data, ts):
        if self._console_open and self._append is not None:
            self._append((CONSOLE, stream, data, ts))
            keep = self._keep_console
            if keep is not None and keep[0] < _CONSOLE_KEEP_MAX:
                keep[1].append((stream, data, ts))
                keep[0] += len(data)

    # --- unsupported W&B features: accepted so scripts run, with one warning each --------------------------
    def _unsupported(self, what):
        if what not in self._warned:
            self._warned.add(what)
            warn("run.%s() is not supported by this trackwell client yet; the call was ignored" % what)

    def watch(self, *args, **kwargs):
        self._unsupported("watch")

    def unwatch(self, *args, **kwargs):
        self._unsupported("unwatch")

    def save(self, *args, **kwargs):
        self._unsupported("save")
        return []

    def alert(self, *args, **kwargs):
        self._unsupported("alert")

    def log_code(self, root=".", name=None, include_fn=None, exclude_fn=None):
        """Saves a snapshot of the code under `root` (default: the *.py files) with the run; see sources.log_code."""
        if self._closed:
            self._warn_closed("log_code")
            return None
        if self._append is None:
            return None
        from .sources import log_code

        return log_code(self, root, name, include_fn, exclude_fn)

    def status(self):
        s = self._sender
        return {"journal": self._journal_path, "acknowledged_bytes": s.acked if s else None,
                "runtime_reachable": s.reachable if s else None}

    def _warn_closed(self, what):
        if "closed:" + what not in self._warned:
            self._warned.add("closed:" + what)
            warn("run %s is finished; the call to %s() was ignored. Use the run returned by a new init()." % (self._id, what))

    def __repr__(self):
        return "<Run %s/%s (%s)>" % (self._project, self._id, "finished" if self._finished else self._mode)


class _Static:
    def __init__(self, d):
        self.__dict__.update(d)

    def __getitem__(self, k):
        return self.__dict__[k]


def _uuid4():
    """A random (version 4) UUID string, without importing uuid (slow to import)."""
    b = bytearray(os.urandom(16))
    b[6] = (b[6] & 0x0F) | 0x40
    b[8] = (b[8] & 0x3F) | 0x80
    h = b.hex()
    return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])


def _as_dict(data):
    from collections.abc import Mapping

    if isinstance(data, Mapping):
        return dict(data)
    raise ValueError("log() takes a dict of values (str keys); got %s" % (type(data).__name__,))


def _check_step(step):
    if isinstance(step, bool):
        raise ValueError("step must be a non-negative integer, got %r" % (step,))
    try:
        s = step.__index__()
    except (AttributeError, TypeError):
        if isinstance(step, float) and step.is_integer():
            s = int(step)
        else:
            raise ValueError("step must be a non-negative integer, got %r" % (step,)) from None
    if s < 0:
        raise ValueError("step must be a non-negative integer, got %r" % (step,))
    return s
