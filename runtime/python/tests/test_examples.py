"""The example scripts in shared/examples run unmodified (W&B ones through the `wandb` shim) and record
what they log, both as plain scripts and through the real `trackwell run` (which starts a runtime, puts the
client and the `wandb` module on PYTHONPATH and captures the console at the file-descriptor level)."""
import math
import os
import shutil
import subprocess
import sys

import pytest

from conftest import EXAMPLES, REPO, clean_env, prerequisite, python_path, run_ids, stored_run

CLI = os.path.join(REPO, "dist", "cli.js")

pytestmark = prerequisite(os.path.isdir(EXAMPLES), "the example scripts in %s (or TRACKWELL_EXAMPLES_DIR)" % EXAMPLES)


def run_example(name, workdir, root, launched=False, launch_id="exlaunch"):
    src = os.path.join(EXAMPLES, name)
    if launched:
        cmd = ["node", CLI, "run", "--dir", root, "--launch-id", launch_id, "--python", sys.executable, src]
        try:
            p = subprocess.run(cmd, cwd=str(workdir), env=clean_env(), capture_output=True, text=True, timeout=90)
        finally:
            subprocess.run(["node", CLI, "serve", "--stop", "--dir", root], capture_output=True, timeout=30)
    else:
        env = clean_env({"TRACKWELL_DIR": root, "PYTHONPATH": python_path(), "PYTHONUNBUFFERED": "1"})
        p = subprocess.run([sys.executable, src], cwd=str(workdir), env=env, capture_output=True, text=True, timeout=60)
    ids = run_ids(root)
    assert len(ids) == 1, (ids, p.stderr)
    if launched:
        assert ids == [launch_id]
    return p, stored_run(root, ids[0])


@pytest.mark.parametrize("launched", [False, True], ids=["plain", "trackwell-run"])
def test_wandb_quickstart(workdir, tmp_path, launched):
    p, st = run_example("wandb_quickstart.py", workdir, str(tmp_path / "root"), launched)
    assert p.returncode == 0, p.stderr
    assert st["state"] == "finished" and st["run"]["project"] == "quickstart"
    assert st["config"] == {"learning_rate": 0.02, "epochs": 10, "batch_size": 32}
    h = st["history"]
    assert [r["_step"] for r in h] == list(range(8))
    for epoch, row in zip(range(2, 10), h):
        assert set(row) == {"_step", "_runtime", "_timestamp", "acc", "loss", "lr"}
        assert abs(row["lr"] - 0.02 * math.exp(-epoch / 5)) < 1e-12
    assert st["summary"] == {k: h[-1][k] for k in ("acc", "loss", "lr")}


@pytest.mark.parametrize("launched", [False, True], ids=["plain", "trackwell-run"])
def test_wandb_context_manager(workdir, tmp_path, launched):
    p, st = run_example("wandb_context_manager.py", workdir, str(tmp_path / "root"), launched)
    assert p.returncode == 0, p.stderr
    assert st["state"] == "finished"
    assert (st["run"]["project"], st["run"]["name"], st["run"]["tags"]) == ("patterns", "ctx-demo", ["demo"])
    assert st["config"] == {"steps": 50}
    h = st["history"]
    train = [r for r in h if "train/loss" in r]
    evals = [r for r in h if "eval/acc" in r]
    assert len(train) == 50 and len(evals) == 5 and len(h) == 55
    for step, row in enumerate(train):
        assert row["train/step"] == step and abs(row["train/loss"] - math.exp(-step / 10)) < 1e-12
        assert row["train/grad_norm"] == 1 / (step + 1)
    s = st["summary"]
    assert s["eval/acc"] == {"max": max(r["eval/acc"] for r in evals)}
    assert s["note"] == "finished cleanly" and s["train/step"] == 49
    assert st["metrics"]["train/*"]["step_metric"] == "train/step" and st["metrics"]["train/*"]["step_sync"] is True
    assert st["metrics"]["eval/acc"]["summary"] == ["max"]


@pytest.mark.parametrize("launched", [False, True], ids=["plain", "trackwell-run"])
def test_trackwell_native(workdir, tmp_path, launched):
    p, st = run_example("trackwell_native.py", workdir, str(tmp_path / "root"), launched)
    assert p.returncode == 0, p.stderr
    assert st["state"] == "finished" and st["run"]["project"] == "native"
    assert st["config"] == {"lr": 0.1, "epochs": 5}
    h = st["history"]
    assert len(h) == 500 and h[-1]["_step"] == 499
    assert h[-1]["epoch"] == 4 and abs(h[-1]["loss"] - math.exp(-499 / 150)) < 1e-12
    assert st["summary"]["epoch"] == 4


@pytest.mark.parametrize("launched", [False, True], ids=["plain", "trackwell-run"])
def test_failing_script(workdir, tmp_path, launched):
    p, st = run_example("failing_script.py", workdir, str(tmp_path / "root"), launched)
    assert p.returncode == 1
    assert "ValueError: value exploded at step 10" in p.stderr
    assert st["state"] == "failed" and st["exit_code"] == 1
    assert [r["value"] for r in st["history"]] == [i * i for i in range(11)]
    assert st["error"]["type"] == "ValueError" and st["error"]["message"] == "value exploded at step 10"
    assert "raise ValueError" in st["error"]["traceback"]
    assert "value exploded at step 10" in st["console"]


def test_examples_folder_has_the_scripts():
    for name in ("wandb_quickstart.py", "wandb_context_manager.py", "trackwell_native.py", "failing_script.py"):
        assert os.path.isfile(os.path.join(EXAMPLES, name))
    assert shutil.which(sys.executable)
