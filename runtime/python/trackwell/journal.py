"""The run journal (docs/journal.md): `<crc32 hex8> <json>\\n` lines, appended by the writer thread.

`JournalFile` appends records; `read_journal` verifies checksums and skips damaged lines (a torn last
line is reported with its byte offset); `replay_run` rebuilds a run's stored state from all of its
journals, which `init` uses to resume when the runtime cannot be asked.
"""
import os
import sys
import zlib

from . import sanitize
from .dataroot import JOURNAL_FILE, runs_dir


def encode_line(record):
    text = sanitize.encode(record).encode("utf-8")
    return b"%08x %s\n" % (zlib.crc32(text), text)


class JournalFile:
    """Append-only journal. Only the writer thread touches it after the first record."""

    def __init__(self, path):
        self.path = path
        self.seq = 0
        self._f = open(path, "ab", buffering=1 << 16)
        try:
            os.chmod(path, 0o600)
        except OSError:
            pass

    def add(self, lines, record):
        """Numbers `record` and appends its encoded line to `lines` (written later in one call)."""
        record = {"s": self.seq, **record}  # `s` first: journals are read by people too
        self.seq += 1
        lines.append(encode_line(record))

    def write(self, lines):
        if lines:
            self._f.write(b"".join(lines))
        self._f.flush()

    def sync(self):
        self._f.flush()
        os.fsync(self._f.fileno())

    def close(self):
        try:
            self._f.close()
        except OSError:
            pass


# ---------------------------------------------------------------------------------------------------
# Reading


def read_journal(path, warn=True):
    """Returns (records, problems). A line with a bad checksum, or a last line without its newline, is
    skipped and reported as {"offset", "reason"}; everything before it is kept."""
    records, problems = [], []
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        return [], [{"offset": 0, "reason": "cannot read: %s" % e}]
    pos = 0
    while pos < len(data):
        nl = data.find(b"\n", pos)
        if nl < 0:
            problems.append({"offset": pos, "reason": "last record truncated (%d bytes without a newline)" % (len(data) - pos)})
            break
        line = data[pos:nl]
        rec = _parse_line(line)
        if isinstance(rec, dict):
            records.append(rec)
        elif line:
            problems.append({"offset": pos, "reason": rec})
        pos = nl + 1
    if warn:
        for p in problems:
            sys.stderr.write("trackwell: WARNING journal %s at byte %d: %s; skipped\n" % (path, p["offset"], p["reason"]))
    return records, problems


def _parse_line(line):
    import json

    if len(line) < 10 or line[8:9] != b" ":
        return "malformed line (no checksum prefix)"
    body = line[9:]
    try:
        want = int(line[:8], 16)
    except ValueError:
        return "malformed checksum"
    if zlib.crc32(body) != want:
        return "checksum mismatch"
    try:
        rec = json.loads(body.decode("utf-8"))
    except ValueError as e:
        return "invalid JSON (%s)" % e
    if not isinstance(rec, dict) or not isinstance(rec.get("s"), int) or not isinstance(rec.get("t"), str):
        return "record without sequence number or type"
    return rec


def run_journals(run_id, roots):
    """Journals whose directory is named `<time>-<run_id>` under any of `roots` (data root runs/, dir/trackwell)."""
    import glob

    found = []
    for root in roots:
        if not root:
            continue
        for d in glob.glob(os.path.join(glob.escape(root), "*-" + glob.escape(run_id))):
            p = os.path.join(d, JOURNAL_FILE)
            if os.path.isfile(p):
                found.append(p)
    return found


def replay_run(data_root, run_id, project=None, extra_roots=(), warn=False, _depth=0):
    """The state of run `run_id` as its journals record it, or None if none has it.

    Journals are applied in the order of their first record's time. A journal that discards its run
    (a launched run replaced by init) contributes nothing. `resume_from_step` truncates history;
    `fork_from` starts from the source run's history up to the fork step and its config.
    """
    roots = [runs_dir(data_root)] + [r for r in extra_roots if r]
    loaded = []
    for path in run_journals(run_id, roots):
        recs, _ = read_journal(path, warn=warn)
        if not recs or recs[0].get("t") != "run" or recs[0].get("id") != run_id:
            continue
        if project is not None and _final_project(recs) != project:
            continue
        if any(r.get("t") == "run" and r.get("discard") for r in recs):
            continue
        loaded.append((recs[0].get("start_time") or recs[0].get("ts") or 0, recs[0].get("ts") or 0, path, recs))
    if not loaded:
        return None
    loaded.sort(key=lambda x: (x[1], x[0], x[2]))
    state = {
        "id": run_id, "project": None, "run": {}, "state": None, "exit_code": None, "error": None,
        "config": {}, "summary": {}, "history": [], "console": [], "metrics": {}, "meta": {},
        "last_step": None, "last_runtime": None, "journals": [], "heartbeat": None,
    }
    for _, _, path, recs in loaded:
        state["journals"].append(path)
        for i, r in enumerate(recs):
            _apply(state, r, first=(i == 0), data_root=data_root, extra_roots=extra_roots, depth=_depth)
    hist = state["history"]
    state["last_step"] = hist[-1]["step"] if hist else None
    state["last_runtime"] = hist[-1]["runtime"] if hist else None
    if state["state"] is None:
        state["state"] = "running"
    return state


def _final_project(recs):
    project = None
    for r in recs:
        if r.get("t") == "run":
            project = r.get("project", project)
    return project


def _apply(st, r, first, data_root, extra_roots, depth):
    t = r.get("t")
    ts = r.get("ts")
    if isinstance(ts, (int, float)):
        st["heartbeat"] = max(st["heartbeat"] or 0, ts)
    if t == "run":
        fields = {k: v for k, v in r.items() if k not in ("s", "t", "ts")}
        if first and st["run"] and (r.get("resumed") or st["history"] or st["console"]):
            st["state"] = None  # a new process took the run over
            st["exit_code"] = None
            st["error"] = None
        if first and not st["run"] and r.get("fork_from") and depth < 8:
            src = r["fork_from"]
            base = replay_run(data_root, src.get("run"), r.get("project"), extra_roots, _depth=depth + 1)
            if base:
                st["history"] = [h for h in base["history"] if h["step"] <= src.get("step", -1)]
                st["config"] = dict(base["config"])
        st["run"].update(fields)
        st["project"] = r.get("project", st["project"])
        if isinstance(r.get("resume_from_step"), int):
            st["history"] = [h for h in st["history"] if h["step"] <= r["resume_from_step"]]
    elif t == "config":
        st["config"].update(sanitize.unmark(r.get("update") or {}))
    elif t == "history":
        st["history"].append({"step": r.get("step"), "runtime": r.get("runtime"), "ts": ts,
                              "data": sanitize.unmark(r.get("data") or {})})
    elif t == "summary":
        st["summary"].update(sanitize.unmark(r.get("update") or {}))
        for k in r.get("remove") or ():
            st["summary"].pop(k, None)
    elif t == "metric":
        st["metrics"][r.get("name")] = {k: v for k, v in r.items() if k not in ("s", "t", "ts")}
    elif t == "console":
        st["console"].append((r.get("stream"), r.get("text"), r.get("b64")))
    elif t == "meta":
        st["meta"].update({k: v for k, v in r.items() if k not in ("s", "t", "ts")})
    elif t == "exit":
        st["state"] = r.get("state")
        st["exit_code"] = r.get("exit_code")
        st["error"] = r.get("error")
