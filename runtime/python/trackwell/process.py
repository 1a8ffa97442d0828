"""Process-wide state: the open runs, `wandb.run`, the launched run, and who owns console capture."""
import threading

_lock = threading.RLock()
active_runs = []  # runs made by init() and not finished, oldest first
global_run = None  # what wandb.run / trackwell.run return
implicit_run = None  # the run `trackwell run` started before the script called init()
setup_settings = None  # from setup(settings=...)

_console_lock = threading.Lock()
_console_capture = None
_console_owner = None
_hostname = None


def hostname():
    global _hostname
    if _hostname is None:
        from .dataroot import hostname as h

        _hostname = h()
    return _hostname


def register(run, make_global):
    global global_run
    with _lock:
        active_runs.append(run)
        if make_global:
            global_run = run


def unregister(run):
    global global_run, implicit_run
    with _lock:
        if run in active_runs:
            active_runs.remove(run)
        if global_run is run:
            global_run = None
        if implicit_run is run:
            implicit_run = None


def open_runs():
    with _lock:
        runs = [r for r in active_runs if not r._closed]
        if implicit_run is not None and not implicit_run._closed and implicit_run not in runs:
            runs.append(implicit_run)
        return runs


def finish_all(state, exit_code, error, sender_timeout=None):
    """Ends every open run (newest first); used by the exit hooks."""
    timeout = sender_timeout if sender_timeout is not None else (3.0 if state == "killed" else 10.0)
    for run in reversed(open_runs()):
        try:
            run._finish(state, exit_code, error, sender_timeout=timeout)
        except Exception:
            pass


# --- console capture -------------------------------------------------------------------------------------


def _sink(stream, data, ts):
    # Under the lock so a hand-over never loses or reorders a chunk (console writes are not hot).
    with _console_lock:
        owner = _console_owner
        if owner is not None:
            owner._on_console(stream, data, ts)


def start_console(run, kind):
    """Starts capture for `run` unless another run already owns it. kind: "wrap" or "redirect"."""
    global _console_capture, _console_owner
    from .console import FdCapture, PyCapture

    with _console_lock:
        if _console_capture is not None:
            return False
        cap = FdCapture(_sink) if kind == "redirect" else PyCapture(_sink)
        _console_owner = run
        run._console_captured = True
        try:
            cap.start()
        except Exception:
            _console_owner = None
            return False
        _console_capture = cap
        return True


def hand_over_console(old, new):
    """A launched run is discarded: its capture, and what it captured so far, go to `new`."""
    global _console_owner
    with _console_lock:
        keep = old._keep_console
        old._keep_console = None
        old._console_open = False
        for stream, data, ts in (keep[1] if keep else ()):
            new._on_console(stream, data, ts)
        if _console_owner is old:
            _console_owner = new
            new._console_captured = True


def release_console(run):
    """Stops capture if `run` owns it, after the output written so far has been recorded."""
    global _console_capture, _console_owner
    with _console_lock:
        if _console_owner is not run or _console_capture is None:
            return
        cap = _console_capture
        _console_capture = None
    try:
        cap.stop()
    finally:
        with _console_lock:
            if _console_owner is run:
                _console_owner = None


def console_owner():
    return _console_owner


def write_terminal(text, stream="stderr"):
    """Writes to the real terminal stream, around any capture (for the client's own messages)."""
    import os
    import sys

    cap = _console_capture
    orig = getattr(cap, "_orig", None) if cap is not None else None
    saved = getattr(cap, "_saved", None) if cap is not None else None
    if orig and orig.get(stream) is not None:
        orig[stream].write(text)
        orig[stream].flush()
    elif saved and saved.get(2 if stream == "stderr" else 1) is not None:
        os.write(saved[2 if stream == "stderr" else 1], text.encode("utf-8", "replace"))
    else:
        s = getattr(sys, stream)
        s.write(text)
        s.flush()


def reset_after_fork():
    """A forked child inherits the parent's run objects but not their threads: forget them, so an
    init() in the child starts a fresh run instead of queueing into a dead writer."""
    global global_run, implicit_run, _console_capture, _console_owner, _lock, _console_lock
    _lock = threading.RLock()
    _console_lock = threading.Lock()
    for r in list(active_runs):
        r._closed = True
    if implicit_run is not None:
        implicit_run._closed = True
    active_runs.clear()
    global_run = None
    implicit_run = None
    _console_capture = None  # fds 1/2 stay the parent's pipes: the parent's readers still tee them
    _console_owner = None
