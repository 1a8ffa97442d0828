"""Streaming the journal to a runtime (docs/journal.md): a tiny stdlib server implements the contract."""
import json
import os
import subprocess
import sys
import time

from conftest import clean_env, free_port, python_path, stored_run

ONLINE = """
    import json, sys, trackwell as tw
    run = tw.init(project="p")
    for i in range({n}):
        run.log({{"i": i, "pad": "x" * {pad}}})
    run.finish()
    print(json.dumps([run.id, run.settings.sync_file]))
"""


def journal_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def uuid_of(path):
    first = journal_bytes(path).split(b"\n", 1)[0]
    return json.loads(first[9:])["journal"]


def test_online_run_is_delivered_completely(run_script, fake_runtime):
    rt = fake_runtime()
    r = run_script(ONLINE.format(n=3000, pad=500), env=rt.env()).ok()
    run_id, path = r.json()
    data = journal_bytes(path)
    assert rt.stored[uuid_of(path)] == data
    assert rt.paths[uuid_of(path)] == path
    posts = [q for p, q, n in rt.requests if p == "/api/ingest"]
    assert len(posts) >= 2 and all(n <= (1 << 20) for _, _, n in rt.requests)
    assert "not reachable" not in r.stderr
    assert len(stored_run(r.root, run_id)["history"]) == 3000


def test_conflict_makes_the_client_resend_from_the_given_offset(run_script, fake_runtime):
    rt = fake_runtime(conflict_once=True)
    r = run_script("""
        import json, time, trackwell as tw
        run = tw.init(project="p")
        run.log({"a": 1})
        time.sleep(0.3)             # first batch acknowledged...
        for i in range(50):
            run.log({"i": i})       # ...the next one is answered 409 {"offset": 0}
        run.finish()
        print(json.dumps(run.settings.sync_file))
    """, env=rt.env()).ok()
    path = r.json()
    assert rt.stored[uuid_of(path)] == journal_bytes(path)
    offsets = [int(q["offset"]) for p, q, n in rt.requests if p == "/api/ingest"]
    assert offsets.count(0) >= 2   # the first send and the resend


def test_server_errors_are_retried(run_script, fake_runtime):
    rt = fake_runtime()
    rt.fail_next = 3
    r = run_script(ONLINE.format(n=20, pad=1), env=rt.env()).ok()
    run_id, path = r.json()
    assert rt.stored[uuid_of(path)] == journal_bytes(path)
    assert r.stderr.count("trackwell: runtime not reachable") == 1


def test_unreachable_runtime_warns_once_and_the_journal_is_complete(run_script):
    port = free_port()
    t0 = time.time()
    r = run_script("""
        import json, time, trackwell as tw
        run = tw.init(project="p")
        for i in range(100):
            run.log({"i": i})
            time.sleep(0.005)
        run.finish()
        print(json.dumps([run.id, run.settings.sync_file]))
    """, env={"TRACKWELL_RUNTIME": "http://127.0.0.1:%d" % port, "TRACKWELL_TOKEN": "x"}).ok()
    assert time.time() - t0 < 10
    run_id, path = r.json()
    msg = "trackwell: runtime not reachable; recording offline to %s; it will be synced when the runtime is back" % path
    assert r.stderr.count(msg) == 1 and r.stderr.count("not reachable") == 1
    st = stored_run(r.root, run_id)
    assert [h["i"] for h in st["history"]] == list(range(100)) and st["state"] == "finished"


def test_runtime_coming_back_on_another_port_gets_everything(tmp_path, workdir, fake_runtime):
    root = tmp_path / "root"
    root.mkdir()
    (root / "token").write_text("t0ken")
    (root / "runtime.json").write_text(json.dumps({"host": "127.0.0.1", "port": free_port(), "pid": 1}))
    script = workdir / "s.py"
    script.write_text("""
import json, time, trackwell as tw
run = tw.init(project="p")
print(json.dumps(run.settings.sync_file), flush=True)
for i in range(40):
    run.log({"i": i})
    time.sleep(0.05)
run.finish()
print("done", flush=True)
""")
    env = clean_env({"TRACKWELL_DIR": str(root), "PYTHONPATH": python_path()})
    p = subprocess.Popen([sys.executable, str(script)], cwd=str(workdir), env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    path = json.loads(p.stdout.readline())
    time.sleep(0.6)
    rt = fake_runtime()
    (root / "runtime.json").write_text(json.dumps({"host": "127.0.0.1", "port": rt.port, "pid": os.getpid()}))
    out, err = p.communicate(timeout=30)
    assert p.returncode == 0 and out.strip() == "done", err
    assert rt.stored[uuid_of(path)] == journal_bytes(path)
    assert err.count("runtime not reachable") == 1 and "reachable again" in err


def test_resume_asks_the_runtime(run_script, fake_runtime):
    rt = fake_runtime()
    rt.resume[("p", "remote01")] = {
        "exists": True, "state": "crashed", "last_step": 41, "last_runtime": 12.5, "config": {"lr": 0.3, "nan": {"$num": "NaN"}},
        "summary": {"loss": 0.2}, "tags": ["stored"], "name": "remote-name", "notes": None, "group": "g", "job_type": None,
    }
    r = run_script("""
        import json, math, trackwell as tw
        run = tw.init(project="p", id="remote01", resume="must")
        assert run.resumed and run.step == 42 and run.name == "remote-name" and run.tags == ("stored",)
        assert run.config.lr == 0.3 and math.isnan(run.config.nan) and run.summary["loss"] == 0.2
        run.log({"x": 1})
        run.finish()
        try:
            tw.init(project="p", id="remote02", resume="must")
            raise SystemExit("unknown id accepted")
        except tw.UsageError:
            pass
        print(json.dumps(run.settings.sync_file))
    """, env=rt.env()).ok()
    recs = [json.loads(l[9:]) for l in journal_bytes(r.json()).decode().splitlines()]
    hist = [x for x in recs if x["t"] == "history"]
    assert hist[0]["step"] == 42 and hist[0]["runtime"] >= 12.5
    assert recs[0]["resumed"] is True and recs[0]["group"] == "g"
    # the stored state came from the runtime's answer (there is no local journal of remote01 to read it from)
    resumes = [q for p, q, n in rt.requests if p == "/api/resume"]
    assert resumes == [{"project": "p", "id": "remote01"}, {"project": "p", "id": "remote02"}]
    assert not [x for x in recs if x["t"] == "history" and x["step"] < 42]


def test_sender_unit_reads_whole_lines_only(tmp_path, fake_runtime):
    from trackwell.journal import encode_line
    from trackwell.transport import Sender

    rt = fake_runtime()
    path = tmp_path / "run.journal"
    lines = [encode_line({"s": i, "t": "heartbeat", "ts": i}) for i in range(5)]
    path.write_bytes(b"".join(lines) + lines[0][:7])  # plus half a line still being written
    os.environ["TRACKWELL_RUNTIME"], os.environ["TRACKWELL_TOKEN"] = rt.url, rt.token
    try:
        s = Sender(str(path), "u-1", str(tmp_path))
        s.start()
        deadline = time.time() + 5
        while s.acked < len(b"".join(lines)) and time.time() < deadline:
            time.sleep(0.02)
        assert rt.stored["u-1"] == b"".join(lines)
        with open(path, "ab") as f:
            f.write(lines[0][7:])
        assert s.finish(5) is True
        assert rt.stored["u-1"] == b"".join(lines) + lines[0]
    finally:
        del os.environ["TRACKWELL_RUNTIME"], os.environ["TRACKWELL_TOKEN"]
