"""`Settings`: the W&B settings object, reduced to what a local client uses.

Precedence (lowest first): defaults, environment variables, `setup(settings=...)`, the `settings`
argument of `init`, then `init`'s own keyword arguments. Unknown keys (e.g. W&B's `x_*` internals) are
accepted and kept, so scripts written for W&B do not fail on settings we ignore.
"""
import os

from .errors import UsageError

_DEFAULTS = {
    "allow_offline_artifacts": True,
    "allow_val_change": False,
    "anonymous": None,
    "api_key": None,
    "base_url": "http://127.0.0.1",
    "code_dir": None,
    "config_paths": None,
    "console": "auto",
    "disable_code": False,
    "disable_git": False,
    "email": None,
    "entity": None,
    "env_capture": (),
    "organization": None,
    "force": False,
    "fork_from": None,
    "git_remote": "origin",
    "heartbeat_seconds": 5,
    "host": None,
    "ignore_globs": (),
    "init_timeout": 90.0,
    "job_type": None,
    "mode": "online",
    "program": None,
    "project": None,
    "quiet": False,
    "reinit": "default",
    "resume": None,
    "resume_from": None,
    "resumed": False,
    "root_dir": None,
    "run_group": None,
    "run_id": None,
    "run_job_type": None,
    "run_name": None,
    "run_notes": None,
    "run_tags": None,
    "save_code": None,
    "show_errors": True,
    "show_info": True,
    "show_warnings": True,
    "silent": False,
    "summary_timeout": 60,
    "sweep_id": None,
    "sweep_param_path": None,
    "sync_tensorboard": None,
    "table_raise_on_max_row_limit_exceeded": False,
    "username": None,
    "x_label": None,
    "x_primary": True,
    "x_update_finish_state": True,
    # filled in by init once the run exists (W&B's computed settings)
    "files_dir": None,
    "sync_dir": None,
    "sync_file": None,
    "data_root": None,
    "launch_id": None,
}

MODES = ("online", "offline", "disabled")
_LEGACY_MODES = {"dryrun": "offline", "run": "online", "shared": "online"}
CONSOLE_MODES = ("auto", "off", "wrap", "redirect", "wrap_raw", "wrap_emu")
REINIT_MODES = ("default", "return_previous", "finish_previous", "create_new")
RESUME_MODES = ("allow", "never", "must", "auto")


def normalize_mode(mode):
    """Legacy `dryrun`/`run` map to offline/online; `shared` is recorded as online (one process per journal)."""
    if mode is None:
        return None
    m = str(mode).strip().lower()
    m = _LEGACY_MODES.get(m, m)
    if m not in MODES:
        raise UsageError("Invalid mode %r: use one of online, offline, disabled" % (mode,))
    return m


def normalize_reinit(value):
    if value is None:
        return None
    if value is True:
        return "finish_previous"
    if value is False:
        return "return_previous"
    if value not in REINIT_MODES:
        raise UsageError("Invalid reinit %r: use one of %s, True or False" % (value, ", ".join(REINIT_MODES)))
    return value


def normalize_resume(value):
    """True means "auto", False means unset (both deprecated in W&B)."""
    if value is None or value is False:
        return None
    if value is True:
        return "auto"
    if isinstance(value, str) and value.lower() in RESUME_MODES:
        return value.lower()
    raise UsageError("Invalid resume %r: use one of allow, never, must, auto (or True/False)" % (value,))


def _env_bool(v):
    return str(v).strip().lower() in ("1", "true", "yes", "on")


def settings_from_env(environ=None):
    """The WANDB_* (and TRACKWELL_*) variables init honours, as settings keys."""
    env = os.environ if environ is None else environ
    out = {}

    def first(*names):
        for n in names:
            v = env.get(n)
            if v not in (None, ""):
                return v
        return None

    pairs = {
        "project": ("TRACKWELL_PROJECT", "WANDB_PROJECT"),
        "entity": ("TRACKWELL_ENTITY", "WANDB_ENTITY"),
        "mode": ("TRACKWELL_MODE", "WANDB_MODE"),
        "run_id": ("TRACKWELL_RUN_ID", "WANDB_RUN_ID"),
        "run_name": ("TRACKWELL_NAME", "WANDB_NAME"),
        "run_notes": ("TRACKWELL_NOTES", "WANDB_NOTES"),
        "run_group": ("TRACKWELL_RUN_GROUP", "WANDB_RUN_GROUP"),
        "run_job_type": ("TRACKWELL_JOB_TYPE", "WANDB_JOB_TYPE"),
        "resume": ("TRACKWELL_RESUME", "WANDB_RESUME"),
        "console": ("TRACKWELL_CONSOLE", "WANDB_CONSOLE"),
        "sweep_id": ("TRACKWELL_SWEEP_ID", "WANDB_SWEEP_ID"),
        "sweep_param_path": ("TRACKWELL_SWEEP_PARAM_PATH", "WANDB_SWEEP_PARAM_PATH"),
    }
    for key, names in pairs.items():
        v = first(*names)
        if v is not None:
            out[key] = v
    tags = first("TRACKWELL_TAGS", "WANDB_TAGS")
    if tags is not None:
        out["run_tags"] = tuple(t.strip() for t in tags.split(",") if t.strip())
    capture = first("TRACKWELL_CAPTURE_ENV")
    if capture is not None:
        out["env_capture"] = tuple(n.strip() for n in capture.split(",") if n.strip())
    bools = {"silent": ("WANDB_SILENT",), "quiet": ("WANDB_QUIET",),
             "save_code": ("TRACKWELL_SAVE_CODE", "WANDB_SAVE_CODE"),
             "disable_code": ("TRACKWELL_DISABLE_CODE", "WANDB_DISABLE_CODE"),
             "disable_git": ("TRACKWELL_DISABLE_GIT", "WANDB_DISABLE_GIT")}
    for key, names in bools.items():
        v = first(*names)
        if v is not None:
            out[key] = _env_bool(v)
    if env.get("WANDB_DISABLED") and _env_bool(env["WANDB_DISABLED"]):
        out["mode"] = "disabled"
    return out


def stats_settings(s):
    """The run record's `stats`: the system-metrics settings the runtime's sampler reads (runs.stats), from
    W&B's `x_stats_sampling_interval` (seconds), `x_stats_disk_paths` and `x_disable_stats`; None if unset."""
    v = s._values
    out = {}
    if v.get("x_stats_sampling_interval") is not None:
        out["sampling_interval"] = v["x_stats_sampling_interval"]
    if v.get("x_stats_disk_paths") is not None:
        out["disk_paths"] = list(v["x_stats_disk_paths"])
    if v.get("x_disable_stats") is not None:
        out["disabled"] = bool(v["x_disable_stats"])
    return out or None


def _stats_value(key, value):
    if key == "x_stats_disk_paths":
        if isinstance(value, str):
            return (value,)
        try:
            return tuple(str(p) for p in value)
        except TypeError:
            raise UsageError("x_stats_disk_paths must be a list of paths, got %r" % (value,)) from None
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = -1.0
    if not seconds > 0:
        raise UsageError("x_stats_sampling_interval must be a positive number of seconds, got %r" % (value,))
    return seconds


class Settings:
    """Attribute bag with W&B's setting names. `run.settings` is a frozen copy."""

    def __init__(self, **kwargs):
        object.__setattr__(self, "_frozen", False)
        object.__setattr__(self, "_values", dict(_DEFAULTS))
        self.update(kwargs)

    # --- mapping-ish API -------------------------------------------------------------------------
    def update(self, settings=None, **kwargs):
        """Merges a dict, another Settings, or keywords; None values in a dict do not override."""
        if self._frozen:
            raise UsageError("Settings of a running run are frozen")
        items = {}
        if isinstance(settings, Settings):
            items.update(settings._explicit())
        elif settings:
            items.update(dict(settings))
        items.update(kwargs)
        for k, v in items.items():
            if v is None and self._values.get(k) is not None:
                continue  # "not given" never clears a value from a lower layer
            self._set(k, v)
        return self

    def _set(self, key, value):
        if key == "mode" and value is not None:
            value = normalize_mode(value)
        elif key == "console" and value is not None:
            if value not in CONSOLE_MODES:
                raise UsageError("Invalid console %r: use one of %s" % (value, ", ".join(CONSOLE_MODES)))
        elif key == "reinit" and value is not None:
            value = normalize_reinit(value)
        elif key == "resume":
            value = normalize_resume(value)
        elif key in ("x_stats_sampling_interval", "x_stats_disk_paths") and value is not None:
            value = _stats_value(key, value)
        elif key == "run_tags" and value is not None:
            from .run_core import validate_tags  # late: run_core imports this module

            value = validate_tags(value)
        self._values[key] = value
        explicit = self.__dict__.setdefault("_explicit_keys", set())
        explicit.add(key)

    def _explicit(self):
        return {k: self._values[k] for k in self.__dict__.get("_explicit_keys", ())}

    def to_dict(self):
        d = dict(self._values)
        d["run_mode"] = self.run_mode
        return d

    def copy(self):
        s = Settings()
        s._values.update(self._values)
        s.__dict__["_explicit_keys"] = set(self.__dict__.get("_explicit_keys", ()))
        return s

    def freeze(self):
        object.__setattr__(self, "_frozen", True)
        return self

    def is_frozen(self):
        return self._frozen

    # --- computed settings -------------------------------------------------------------------------
    @property
    def run_mode(self):
        return "offline-run" if self._values.get("mode") == "offline" else "run"

    @property
    def _offline(self):
        return self._values.get("mode") == "offline"

    @property
    def _noop(self):
        return self._values.get("mode") == "disabled"

    @property
    def is_local(self):
        return True

    # --- attribute access ----------------------------------------------------------------------------
    def __getattr__(self, name):
        values = self.__dict__.get("_values")
        if values is not None and name in values:
            return values[name]
        raise AttributeError("Settings has no attribute %r" % (name,))

    def __setattr__(self, name, value):
        if self._frozen:
            raise UsageError("Settings of a running run are frozen; pass settings to init() instead")
        self._set(name, value)

    def __getitem__(self, name):
        try:
            return self._values[name]
        except KeyError:
            raise KeyError(name) from None

    def __contains__(self, name):
        return name in self._values

    def keys(self):
        return self._values.keys()

    def __repr__(self):
        shown = {k: v for k, v in self._values.items() if v not in (None, (), False) or k in ("mode",)}
        return "Settings(%s)" % ", ".join("%s=%r" % kv for kv in sorted(shown.items()))
