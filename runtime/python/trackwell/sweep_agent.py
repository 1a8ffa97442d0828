"""`agent(sweep_id, function=f)`: a sweep's trials run in this process, one after another.

A trial's run id and parameters reach `init()` inside `f` as the command agent hands them to a spawned
script: the id in the environment, the parameters in `<root>/sweeps/<sweep>/config-<run>.json`
(TRACKWELL_SWEEP_PARAM_PATH), which init() locks into the run's config. A background thread heartbeats;
when the controller stops the running trial (early termination, cancel), TrialStopped is raised in the
agent's thread, as W&B's agent does; it is a BaseException so `except Exception` in `f` lets it through.
A stop reaches `f` only when it runs Python code (not in the middle of one long C call).
"""
import json
import os
import sys
import threading
import time
import traceback

from . import process
from .dataroot import ensure_dir, hostname
from .errors import Error
from .exit_hooks import error_info

FLAP_WINDOW_S = 60.0
FLAP_FAILURES = 3
HEARTBEAT_S = 2.0
TICK_S = 1.0
STOPPED_EXIT = 143  # what a command trial stopped with SIGTERM reports
INTERRUPTED_EXIT = 130


class TrialStopped(BaseException):
    """Raised inside the agent's function when the sweep stops its trial."""

    run_end = ("killed", STOPPED_EXIT)  # how `with wandb.init():` ends its run on the way out


def _set_async_exc(thread_id, exc_type):
    """Raises exc_type in the thread at its next Python instruction (None clears a pending one)."""
    try:
        import ctypes

        exc = ctypes.py_object(exc_type) if exc_type else None
        return ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), exc) == 1
    except (ImportError, AttributeError):  # not CPython: trials are only stopped between them
        return False


def _log(msg):
    try:
        sys.stderr.write(msg + "\n")
        sys.stderr.flush()
    except Exception:
        pass


class FunctionAgent:
    def __init__(self, api, beat_api, root, sweep_id, function, count):
        self.api, self.beat_api = api, beat_api  # one per thread: retrying vs. best-effort
        self.root, self.sweep_id, self.function, self.count = root, sweep_id, function, count
        self.agent_id = None
        self._lock = threading.Lock()
        self._current = None  # run id whose function is running
        self._injected = False
        self._stop_reason = None
        self._thread_id = threading.get_ident()
        self._done = threading.Event()

    def run(self):
        if any(not r._implicit for r in process.open_runs()):
            _log("trackwell agent: WARNING a run is already open; init() inside the function will return it "
                 "instead of starting the trial's run (finish it before calling agent())")
        base = "/api/sweeps/%s" % self.sweep_id
        self.agent_id = self.api.call("POST", base + "/agents", {"host": hostname(), "pid": os.getpid()})["agent_id"]
        _log("trackwell agent %s: sweep %s, trials run in this process%s"
             % (self.agent_id, self.sweep_id, ", %d in all" % self.count if self.count else ""))
        beat = threading.Thread(target=self._beat, name="trackwell-sweep-heartbeat", daemon=True)
        beat.start()
        launched, failures, why, flapping = 0, [], None, None
        try:
            while why is None:
                if self.count is not None and launched >= self.count:
                    why = "ran %d trial%s (count)" % (launched, "" if launched == 1 else "s")
                    break
                a = self.api.call("POST", base + "/next", {"agent_id": self.agent_id})
                if "run_id" in a:
                    launched += 1
                    if self._trial(a) not in (0, STOPPED_EXIT):
                        now = time.monotonic()
                        failures = [t for t in failures if now - t <= FLAP_WINDOW_S] + [now]
                        if len(failures) >= FLAP_FAILURES:
                            why = flapping = ("%d trials failed within a minute; stopping this agent. Call the function "
                                              "by hand to see why (the tracebacks are above)" % FLAP_FAILURES)
                elif a.get("done"):
                    why = a.get("reason") or "the sweep is done"
                else:
                    time.sleep(TICK_S)  # paused: ask again
        finally:
            self._done.set()
            self.beat_api.closing.set()
            self.api.closing.set()
            try:
                self.beat_api.call("POST", "%s/agents/%s/exit" % (base, self.agent_id), {})
            except Exception:
                pass
        _log("trackwell agent %s: done: %s" % (self.agent_id, why))
        if flapping:
            raise Error(flapping)

    # --- one trial --------------------------------------------------------------------------------------
    def _trial(self, a):
        run_id, params = a["run_id"], a.get("params") or {}
        path = self._param_file(run_id, params)
        env = {"TRACKWELL_RUN_ID": run_id, "WANDB_RUN_ID": run_id, "TRACKWELL_SWEEP_ID": self.sweep_id,
               "WANDB_SWEEP_ID": self.sweep_id, "TRACKWELL_SWEEP_PARAM_PATH": path, "WANDB_SWEEP_PARAM_PATH": path}
        if a.get("project"):
            env["WANDB_PROJECT"] = a["project"]
        saved = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        before = set(map(id, process.open_runs()))
        _log("trackwell agent: trial %s: %s" % (run_id, json.dumps(params, sort_keys=True)))
        state, code, error = "finished", 0, None
        try:
            try:
                try:
                    with self._lock:
                        self._current, self._injected, self._stop_reason = run_id, False, None
                    self.function()
                finally:
                    self._leave()
            except TrialStopped:
                reason = self._stop_reason or "stopped by the sweep"
                state, code, error = "killed", STOPPED_EXIT, {"type": "SweepStopped", "message": reason, "traceback": ""}
            except SystemExit as e:  # sys.exit() in the function ends the trial, not the agent
                c = e.code
                state, code = ("finished", 0) if c in (None, 0) else ("failed", c if isinstance(c, int) else 1)
            except KeyboardInterrupt as e:
                state, code, error = "killed", INTERRUPTED_EXIT, error_info(type(e), e, e.__traceback__)
                raise
            except Exception as e:
                traceback.print_exc()  # into the run's console while it still captures
                state, code, error = "failed", 1, error_info(type(e), e, e.__traceback__)
        finally:
            self._current = None
            self._finish_runs(before, state, code, error)
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
            said = {"finished": "finished", "killed": "stopped"}.get(state, "failed (exit code %s)" % code)
            _log("trackwell agent: trial %s %s" % (run_id, said))
            self.api.call("POST", "/api/sweeps/%s/agents/%s/heartbeat" % (self.sweep_id, self.agent_id),
                          {"ended": [{"run_id": run_id, "exit_code": code}]})
        return code

    def _param_file(self, run_id, params):
        d = ensure_dir(os.path.join(self.root, "sweeps", self.sweep_id))
        path = os.path.join(d, "config-%s.json" % run_id)
        with open(path, "w", encoding="utf-8") as f:
            json.dump({k: {"value": v} for k, v in params.items()}, f, indent=2)
        return path

    def _finish_runs(self, before, state, code, error):
        """Ends the runs the trial left open, as a trial process's exit would."""
        opened = [r for r in process.open_runs() if id(r) not in before and not r._implicit]
        for r in reversed(opened):
            try:
                r._finish(state, code, error)
            except Exception as e:
                _log("trackwell agent: could not finish run %s (%s)" % (r.id, e))

    # --- stopping a running trial --------------------------------------------------------------------------
    def _leave(self):
        with self._lock:
            self._current = None
            if self._injected:
                _set_async_exc(self._thread_id, None)  # a stop that came as the function returned: drop it

    def _beat(self):
        path = "/api/sweeps/%s/agents/%s/heartbeat" % (self.sweep_id, self.agent_id)
        while not self._done.wait(HEARTBEAT_S):
            try:
                hb = self.beat_api.call("POST", path, {"ended": []}, timeout=30.0)
            except Exception:
                continue  # the main thread's calls wait for (and restart) the runtime
            for s in hb.get("stop") or ():
                self._stop(s.get("run_id"), s.get("reason"))

    def _stop(self, run_id, reason):
        with self._lock:
            if run_id is None or self._current != run_id or self._injected:
                return
            self._stop_reason = reason
            if _set_async_exc(self._thread_id, TrialStopped):
                self._injected = True
                _log("trackwell agent: stopping %s: %s" % (run_id, reason))
