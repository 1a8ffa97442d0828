"""Summary defaults, manual values, define_metric aggregation, step_sync, overwrite, globs (#7-#11)."""
import math

from conftest import JOURNAL, stored_run


def test_summary_is_the_last_logged_value_and_reads_see_every_earlier_log(run_script):
    r = run_script("""
        import trackwell as tw
        run = tw.init(project="p", mode="offline")
        for i in range(200):
            run.log({"loss": 1.0 / (i + 1), "acc": i, "text": "v%d" % i})
            if i in (0, 57, 199):
                # read right after log(): must already reflect it (barrier on the writer)
                assert run.summary["acc"] == i, (i, run.summary.get("acc"))
                assert tw.summary["text"] == "v%d" % i
        assert "loss" in run.summary and "nope" not in run.summary
        assert run.summary.get("nope", 5) == 5
        assert sorted(run.summary.keys()) == ["acc", "loss", "text"]
        assert run.summary.acc == 199
        run.finish()
        print(run.id)
    """).ok()
    st = stored_run(r.root, r.last_line())
    assert st["summary"] == {"loss": 1.0 / 200, "acc": 199, "text": "v199"}


def test_summary_set_by_hand_is_not_overwritten_by_log(run_script):
    r = run_script("""
        import trackwell as tw
        run = tw.init(project="p", mode="offline")
        run.log({"acc": 0.5, "loss": 3})
        run.summary["acc"] = 0.99
        run.log({"acc": 0.6, "loss": 2})
        run.summary.update({"best_loss": 1.5})
        run.summary.note = "attr set"
        run.log({"acc": 0.7, "loss": 1, "best_loss": 9})
        assert run.summary["acc"] == 0.99
        run.summary["gone"] = 1
        del run.summary["gone"]
        assert "gone" not in run.summary
        run.finish()
        print(run.id)
    """).ok()
    st = stored_run(r.root, r.last_line())
    assert st["summary"] == {"acc": 0.99, "loss": 1, "best_loss": 1.5, "note": "attr set"}


def test_summary_delete_is_stored_as_a_removal(run_script):
    r = run_script("""
        import time, trackwell as tw
        run = tw.init(project="p", mode="offline")
        run.log({"tmp": 1, "keep": 2})
        time.sleep(0.7)            # let the first summary record go out
        del run.summary["tmp"]
        run.finish()
        print(run.id)
    """).ok()
    st = stored_run(r.root, r.last_line())
    assert st["summary"] == {"keep": 2}
    assert not JOURNAL or any(rec["t"] == "summary" and "tmp" in rec.get("remove", []) for rec in st["records"])


def test_define_metric_summary_aggregates(run_script):
    r = run_script("""
        import trackwell as tw
        run = tw.init(project="p", mode="offline")
        run.define_metric("loss", summary="min")
        run.define_metric("acc", summary="max")
        run.define_metric("lr", summary="mean")
        run.define_metric("first_v", summary="first")
        run.define_metric("last_v", summary="last")
        run.define_metric("hidden_v", summary="none")
        run.define_metric("multi", summary="min,max,mean,first,last")
        for i, v in enumerate([3.0, 1.0, float("nan"), 2.0, float("inf")]):
            run.log({"loss": v, "acc": v, "lr": v, "first_v": v, "last_v": v, "hidden_v": v, "multi": v, "plain": v})
        assert run.summary["loss"] == {"min": 1.0}
        run.finish()
        print(run.id)
    """).ok()
    s = stored_run(r.root, r.last_line())["summary"]
    assert s["loss"] == {"min": 1.0}
    assert s["acc"] == {"max": 3.0}          # non-finite values ignored by min/max/mean
    assert s["lr"] == {"mean": 2.0}
    assert s["first_v"] == {"first": 3.0}
    assert s["last_v"] == {"last": math.inf}
    assert "hidden_v" not in s
    assert s["multi"] == {"min": 1.0, "max": 3.0, "mean": 2.0, "first": 3.0, "last": math.inf}
    assert s["plain"] == math.inf


def test_summary_none_removes_an_existing_key(run_script):
    r = run_script("""
        import trackwell as tw
        run = tw.init(project="p", mode="offline")
        run.log({"x": 1, "y": 1})
        assert run.summary["x"] == 1
        run.define_metric("x", summary="none")
        run.log({"x": 2, "y": 2})
        assert "x" not in run.summary
        run.finish()
        print(run.id)
    """).ok()
    assert stored_run(r.root, r.last_line())["summary"] == {"y": 2}


def test_step_sync_adds_the_latest_step_metric(run_script):
    r = run_script("""
        import trackwell as tw
        run = tw.init(project="p", mode="offline")
        m = run.define_metric("acc", step_metric="epoch")
        assert m.step_sync is True and m.step_metric == "epoch"
        run.log({"acc": 0.1})             # no epoch logged yet: nothing to add
        run.log({"epoch": 1})
        run.log({"acc": 0.5})
        run.log({"acc": 0.6, "epoch": 2})
        run.log({"acc": 0.7})
        run.define_metric("noisy", step_metric="epoch", step_sync=False)
        run.log({"noisy": 1})
        run.finish()
        print(run.id)
    """).ok()
    st = stored_run(r.root, r.last_line())
    rows = [{k: v for k, v in h.items() if not k.startswith("_")} for h in st["history"]]
    assert rows == [{"acc": 0.1}, {"epoch": 1}, {"acc": 0.5, "epoch": 1}, {"acc": 0.6, "epoch": 2},
                    {"acc": 0.7, "epoch": 2}, {"noisy": 1}]
    assert st["metrics"]["acc"] == {"name": "acc", "step_metric": "epoch", "step_sync": True, "hidden": None,
                                    "summary": None, "goal": None}


def test_second_define_metric_merges_unless_overwrite(run_script):
    r = run_script("""
        import json, trackwell as tw
        run = tw.init(project="p", mode="offline")
        run.define_metric("loss", step_metric="epoch", summary="min", hidden=True)
        merged = run.define_metric("loss", goal="minimize")
        run.define_metric("acc", step_metric="epoch", summary="max")
        reset = run.define_metric("acc", summary="min", overwrite=True)
        run.finish()
        print(json.dumps({"id": run.id, "merged": [merged.step_metric, merged.summary, merged.hidden, merged.goal],
                          "reset": [reset.step_metric, reset.summary, reset.step_sync]}))
    """).ok()
    out = r.json()
    assert out["merged"] == ["epoch", ["min"], True, "minimize"]
    assert out["reset"] == [None, ["min"], None]
    m = stored_run(r.root, out["id"])["metrics"]
    assert m["loss"] == {"name": "loss", "step_metric": "epoch", "step_sync": True, "hidden": True, "summary": ["min"],
                         "goal": "minimize"}
    assert m["acc"] == {"name": "acc", "step_metric": None, "step_sync": None, "hidden": None, "summary": ["min"],
                        "goal": None}


def test_globs_match_by_prefix_but_never_underscore_keys(run_script):
    r = run_script("""
        import trackwell as tw
        run = tw.init(project="p", mode="offline")
        run.define_metric("val/*", summary="max", step_metric="val/epoch")
        run.define_metric("val/epoch")                 # exact definition wins over the glob
        run.define_metric("*", summary="min")           # everything else...
        run.log({"val/epoch": 1, "val/acc": 0.5, "train": 3, "_private": 7})
        run.log({"val/acc": 0.9, "train": 2, "_private": 9})
        run.finish()
        print(run.id)
    """).ok()
    st = stored_run(r.root, r.last_line())
    assert st["summary"] == {"val/acc": {"max": 0.9}, "val/epoch": 1, "train": {"min": 2}, "_private": 9}
    assert st["history"][1]["val/epoch"] == 1            # step_sync through the glob definition
    assert "_private" in st["history"][1]


def test_dotted_names_address_nested_keys_and_escaped_dots_literal_ones(run_script):
    r = run_script("""
        import trackwell as tw
        run = tw.init(project="p", mode="offline")
        run.define_metric("val.loss", summary="min")
        run.define_metric("a\\\\.b", summary="max")
        run.log({"val": {"loss": 2.0, "acc": 1}, "a.b": 1})
        run.log({"val": {"loss": 1.0, "acc": 2}, "a.b": 5})
        run.log({"val": {"loss": 3.0, "acc": 3}, "a.b": 2})
        run.finish()
        print(run.id)
    """).ok()
    s = stored_run(r.root, r.last_line())["summary"]
    assert s["val"] == {"loss": {"min": 1.0}, "acc": 3}
    assert s["a.b"] == {"max": 5}


def test_define_metric_rejects_bad_arguments(run_script):
    run_script("""
        import trackwell as tw
        run = tw.init(project="p", mode="offline")
        for kwargs in ({"name": "a*b"}, {"name": "x", "summary": "median"}, {"name": "x", "goal": "up"},
                       {"name": ""}, {"name": "x", "step_metric": "e*"}):
            try:
                run.define_metric(**kwargs)
                raise SystemExit("accepted %r" % (kwargs,))
            except tw.UsageError:
                pass
        run.finish()
    """).ok()


def test_context_manager_example_metrics(run_script):
    """The define_metric pattern of wandb_context_manager.py, checked in detail."""
    r = run_script("""
        import math, wandb
        with wandb.init(project="patterns", name="ctx-demo", tags=["demo"], config={"steps": 20}, mode="offline") as run:
            run.define_metric("train/step")
            run.define_metric("train/*", step_metric="train/step")
            run.define_metric("eval/acc", summary="max")
            for step in range(run.config["steps"]):
                run.log({"train/loss": math.exp(-step / 10)}, commit=False)
                run.log({"train/step": step, "train/grad_norm": 1 / (step + 1)})
                if step % 10 == 9:
                    run.log({"eval/acc": 1 - math.exp(-step / 20)})
            run.summary["note"] = "finished cleanly"
        print(run.id)
    """).ok()
    st = stored_run(r.root, r.last_line())
    evals = [h for h in st["history"] if "eval/acc" in h]
    assert len(evals) == 2 and all("train/step" not in h for h in evals)
    assert st["summary"]["eval/acc"] == {"max": 1 - math.exp(-19 / 20)}
    assert st["summary"]["note"] == "finished cleanly"
    assert st["summary"]["train/step"] == 19
