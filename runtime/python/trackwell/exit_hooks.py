"""How a run ends when the script does not call finish(): process-wide hooks, installed once.

- `sys.excepthook`: an uncaught exception ends every open run as failed (KeyboardInterrupt: killed)
  with {type, message, traceback}; the original hook runs first so the traceback is also in the console.
- `sys.exit` (and the `exit`/`quit` builtins) are wrapped to remember the code; at interpreter exit
  (`atexit`) open runs finish: code 0/None -> finished, anything else -> failed with that exit code.
- SIGTERM -> killed: a handler is installed only if SIGTERM still has its default action and we are
  on the main thread; after finishing it restores the default and re-raises the signal, so the
  process still dies "by SIGTERM" for whoever waits on it.
"""
import atexit
import builtins
import os
import signal
import sys
import threading
import traceback

_installed = False
_exit_code = None
_exception = None  # (state, exit_code, error) from the excepthook
_finish_all = None  # callable(state, exit_code, error)


def install(finish_all):
    """`finish_all(state, exit_code, error)` finishes every open run (and the launched one)."""
    global _installed, _finish_all
    _finish_all = finish_all
    if _installed:
        return
    _installed = True
    _wrap_exit()
    _orig_hook = sys.excepthook

    def excepthook(exc_type, exc, tb):
        try:
            _orig_hook(exc_type, exc, tb)
        finally:
            try:
                on_exception(exc_type, exc, tb)
            except Exception:
                pass

    sys.excepthook = excepthook
    atexit.register(_at_exit)
    _install_sigterm()
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_after_fork)


def error_info(exc_type, exc, tb):
    return {
        "type": getattr(exc_type, "__name__", str(exc_type)),
        "message": str(exc),
        "traceback": "".join(traceback.format_exception(exc_type, exc, tb)),
    }


def state_for_exception(exc_type):
    if exc_type is not None and issubclass(exc_type, KeyboardInterrupt):
        return "killed", 128 + signal.SIGINT
    ended = getattr(exc_type, "run_end", None)  # sweep_agent.TrialStopped: a trial the sweep stopped is killed
    return ended if ended else ("failed", 1)


def on_exception(exc_type, exc, tb):
    global _exception
    if exc_type is not None and issubclass(exc_type, SystemExit):
        return
    state, code = state_for_exception(exc_type)
    _exception = (state, code, error_info(exc_type, exc, tb))
    if _finish_all:
        _finish_all(state, code, _exception[2])


def _wrap_exit():
    orig_exit = sys.exit

    def exit(code=None):  # noqa: A001 - mirrors sys.exit
        remember_exit(code)
        orig_exit(code)

    exit.__doc__ = orig_exit.__doc__
    exit._trackwell_orig = orig_exit
    sys.exit = exit
    for name in ("exit", "quit"):
        q = getattr(builtins, name, None)
        if q is not None and type(q).__name__ == "Quitter":
            try:
                builtins.__dict__[name] = _Quitter(q)
            except Exception:
                pass


class _Quitter:
    def __init__(self, orig):
        self._orig = orig

    def __repr__(self):
        return repr(self._orig)

    def __call__(self, code=None):
        remember_exit(code)
        return self._orig(code)


def remember_exit(code):
    global _exit_code
    _exit_code = code


def exit_state():
    """(state, exit_code, error) for an interpreter exit without an uncaught exception."""
    code = _exit_code
    if code is None or code == 0:
        return "finished", 0, None
    if isinstance(code, int):
        return "failed", code, None
    # sys.exit("message") prints the message and exits with status 1
    return "failed", 1, {"type": "SystemExit", "message": str(code), "traceback": ""}


def _at_exit():
    if _finish_all is None:
        return
    if _exception is not None:
        _finish_all(*_exception)
    else:
        _finish_all(*exit_state())


def _install_sigterm():
    if threading.current_thread() is not threading.main_thread():
        return
    try:
        if signal.getsignal(signal.SIGTERM) != signal.SIG_DFL:
            return  # the script (or a framework) handles SIGTERM itself
        signal.signal(signal.SIGTERM, _on_sigterm)
    except (ValueError, OSError, AttributeError):
        pass


def _on_sigterm(signum, frame):
    try:
        if _finish_all:
            _finish_all("killed", 128 + signum, {"type": "SIGTERM", "message": "the process received SIGTERM", "traceback": ""})
    finally:
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)


_fork_callbacks = []


def on_fork(callback):
    _fork_callbacks.append(callback)


def _after_fork():
    for cb in _fork_callbacks:
        try:
            cb()
        except Exception:
            pass
