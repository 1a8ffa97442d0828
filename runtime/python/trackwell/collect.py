"""Collected information about a run (Sacred's "collected information", W&B's code saving).

At start the run journals a cheap `meta` record (`basic_meta`: no subprocess, no hashing). A
`Collector` thread then gathers the rest and journals a second, complete `meta` record
(`program`, `git`, `sources`, `dependencies`, `host`; the runtime merges meta records key by key)
plus `file` records whose bytes are in the blob store (blobs.py): the sources found by sources.py
(`code/<relpath>`, kind "source"), the uncommitted diff (`diff.patch`, "patch"), `requirements.txt` ("requirements")
and code snapshots (`snapshots/<name>/<relpath>`, "code"). Local modules are usually imported after
start (a launched run starts before the script runs), so sources are looked for again a few seconds
later, after 30 s, and when the run finishes. Nothing here may fail the run: a failure warns once.
"""
import os
import sys
import threading

from . import process
from .sources import MAX_FILE_BYTES, SourceScanner, default_name, log_code, main_path, recording, snapshot, store_file
from .writer import META, warn

RESCAN_AFTER = (3.0, 30.0)
FINISH_WAIT = 5.0


def program_info(settings, git_root=None, cwd=None):
    import platform

    path = main_path()
    program = {"argv": list(sys.argv), "path": path, "cwd": cwd or os.getcwd(), "python": platform.python_version(),
               "executable": sys.executable}
    if path and git_root and path.startswith(git_root + os.sep):
        program["relpath"] = os.path.relpath(path, git_root).replace(os.sep, "/")
    return program


def basic_meta(settings):
    """The first `meta` record: what costs nothing to know (no subprocess, .git read directly)."""
    import platform

    from .dataroot import find_git_root, git_info, username

    git_root = None if settings.disable_git else find_git_root()
    return {
        "program": program_info(settings, git_root),
        "git": git_info(git_root),
        "host": {"hostname": process.hostname(), "os": platform.system(), "release": platform.release(),
                 "machine": platform.machine(), "pid": os.getpid(), "user": username(), "cpu_count": os.cpu_count()},
    }


def env_names(settings):
    """Environment variables the user asked to capture: settings `env_capture`/`x_env_capture` (a list, or
    "A,B"), else $TRACKWELL_CAPTURE_ENV. None by default."""
    v = settings._values.get("env_capture") or settings._values.get("x_env_capture") or ()
    if isinstance(v, str):
        v = v.split(",")
    return tuple(n.strip() for n in v if isinstance(n, str) and n.strip())


def _relevant(s):
    return (s.disable_git, s.git_remote, env_names(s), s.save_code, s.code_dir, s.disable_code)


class Collector:
    def __init__(self, run, settings):
        self._run = run
        self._settings = settings
        self._cwd = os.getcwd()
        self._scanner = SourceScanner(self._cwd)
        self._meta = {}
        self._warned = False
        self._redo = False
        self._finishing = False
        self._stopped = False
        self._snapshot_done = False
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._main, name="trackwell-collect", daemon=True)

    # --- called by the run ---------------------------------------------------------------------------
    def start(self):
        self._thread.start()

    def reconfigure(self, settings):
        """init() adopted a launched run: collect again if its settings change what is collected."""
        before = _relevant(self._settings)
        self._settings = settings
        if _relevant(settings) != before:
            self._redo = True
            self._wake.set()

    def stop(self):
        """The run was discarded: no more records."""
        self._stopped = True
        self._wake.set()

    def finish(self, timeout=None):
        """A last look for sources, bounded, before the run's exit record."""
        timeout = FINISH_WAIT if timeout is None else timeout
        self._finishing = True
        self._wake.set()
        t = self._thread
        if t.is_alive() and t is not threading.current_thread():
            t.join(timeout)

    # --- the thread ----------------------------------------------------------------------------------
    def _main(self):
        delays = list(RESCAN_AFTER)
        full = True
        while True:
            finishing = self._finishing  # read first: a finish() after this wakes the wait below
            self._guard(self._collect if full else self._rescan)
            if finishing or self._stopped:
                return
            self._wake.wait(delays.pop(0) if delays else None)
            self._wake.clear()
            full, self._redo = self._redo, False

    def _guard(self, fn, *args):
        try:
            return fn(*args)
        except Exception as e:
            if not self._warned:
                self._warned = True
                warn("could not collect all information about the run (%s: %s); the run goes on" % (type(e).__name__, e))
            return None

    def _emit(self, kind, record):
        if recording(self._run) and not self._stopped:
            self._run._append((kind, record))

    def _store(self, path, data, kind, sha256=None):
        if not self._stopped:
            store_file(self._run, path, data, kind, sha256)

    def _collect(self):
        from . import sysinfo

        s = self._settings
        meta = self._meta
        start = os.path.dirname(main_path() or os.path.join(self._cwd, "x"))
        git, patch = (None, None) if s.disable_git else (self._guard(sysinfo.git_state, start, s.git_remote) or (None, None))
        self._scanner.git_root = (git or {}).get("root")
        meta["git"] = git
        if patch:
            self._guard(self._store, "diff.patch", patch, "patch")
        meta["program"] = program_info(s, self._scanner.git_root, self._cwd)
        self._guard(self._scan)
        meta["sources"] = self._scanner.pairs()
        meta["dependencies"] = self._guard(sysinfo.dependencies) or []
        self._guard(self._requirements)
        meta["host"] = self._guard(sysinfo.host_info, env_names(s))
        self._emit(META, dict(meta))
        if s.save_code and not s.disable_code and not self._snapshot_done:
            self._snapshot_done = True
            main = main_path()
            if s.code_dir:
                log_code(self._run, s.code_dir)
            elif main:
                snapshot(self._run, default_name(self._run), os.path.dirname(main), [main])

    def _rescan(self):
        if self._guard(self._scan):
            self._meta["program"] = program_info(self._settings, self._scanner.git_root, self._cwd)
            self._meta["sources"] = self._scanner.pairs()
            self._emit(META, dict(self._meta))

    def _requirements(self):
        main = main_path()
        for d in filter(None, (os.path.dirname(main) if main else None, self._scanner.git_root, self._cwd)):
            p = os.path.join(d, "requirements.txt")
            if os.path.isfile(p) and os.path.getsize(p) <= MAX_FILE_BYTES:
                with open(p, "rb") as f:
                    self._store("requirements.txt", f.read(), "requirements")
                return

    def _scan(self):
        if self._settings.disable_code:  # the (path, md5) pairs are still listed; the bytes are not stored
            return self._scanner.scan(None)
        return self._scanner.scan(lambda rel, data, sha: self._store("code/" + rel, data, "source", sha))
