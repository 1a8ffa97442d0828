"""The journal format (docs/journal.md) and the client's own reader, used to resume without a runtime."""
import json
import os
import zlib

from conftest import JOURNAL, parse_journal, stored_run


def test_lines_are_crc_prefixed_compact_json(run_script):
    r = run_script("""
        import json, trackwell as tw
        run = tw.init(project="p", mode="offline", config={"name": "caf\\u00e9"})
        run.log({"a": 1, "b": {"c": [1, 2]}})
        run.finish()
        print(json.dumps(run.settings.sync_file))
    """).ok()
    raw = open(r.json(), "rb").read()
    assert raw.endswith(b"\n")
    for i, line in enumerate(raw.split(b"\n")[:-1]):
        head, body = line[:8], line[9:]
        assert line[8:9] == b" " and head == b"%08x" % zlib.crc32(body)
        rec = json.loads(body)
        assert rec["s"] == i and isinstance(rec["t"], str) and isinstance(rec["ts"], float)
        assert b", " not in body and b": " not in body
    assert "café".encode() in raw  # ensure_ascii=False: UTF-8 as is


def test_truncated_last_line_is_reported_and_everything_before_it_is_kept(run_script, tmp_path):
    r = run_script("""
        import json, trackwell as tw
        run = tw.init(project="p", mode="offline", id="trunc001")
        for i in range(10):
            run.log({"i": i})
        run.finish()
        print(json.dumps(run.settings.sync_file))
    """).ok()
    path = r.json()
    raw = open(path, "rb").read()
    with open(path, "wb") as f:
        f.write(raw[:-20])  # tear the last record (the exit record)
    records, problems = parse_journal(path)
    assert problems and problems[0][1] == "truncated"

    from trackwell.journal import read_journal, replay_run

    recs, probs = read_journal(path, warn=False)
    assert len(recs) == raw.count(b"\n") - 1
    assert probs and probs[0]["offset"] == len(raw) - len(raw.split(b"\n")[-2]) - 1 and "truncated" in probs[0]["reason"]
    st = replay_run(r.root, "trunc001")
    assert [h["data"]["i"] for h in st["history"]] == list(range(10))
    assert st["state"] == "running"  # the exit record was lost
    # the reader reports on stderr
    p = run_script("""
        import sys
        from trackwell.journal import read_journal
        recs, probs = read_journal(sys.argv[1])
        print(len(recs))
    """, args=[path]).ok()
    assert "truncated" in p.stderr and path in p.stderr


def test_a_corrupted_line_is_skipped(tmp_path):
    from trackwell.journal import encode_line, read_journal

    lines = [encode_line({"s": i, "t": "heartbeat", "ts": 1.0}) for i in range(3)]
    bad = bytearray(lines[1])
    bad[12] ^= 1
    p = tmp_path / "run.journal"
    p.write_bytes(lines[0] + bytes(bad) + lines[2])
    recs, probs = read_journal(str(p), warn=False)
    assert [r["s"] for r in recs] == [0, 2]
    assert probs == [{"offset": len(lines[0]), "reason": "checksum mismatch"}]


def test_nonfinite_markers_and_unmarking():
    from trackwell.journal import encode_line
    from trackwell.sanitize import unmark

    line = encode_line({"s": 0, "t": "history", "ts": 1.0, "data": {"a": float("nan"), "b": [float("-inf")]}})
    body = json.loads(line[9:])
    assert body["data"] == {"a": {"$num": "NaN"}, "b": [{"$num": "-Infinity"}]}
    back = unmark(body["data"])
    assert back["a"] != back["a"] and back["b"] == [float("-inf")]


def test_stored_run_replays_config_summary_metrics_and_console(run_script):
    r = run_script("""
        import trackwell as tw
        run = tw.init(project="p", mode="offline", config={"a": 1})
        print("captured line")
        run.define_metric("x", summary="max")
        run.log({"x": 2})
        run.log({"x": 1})
        run.finish()
        print(run.id)
    """).ok()
    st = stored_run(r.root, r.last_line())
    assert st["config"] == {"a": 1} and st["summary"] == {"x": {"max": 2}}
    assert st["metrics"]["x"]["summary"] == ["max"]
    assert "captured line\n" in st["stdout"]
    if JOURNAL:
        assert [rec["t"] for rec in st["records"]][:2] == ["run", "meta"]
        assert st["records"][-1]["t"] == "exit"


def test_heartbeat_every_five_seconds(tmp_path):
    """The writer's timer (checked with a fake clock, so the test does not wait 5 s)."""
    import time

    from trackwell.journal import JournalFile
    from trackwell.writer import HEARTBEAT_SECONDS, Writer

    assert HEARTBEAT_SECONDS == 5
    j = JournalFile(str(tmp_path / "run.journal"))
    t0 = time.time()
    w = Writer(j, t0)
    for dt in (1, 4.9, 5.1, 7, 10.0, 10.2, 15.2):
        w._periodic(t0 + dt)
    j.close()
    recs, _ = parse_journal(str(tmp_path / "run.journal"))
    assert [round(r["ts"] - t0, 3) for r in recs if r["t"] == "heartbeat"] == [5.1, 10.2, 15.2]


def test_heartbeats_carry_the_last_activity(tmp_path):
    """A heartbeat says when the script last called log() (and the step it went to) or printed; the
    writer's own warnings do not count, and before any activity there is none to report."""
    import time

    from trackwell.journal import JournalFile
    from trackwell.writer import CONSOLE, Writer

    j = JournalFile(str(tmp_path / "run.journal"))
    t0 = time.time()
    w = Writer(j, t0)
    w.console_captured = lambda: True
    w._periodic(t0 + 5.5)                                 # nothing happened yet
    w.queue.append(({"a": 1}, None, None, t0 + 6))        # log() at step 0
    w.queue.append(({"a": 2}, 7, True, t0 + 7))           # log(step=7)
    w.drain()
    w._periodic(t0 + 11)
    w.queue.append((CONSOLE, "stdout", "epoch done\n", t0 + 12))
    w.drain()
    w._periodic(t0 + 16.5)
    w.warn("something the writer itself says")            # goes to the console, but is not the script's activity
    w.drain()
    w._periodic(t0 + 22)
    j.close()
    recs, _ = parse_journal(str(tmp_path / "run.journal"))
    beats = [r for r in recs if r["t"] == "heartbeat"]
    assert "activity" not in beats[0]
    assert beats[1]["activity"] == {"ts": t0 + 7, "kind": "log", "step": 7}
    assert beats[2]["activity"] == {"ts": t0 + 12, "kind": "console", "step": 7}
    assert beats[3]["activity"] == beats[2]["activity"]
    assert any(r["t"] == "console" and "something the writer" in r.get("text", "") for r in recs)


def test_trackwell_sync_of_a_torn_journal_stores_everything_before_it_and_warns(run_script):
    import subprocess

    from conftest import REPO

    r = run_script("""
        import json, trackwell as tw
        run = tw.init(project="p", mode="offline", id="trunc002")
        for i in range(10):
            run.log({"i": i})
        run.finish()
        print(json.dumps(run.settings.sync_file))
    """).ok()
    path = r.json()
    raw = open(path, "rb").read()
    last = raw[:-1].rsplit(b"\n", 1)[1]
    assert b'"exit"' in last
    with open(path, "wb") as f:
        f.write(raw[:-20])  # tear the exit record
    cli = os.path.join(REPO, "dist", "cli.js")
    out = subprocess.run(["node", cli, "--dir", r.root, "sync", path], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "warning:" in out.stderr and path in out.stderr, out.stderr
    show = json.loads(subprocess.run(["node", cli, "--dir", r.root, "show", "trunc002", "--json"], capture_output=True, text=True).stdout)
    rows = subprocess.run(["node", cli, "--dir", r.root, "export", "trunc002", "--format", "jsonl"], capture_output=True, text=True).stdout
    assert [json.loads(l)["i"] for l in rows.splitlines()] == list(range(10))
    assert show["state"] in ("running", "crashed")  # the exit record was lost; no process is alive to finish it
