"""Trackwell's Python client: the W&B SDK API, recorded locally.

    import trackwell as tw          # or `import wandb` under `trackwell run`
    run = tw.init(project="mnist", config={"lr": 0.01})
    run.log({"loss": 0.5})
    run.finish()

`trackwell.run`, `trackwell.config` and `trackwell.summary` always reflect the current run (they are
looked up on access). Only the standard library is required.
"""
from . import errors
from .errors import AuthenticationError, CommError, ConfigError, Error, UsageError
from .init_run import init
from .metrics import Metric
from .run_config import Config, PreInitObject
from .run_core import Run
from .run_summary import Summary
from .settings import Settings

__version__ = "0.1.0"

__all__ = [
    "init", "log", "log_code", "finish", "define_metric", "login", "setup", "teardown", "mark_preempting", "watch", "unwatch",
    "Run", "Settings", "Config", "Summary", "Metric", "Error", "UsageError", "CommError", "ConfigError",
    "AuthenticationError", "errors", "run", "config", "summary", "__version__", "sweep", "agent", "controller",
]


def _current():
    from . import process

    return process.global_run


def __getattr__(name):
    # PEP 562: run/config/summary follow the current run (module attributes cannot be properties).
    if name == "run":
        return _current()
    if name in ("config", "summary"):
        r = _current()
        if r is None:
            return PreInitObject("wandb." + name)
        return getattr(r, name)
    if name in ("sweep", "agent", "controller"):
        from . import sweeps  # on first use: it imports the HTTP client, which init() avoids

        return getattr(sweeps, name)
    raise AttributeError("module %r has no attribute %r" % (__name__, name))


def log(data, step=None, commit=None, sync=None):
    """Logs to the current run; raises Error before init (as W&B does)."""
    r = _current()
    if r is None:
        raise Error("You must call wandb.init() before wandb.log()")
    r.log(data, step, commit)


def log_code(root=".", name=None, include_fn=None, exclude_fn=None):
    """`run.log_code` on the current run: stores a snapshot of the code under `root` (default: *.py files)."""
    r = _current()
    if r is None:
        raise Error("You must call wandb.init() before wandb.log_code()")
    return r.log_code(root, name, include_fn, exclude_fn)


def define_metric(name, step_metric=None, step_sync=None, hidden=None, summary=None, goal=None, overwrite=None):
    r = _current()
    if r is None:
        raise Error("You must call wandb.init() before wandb.define_metric()")
    return r.define_metric(name, step_metric, step_sync, hidden, summary, goal, overwrite)


def finish(exit_code=None, quiet=None):
    """Finishes the current run (no-op without one)."""
    r = _current()
    if r is not None:
        r.finish(exit_code=exit_code, quiet=quiet)


def mark_preempting():
    r = _current()
    if r is None:
        raise Error("You must call wandb.init() before wandb.mark_preempting()")
    r.mark_preempting()


def login(anonymous=None, key=None, relogin=None, host=None, force=None, timeout=None, verify=False, referrer=None):
    """No accounts locally: accepts anything, never prompts, returns True."""
    return True


class _Setup:
    def __init__(self, settings):
        self.settings = settings


def setup(settings=None):
    """Process-wide settings for later init() calls; project/entity/mode/group/job type are also exported
    to the environment so child processes inherit them (W&B's setup changes os.environ too)."""
    import os

    from . import process

    s = Settings()
    if settings is not None:
        s.update(settings)
    process.setup_settings = s
    exported = {"project": "WANDB_PROJECT", "entity": "WANDB_ENTITY", "mode": "WANDB_MODE",
                "run_group": "WANDB_RUN_GROUP", "run_job_type": "WANDB_JOB_TYPE"}
    for key, env in exported.items():
        v = s._explicit().get(key)
        if v:
            os.environ[env] = str(v)
    return _Setup(s)


def teardown(exit_code=None):
    """Finishes every open run and waits for their data."""
    from . import process

    code = 0 if exit_code is None else exit_code
    for r in reversed(process.open_runs()):
        if not r._implicit:
            r.finish(exit_code=code)


def watch(*args, **kwargs):
    r = _current()
    if r is not None:
        r.watch(*args, **kwargs)


def unwatch(*args, **kwargs):
    r = _current()
    if r is not None:
        r.unwatch(*args, **kwargs)
