"""Config: sources, filters, change rules, sweep locks (#19, #20, Decisions)."""
import json
import os

from conftest import JOURNAL, stored_run

CONFIG_YAML = """
# hyperparameters
lr: 0.001
epochs: 10
name: "resnet 50"
layers: [64, 128, 256]
optimizer:
  type: adam
  betas: [0.9, 0.999]
  eps: 1.0e-8
augment: yes
dropout: null
schedule:
  - warmup: 5
  - decay: cosine
"""

EXPECTED = {"lr": 0.001, "epochs": 10, "name": "resnet 50", "layers": [64, 128, 256],
            "optimizer": {"type": "adam", "betas": [0.9, 0.999], "eps": 1e-8}, "augment": True, "dropout": None,
            "schedule": [{"warmup": 5}, {"decay": "cosine"}]}


def test_yaml_path_loads_its_keys_without_pyyaml(run_script, tmp_path, workdir):
    (workdir / "params.yaml").write_text(CONFIG_YAML)
    hide = tmp_path / "hide"
    hide.mkdir()
    (hide / "yaml.py").write_text("raise ImportError('PyYAML hidden by the test')\n")
    r = run_script("""
        import trackwell as tw
        try:
            import yaml
            raise SystemExit("yaml importable")
        except ImportError:
            pass
        run = tw.init(project="p", mode="offline", config="params.yaml")
        assert run.config.optimizer["type"] == "adam"
        run.finish()
        print(run.id)
    """, pythonpath=[str(hide)]).ok()
    assert stored_run(r.root, r.last_line())["config"] == EXPECTED


def test_yaml_path_with_pyyaml_if_installed(run_script, workdir):
    (workdir / "params.yaml").write_text(CONFIG_YAML)
    r = run_script("""
        import trackwell as tw
        run = tw.init(project="p", mode="offline", config="params.yaml")
        run.finish()
        print(run.id)
    """).ok()
    assert stored_run(r.root, r.last_line())["config"] == EXPECTED


def test_namespace_include_and_exclude(run_script):
    r = run_script("""
        import argparse, json, trackwell as tw
        p = argparse.ArgumentParser()
        p.add_argument("--lr", type=float, default=0.1)
        p.add_argument("--batch-size", type=int, default=32)
        p.add_argument("--secret", default="x")
        args = p.parse_args(["--lr", "0.5"])
        a = tw.init(project="p", mode="offline", config=args, reinit="create_new")
        b = tw.init(project="p", mode="offline", config=args, config_exclude_keys=["secret"], reinit="create_new")
        c = tw.init(project="p", mode="offline", config=args, config_include_keys=["lr"], reinit="create_new")
        try:
            tw.init(project="p", mode="offline", config=args, config_include_keys=["lr"], config_exclude_keys=["x"],
                    reinit="create_new")
            raise SystemExit("both filters accepted")
        except tw.UsageError:
            pass
        for r in (a, b, c):
            r.finish()
        print(json.dumps([a.id, b.id, c.id]))
    """).ok()
    a, b, c = r.json()
    assert stored_run(r.root, a)["config"] == {"lr": 0.5, "batch_size": 32, "secret": "x"}
    assert stored_run(r.root, b)["config"] == {"lr": 0.5, "batch_size": 32}
    assert stored_run(r.root, c)["config"] == {"lr": 0.5}


def test_changing_a_value_raises_unless_allowed(run_script):
    r = run_script("""
        import trackwell as tw
        run = tw.init(project="p", mode="offline", config={"lr": 0.1, "--depth-": 3})
        assert run.config.depth == 3 and "depth" in run.config and run.config["lr"] == 0.1
        run.config.update({"lr": 0.1})                     # same value: fine
        try:
            run.config.update({"lr": 0.2})
            raise SystemExit("no error")
        except tw.ConfigError as e:
            msg = str(e)
            assert isinstance(e, tw.Error)
            assert "lr" in msg and "0.1" in msg and "0.2" in msg and "allow_val_change=True" in msg, msg
        try:
            run.config.lr = 0.3
            raise SystemExit("no error for attribute set")
        except tw.ConfigError:
            pass
        try:
            run.config["lr"] = 0.3
            raise SystemExit("no error for item set")
        except tw.ConfigError:
            pass
        run.config.update({"lr": 0.4}, allow_val_change=True)
        run.config.batch = 8                                # a new key is not a change
        run.config.setdefaults({"batch": 99, "wd": 0.01})
        assert run.config.as_dict() == {"lr": 0.4, "depth": 3, "batch": 8, "wd": 0.01}, run.config.as_dict()
        assert sorted(run.config.keys()) == ["batch", "depth", "lr", "wd"] and run.config.get("nope", 1) == 1
        run.finish()
        print(run.id)
    """).ok()
    st = stored_run(r.root, r.last_line())
    assert st["config"] == {"lr": 0.4, "depth": 3, "batch": 8, "wd": 0.01}
    updates = [rec["update"] for rec in st["records"] if rec["t"] == "config"]
    assert not JOURNAL or updates == [{"lr": 0.1, "depth": 3}, {"lr": 0.4}, {"batch": 8}, {"wd": 0.01}]  # changed keys only


def test_allow_val_change_on_init_applies_to_later_updates(run_script):
    r = run_script("""
        import trackwell as tw
        run = tw.init(project="p", mode="offline", config={"lr": 0.1}, allow_val_change=True)
        run.config.update({"lr": 0.2})
        run.config.lr = 0.3
        run.finish()
        print(run.id)
    """).ok()
    assert stored_run(r.root, r.last_line())["config"] == {"lr": 0.3}


def test_config_defaults_yaml_is_loaded_and_init_config_overrides_it(run_script, workdir):
    (workdir / "config-defaults.yaml").write_text(
        "wandb_version: 1\nlr:\n  desc: learning rate\n  value: 0.01\nbatch_size:\n  value: 32\nplain: 7\n")
    r = run_script("""
        import trackwell as tw
        run = tw.init(project="p", mode="offline", config={"lr": 0.5})
        run.finish()
        print(run.id)
    """).ok()
    assert stored_run(r.root, r.last_line())["config"] == {"lr": 0.5, "batch_size": 32, "plain": 7}


def test_sweep_parameters_are_locked(run_script, tmp_path):
    params = tmp_path / "params.json"
    params.write_text(json.dumps({"lr": {"value": 0.05}, "layers": {"value": 3}}))
    r = run_script("""
        import argparse, trackwell as tw
        p = argparse.ArgumentParser()
        p.add_argument("--lr", type=float, default=0.01)
        p.add_argument("--layers", type=int, default=2)
        p.add_argument("--activation", default="relu")
        args = p.parse_args([])
        run = tw.init(project="p", mode="offline", config=args)
        assert run.config.lr == 0.05 and run.config.layers == 3 and run.config.activation == "relu"
        run.config.update({"lr": 0.9})                  # a locked key keeps its value (warning, no error)
        assert run.config.lr == 0.05
        run.finish()
        print(run.id)
    """, env={"WANDB_SWEEP_PARAM_PATH": str(params), "WANDB_SWEEP_ID": "sw1"}).ok()
    st = stored_run(r.root, r.last_line())
    assert st["config"] == {"lr": 0.05, "layers": 3, "activation": "relu"}
    assert st["run"]["sweep_id"] == "sw1"
    assert "locked by 'sweep'" in r.stderr
    if JOURNAL:
        locked = [rec for rec in st["records"] if rec["t"] == "config" and rec.get("locked")]
        assert locked and sorted(locked[0]["locked"]) == ["layers", "lr"]


def test_sweep_parameters_from_yaml_file(run_script, tmp_path):
    params = tmp_path / "params.yaml"
    params.write_text("lr:\n  value: 0.2\n")
    r = run_script("""
        import trackwell as tw
        run = tw.init(project="p", mode="offline", config={"lr": 0.01})
        run.finish()
        print(run.id)
    """, env={"TRACKWELL_SWEEP_PARAM_PATH": str(params)}).ok()
    assert stored_run(r.root, r.last_line())["config"] == {"lr": 0.2}


def test_wandb_config_before_init_behaves_like_the_preinit_object(run_script):
    run_script("""
        import wandb
        for action in (lambda: wandb.config.lr, lambda: wandb.config["lr"], lambda: wandb.config.update({})):
            try:
                action()
                raise SystemExit("no error")
            except wandb.Error as e:
                assert "wandb.init()" in str(e)
        run = wandb.init(project="p", mode="offline", config={"lr": 1})
        assert wandb.config.lr == 1 and wandb.config is run.config
        wandb.config.update({"extra": 2})
        assert run.config.extra == 2
        run.finish()
    """).ok()


def test_bad_config_argument_and_missing_file_raise_before_anything_is_recorded(run_script):
    r = run_script("""
        import os, trackwell as tw
        for bad in (42, "missing.yaml"):
            try:
                tw.init(project="p", mode="offline", config=bad)
                raise SystemExit("accepted %r" % (bad,))
            except tw.UsageError:
                pass
        print(os.path.exists(os.path.join(os.environ["TRACKWELL_DIR"], "runs")) and os.listdir(os.path.join(os.environ["TRACKWELL_DIR"], "runs")))
    """).ok()
    assert r.last_line() in ("False", "[]")


def test_yaml_lite_unit():
    from trackwell.yaml_lite import YAMLError, loads

    assert loads(CONFIG_YAML) == EXPECTED
    assert loads("a: 1e-4\nb: .inf\nc: 0x10\nd: '012'\ne: ~\nf: Off\n") == {"a": 1e-4, "b": float("inf"), "c": 16,
                                                                        "d": "012", "e": None, "f": False}
    assert loads("k: |\n  one\n  two\nz: >-\n  a\n  b\n") == {"k": "one\ntwo\n", "z": "a b"}
    assert loads("m: {a: [1, {b: 2}], 'c d': \"e\\tf\"}\n") == {"m": {"a": [1, {"b": 2}], "c d": "e\tf"}}
    assert loads("- 1\n- - 2\n  - 3\n") == [1, [2, 3]]
    assert loads("") is None
    for bad in ("a: [1, 2\n", "a: 1\n  b: 2\n", "a: &x 1\n"):
        try:
            loads(bad)
            raise AssertionError("accepted %r" % bad)
        except YAMLError:
            pass
    assert os.path.basename(__file__)
