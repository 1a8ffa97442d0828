"""Collected information (collect.py): a script with no tracking calls under the real `trackwell run` gets
its sources, git state and patch, dependencies, host and system metrics, read back through the CLI and
the runtime's files API; save_code / log_code snapshots, captured environment variables, disable_git,
the system-metrics settings, sources shared by two runs (one blob) and a script outside any git repository
(with and without git on PATH) are checked from what was stored."""
import glob
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import urllib.parse
import urllib.request

import pytest

from conftest import REPO, clean_env, have_runtime_cli, journals_of, prerequisite, python_path
from trackwell.sysinfo import parse_nvidia_smi

CLI = os.path.join(REPO, "dist", "cli.js")
needs_cli = prerequisite(have_runtime_cli(), "node and a built dist/cli.js (npm run build)")
needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

# Every tag the runtime's sampler records for a run on Linux without a GPU (runtime/metrics/monitor.ts
# cpuSideValues; the same list as CPU_TAGS in test/integration/system-metrics.test.ts). Off Linux
# proc.cpu.threads needs a platform tool (runtime/metrics/procThreads.ts) and may be missing.
SYSTEM_TAGS = [
    "cpu", "proc.cpu.threads", "proc.memory.rssMB", "proc.memory.percent", "proc.memory.availableMB", "memory_percent",
    "disk./.usagePercent", "disk./.usageGB", "disk.in", "disk.out", "network.sent", "network.recv",
]


def git(cwd, *args):
    return subprocess.run(["git", "-C", str(cwd)] + list(args), check=True, capture_output=True, text=True).stdout.strip()


def make_repo(path):
    path.mkdir()
    git(path, "init", "-q")
    git(path, "config", "user.email", "test@example.invalid")
    git(path, "config", "user.name", "test")
    git(path, "config", "commit.gpgsign", "false")
    return path


def write(path, text):
    path.write_text(textwrap.dedent(text))


def cli(root, *args, cwd=None):
    p = subprocess.run(["node", CLI, "--dir", root] + list(args), cwd=cwd, env=clean_env(), capture_output=True,
                       timeout=120)
    assert p.returncode == 0, p.stderr.decode("utf-8", "replace")
    return p.stdout.decode("utf-8", "replace")


def api(root, path, raw=False):
    info = json.load(open(os.path.join(root, "runtime.json")))
    token = open(os.path.join(root, "token")).read().strip()
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (info["port"], path), headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(req, timeout=10) as r:
        body = r.read()
    return body if raw else json.loads(body)


def md5(path):
    return hashlib.md5(open(path, "rb").read()).hexdigest()


@needs_cli
@needs_git
def test_script_without_tracking_calls_records_sources_git_dependencies_host_and_system_metrics(tmp_path):
    repo = make_repo(tmp_path / "project")
    write(repo / "helper.py", """\
        def greet():
            return "hello from the helper"
    """)
    write(repo / "script.py", """\
        import subprocess, sys, time
        import helper
        print(helper.greet())
        subprocess.run([sys.executable, "-c", "print('printed by a subprocess')"], check=True)
        time.sleep(5)
    """)
    write(repo / "requirements.txt", "numpy>=1.0\n")
    (repo / "data.bin").write_bytes(bytes(range(256)))
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "initial")
    head = git(repo, "rev-parse", "HEAD")
    # Uncommitted changes: a text edit and a binary edit the patch must both carry.
    with open(repo / "helper.py", "a") as f:
        f.write("\n\ndef unused():\n    return 42\n")
    (repo / "data.bin").write_bytes(bytes(range(255, -1, -1)))

    root = str(tmp_path / "root")
    try:
        p = subprocess.run(["node", CLI, "--dir", root, "run", "--launch-id", "coll0001", "--python", sys.executable, "script.py"],
                           cwd=str(repo), env=clean_env(), capture_output=True, text=True, timeout=120)
        assert p.returncode == 0, p.stderr
        assert "hello from the helper" in p.stdout and "printed by a subprocess" in p.stdout

        show = json.loads(cli(root, "show", "coll0001", "--json"))
        assert show["state"] == "finished" and show["exit_code"] == 0
        logs = cli(root, "logs", "coll0001")
        assert "hello from the helper\n" in logs and "printed by a subprocess\n" in logs

        meta = show["metadata"]
        assert set(meta) >= {"program", "git", "sources", "dependencies", "host"}
        assert meta["program"]["path"] == str(repo / "script.py") and meta["program"]["cwd"] == str(repo)
        assert meta["program"]["python"] and meta["program"]["executable"]
        assert sorted(meta["sources"]) == [["helper.py", md5(repo / "helper.py")], ["script.py", md5(repo / "script.py")]]

        g = meta["git"]
        assert g["commit"] == head and g["dirty"] is True and g["branch"] == git(repo, "symbolic-ref", "--short", "HEAD")

        deps = meta["dependencies"]
        assert deps and all("==" in d for d in deps) and deps == sorted(set(deps), key=str.lower)
        import importlib.metadata as md

        for name in ("pip", "setuptools"):
            try:
                version = md.version(name)
            except md.PackageNotFoundError:
                continue
            assert "%s==%s" % (name, version) in deps

        host = meta["host"]
        assert host["hostname"] and host["cpu_count"] == os.cpu_count() and host["os"]
        assert "env" not in host  # nothing is captured unless listed

        # The files API: the sources, the patch and requirements.txt, bytes served from the blob store.
        key = next(r["key"] for r in api(root, "/api/runs?q=coll0001")["runs"] if r["id"] == "coll0001")
        files = {f["path"]: f for f in api(root, "/api/runs/%d/files" % key)["files"]}
        assert {"code/script.py", "code/helper.py", "diff.patch", "requirements.txt"} <= set(files)
        assert files["diff.patch"]["kind"] == "patch" and files["code/helper.py"]["kind"] == "source"
        assert files["requirements.txt"]["kind"] == "requirements"

        def content(path):
            return api(root, "/api/runs/%d/files/content?path=%s" % (key, urllib.parse.quote(path)), raw=True)

        assert content("code/helper.py") == (repo / "helper.py").read_bytes()
        assert content("requirements.txt") == b"numpy>=1.0\n"
        for f in files.values():
            blob = os.path.join(root, "blobs", f["sha256"][:2], f["sha256"])
            assert hashlib.sha256(open(blob, "rb").read()).hexdigest() == f["sha256"] and os.path.getsize(blob) == f["size"]

        # The patch reproduces the uncommitted state on a clean checkout of the commit.
        patch = content("diff.patch")
        clean = tmp_path / "clean"
        subprocess.run(["git", "clone", "-q", str(repo), str(clean)], check=True, capture_output=True)
        git(clean, "checkout", "-q", head)
        (tmp_path / "stored.patch").write_bytes(patch)
        git(clean, "apply", str(tmp_path / "stored.patch"))
        for name in ("helper.py", "data.bin", "script.py", "requirements.txt"):
            assert (clean / name).read_bytes() == (repo / name).read_bytes(), name

        # System metrics sampled by the runtime while the script slept.
        samples = [json.loads(line) for line in cli(root, "export", "coll0001", "--system", "--format", "jsonl").splitlines() if line.strip()]
        assert len(samples) >= 2, samples
        expected = SYSTEM_TAGS if sys.platform.startswith("linux") else [t for t in SYSTEM_TAGS if t != "proc.cpu.threads"]
        for s in samples:
            assert s["_timestamp"] > 0
            missing = [t for t in expected if not isinstance(s.get(t), (int, float))]
            assert not missing, "sample without %s: %s" % (missing, s)
        # The whole tree's RSS and threads (the Python process at least), deltas from 0 at the first sample.
        assert all(s["proc.memory.rssMB"] > 0 for s in samples)
        if sys.platform.startswith("linux"):
            assert all(s["proc.cpu.threads"] >= 1 for s in samples)
        assert samples[0]["disk.in"] == 0 and samples[0]["network.sent"] == 0
        assert 0 < samples[0]["memory_percent"] <= 100 and 0 < samples[0]["disk./.usagePercent"] <= 100
        # The stored series the run view charts: system/<tag> for each of them.
        detail = api(root, "/api/runs/%d" % key)
        assert set(expected) <= set(detail["system_keys"]), detail["system_keys"]
    finally:
        subprocess.run(["node", CLI, "serve", "--stop", "--dir", root], capture_output=True, timeout=30)


def _run_offline(tmp_path, code, cwd, env=None, name="script.py"):
    root = str(tmp_path / "root")
    write(cwd / name, code)
    e = clean_env({"TRACKWELL_DIR": root, "PYTHONPATH": python_path(), "PYTHONUNBUFFERED": "1", "TRACKWELL_MODE": "offline"})
    e.update(env or {})
    p = subprocess.run([sys.executable, name], cwd=str(cwd), env=e, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    return root, p


def _records(root, run_id):
    recs = [r for _, _, rs, _ in journals_of(root, run_id) for r in rs]
    assert recs, "no journal for %s" % run_id
    return recs


def _last_meta(recs):
    merged = {}
    for r in recs:
        if r["t"] == "meta":
            merged.update(r)
    return merged


def test_save_code_and_log_code_store_snapshots(tmp_path):
    work = tmp_path / "work"
    (work / "pkg").mkdir(parents=True)
    (work / "wandb").mkdir()
    write(work / "pkg" / "model.py", "LAYERS = 3\n")
    write(work / "notes.txt", "not code\n")
    write(work / "wandb" / "debug.py", "# W&B's own folder is left out\n")
    root, p = _run_offline(tmp_path, """\
        import json, wandb
        run = wandb.init(project="snap", save_code=True)
        everything = run.log_code(".", name="all code", include_fn=lambda path: path.endswith((".py", ".txt")))
        default = run.log_code()
        run.finish()
        print(json.dumps([run.id, everything.name, everything.files, default.files]))
    """, work)
    run_id, name, files, default_files = json.loads(p.stdout.strip().splitlines()[-1])
    assert name == "all_code"
    assert files == ["snapshots/all_code/notes.txt", "snapshots/all_code/pkg/model.py", "snapshots/all_code/script.py"]
    assert default_files == ["snapshots/source-snap-script.py/pkg/model.py", "snapshots/source-snap-script.py/script.py"]
    stored = {r["path"]: r for r in _records(root, run_id) if r["t"] == "file"}
    assert {r["kind"] for p_, r in stored.items() if p_.startswith("snapshots/")} == {"code"}
    for path in files + default_files:
        rel = path.split("/", 2)[2]
        sha = stored[path]["sha256"]
        assert open(os.path.join(root, "blobs", sha[:2], sha), "rb").read() == (work / rel).read_bytes()
    # save_code=True: the main script, stored by the collector under the default name
    assert "snapshots/source-snap-script.py/script.py" in stored


def test_captured_environment_and_disable_git(tmp_path):
    repo = make_repo(tmp_path / "repo")
    write(repo / "x.py", "X = 1\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "x")
    git(repo, "remote", "add", "origin", "https://ada:s3cret-token@example.invalid/ada/repo.git")
    code = """\
        import trackwell as tw
        run = tw.init(project="env", settings=SETTINGS)
        run.finish()
        print(run.id)
    """
    root, p = _run_offline(tmp_path, code.replace("SETTINGS", "{}"), repo, env={"TRACKWELL_CAPTURE_ENV": "MY_FLAG,NOT_SET", "MY_FLAG": "on"})
    recs = _records(root, p.stdout.strip())
    meta = _last_meta(recs)
    assert meta["host"]["env"] == {"MY_FLAG": "on"} and meta["git"]["commit"] == git(repo, "rev-parse", "HEAD")
    # credentials in an https remote are never recorded, in the early or the complete meta record
    assert meta["git"]["remote"] == "https://example.invalid/ada/repo.git"
    assert "s3cret" not in json.dumps(recs)

    root, p = _run_offline(tmp_path, code.replace("SETTINGS", '{"disable_git": True, "env_capture": ["MY_FLAG"]}'), repo,
                           env={"MY_FLAG": "yes"})
    recs = _records(root, p.stdout.strip())
    meta = _last_meta(recs)
    assert meta["git"] is None and meta["host"]["env"] == {"MY_FLAG": "yes"}
    assert not any(r["t"] == "file" and r["path"] == "diff.patch" for r in recs)


@needs_cli
def test_stats_settings_reach_the_stored_run(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    root, p = _run_offline(tmp_path, """\
        import trackwell as tw
        run = tw.init(project="stats", settings={"x_stats_sampling_interval": 0.5, "x_stats_disk_paths": ["/", "/tmp"]})
        run.finish()
        print(run.id)
    """, work)
    run_id = p.stdout.strip()
    first = _records(root, run_id)[0]
    assert first["stats"] == {"sampling_interval": 0.5, "disk_paths": ["/", "/tmp"]}
    for j in glob.glob(os.path.join(root, "runs", "*", "run.journal")):
        cli(root, "sync", j)
    con = sqlite3.connect("file:%s?mode=ro" % os.path.join(root, "trackwell.db"), uri=True)
    try:
        (stats,) = con.execute("SELECT stats FROM runs WHERE id = ?", (run_id,)).fetchone()
    finally:
        con.close()
    assert json.loads(stats) == {"sampling_interval": 0.5, "disk_paths": ["/", "/tmp"]}


def test_local_modules_imported_late_are_found_and_site_packages_are_not(tmp_path):
    work = tmp_path / "work"
    (work / "lib").mkdir(parents=True)
    write(work / "lib" / "__init__.py", "")
    write(work / "lib" / "late.py", "VALUE = 7\n")
    root, p = _run_offline(tmp_path, """\
        import json, time, trackwell as tw
        run = tw.init(project="late")
        time.sleep(0.2)
        import lib.late  # imported after init: found by the collector's last look at finish
        run.finish()
        print(run.id)
    """, work)
    meta = _last_meta(_records(root, p.stdout.strip()))
    paths = [s[0] for s in meta["sources"]]
    assert paths == ["lib/__init__.py", "lib/late.py", "script.py"]
    assert dict(meta["sources"])["lib/late.py"] == md5(work / "lib" / "late.py")


def test_nvidia_smi_output_is_parsed():
    out = "NVIDIA A100-SXM4-40GB, 40960, 535.129.03\nNVIDIA GeForce RTX 3090, 24576, 470.182.03\n\n"
    assert parse_nvidia_smi(out) == [
        {"name": "NVIDIA A100-SXM4-40GB", "memory_total": 40960 << 20, "driver": "535.129.03"},
        {"name": "NVIDIA GeForce RTX 3090", "memory_total": 24576 << 20, "driver": "470.182.03"},
    ]
    assert parse_nvidia_smi("NVIDIA T4, [N/A], 550.54\n") == [{"name": "NVIDIA T4", "memory_total": None, "driver": "550.54"}]


def test_init_adopting_a_launched_run_applies_its_own_collection_settings(run_script):
    r = run_script("""
        import wandb
        run = wandb.init(project="adopt", save_code=True, settings={"env_capture": ["MY_VAR"]})
        run.finish()
        print(run.id)
    """, launched=True, launch_id="adopt777", env={"TRACKWELL_MODE": "offline", "MY_VAR": "42"}).ok()
    recs = _records(r.root, "adopt777")
    meta = _last_meta(recs)
    assert meta["host"]["env"] == {"MY_VAR": "42"}
    assert [rec["path"] for rec in recs if rec["t"] == "file" and rec["kind"] == "code"] == ["snapshots/source-adopt-script_0.py/script_0.py"]
    assert [s[0] for s in meta["sources"]] == ["script_0.py"]


def _blob_files(root):
    return sorted(p for p in glob.glob(os.path.join(root, "blobs", "*", "*")) if os.path.isfile(p))


@needs_cli
def test_identical_sources_across_runs_are_stored_once(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    write(work / "helper.py", "VALUE = 'the same bytes in both runs'\n")
    code = """\
        import trackwell as tw
        import helper
        run = tw.init(project="dedup")
        run.finish()
        print(run.id)
    """
    root, p1 = _run_offline(tmp_path, code, work)
    first = p1.stdout.strip()
    blobs_after_first = _blob_files(root)
    stamps = {b: os.stat(b).st_mtime_ns for b in blobs_after_first}
    root2, p2 = _run_offline(tmp_path, code, work)
    second = p2.stdout.strip()
    assert root2 == root and first != second

    def sources(run_id):
        return {r["path"]: r["sha256"] for r in _records(root, run_id) if r["t"] == "file" and r["kind"] == "source"}

    a, b = sources(first), sources(second)
    assert set(a) == {"code/script.py", "code/helper.py"} and a == b
    helper_blob = os.path.join(root, "blobs", a["code/helper.py"][:2], a["code/helper.py"])
    assert open(helper_blob, "rb").read() == (work / "helper.py").read_bytes()
    # One blob per distinct content: the second run added no file for what it shares with the first and
    # did not rewrite the blobs it found.
    blobs = _blob_files(root)
    all_shas = {r["sha256"] for rid in (first, second) for r in _records(root, rid) if r["t"] == "file"}
    assert sorted(os.path.basename(b) for b in blobs) == sorted(all_shas)
    for blob in blobs_after_first:
        assert os.stat(blob).st_mtime_ns == stamps[blob], blob
    assert not glob.glob(os.path.join(root, "blobs", "*", "*.tmp"))
    # The store: both runs' rows point at the one blob.
    for j in glob.glob(os.path.join(root, "runs", "*", "run.journal")):
        cli(root, "sync", j)
    con = sqlite3.connect("file:%s?mode=ro" % os.path.join(root, "trackwell.db"), uri=True)
    try:
        rows = con.execute("SELECT r.id, f.sha256 FROM files f JOIN runs r ON r.key = f.run_key WHERE f.path = 'code/helper.py'").fetchall()
    finally:
        con.close()
    assert sorted(rows) == sorted([(first, a["code/helper.py"]), (second, a["code/helper.py"])])


@pytest.mark.parametrize("git_on_path", [True, False], ids=["git-on-path", "no-git-executable"])
def test_a_script_outside_any_repository_records_no_git_info_and_no_error(tmp_path, git_on_path):
    work = tmp_path / "nogit"
    work.mkdir()
    probe = subprocess.run(["git", "-C", str(work), "rev-parse", "--show-toplevel"], capture_output=True) if shutil.which("git") else None
    if probe is not None and probe.returncode == 0:
        pytest.skip("the temporary directory is inside a git repository")
    if git_on_path and shutil.which("git") is None:
        pytest.skip("needs git")
    env = {}
    if not git_on_path:
        # A PATH with no git on it (the script runs with an absolute interpreter path; nothing else is needed).
        empty = tmp_path / "bin"
        empty.mkdir()
        env["PATH"] = str(empty)
    root, p = _run_offline(tmp_path, """\
        import trackwell as tw
        run = tw.init(project="nogit")
        run.log({"x": 1})
        run.finish()
        print(run.id)
    """, work, env=env)
    assert "could not collect" not in p.stderr and "Traceback" not in p.stderr, p.stderr
    recs = _records(root, p.stdout.strip())
    metas = [r for r in recs if r["t"] == "meta"]
    assert metas and all("git" in m and m["git"] is None for m in metas), metas
    meta = _last_meta(recs)
    # Everything else is still collected; the program has no path relative to a repository.
    assert [s[0] for s in meta["sources"]] == ["script.py"]
    assert meta["program"]["cwd"] == str(work) and "relpath" not in meta["program"]
    assert meta["host"]["hostname"]
    assert not any(r["t"] == "file" and r["kind"] == "patch" for r in recs)
    assert any(r["t"] == "exit" for r in recs)
