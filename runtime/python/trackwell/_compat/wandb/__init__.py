"""`import wandb` for unmodified W&B scripts: the very same objects as `trackwell`.

This folder (`trackwell/_compat`, no __init__.py) is put on PYTHONPATH by `trackwell run`, so it
shadows a real wandb install only for tracked runs. `wandb.run`, `wandb.config` and `wandb.summary`
follow the current run.
"""
import trackwell as _tw
from trackwell import (
    AuthenticationError, CommError, Config, ConfigError, Error, Metric, Run, Settings, Summary, UsageError,
    __version__, define_metric, finish, init, log, log_code, login, mark_preempting, setup, teardown, unwatch, watch,
)

from . import errors

__all__ = [
    "AuthenticationError", "CommError", "Config", "ConfigError", "Error", "Metric", "Run", "Settings", "Summary",
    "UsageError", "__version__", "define_metric", "finish", "init", "log", "log_code", "login", "mark_preempting", "setup",
    "teardown", "unwatch", "watch", "errors", "run", "config", "summary", "sweep", "agent", "controller",
]


def __getattr__(name):
    # PEP 562: the current run, its config and summary, looked up on every access; sweeps imported on first use.
    if name in ("run", "config", "summary", "sweep", "agent", "controller"):
        return getattr(_tw, name)
    raise AttributeError("module 'wandb' has no attribute %r (not provided by trackwell's wandb compatibility module)" % (name,))
