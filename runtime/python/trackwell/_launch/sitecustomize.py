"""Imported by Python at startup under `trackwell run` (this folder is on PYTHONPATH).

With TRACKWELL_LAUNCH_ID set, it starts a run for the whole process before the script runs, capturing
stdout/stderr at the file-descriptor level, so a script without any tracking calls still gets a run
with its console output and exit status. The variable is removed from os.environ first, so child
processes do not start runs of their own. Then any other `sitecustomize` this folder shadows (e.g.
Debian's) is loaded, as if we were not here. Nothing here may stop the script from starting.
"""
import os
import sys


def _start():
    launch_id = os.environ.pop("TRACKWELL_LAUNCH_ID", None)
    if not launch_id:
        return
    try:
        from trackwell.init_run import start_launched

        start_launched(launch_id)
    except Exception as e:  # the script must run even if tracking cannot start
        try:
            sys.stderr.write("trackwell: could not start tracking for this process (%s: %s); the script runs untracked\n"
                             % (type(e).__name__, e))
        except Exception:
            pass


def _chain():
    """Loads the next `sitecustomize` on sys.path after this file's folder."""
    import importlib.machinery
    import importlib.util

    here = os.path.dirname(os.path.abspath(__file__))
    rest, seen = [], False
    for p in sys.path:
        try:
            same = os.path.abspath(p or os.getcwd()) == here
        except Exception:
            same = False
        if same:
            seen = True
            continue
        if seen:
            rest.append(p)
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", rest)
    if spec is None or spec.loader is None or (spec.origin and os.path.dirname(os.path.abspath(spec.origin)) == here):
        return
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as e:
        try:
            sys.stderr.write("Error in sitecustomize (%s); set PYTHONVERBOSE for traceback:\n%s: %s\n"
                             % (spec.origin, type(e).__name__, e))
        except Exception:
            pass


_start()
try:
    _chain()
except Exception:
    pass
