"""JSON calls to the runtime serving a data root, starting one when none answers.

Discovery and the token are transport.discover's. A missing runtime is started the way the CLI's
`ensureRuntime` does it: `node dist/cli.js serve --dir ROOT --idle-exit 1800`, detached, logging to
`ROOT/runtime.log`; then we wait until runtime.json names a runtime that answers /api/health.
"""
import json
import os
import shutil
import subprocess
import sys
import threading
import time

from .dataroot import ensure_dir
from .errors import CommError
from .transport import RuntimeClient, RuntimeError_, discover

START_TIMEOUT = 15.0
IDLE_EXIT_S = 1800
_started = []  # runtimes this process started: holding the Popen keeps Python from warning it leaked


class ApiError(Exception):
    """The runtime answered with an error status; `message` is its own explanation."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


def cli_script():
    """dist/cli.js: $TRACKWELL_CLI, else next to the client (<pkg>/python, <repo>/runtime/python)."""
    pydir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for c in (os.environ.get("TRACKWELL_CLI"), os.path.join(pydir, "..", "dist", "cli.js"),
              os.path.join(pydir, "..", "..", "dist", "cli.js")):
        if c and os.path.isfile(c):
            return os.path.normpath(c)
    raise CommError("cannot find the Trackwell CLI (dist/cli.js next to %s); build it with `node scripts/build.mjs` "
                    "or set TRACKWELL_CLI" % pydir)


def node_executable():
    node = shutil.which("node")
    if not node:
        raise CommError("Node.js (`node`) is not on PATH; the Trackwell runtime needs it")
    return node


def _healthy(found):
    if not found:
        return None
    c = RuntimeClient(*found)
    try:
        status, body = c.request("GET", "/api/health", read_timeout=2.0)
    except RuntimeError_:
        return None
    finally:
        c.close()
    return found if status == 200 and isinstance(body, dict) and body.get("ok") else None


def find_runtime(root):
    """(url, token) of a runtime that answers for `root`, or None."""
    found = _healthy(discover(root))
    if found is None and os.environ.get("TRACKWELL_RUNTIME"):
        found = _healthy(discover(root, environ={}))  # a stale address in the environment: try the root's own
    return found


def ensure_runtime(root, timeout=START_TIMEOUT):
    found = find_runtime(root)
    if found:
        return found
    argv = [node_executable(), cli_script(), "serve", "--dir", root, "--idle-exit", str(IDLE_EXIT_S)]
    ensure_dir(root)
    log_path = os.path.join(root, "runtime.log")
    with open(log_path, "ab") as log:
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log, close_fds=True,
                             env=dict(os.environ, TRACKWELL_DIR=root), start_new_session=True)
    _started.append(p)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        time.sleep(0.1)
        # A runtime that lost the start race exits; the winner's runtime.json is what we wait for.
        found = _healthy(discover(root, environ={}))
        if found:
            return found
    raise CommError("the Trackwell runtime did not start within %d s; see %s" % (timeout, log_path))


class Api:
    """Calls to one data root's runtime. With retry=True an unreachable runtime is waited for (and
    restarted) with backoff up to 5 s, as the command agent does; otherwise CommError is raised."""

    def __init__(self, root, retry=False):
        self.root = root
        self.retry = retry
        self.closing = threading.Event()  # set to make a waiting call give up
        self._found = None
        self._warned = False

    def call(self, method, path, body=None, timeout=60.0):
        data = None if body is None else json.dumps(body, allow_nan=False).encode("utf-8")
        wait = 0.25
        while True:
            try:
                found = self._found or ensure_runtime(self.root)
                self._found = found
                c = RuntimeClient(*found)
                try:
                    status, reply = c.request(method, path, data, read_timeout=timeout)
                finally:
                    c.close()
            except (RuntimeError_, CommError) as e:
                self._found = None
                if not self.retry or self.closing.is_set():
                    raise CommError("the Trackwell runtime for %s did not answer %s %s: %s" % (self.root, method, path, e))
                if not self._warned:
                    _stderr("trackwell: the runtime is not reachable (%s); retrying..." % e)
                self._warned = True
                if self.closing.wait(wait):
                    raise CommError("gave up waiting for the Trackwell runtime for %s" % self.root)
                wait = min(wait * 2, 5.0)
                continue
            if self._warned:
                _stderr("trackwell: the runtime is back")
                self._warned = False
            if 200 <= status < 300:
                return reply
            msg = reply.get("error") if isinstance(reply, dict) else None
            raise ApiError(status, msg or "the runtime answered HTTP %s to %s %s" % (status, method, path))


def _stderr(msg):
    try:
        sys.stderr.write(msg + "\n")
        sys.stderr.flush()
    except Exception:
        pass
