"""Finding the runtime and streaming the journal to it (docs/journal.md, "Streaming to the runtime").

Discovery: $TRACKWELL_RUNTIME (+ $TRACKWELL_TOKEN), else `<data root>/runtime.json` and
`<data root>/token`, re-read on every reconnect because a restarted runtime may use another port.
When the address in the environment (set by `trackwell run` for the runtime it found) stops answering,
the sender falls back to runtime.json: a runtime restarted on another port is found there.
The sender never blocks the training thread: it reads whole lines from the journal file (the durable
copy) from the last acknowledged byte and posts them; when the runtime is away it retries with
backoff (at most 5 s) and resends from the acknowledged offset, so nothing is lost or stored twice.
"""
import http.client
import json
import os
import sys
import threading
import time
import urllib.parse

CONNECT_TIMEOUT = 1.0
READ_TIMEOUT = 10.0
MAX_BATCH = 1 << 20
MAX_BACKOFF = 5.0


def discover(data_root, environ=None):
    """(base_url, token) of the runtime serving `data_root`, or None."""
    env = os.environ if environ is None else environ
    url = env.get("TRACKWELL_RUNTIME")
    token = env.get("TRACKWELL_TOKEN")
    if url:
        if not token:
            token = _read_text(os.path.join(data_root, "token"))
        return url.rstrip("/"), token or ""
    try:
        with open(os.path.join(data_root, "runtime.json"), encoding="utf-8") as f:
            info = json.load(f)
        host, port = info.get("host") or "127.0.0.1", int(info["port"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if host in ("0.0.0.0", "::"):
        host = "127.0.0.1"
    if ":" in host:
        host = "[%s]" % host
    return "http://%s:%d" % (host, port), _read_text(os.path.join(data_root, "token")) or ""


def candidates(data_root, environ=None):
    """Every (base_url, token) the runtime serving `data_root` may be at, best first: $TRACKWELL_RUNTIME,
    then the data root's runtime.json (what a restarted runtime writes). No duplicates; may be empty."""
    env = os.environ if environ is None else environ
    out = []
    first = discover(data_root, env)
    if first is not None:
        out.append(first)
    if env.get("TRACKWELL_RUNTIME"):
        second = discover(data_root, {})
        if second is not None:
            if not second[1]:
                second = (second[0], env.get("TRACKWELL_TOKEN") or "")
            if all(second[0] != u for u, _ in out):
                out.append(second)
    return out


def _read_text(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read().strip()
    except OSError:
        return None


class RuntimeError_(Exception):
    """The runtime could not be reached or answered with an unexpected status."""


class RuntimeClient:
    """One persistent HTTP connection to a runtime, with short timeouts."""

    def __init__(self, base_url, token):
        u = urllib.parse.urlsplit(base_url)
        if u.scheme not in ("http", ""):
            raise RuntimeError_("unsupported runtime URL %s" % base_url)
        self.base_url = base_url
        self.host = u.hostname or "127.0.0.1"
        self.port = u.port or 80
        self.token = token
        self._conn = None

    def close(self):
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:
                pass
            self._conn = None

    def request(self, method, path, body=None, read_timeout=READ_TIMEOUT):
        """Returns (status, parsed JSON or None). Retries once on a stale kept-alive connection."""
        for attempt in (0, 1):
            fresh = self._conn is None
            try:
                if fresh:
                    self._conn = http.client.HTTPConnection(self.host, self.port, timeout=CONNECT_TIMEOUT)
                    self._conn.connect()
                self._conn.sock.settimeout(read_timeout)
                headers = {"Authorization": "Bearer %s" % self.token}
                if body is not None:
                    headers["Content-Type"] = "text/plain"
                self._conn.request(method, path, body=body, headers=headers)
                resp = self._conn.getresponse()
                data = resp.read()
                if resp.getheader("connection", "").lower() == "close":
                    self.close()
                try:
                    parsed = json.loads(data.decode("utf-8")) if data else None
                except ValueError:
                    parsed = None
                return resp.status, parsed
            except (OSError, http.client.HTTPException) as e:
                self.close()
                if fresh or attempt == 1:
                    raise RuntimeError_(str(e) or type(e).__name__)
        raise RuntimeError_("unreachable")

    def resume_info(self, project, run_id):
        q = urllib.parse.urlencode({"project": project, "id": run_id})
        status, body = self.request("GET", "/api/resume?" + q, read_timeout=5.0)
        if status != 200 or not isinstance(body, dict):
            raise RuntimeError_("resume lookup answered %s" % status)
        return body


class Sender:
    """Background thread posting new journal lines to the runtime."""

    def __init__(self, journal_path, journal_uuid, data_root, on_error=None):
        self.path = journal_path
        self.uuid = journal_uuid
        self.data_root = data_root
        self.acked = 0
        self.reachable = None  # None: not tried yet
        self.down = False
        self._warned = False
        self._client = None
        self._fallbacks = []
        self._fd = None
        self._wake = threading.Event()
        self._stop = False
        self._final = False
        self._backoff = 0.0
        self._next_try = 0.0
        self._done = threading.Condition()
        self._on_error = on_error
        self._thread = threading.Thread(target=self._loop, name="trackwell-sender", daemon=True)

    def start(self):
        self._thread.start()

    def poke(self):
        self._wake.set()

    # --- thread -----------------------------------------------------------------------------------
    def _loop(self):
        try:
            self._fd = os.open(self.path, os.O_RDONLY)
            while not self._stop:
                self._wake.wait(0.05)
                self._wake.clear()
                if time.monotonic() < self._next_try and not (self._final and self.down):
                    continue
                self._send_available()
        except Exception as e:  # never let the sender take the script down
            if self._on_error:
                self._on_error("sender", e)
            self.reachable = False
        finally:
            with self._done:
                self._done.notify_all()
            if self._client:
                self._client.close()

    def _connect(self):
        if self._client is None:
            found = candidates(self.data_root)
            if not found:
                raise RuntimeError_("no runtime.json and no TRACKWELL_RUNTIME")
            self._client = RuntimeClient(*found[0])
            self._fallbacks = found[1:]
        return self._client

    def _request(self, method, path, body):
        """One request to the runtime; when its address does not answer, the next candidate address
        (runtime.json, after $TRACKWELL_RUNTIME) is tried at once and kept while it answers."""
        client = self._connect()
        while True:
            try:
                return client.request(method, path, body=body)
            except RuntimeError_:
                client.close()
                if not self._fallbacks:
                    raise
                client = self._client = RuntimeClient(*self._fallbacks.pop(0))

    def _send_available(self):
        while not self._stop:
            size = os.fstat(self._fd).st_size
            if self.acked >= size:
                return
            chunk = os.pread(self._fd, min(MAX_BATCH, size - self.acked), self.acked)
            end = chunk.rfind(b"\n")
            if end < 0:
                if len(chunk) < MAX_BATCH:
                    return  # a line still being written
                chunk = self._read_long_line(size)
                if chunk is None:
                    return
            else:
                chunk = chunk[: end + 1]
            if not self._post(chunk):
                return

    def _read_long_line(self, size):
        """A single record larger than a batch: read up to its newline."""
        want = MAX_BATCH
        while True:
            want *= 2
            chunk = os.pread(self._fd, min(want, size - self.acked), self.acked)
            end = chunk.rfind(b"\n")
            if end >= 0:
                return chunk[: end + 1]
            if self.acked + len(chunk) >= size:
                return None

    def _post(self, chunk):
        query = urllib.parse.urlencode({"journal": self.uuid, "offset": self.acked, "path": os.path.abspath(self.path)})
        try:
            status, body = self._request("POST", "/api/ingest?" + query, chunk)
        except RuntimeError_ as e:
            self._unreachable(str(e), down=True)
            return False
        if status == 200 and isinstance(body, dict) and isinstance(body.get("offset"), int):
            self._reached()
            self.acked = max(self.acked, body["offset"])
        elif status == 409 and isinstance(body, dict) and isinstance(body.get("offset"), int):
            self._reached()
            self.acked = body["offset"]  # the runtime lost (part of) the journal: resend from there
        else:
            self._unreachable("ingest answered HTTP %s" % status, down=False)
            return False
        with self._done:
            self._done.notify_all()
        return True

    def _reached(self):
        if self.reachable is False and self._warned:
            _stderr("trackwell: runtime reachable again; sending the journal from byte %d" % self.acked)
        self.reachable = True
        self._backoff = 0.0
        self._next_try = 0.0

    def _unreachable(self, why, down):
        self.down = down  # no connection at all (vs. a runtime that answered with an error)
        if self._client:
            self._client.close()
        self._client = None  # re-read runtime.json next time: the runtime may have moved
        self.reachable = False
        if not self._warned:
            self._warned = True
            _stderr("trackwell: runtime not reachable; recording offline to %s; it will be synced when the runtime is back" % self.path)
        self._backoff = min(MAX_BACKOFF, max(0.1, self._backoff * 2))
        self._next_try = time.monotonic() + self._backoff
        with self._done:
            self._done.notify_all()

    # --- shutdown -----------------------------------------------------------------------------------
    def finish(self, timeout=10.0):
        """Waits (bounded) until every journal byte is acknowledged, then stops the thread.

        When the runtime is known to be away, one immediate attempt is made instead of waiting."""
        self._final = True
        try:
            size = os.path.getsize(self.path)
        except OSError:
            size = 0
        deadline = time.monotonic() + timeout
        if self.reachable is False and self.down:
            self._next_try = 0.0
            deadline = time.monotonic() + min(timeout, 2.0)
        self._wake.set()
        with self._done:
            while self.acked < size and self._thread.is_alive():
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                if self.reachable is False and self.down and self._next_try > time.monotonic():
                    break  # down, and tried again after finish(): the journal keeps the data
                self._done.wait(min(left, 0.1))
                self._wake.set()
        self._stop = True
        self._wake.set()
        self._thread.join(timeout=2.0)
        if self._fd is not None:
            try:
                os.close(self._fd)
            except OSError:
                pass
        return self.acked >= size


def _stderr(msg):
    try:
        sys.stderr.write(msg + "\n")
        sys.stderr.flush()
    except Exception:
        pass
