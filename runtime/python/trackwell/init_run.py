"""`init()`: settings, validation, reinit, resume/fork, the launched run, and starting a Run.

Resume lookups ask the runtime (`GET /api/resume`) when it is reachable and fall back to replaying the
run's local journals (journal.replay_run), so resuming works offline too.
"""
import os
import re
import sys

from . import process
from .dataroot import (JOURNAL_FILE, default_project, ensure_dir, hostname, resolve_data_root, runs_dir, username)
from .errors import UsageError
from .journal import replay_run
from .names import generate_id, generate_name, validate_run_id
from .run_config import load_config_file, to_dict, unwrap_values
from .run_core import Run
from .sanitize import unmark
from .settings import Settings, settings_from_env
from .writer import warn

_MOMENT = re.compile(r"^([^?]+)\?_step=(\d+)$")


def init(entity=None, project=None, dir=None, id=None, name=None, notes=None, tags=None, config=None,
         config_exclude_keys=None, config_include_keys=None, allow_val_change=None, group=None, job_type=None,
         mode=None, force=None, anonymous=None, reinit=None, resume=None, resume_from=None, fork_from=None,
         save_code=None, tensorboard=None, sync_tensorboard=None, monitor_gym=None, settings=None):
    """Starts a run (see the W&B reference for the arguments) and returns it.

    Raises UsageError for invalid arguments (run id characters, resume combinations, unknown run for
    resume="must", existing run for resume="never"), ValueError for invalid tags."""
    s = _layered_settings(locals())
    # --- validation that needs no I/O -------------------------------------------------------------------
    if s.run_id is not None:
        validate_run_id(s.run_id)
    if config_include_keys and config_exclude_keys:
        raise UsageError("Expected at most one of config_include_keys and config_exclude_keys")
    moment_resume = _parse_moment(s.resume_from, "resume_from")
    moment_fork = _parse_moment(s.fork_from, "fork_from")
    if moment_resume or moment_fork:
        if resume is None and not _explicit(settings, "resume"):
            s._values["resume"] = None  # WANDB_RESUME from the environment does not apply to these
    given = [n for n, v in (("resume", s.resume), ("resume_from", moment_resume), ("fork_from", moment_fork)) if v]
    if len(given) > 1:
        raise UsageError("%s cannot be used together: pass only one of resume, resume_from and fork_from" % " and ".join(given))
    if moment_fork and s.run_id is not None and s.run_id == moment_fork[0]:
        raise UsageError("fork_from=%r: the new run's id must differ from the run it forks" % (s.fork_from,))
    if s.resume == "must" and not s.run_id:
        raise UsageError('resume="must" needs the id of the run to resume (id=... or WANDB_RUN_ID)')
    init_config = _init_config(config, config_include_keys, config_exclude_keys)

    # --- reinit --------------------------------------------------------------------------------------
    reinit_mode = s.reinit or "default"
    if reinit_mode == "default":
        reinit_mode = "return_previous"  # "finish_previous" only in notebooks
    active = [r for r in process.open_runs() if not r._implicit]
    if active:
        if reinit_mode == "return_previous":
            return active[-1]
        if reinit_mode == "finish_previous":
            for r in reversed(active):
                r.finish()
            active = []
    make_global = not (reinit_mode == "create_new" and active)

    implicit = process.implicit_run
    if implicit is not None and implicit._closed:
        implicit = None

    if s.mode == "disabled":
        run = Run(settings=s, run_id=s.run_id or generate_id(), project=s.project or default_project(),
                  entity=s.entity or username(), name=s.run_name or generate_name(), notes=s.run_notes,
                  tags=s.run_tags or (), group=s.run_group, job_type=s.run_job_type, sweep_id=s.sweep_id, mode="disabled")
        run.config._update(init_config.defaults, allow_val_change=True, emit=False)
        run.config._update(init_config.items, allow_val_change=True, emit=False)
        if implicit is not None:
            implicit._discard()
        process.register(run, make_global)
        return run

    if implicit is not None and s.resume == "auto" and not s.run_id:
        found = auto_resume_candidate(_data_root(), s.project or default_project(), _program())
        if found:
            s._values["run_id"] = found
    # A launched run is replaced only when init names another run (an id, or a run to resume or fork);
    # resume without anything to resume leaves a new run anyway, so the launched one is adopted.
    explicit = bool(s.run_id or moment_resume or moment_fork)
    if implicit is not None and (not explicit or (s.run_id == implicit.id and not (moment_resume or moment_fork))):
        run = _adopt(implicit, s, init_config)
        process.register(run, make_global)
        return run

    run = _new_run(s, moment_resume, moment_fork, init_config)
    if implicit is not None:
        if process.console_owner() is implicit and _console_kind(s) != "off":
            process.hand_over_console(implicit, run)  # with what it captured so far
        implicit._discard()
    process.register(run, make_global)
    if process.console_owner() is None and _console_kind(s) != "off":
        process.start_console(run, "redirect" if _console_kind(s) == "redirect" else "wrap")
    run._start_threads()
    _install_hooks()
    return run


def _layered_settings(args):
    s = Settings()
    s.update(settings_from_env())
    if process.setup_settings is not None:
        s.update(process.setup_settings)
    user = args.get("settings")
    if user is not None:
        if isinstance(user, (Settings, dict)):
            s.update(user)
        else:
            raise UsageError("settings must be a dict or a trackwell.Settings, got %s" % type(user).__name__)
    kw = {
        "entity": args["entity"], "project": args["project"], "run_id": args["id"], "run_name": args["name"],
        "run_notes": args["notes"], "run_tags": args["tags"], "run_group": args["group"],
        "run_job_type": args["job_type"], "mode": args["mode"], "reinit": args["reinit"],
        "resume_from": args["resume_from"], "fork_from": args["fork_from"],
        "allow_val_change": args["allow_val_change"], "save_code": args["save_code"], "force": args["force"],
        "anonymous": args["anonymous"], "sync_tensorboard": args["sync_tensorboard"] or args["tensorboard"],
        "root_dir": os.fspath(args["dir"]) if args["dir"] is not None else None,
    }
    s.update({k: v for k, v in kw.items() if v is not None})
    if args["resume"] is not None:
        s._set("resume", args["resume"])
    if args["tags"] is not None:
        s._set("run_tags", args["tags"])  # an explicit empty list clears tags from the environment
    return s


def _explicit(settings, key):
    if isinstance(settings, Settings):
        return key in settings.__dict__.get("_explicit_keys", ())
    return isinstance(settings, dict) and settings.get(key) is not None


def _parse_moment(value, what):
    """`"{run_id}?_step={N}"` (or an object with run/metric/value) -> (run_id, N)."""
    if value is None:
        return None
    if not isinstance(value, str):
        run, metric, val = getattr(value, "run", None), getattr(value, "metric", "_step"), getattr(value, "value", None)
        if run is None or metric != "_step" or val is None:
            raise UsageError("%s must look like \"<run id>?_step=<step>\"" % what)
        value = "%s?_step=%s" % (run, int(val))
    m = _MOMENT.match(value.strip())
    if not m:
        raise UsageError("%s=%r must look like \"<run id>?_step=<step>\" (only _step is supported)" % (what, value))
    validate_run_id(m.group(1), what)
    return m.group(1), int(m.group(2))


def _init_config(config, include, exclude):
    """The dict init() will set: config-defaults.yaml (if present), then `config`, include/exclude applied
    to the latter. Loaded before any file is created, so a bad path fails cleanly."""
    items = to_dict(config, "config")
    if include:
        keep = set(include)
        items = {k: v for k, v in items.items() if k in keep}
    if exclude:
        drop = set(exclude)
        items = {k: v for k, v in items.items() if k not in drop}
    defaults = {}
    path = os.path.join(os.getcwd(), "config-defaults.yaml")
    if os.path.isfile(path):
        try:
            defaults = load_config_file(path)
        except Exception as e:
            warn("could not load %s (%s); ignored" % (path, e))
    return _Layers(defaults, items)


class _Layers:
    def __init__(self, defaults, items):
        self.defaults = defaults
        self.items = items


def _sweep_params(s):
    path = s.sweep_param_path
    if not path:
        return {}
    try:
        return unwrap_values(load_config_file(path) if not path.endswith(".json") else _load_json(path))
    except Exception as e:
        warn("could not read the sweep parameters %s (%s)" % (path, e))
        return {}


def _load_json(path):
    import json

    with open(path, encoding="utf-8") as f:
        return json.load(f)


def _apply_config(run, s, layers, stored_config=None):
    cfg = run.config
    if stored_config:
        cfg._update(stored_config, allow_val_change=True)
    params = _sweep_params(s)
    if params:
        cfg._update(params, allow_val_change=True, lock_by="sweep")
    if isinstance(layers, _Layers):
        if layers.defaults:
            cfg._update(layers.defaults, allow_val_change=True)
        if layers.items:
            cfg._update(layers.items, allow_val_change=True)  # init's config may override defaults/stored
    object.__setattr__(cfg, "_allow_default", bool(s.allow_val_change))


def _console_kind(s):
    c = s.console or "auto"
    if c == "off":
        return "off"
    if c == "redirect":
        return "redirect"
    return "wrap"


_hooks_installed = False


def _install_hooks():
    global _hooks_installed
    from . import exit_hooks

    exit_hooks.install(process.finish_all)
    if not _hooks_installed:
        _hooks_installed = True
        exit_hooks.on_fork(process.reset_after_fork)


def _data_root():
    root = resolve_data_root()
    try:
        ensure_dir(root)
        ensure_dir(runs_dir(root))
    except OSError as e:
        import tempfile

        fallback = tempfile.mkdtemp(prefix="trackwell-")
        warn("cannot create the data root %s (%s); recording to %s instead" % (root, e, fallback))
        root = fallback
        ensure_dir(runs_dir(root))
    return root


# --- lookups --------------------------------------------------------------------------------------------


def lookup_run(project, run_id, data_root, mode, extra_roots=()):
    """What is stored about `project/run_id`: from the runtime if it answers, else from local journals."""
    if mode == "online":
        from .transport import RuntimeClient, RuntimeError_, candidates

        for found in candidates(data_root):  # $TRACKWELL_RUNTIME, then runtime.json if that one is gone
            try:
                client = RuntimeClient(*found)
            except RuntimeError_:
                continue
            try:
                info = client.resume_info(project, run_id)
            except RuntimeError_:
                continue
            finally:
                client.close()
            if info.get("exists"):
                return {
                    "state": info.get("state"), "last_step": info.get("last_step"),
                    "last_runtime": info.get("last_runtime"), "config": unmark(info.get("config") or {}),
                    "summary": unmark(info.get("summary") or {}), "tags": info.get("tags"),
                    "name": info.get("name"), "notes": info.get("notes"), "group": info.get("group"),
                    "job_type": info.get("job_type"),
                }
            break
    st = replay_run(data_root, run_id, project, extra_roots=extra_roots)
    if st is None:
        return None
    run = st["run"]
    return {
        "state": st["state"], "last_step": st["last_step"], "last_runtime": st["last_runtime"],
        "config": st["config"], "summary": st["summary"], "tags": run.get("tags"), "name": run.get("name"),
        "notes": run.get("notes"), "group": run.get("group"), "job_type": run.get("job_type"),
        "pid": run.get("pid"), "host": run.get("host"),
    }


def auto_resume_candidate(data_root, project, program):
    """resume="auto" without an id: the run to resume, or None.

    Looks at the most recent journal in this data root that was recorded on this host by the same
    program (the script's absolute path, from the `meta` record) in the same project. If that run ended
    failed or killed, or never ended and its process is gone (crashed), it is resumed; if it finished,
    or its process is still alive, a new run starts. Older runs of the program are not considered:
    like W&B's resume file, only the last run counts."""
    if not program:
        return None
    rd = runs_dir(data_root)
    try:
        dirs = sorted(os.listdir(rd), reverse=True)[:500]
    except OSError:
        return None
    host = hostname()
    for d in dirs:
        head = _journal_head(os.path.join(rd, d, JOURNAL_FILE))
        if not head or head[0].get("t") != "run" or head[0].get("host") != host:
            continue
        if head[0].get("pid") == os.getpid():
            continue  # this process's own (launched) run
        meta = next((r for r in head if r.get("t") == "meta"), None)
        if not meta or (meta.get("program") or {}).get("path") != program:
            continue
        run_id = head[0].get("id")
        st = replay_run(data_root, run_id)
        if st is None:
            continue  # a discarded launched run
        if st.get("project") != project:
            continue
        state = st["state"]
        if state == "running":
            pid = st["run"].get("pid")
            if pid and st["run"].get("host") == host and _pid_alive(pid):
                return None
            return run_id
        return run_id if state in ("failed", "killed", "crashed") else None
    return None


def _journal_head(path, n=6):
    try:
        with open(path, "rb") as f:
            data = f.read(256 * 1024)
    except OSError:
        return None
    lines = data.split(b"\n")[:n]
    from .journal import _parse_line

    out = []
    for line in lines:
        rec = _parse_line(line)
        if isinstance(rec, dict):
            out.append(rec)
    return out


def _pid_alive(pid):
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    try:
        with open("/proc/%d/stat" % pid) as f:
            stat = f.read()
        return stat[stat.rfind(")") + 2] not in "ZX"
    except OSError:
        return True


def _program():
    prog = sys.argv[0] if sys.argv else None
    if prog and prog not in ("-c", "-m", "") and os.path.exists(prog):
        return os.path.abspath(prog)
    return None


# --- making runs -----------------------------------------------------------------------------------------


def _new_run(s, moment_resume, moment_fork, layers):
    project = s.project or default_project()
    data_root = _data_root()
    if s.root_dir:
        base = os.path.join(os.path.abspath(s.root_dir), "trackwell")
        extra = (base,)
    else:
        base = runs_dir(data_root)
        extra = ()
    mode = s.mode or "online"
    run_id = s.run_id
    stored = None
    resumed = False
    start_step, offset = 0, 0.0
    resume_from_step = fork = None
    if moment_resume:
        run_id, step = moment_resume
        stored = lookup_run(project, run_id, data_root, mode, extra)
        if stored is None:
            raise UsageError("resume_from=%r: run %s does not exist in project %s" % (s.resume_from, run_id, project))
        resumed, resume_from_step, start_step = True, step, step + 1
        offset = stored.get("last_runtime") or 0.0
    elif moment_fork:
        src, step = moment_fork
        source = lookup_run(project, src, data_root, mode, extra)
        if source is None:
            raise UsageError("fork_from=%r: run %s does not exist in project %s" % (s.fork_from, src, project))
        run_id = run_id or generate_id()
        fork, start_step = {"run": src, "step": step}, step + 1
        stored = {"config": source.get("config") or {}, "summary": {}}
    else:
        if s.resume == "auto" and not run_id:
            run_id = auto_resume_candidate(data_root, project, _program())
        if run_id:
            stored = lookup_run(project, run_id, data_root, mode, extra)
        if s.resume == "must" and stored is None:
            raise UsageError('resume="must" but run %s does not exist in project %s' % (run_id, project))
        if s.resume == "never" and stored is not None:
            raise UsageError('resume="never" but run %s already exists in project %s; use another id' % (run_id, project))
        if stored is not None:
            if not s.resume:
                warn("run %s already exists in project %s; continuing it (pass resume=\"allow\" to say so, "
                     "or another id for a new run)" % (run_id, project))
            resumed = True
            last = stored.get("last_step")
            start_step = last + 1 if isinstance(last, int) else 0
            offset = stored.get("last_runtime") or 0.0
        run_id = run_id or generate_id()
    stored = stored or {}
    tags = s.run_tags if s.run_tags is not None else tuple(stored.get("tags") or ()) if resumed else ()
    run = Run(
        settings=s, run_id=run_id, project=project, entity=s.entity or username(),
        name=s.run_name or (stored.get("name") if resumed else None) or generate_name(),
        notes=s.run_notes if s.run_notes is not None else (stored.get("notes") if resumed else None),
        tags=tags, group=s.run_group or (stored.get("group") if resumed else None),
        job_type=s.run_job_type or (stored.get("job_type") if resumed else None), sweep_id=s.sweep_id, mode=mode,
        data_root=data_root, base_dir=base, resumed=resumed, start_step=start_step, runtime_offset=offset,
        resume_from_step=resume_from_step, fork_from=fork, stored_summary=stored.get("summary") if resumed else None,
    )
    _apply_config(run, s, layers, stored.get("config"))
    return run


def _adopt(run, s, layers):
    """The first init() in a launched process takes over the run `trackwell run` started."""
    run._implicit = False
    run._keep_console = None
    run._settings = s
    if s.project:
        run._project = s.project
    if s.entity:
        run._entity = s.entity
    if s.run_name:
        run._name = s.run_name
    if s.run_notes is not None:
        run._notes = s.run_notes
    if s.run_tags is not None:
        run._tags = tuple(s.run_tags)
    if s.run_group:
        run._group = s.run_group
    if s.run_job_type:
        run._job_type = s.run_job_type
    if s.sweep_id:
        run._sweep_id = s.sweep_id
    if s.mode == "offline" and run._mode != "offline":
        run._mode = "offline"
        if run._sender is not None:
            sender, run._sender = run._sender, None
            sender.finish(timeout=1.0)
    run._emit_run()
    if run._collector is not None:
        run._collector.reconfigure(s)  # save_code, disable_git, env_capture... from the script's own init
    _apply_config(run, s, layers)
    if _console_kind(s) == "off":
        process.release_console(run)
    return run


def start_launched(launch_id):
    """Called by the `_launch` sitecustomize: a run for the whole process, before the script runs.

    It is not `wandb.run` until an init() adopts it; without one it still records the console and how
    the process ended."""
    s = Settings()
    s.update(settings_from_env())
    if s.mode == "disabled":
        return None
    validate_run_id(launch_id, "launch id")
    data_root = _data_root()
    run = Run(settings=s, run_id=launch_id, project=s.project or default_project(), entity=s.entity or username(),
              name=s.run_name or generate_name(), notes=s.run_notes, tags=s.run_tags or (), group=s.run_group,
              job_type=s.run_job_type, sweep_id=s.sweep_id, mode=s.mode or "online", data_root=data_root,
              base_dir=runs_dir(data_root), launch_id=launch_id, implicit=True)
    run._keep_console = [0, []]
    _apply_config(run, s, None)
    process.implicit_run = run
    if _console_kind(s) != "off":
        process.start_console(run, "redirect")
    run._start_threads()
    _install_hooks()
    return run
