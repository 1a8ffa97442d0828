"""init(): ids, names, tags, modes, reinit, settings, environment, where runs are written (#14, #17, #18, #21-#23)."""
import glob
import os
import re
import stat

import pytest

from conftest import JOURNAL, run_ids, stored_run


def test_invalid_run_ids_are_rejected(run_script):
    r = run_script("""
        import os, trackwell as tw
        for bad in ["a/b", "a\\\\b", "a#b", "a?b", "a%b", "a:b", ""]:
            try:
                tw.init(project="p", mode="offline", id=bad)
                raise SystemExit("accepted %r" % bad)
            except tw.UsageError:
                pass
        run = tw.init(project="p", mode="offline", id="ok-id_1.2")
        run.finish()
        print(run.id)
    """).ok()
    assert r.last_line() == "ok-id_1.2"
    assert run_ids(r.root) == ["ok-id_1.2"]


def test_generated_ids_and_names(run_script):
    r = run_script("""
        import json, trackwell as tw
        out = []
        for _ in range(5):
            run = tw.init(project="p", mode="offline")
            out.append([run.id, run.name])
            run.finish()
        print(json.dumps(out))
    """).ok()
    pairs = r.json()
    assert len({p[0] for p in pairs}) == 5
    for run_id, name in pairs:
        assert re.fullmatch(r"[a-z0-9]{8}", run_id)
        assert re.fullmatch(r"[a-z]+-[a-z]+-\d+", name)
        assert stored_run(r.root, run_id)["run"]["name"] == name


def test_tags(run_script):
    r = run_script("""
        import trackwell as tw
        for bad in ([""], ["x" * 65], ["ok", ""]):
            try:
                tw.init(project="p", mode="offline", tags=bad)
                raise SystemExit("accepted %r" % (bad,))
            except ValueError:
                pass
        run = tw.init(project="p", mode="offline", tags="single")
        assert run.tags == ("single",)
        run.tags += ("x" * 64,)
        assert run.tags == ("single", "x" * 64)
        try:
            run.tags += ("",)
            raise SystemExit("accepted empty tag")
        except ValueError:
            pass
        run.finish()
        print(run.id)
    """).ok()
    st = stored_run(r.root, r.last_line())
    assert st["run"]["tags"] == ["single", "x" * 64]
    if JOURNAL:
        assert [rec["tags"] for rec in st["records"] if rec["t"] == "run"] == [["single"], ["single", "x" * 64]]


def test_name_and_notes_changes_emit_run_records(run_script):
    r = run_script("""
        import trackwell as tw
        run = tw.init(project="p", mode="offline", name="first", notes="n1", group="g", job_type="train")
        run.name = "second"
        run.notes = "n2"
        assert run.path == "%s/p/%s" % (run.entity, run.id)
        run.finish()
        print(run.id)
    """).ok()
    st = stored_run(r.root, r.last_line())
    assert st["run"]["name"] == "second" and st["run"]["notes"] == "n2"
    assert st["run"]["group"] == "g" and st["run"]["job_type"] == "train" and st["run"]["project"] == "p"


def test_disabled_mode_records_nothing(run_script):
    r = run_script("""
        import os, trackwell as tw
        run = tw.init(project="p", mode="disabled", config={"a": 1})
        assert run.disabled and tw.run is run
        run.log({"x": 1}); run.log({"x": 2}, step=5); run.log({"y": 1}, commit=False)
        run.define_metric("x", summary="max")
        run.summary["k"] = 1
        assert run.summary["k"] == 1
        run.config.update({"b": 2})
        assert run.config.a == 1 and run.config.b == 2
        run.name = "n"; run.tags += ("t",); run.mark_preempting()
        _ = (run.id, run.name, run.path, run.dir, run.url, run.project, run.step, run.settings)
        run.finish()
        w = tw.init(mode="disabled")
        with w:
            w.log({"x": 1})
        print(os.path.exists(os.environ["TRACKWELL_DIR"]))
    """).ok()
    assert r.last_line() == "False"


def test_offline_mode(run_script):
    r = run_script("""
        import json, trackwell as tw
        run = tw.init(project="p", mode="offline")
        assert run.offline and not run.disabled
        assert run.url is None and run.project_url is None and run.sweep_url is None
        assert run.settings.run_mode == "offline-run" and run.settings.mode == "offline"
        run.log({"x": 1})
        run.finish()
        legacy = tw.init(project="p", mode="dryrun")
        assert legacy.offline and legacy.settings.run_mode == "offline-run"
        legacy.finish()
        online = tw.init(project="p", mode="online")
        assert online.settings.run_mode == "run" and not online.offline
        online.finish()
        print(json.dumps([run.id, online.id]))
    """).ok()
    off, on = r.json()
    assert stored_run(r.root, off)["history"][0]["x"] == 1
    if JOURNAL:
        assert stored_run(r.root, off)["run"]["mode"] == "offline"
        assert stored_run(r.root, on)["run"]["mode"] == "online"


def test_reinit_modes(run_script):
    r = run_script("""
        import json, wandb
        a = wandb.init(project="p", mode="offline")
        assert wandb.init(project="p", mode="offline") is a                      # default: return_previous
        assert wandb.init(project="p", mode="offline", reinit="return_previous") is a
        assert wandb.init(project="p", mode="offline", reinit=False) is a
        b = wandb.init(project="p", mode="offline", reinit="create_new")
        assert b is not a and wandb.run is a                                       # wandb.run unchanged
        wandb.log({"to": "a"})
        b.log({"to": "b"})
        c = wandb.init(project="p", mode="offline", reinit="finish_previous")
        assert wandb.run is c and c is not b
        d = wandb.init(project="p", mode="offline", reinit=True)                  # True == finish_previous
        assert wandb.run is d
        d.finish()
        assert wandb.run is None
        print(json.dumps([a.id, b.id, c.id, d.id]))
    """).ok()
    a, b, c, d = r.json()
    assert [stored_run(r.root, x)["state"] for x in (a, b, c, d)] == ["finished"] * 4
    assert stored_run(r.root, a)["history"][0]["to"] == "a"
    assert stored_run(r.root, b)["history"][0]["to"] == "b"


def test_settings_object_dict_and_environment(run_script):
    r = run_script("""
        import json, wandb
        run = wandb.init(settings=wandb.Settings(mode="offline", run_name="from-settings"))
        s = run.settings
        assert s.run_name == "from-settings" and s.run_mode == "offline-run"
        try:
            s.project = "x"
            raise SystemExit("settings not frozen")
        except wandb.Error:
            pass
        run.finish()
        run2 = wandb.init(name="arg-wins", settings={"run_name": "ignored", "mode": "offline"})
        run2.finish()
        print(json.dumps([run.id, run2.id, run.project, run2.name, run.notes, list(run.tags), run.group, run.job_type]))
    """, env={"WANDB_PROJECT": "envproj", "WANDB_NOTES": "env notes", "WANDB_TAGS": "a,b", "WANDB_RUN_GROUP": "grp",
              "WANDB_JOB_TYPE": "eval", "WANDB_MODE": "online"}).ok()
    a, b, project, name2, notes, tags, group, job_type = r.json()
    assert (project, name2, notes, tags, group, job_type) == ("envproj", "arg-wins", "env notes", ["a", "b"], "grp", "eval")
    st = stored_run(r.root, a)
    assert st["run"]["project"] == "envproj" and (not JOURNAL or st["run"]["mode"] == "offline")


def test_env_run_id_name_and_mode(run_script):
    r = run_script("""
        import trackwell as tw
        run = tw.init()
        assert run.id == "envid123" and run.name == "env-name" and run.offline
        run.finish()
        print(run.id)
    """, env={"WANDB_RUN_ID": "envid123", "WANDB_NAME": "env-name", "WANDB_MODE": "offline",
              "TRACKWELL_PROJECT": "tp"}).ok()
    assert stored_run(r.root, "envid123")["run"]["project"] == "tp"


def test_default_project_is_the_git_root_name_else_uncategorized(run_script, tmp_path):
    repo = tmp_path / "my-repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "sub").mkdir()
    code = """
        import trackwell as tw
        run = tw.init(mode="offline")
        run.finish()
        print(run.project)
    """
    assert run_script(code, cwd=str(repo / "sub")).ok().last_line() == "my-repo"
    assert run_script(code).ok().last_line() == "uncategorized"


def test_data_root_rules_and_run_directory_layout(run_script, tmp_path):
    nest = tmp_path / "proj" / ".trackwell"
    nest.mkdir(parents=True)
    (tmp_path / "proj" / "deep" / "er").mkdir(parents=True)
    r = run_script("""
        import json, os, trackwell as tw
        del os.environ["TRACKWELL_DIR"]
        run = tw.init(project="p", mode="offline")
        run.finish()
        print(json.dumps([run.id, run.dir, run.settings.sync_file]))
    """, cwd=str(tmp_path / "proj" / "deep" / "er")).ok()
    run_id, files_dir, journal = r.json()
    assert re.fullmatch(re.escape(str(nest)) + r"/runs/\d{8}-\d{6}-" + run_id + "/files", files_dir)
    assert os.path.isdir(files_dir) and journal == os.path.join(os.path.dirname(files_dir), "run.journal")
    # no .trackwell anywhere: <cwd>/.trackwell, owner-only
    r = run_script("""
        import os, trackwell as tw
        del os.environ["TRACKWELL_DIR"]
        run = tw.init(project="p", mode="offline")
        run.finish()
        print(run.dir)
    """)
    r.ok()
    root = os.path.join(r.cwd, ".trackwell")
    assert r.last_line().startswith(root + "/runs/")
    assert stat.S_IMODE(os.stat(root).st_mode) == 0o700


def test_dir_argument_puts_the_run_under_dir_trackwell(run_script, tmp_path):
    out = tmp_path / "elsewhere"
    r = run_script("""
        import sys, trackwell as tw
        run = tw.init(project="p", mode="offline", dir=sys.argv[1])
        run.log({"x": 1})
        run.finish()
        print(run.id)
    """, args=[str(out)]).ok()
    run_id = r.last_line()
    dirs = glob.glob(str(out / "trackwell" / ("*-" + run_id)))
    assert len(dirs) == 1 and os.path.isfile(os.path.join(dirs[0], "run.journal"))
    st = stored_run(r.root, run_id, extra_dirs=[str(out / "trackwell")])
    assert st["history"][0]["x"] == 1 and st["run"]["run_dir"] == dirs[0]


@pytest.mark.skipif(not JOURNAL, reason="checks the journal's run record itself")
def test_run_record_fields(run_script):
    r = run_script("""
        import trackwell as tw
        run = tw.init(project="p", mode="offline", entity="me", group="g")
        run.finish()
        print(run.id)
    """).ok()
    st = stored_run(r.root, r.last_line())
    first = st["records"][0]
    assert first["t"] == "run" and first["s"] == 0
    for key in ("journal", "id", "project", "entity", "name", "notes", "tags", "group", "job_type", "sweep_id",
                "start_time", "pid", "host", "run_dir", "mode", "resumed", "resume_from_step", "fork_from", "launch_id"):
        assert key in first, key
    assert first["entity"] == "me" and first["resumed"] is False and first["launch_id"] is None
    meta = [rec for rec in st["records"] if rec["t"] == "meta"][0]
    assert meta["program"]["path"].endswith(".py") and meta["host"]["pid"] == first["pid"]
    assert st["records"][-1]["t"] == "exit"


def test_login_setup_teardown(run_script):
    r = run_script("""
        import json, os, wandb
        assert wandb.login() is True and wandb.login(key="x", relogin=True) is True
        wandb.setup(settings={"project": "from-setup", "mode": "offline"})
        assert os.environ["WANDB_PROJECT"] == "from-setup"
        a = wandb.init()
        b = wandb.init(reinit="create_new")
        assert a.project == "from-setup" and a.offline
        wandb.teardown()
        assert wandb.run is None
        print(json.dumps([a.id, b.id]))
    """).ok()
    for run_id in r.json():
        assert stored_run(r.root, run_id)["state"] == "finished"
