"""Test helpers: run real scripts in a subprocess, then read back what was STORED.

Every assertion about recorded data goes through `stored_run(data_root, run_id)`. By default it asks the
real runtime (`trackwell sync` into the data root's SQLite store, then `show --json`, `export --format jsonl`,
`logs --stream`), so the tests check the whole pipeline. With TRACKWELL_TEST_BACKEND=journal it replays the
run's journals with a reader written here (independent of the client's own), which also lets tests assert on
the raw journal records; `npm test` runs both.
"""
import base64
import glob
import http.server
import json
import math
import os
import shutil
import socket
import subprocess
import sys
import textwrap
import threading
import zlib

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
PYDIR = os.path.dirname(HERE)  # runtime/python
REPO = os.path.dirname(os.path.dirname(PYDIR))
COMPAT = os.path.join(PYDIR, "trackwell", "_compat")
LAUNCH = os.path.join(PYDIR, "trackwell", "_launch")
EXAMPLES = os.environ.get("TRACKWELL_EXAMPLES_DIR") or os.path.join(os.path.dirname(REPO), "shared", "examples")
BACKEND = os.environ.get("TRACKWELL_TEST_BACKEND", "runtime")
# Assertions on raw journal records (which records were written, in which order) only make sense when
# reading journals; with the runtime backend they are skipped and the stored state is checked instead.
JOURNAL = BACKEND == "journal"
# `npm test` sets TRACKWELL_TESTS_STRICT=1: there a missing prerequisite (dist/cli.js not built, no
# shared/examples) fails the tests that need it, so a broken set-up cannot pass as a row of skips.
STRICT = os.environ.get("TRACKWELL_TESTS_STRICT") == "1"

sys.path.insert(0, PYDIR)


def prerequisite(ok, what):
    """Marks tests that need `what`: skipped when it is missing (pytest by hand without a build), failed
    under TRACKWELL_TESTS_STRICT=1."""
    return pytest.mark.prerequisite(ok=bool(ok), what=what)


def pytest_configure(config):
    config.addinivalue_line("markers", "prerequisite(ok, what): needs a build or shared files (conftest.prerequisite)")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    for m in item.iter_markers("prerequisite"):
        if not m.kwargs["ok"]:
            if STRICT:
                pytest.fail("missing prerequisite: %s (TRACKWELL_TESTS_STRICT=1 makes this a failure, not a skip)"
                            % m.kwargs["what"], pytrace=False)
            pytest.skip("missing prerequisite: %s" % m.kwargs["what"])


class Result:
    def __init__(self, proc, root, cwd):
        self.returncode = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.root = root
        self.cwd = cwd

    def ok(self):
        assert self.returncode == 0, "script failed (%s):\nSTDOUT:\n%s\nSTDERR:\n%s" % (self.returncode, self.stdout, self.stderr)
        return self

    def last_line(self):
        return self.stdout.strip().splitlines()[-1]

    def json(self):
        """The script's last stdout line, parsed (scripts print what the test needs, e.g. ids)."""
        return json.loads(self.last_line())


def clean_env(extra=None):
    env = {k: v for k, v in os.environ.items()
           if not (k.startswith("WANDB_") or k.startswith("TRACKWELL_") or k in ("PYTHONPATH", "PYTHONSTARTUP"))}
    env.update(extra or {})
    return env


def python_path(*extra, launched=False):
    parts = list(extra) + [PYDIR, COMPAT] + ([LAUNCH] if launched else [])
    return os.pathsep.join(parts)


@pytest.fixture
def workdir(tmp_path):
    """A cwd outside any git repository, with its own data root (`<tmp>/root`)."""
    d = tmp_path / "work"
    d.mkdir()
    return d


@pytest.fixture
def run_script(tmp_path, workdir):
    root = str(tmp_path / "root")

    def run(code, env=None, launched=False, launch_id=None, timeout=60, args=(), cwd=None, pythonpath=(), root_dir=None,
            check=False):
        cwd = str(cwd or workdir)
        script = os.path.join(cwd, "script_%d.py" % run.counter)
        run.counter += 1
        with open(script, "w") as f:
            f.write(textwrap.dedent(code))
        e = clean_env({"TRACKWELL_DIR": root_dir or root, "PYTHONPATH": python_path(*pythonpath, launched=launched),
                       "PYTHONUNBUFFERED": "1"})
        if launched:
            e["TRACKWELL_LAUNCH_ID"] = launch_id or "launch01"
        e.update(env or {})
        proc = subprocess.run([sys.executable, script] + list(args), cwd=cwd, env=e, capture_output=True, text=True, errors="replace",
                              timeout=timeout)
        res = Result(proc, root_dir or root, cwd)
        if check:
            res.ok()
        return res

    run.counter = 0
    run.root = root
    return run


# --- reading what was stored -----------------------------------------------------------------------------


def parse_journal(path):
    """(records, problems), verifying each line's CRC32; a torn last line is a problem, not an error."""
    data = open(path, "rb").read()
    records, problems, pos = [], [], 0
    while pos < len(data):
        nl = data.find(b"\n", pos)
        if nl < 0:
            problems.append((pos, "truncated"))
            break
        line = data[pos:nl]
        head, body = line[:8], line[9:]
        if line[8:9] == b" " and int(head, 16) == zlib.crc32(body):
            records.append(json.loads(body))
        else:
            problems.append((pos, "crc"))
        pos = nl + 1
    return records, problems


def _num(v):
    if isinstance(v, dict):
        if set(v) == {"$num"}:
            return float({"NaN": "nan", "Infinity": "inf", "-Infinity": "-inf"}[v["$num"]])
        return {k: _num(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_num(x) for x in v]
    return v


def journals_of(root, run_id):
    paths = glob.glob(os.path.join(root, "runs", "*-" + run_id, "run.journal"))
    paths += glob.glob(os.path.join(root, "*", "trackwell", "*-" + run_id, "run.journal"))
    out = []
    for p in paths:
        recs, problems = parse_journal(p)
        if recs and recs[0]["t"] == "run" and recs[0]["id"] == run_id:
            out.append((recs[0]["ts"], p, recs, problems))
    out.sort(key=lambda x: (x[0], x[1]))
    return out


def run_ids(root):
    ids = set()
    for p in glob.glob(os.path.join(root, "runs", "*", "run.journal")):
        recs, _ = parse_journal(p)
        if recs and not any(r["t"] == "run" and r.get("discard") for r in recs):
            ids.add(recs[0]["id"])
    return sorted(ids)


def stored_run(root, run_id, extra_dirs=()):
    if BACKEND == "runtime":
        return _stored_run_runtime(root, run_id, extra_dirs)
    journals = journals_of(root, run_id)
    for d in extra_dirs:
        for p in glob.glob(os.path.join(d, "*-" + run_id, "run.journal")):
            recs, problems = parse_journal(p)
            journals.append((recs[0]["ts"], p, recs, problems))
    journals.sort(key=lambda x: (x[0], x[1]))
    assert journals, "no journal for run %s under %s" % (run_id, root)
    st = {"id": run_id, "run": {}, "state": None, "exit_code": None, "error": None, "config": {}, "summary": {},
          "history": [], "console": "", "stdout": "", "stderr": "", "metrics": {}, "problems": [], "journals": [],
          "discarded": False, "records": []}
    for _, path, recs, problems in journals:
        if any(r["t"] == "run" and r.get("discard") for r in recs):
            continue
        st["journals"].append(path)
        st["problems"] += problems
        seqs = [r["s"] for r in recs]
        assert seqs == list(range(len(recs))), "sequence numbers must run 0,1,2.. without gaps in %s" % path
        for i, r in enumerate(recs):
            st["records"].append(r)
            t = r["t"]
            if t == "run":
                if i == 0 and st["run"] and (r.get("resumed") or st["history"]):
                    st["state"] = st["exit_code"] = st["error"] = None
                if i == 0 and not st["run"] and r.get("fork_from"):
                    src = stored_run(root, r["fork_from"]["run"])
                    st["history"] = [h for h in src["history"] if h["_step"] <= r["fork_from"]["step"]]
                    st["config"] = dict(src["config"])
                st["run"].update({k: v for k, v in r.items() if k not in ("s", "t", "ts")})
                if isinstance(r.get("resume_from_step"), int):
                    st["history"] = [h for h in st["history"] if h["_step"] <= r["resume_from_step"]]
            elif t == "config":
                st["config"].update(_num(r["update"]))
            elif t == "history":
                row = {"_step": r["step"], "_runtime": r["runtime"], "_timestamp": r["ts"]}
                row.update(_num(r["data"]))
                if st["history"]:
                    assert r["step"] > st["history"][-1]["_step"], "history steps must strictly increase"
                st["history"].append(row)
            elif t == "summary":
                st["summary"].update(_num(r.get("update") or {}))
                for k in r.get("remove") or ():
                    st["summary"].pop(k, None)
            elif t == "metric":
                st["metrics"][r["name"]] = {k: v for k, v in r.items() if k not in ("s", "t", "ts")}
            elif t == "console":
                text = r["text"] if "text" in r else base64.b64decode(r["b64"]).decode("utf-8", "replace")
                st["console"] += text
                st[r["stream"]] += text
            elif t == "exit":
                st["state"], st["exit_code"], st["error"] = r["state"], r["exit_code"], r["error"]
    if st["state"] is None:
        st["state"] = "running"
    return st


def _cli(root, *args):
    """Runs the real CLI on a data root; console bytes that are not UTF-8 come back replaced, as a reader sees them."""
    cli = os.path.join(REPO, "dist", "cli.js")
    out = subprocess.run(["node", cli, "--dir", root] + list(args), capture_output=True, timeout=60)
    assert out.returncode == 0, out.stderr.decode("utf-8", "replace")
    return out.stdout.decode("utf-8", "replace")


def _unflatten(row):
    out = {}
    for k, v in row.items():
        if k.startswith("_"):
            out[k] = v
            continue
        parts = k.split(".")
        cur = out
        for p in parts[:-1]:
            cur = cur.setdefault(p, {})
        cur[parts[-1]] = v
    return out


def _strings_to_num(v):
    if isinstance(v, dict):
        return {k: _strings_to_num(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_strings_to_num(x) for x in v]
    if v in ("NaN", "Infinity", "-Infinity"):
        return float({"NaN": "nan", "Infinity": "inf", "-Infinity": "-inf"}[v])
    return v


def _stored_run_runtime(root, run_id, extra_dirs=()):
    # One journal at a time, in the order they were written (as a live runtime would have seen them).
    found = []
    for d in (root,) + tuple(extra_dirs):
        for p in glob.glob(os.path.join(d, "**", "run.journal"), recursive=True):
            recs, _ = parse_journal(p)
            if recs:
                found.append((recs[0]["ts"], p))
    for _, p in sorted(found):
        _cli(root, "sync", p)
    show = json.loads(_cli(root, "show", run_id, "--json"))
    rows = [_unflatten(_strings_to_num(json.loads(l))) for l in _cli(root, "export", run_id, "--format", "jsonl").splitlines() if l.strip()]
    console = _cli(root, "logs", run_id)
    stdout, stderr = _cli(root, "logs", run_id, "--stream", "stdout"), _cli(root, "logs", run_id, "--stream", "stderr")
    return {"id": run_id, "run": show, "state": show["state"], "exit_code": show.get("exit_code"), "error": show.get("error"),
            "config": _strings_to_num(show.get("config") or {}), "summary": _strings_to_num(show.get("summary") or {}),
            "history": rows, "console": console, "stdout": stdout, "stderr": stderr, "metrics": show.get("metrics") or {},
            "problems": [], "journals": [], "records": []}


def same(a, b):
    """Equality that treats NaN as equal to NaN."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


# --- a tiny runtime: the ingest contract, for sender tests ----------------------------------------------------


class FakeRuntime:
    """Implements POST /api/ingest and GET /api/resume like docs/journal.md says the runtime does."""

    def __init__(self, conflict_once=False, token="t0ken"):
        self.token = token
        self.stored = {}  # journal uuid -> bytes
        self.paths = {}
        self.requests = []
        self.conflict_once = conflict_once
        self.resume = {}  # (project, id) -> answer
        self.fail_next = 0
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def _send(self, status, obj):
                body = json.dumps(obj).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                from urllib.parse import parse_qs, urlsplit

                u = urlsplit(self.path)
                q = {k: v[0] for k, v in parse_qs(u.query).items()}
                outer.requests.append((u.path, q, 0))
                if self.headers.get("Authorization") != "Bearer " + outer.token:
                    return self._send(401, {"error": "token"})
                if u.path == "/api/resume":
                    return self._send(200, outer.resume.get((q.get("project"), q.get("id")), {"exists": False}))
                self._send(404, {})

            def do_POST(self):
                from urllib.parse import parse_qs, urlsplit

                u = urlsplit(self.path)
                q = {k: v[0] for k, v in parse_qs(u.query).items()}
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                outer.requests.append((u.path, q, len(body)))
                if self.headers.get("Authorization") != "Bearer " + outer.token:
                    return self._send(401, {"error": "token"})
                if outer.fail_next > 0:
                    outer.fail_next -= 1
                    return self._send(503, {"error": "busy"})
                j, off = q["journal"], int(q["offset"])
                outer.paths[j] = q.get("path")
                have = outer.stored.get(j, b"")
                if outer.conflict_once and len(have) > 0:
                    # forget everything once: the client must resend from 0
                    outer.conflict_once = False
                    outer.stored[j] = b""
                    return self._send(409, {"offset": 0})
                if off > len(have):
                    return self._send(409, {"offset": len(have)})
                assert body.endswith(b"\n")
                new = have + body[len(have) - off:]
                outer.stored[j] = new
                return self._send(200, {"offset": len(new), "seq": new.count(b"\n")})

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def env(self):
        return {"TRACKWELL_RUNTIME": self.url, "TRACKWELL_TOKEN": self.token}

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_runtime():
    rts = []

    def make(**kw):
        rt = FakeRuntime(**kw)
        rts.append(rt)
        return rt

    yield make
    for rt in rts:
        rt.stop()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def have_runtime_cli():
    return shutil.which("node") is not None and os.path.exists(os.path.join(REPO, "dist", "cli.js"))
