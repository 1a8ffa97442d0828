"""log(): steps, commit, merging, values (SEMANTICS.md #1-#6, #12, #13 and the Decisions)."""
import math

from conftest import JOURNAL, stored_run

BACKWARDS = ("Tried to log to step 3 that is less than the current step 5. "
             "Steps must be monotonically increasing, so this data will be ignored.")


def rows(st):
    return [{k: v for k, v in r.items() if k not in ("_runtime", "_timestamp")} for r in st["history"]]


def test_each_log_call_is_a_new_step(run_script):
    r = run_script("""
        import trackwell as tw
        run = tw.init(project="p", mode="offline")
        for i in range(3):
            run.log({"x": i})
        run.finish()
        print(run.id)
    """).ok()
    st = stored_run(r.root, r.last_line())
    assert rows(st) == [{"_step": 0, "x": 0}, {"_step": 1, "x": 1}, {"_step": 2, "x": 2}]
    assert st["state"] == "finished"


def test_commit_false_accumulates_into_one_row(run_script):
    r = run_script("""
        import trackwell as tw
        run = tw.init(project="p", mode="offline")
        run.log({"a": 1}, commit=False)
        run.log({"b": 2})
        run.log({"a": 1, "b": 2})
        run.finish()
        print(run.id)
    """).ok()
    st = stored_run(r.root, r.last_line())
    assert rows(st) == [{"_step": 0, "a": 1, "b": 2}, {"_step": 1, "a": 1, "b": 2}]


def test_explicit_step_defaults_to_no_commit_and_merges(run_script):
    r = run_script("""
        import trackwell as tw
        run = tw.init(project="p", mode="offline")
        run.log({"a": 1}, step=0)
        run.log({"b": 2}, step=0)
        run.log({"c": 3}, step=1)      # writes step 0 (SEMANTICS #4)
        run.log({"d": 4}, step=1, commit=True)
        run.log({"e": 5}, step=7, commit=True)
        run.finish()
        print(run.id)
    """).ok()
    st = stored_run(r.root, r.last_line())
    assert rows(st) == [{"_step": 0, "a": 1, "b": 2}, {"_step": 1, "c": 3, "d": 4}, {"_step": 7, "e": 5}]


def test_larger_step_writes_the_pending_row(run_script):
    r = run_script("""
        import json, trackwell as tw
        run = tw.init(project="p", mode="offline")
        run.log({"a": 1}, commit=False)
        run.log({"b": 2}, step=4)
        print(json.dumps({"step": run.step, "id": run.id}))
        run.finish()
    """).ok()
    out = r.json()
    assert out["step"] == 4
    st = stored_run(r.root, out["id"])
    assert rows(st) == [{"_step": 0, "a": 1}, {"_step": 4, "b": 2}]  # pending step 4 written at finish


def test_worked_example_and_backwards_step_warning(run_script):
    r = run_script("""
        import trackwell as tw
        run = tw.init(project="p", mode="offline")
        run.log({"loss": 1, "nested": {"a": 1, "b": {"c": 2}}})
        run.log({"loss": .5}, step=5)
        run.log({"loss": .7}, step=3)
        run.log({"acc": .1}, commit=False)
        run.log({"acc2": .2})
        run.log({"again": 1}, step=2)      # dropped silently: one warning per run
        run.log({"next": 1})
        run.finish()
        print(run.id)
    """).ok()
    st = stored_run(r.root, r.last_line())
    assert rows(st) == [
        {"_step": 0, "loss": 1, "nested": {"a": 1, "b": {"c": 2}}},
        {"_step": 5, "loss": .5, "acc": .1, "acc2": .2},
        {"_step": 6, "next": 1},
    ]
    assert r.stderr.count(BACKWARDS) == 1
    assert r.stderr.count("Tried to log to step") == 1
    assert BACKWARDS in st["console"]  # warnings are part of the run's console output
    assert st["summary"]["loss"] == .5  # the dropped .7 never reached the summary


def test_after_explicit_step_a_plain_log_joins_it_and_the_next_goes_on(run_script):
    r = run_script("""
        import trackwell as tw
        run = tw.init(project="p", mode="offline")
        run.log({"a": 1}, step=10)
        run.log({"b": 2})
        run.log({"c": 3})
        run.finish()
        print(run.id)
    """).ok()
    assert rows(stored_run(r.root, r.last_line())) == [{"_step": 10, "a": 1, "b": 2}, {"_step": 11, "c": 3}]


def test_empty_rows_are_not_written_but_the_step_advances(run_script):
    r = run_script("""
        import trackwell as tw
        run = tw.init(project="p", mode="offline")
        run.log({})
        run.log({})
        run.log({"x": 1})
        run.finish()
        print(run.id)
    """).ok()
    assert rows(stored_run(r.root, r.last_line())) == [{"_step": 2, "x": 1}]


def test_rows_carry_runtime_and_timestamp(run_script):
    r = run_script("""
        import time, json, trackwell as tw
        t0 = time.time()
        run = tw.init(project="p", mode="offline")
        run.log({"x": 1})
        time.sleep(0.3)
        run.log({"x": 2})
        t1 = time.time()
        run.finish()
        print(json.dumps({"id": run.id, "t0": t0, "t1": t1, "start": run.start_time}))
    """).ok()
    out = r.json()
    h = stored_run(r.root, out["id"])["history"]
    assert out["t0"] <= h[0]["_timestamp"] <= h[1]["_timestamp"] <= out["t1"]
    assert 0 <= h[0]["_runtime"] < h[1]["_runtime"]
    assert abs((h[1]["_runtime"] - h[0]["_runtime"]) - (h[1]["_timestamp"] - h[0]["_timestamp"])) < 0.01
    assert h[1]["_runtime"] - h[0]["_runtime"] >= 0.29
    assert abs(h[0]["_runtime"] - (h[0]["_timestamp"] - out["start"])) < 0.01


def test_log_before_init_raises_wandb_error_and_bad_data_raises_value_error(run_script):
    run_script("""
        import wandb
        try:
            wandb.log({"a": 1})
            raise SystemExit("no error")
        except wandb.Error as e:
            assert str(e) == "You must call wandb.init() before wandb.log()", str(e)
        run = wandb.init(project="p", mode="offline")
        for bad in ([1, 2], "x", 3, None):
            try:
                run.log(bad)
                raise SystemExit("accepted %r" % (bad,))
            except ValueError:
                pass
        for bad in ({1: 2}, {"a": {2: 3}}, {("t",): 1}):
            try:
                run.log(bad)
                raise SystemExit("accepted %r" % (bad,))
            except ValueError:
                pass
        for step in (-1, "3", 1.5):
            try:
                run.log({"a": 1}, step=step)
                raise SystemExit("accepted step %r" % (step,))
            except ValueError:
                pass
        wandb.log({"fine": 1})
        run.finish()
        try:
            wandb.log({"after": 1})
            raise SystemExit("log after finish through wandb.log did not raise")
        except wandb.Error:
            pass
    """).ok()


def test_nested_dicts_stay_trees_and_are_copied_at_log_time(run_script):
    r = run_script("""
        import trackwell as tw
        run = tw.init(project="p", mode="offline")
        d = {"opt": {"lr": 1, "m": {"beta": 0.9}}, "list": [1, 2]}
        run.log(d)
        d["opt"]["lr"] = 999          # changed after log(): must not affect the stored row
        d["opt"]["m"]["beta"] = 0
        run.log({"val": {"x": 1}}, commit=False)
        run.log({"val": {"y": 2}})     # same step: nested dicts merge key by key
        run.finish()
        print(run.id)
    """).ok()
    st = stored_run(r.root, r.last_line())
    assert rows(st) == [{"_step": 0, "opt": {"lr": 1, "m": {"beta": 0.9}}, "list": [1, 2]},
                        {"_step": 1, "val": {"x": 1, "y": 2}}]
    assert st["summary"]["opt"] == {"lr": 1, "m": {"beta": 0.9}}
    assert st["summary"]["val"] == {"x": 1, "y": 2}


def test_lists_tuples_and_arrays_are_copied_at_log_time(run_script):
    import pytest

    pytest.importorskip("numpy")
    r = run_script("""
        import numpy as np, trackwell as tw
        run = tw.init(project="p", mode="offline")
        lst, nested, arr, tup = [1, 2], {"h": [[1], [2]]}, np.arange(3), ([5], 6)
        # commit=False keeps the row pending on the writer until a later call commits it, so anything
        # log() only referenced (instead of copying) would be seen in its mutated state
        run.log({"lst": lst, "nested": nested, "arr": arr, "tup": tup, "in_list": [lst, {"d": lst}]}, commit=False)
        lst.append(3)
        nested["h"][0].append(99)
        arr[:] = 7
        tup[0][0] = -1
        run.log({"later": 1})
        grow = []
        for i in range(3):             # the usual pattern: one list reused and grown between log() calls
            grow.append(i)
            run.log({"grow": grow})
        grow.clear()
        run.finish()
        print(run.id)
    """).ok()
    st = stored_run(r.root, r.last_line())
    assert rows(st) == [
        {"_step": 0, "lst": [1, 2], "nested": {"h": [[1], [2]]}, "arr": [0, 1, 2], "tup": [[5], 6],
         "in_list": [[1, 2], {"d": [1, 2]}], "later": 1},
        {"_step": 1, "grow": [0]}, {"_step": 2, "grow": [0, 1]}, {"_step": 3, "grow": [0, 1, 2]}]
    assert st["summary"]["lst"] == [1, 2] and st["summary"]["arr"] == [0, 1, 2] and st["summary"]["grow"] == [0, 1, 2]


def test_nan_and_infinity_round_trip(run_script):
    r = run_script("""
        import trackwell as tw
        run = tw.init(project="p", mode="offline")
        run.log({"a": float("nan"), "b": float("inf"), "c": float("-inf"), "n": {"d": [1.0, float("nan")]}})
        run.finish()
        print(run.id)
    """).ok()
    st = stored_run(r.root, r.last_line())
    row = st["history"][0]
    assert math.isnan(row["a"]) and row["b"] == math.inf and row["c"] == -math.inf
    assert row["n"]["d"][0] == 1.0 and math.isnan(row["n"]["d"][1])
    assert math.isnan(st["summary"]["a"]) and st["summary"]["b"] == math.inf
    if not JOURNAL:
        return
    raw = [rec for rec in st["records"] if rec["t"] == "history"][0]["data"]
    assert raw["a"] == {"$num": "NaN"} and raw["b"] == {"$num": "Infinity"} and raw["c"] == {"$num": "-Infinity"}


def test_unserialisable_value_is_dropped_with_a_warning_naming_the_key(run_script):
    r = run_script("""
        import trackwell as tw
        class Thing:
            pass
        run = tw.init(project="p", mode="offline")
        run.log({"good": 1, "bad_thing": Thing(), "nested": {"ok": 2, "obj": object()}})
        run.log({"good": 2, "bad_thing": Thing()})
        run.finish()
        print(run.id)
    """).ok()
    st = stored_run(r.root, r.last_line())
    # only the bad leaf of a nested dict is dropped: its siblings stay
    assert rows(st) == [{"_step": 0, "good": 1, "nested": {"ok": 2}}, {"_step": 1, "good": 2}]
    assert r.stderr.count("'bad_thing'") == 1
    assert "logged as 'nested.obj'" in r.stderr and "logged as 'nested'" not in r.stderr
    assert st["summary"]["nested"] == {"ok": 2} and "bad_thing" not in st["summary"]
    assert st["state"] == "finished"


def test_nested_bad_leaf_is_dropped_alone_and_the_warning_names_its_dotted_path(run_script):
    r = run_script("""
        import trackwell as tw
        run = tw.init(project="p", mode="offline")
        run.log({"a": {"ok": 1, "bad": object(), "b": {"c": 2, "worse": object()}, "only": {"bad": object()}},
                 "x": 1})
        run.log({"a": {"ok": 2, "bad": object()}})        # the same leaf again: no second warning
        run.summary["s"] = {"keep": 3, "bad": object()}
        run.finish()
        print(run.id)
    """).ok()
    st = stored_run(r.root, r.last_line())
    # a dict left empty by its dropped leaves ("a.only") is dropped too; everything else is kept
    assert rows(st) == [{"_step": 0, "a": {"ok": 1, "b": {"c": 2}}, "x": 1}, {"_step": 1, "a": {"ok": 2}}]
    warnings = [l for l in r.stderr.splitlines() if "dropped the value" in l]
    named = sorted(l.split("'")[1] for l in warnings)
    assert named == ["a.b.worse", "a.bad", "a.only.bad", "s.bad"], r.stderr
    w = [l for l in warnings if "'a.bad'" in l][0]
    assert "of type object cannot be serialised" in w          # what is wrong
    assert "the rest of the row is kept" in w                  # what happened to the rest
    assert "float(x)" in w and "x.tolist()" in w               # and what to do about it
    assert st["summary"]["s"] == {"keep": 3}
    assert st["summary"]["a"] == {"ok": 2, "b": {"c": 2}}


def test_item_and_tolist_values_become_numbers_and_lists(run_script):
    r = run_script("""
        import trackwell as tw
        class Scalar:              # like a numpy scalar / one-element tensor
            ndim = 0
            size = 1
            def item(self):
                return 2.5
        class Array:               # like a numpy array
            ndim = 1
            size = 3
            def tolist(self):
                return [1, 2, 3]
            def item(self):
                raise ValueError("more than one element")
        run = tw.init(project="p", mode="offline")
        run.log({"s": Scalar(), "a": Array(), "t": (1, 2)})
        run.finish()
        print(run.id)
    """).ok()
    st = stored_run(r.root, r.last_line())
    assert rows(st) == [{"_step": 0, "s": 2.5, "a": [1, 2, 3], "t": [1, 2]}]


def test_none_values_are_kept_in_history_but_not_in_the_summary(run_script):
    r = run_script("""
        import trackwell as tw
        run = tw.init(project="p", mode="offline")
        run.log({"x": 1})
        run.log({"x": None, "y": None})
        run.finish()
        print(run.id)
    """).ok()
    st = stored_run(r.root, r.last_line())
    assert rows(st) == [{"_step": 0, "x": 1}, {"_step": 1, "x": None, "y": None}]
    assert st["summary"] == {"x": 1}


def test_names_breaking_the_advisory_regex_are_stored_unchanged_with_one_warning(run_script):
    r = run_script("""
        import trackwell as tw
        run = tw.init(project="p", mode="offline")
        run.log({"loss-train": 1, "test acc": 2, "5_fold_cv": 3, "acc,val": 4, "train/loss": 5, "a/b/c": 6})
        run.log({"loss-train": 2})
        run.finish()
        print(run.id)
    """).ok()
    st = stored_run(r.root, r.last_line())
    assert rows(st)[0] == {"_step": 0, "loss-train": 1, "test acc": 2, "5_fold_cv": 3, "acc,val": 4, "train/loss": 5, "a/b/c": 6}
    assert r.stderr.count("advisory naming rule") == 1


def test_sections_are_the_text_before_the_last_slash(run_script):
    from trackwell.metrics import section

    assert section("train/loss") == "train"
    assert section("a/b/c") == "a/b"
    assert section("loss") is None
    r = run_script("""
        import trackwell as tw
        run = tw.init(project="p", mode="offline")
        run.log({"train/loss": 1, "a/b/c": 2})
        run.finish()
        print(run.id)
    """).ok()
    assert set(stored_run(r.root, r.last_line())["history"][0]) >= {"train/loss", "a/b/c"}


def test_log_on_a_finished_run_is_ignored_with_a_warning(run_script):
    r = run_script("""
        import trackwell as tw
        run = tw.init(project="p", mode="offline")
        run.log({"x": 1})
        run.finish()
        run.log({"x": 2})
        run.log({"x": 3})
        print(run.id)
    """).ok()
    assert rows(stored_run(r.root, r.last_line())) == [{"_step": 0, "x": 1}]
    assert r.stderr.count("is finished") == 1


def test_sync_argument_is_accepted_and_ignored(run_script):
    r = run_script("""
        import wandb
        run = wandb.init(project="p", mode="offline")
        wandb.log({"x": 1}, sync=False)
        run.log({"x": 2}, sync=True)
        run.finish()
        print(run.id)
    """).ok()
    assert [h["x"] for h in stored_run(r.root, r.last_line())["history"]] == [1, 2]
