"""`run.config` (W&B's `wandb.Config`). Named run_config so `trackwell.config` stays the live config.

Rules: keys lose leading/trailing `-` (argparse style); setting a key that already holds a different
value raises ConfigError unless allow_val_change (per call, or from init/settings); keys locked by a
sweep keep their value with a warning. Every effective change is sent as a `config` record holding
only the changed keys.
"""
import json
import os
import sys
import threading

from . import sanitize
from .errors import ConfigError, UsageError


def _warn(msg):
    try:
        sys.stderr.write("trackwell: WARNING %s\n" % msg)
    except Exception:
        pass


def _clean_key(key):
    if not isinstance(key, str):
        raise UsageError("Config keys must be strings, got %r" % (key,))
    k = key.strip("-")
    if not k:
        raise UsageError("Config key %r is empty once leading/trailing '-' are removed" % (key,))
    return k


def to_dict(obj, what="config"):
    """A dict from a dict, an argparse.Namespace, absl FLAGS or a YAML path (str/PathLike)."""
    if obj is None:
        return {}
    if isinstance(obj, dict):
        return dict(obj)
    argparse = sys.modules.get("argparse")  # a Namespace implies argparse is already imported
    if argparse is not None and isinstance(obj, argparse.Namespace):
        return dict(vars(obj))
    if isinstance(obj, (str, os.PathLike)):
        return load_config_file(os.fspath(obj))
    fvd = getattr(obj, "flag_values_dict", None)  # absl.flags.FLAGS
    if callable(fvd):
        return dict(fvd())
    if hasattr(obj, "keys") and hasattr(obj, "__getitem__"):
        return {k: obj[k] for k in obj.keys()}
    if hasattr(obj, "__dict__") and not isinstance(obj, type):
        return {k: v for k, v in vars(obj).items() if not k.startswith("_")}
    raise UsageError("%s must be a dict, an argparse.Namespace, absl FLAGS or the path of a YAML file; got %s"
                     % (what, type(obj).__name__))


def load_config_file(path):
    """YAML (or JSON) config file. W&B's `key: {desc: ..., value: v}` form yields `key: v`."""
    from .yaml_lite import load_yaml

    if not os.path.exists(path):
        raise UsageError("Config file %s does not exist" % path)
    if path.endswith(".json"):
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    else:
        data = load_yaml(path)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UsageError("Config file %s must hold a mapping at the top level" % path)
    return unwrap_values(data)


def unwrap_values(data):
    out = {}
    for k, v in data.items():
        if k in ("wandb_version", "_wandb"):
            continue
        if isinstance(v, dict) and "value" in v and set(v) <= {"value", "desc"}:
            v = v["value"]
        out[k] = v
    return out


class Config:
    """Dict-like with attribute access. Reads are plain; changes are checked and journaled."""

    def __init__(self):
        object.__setattr__(self, "_items", {})
        object.__setattr__(self, "_locked", {})  # key -> who locked it ("sweep")
        object.__setattr__(self, "_allow_default", False)
        object.__setattr__(self, "_emit", None)  # callable(update_dict, locked_keys) or None
        object.__setattr__(self, "_lock", threading.RLock())

    # --- changes -------------------------------------------------------------------------------
    def update(self, d=None, allow_val_change=None, **kwargs):
        """Sets keys from a dict/Namespace/YAML path; raises ConfigError on a changed value."""
        items = to_dict(d)
        items.update(kwargs)
        self._update(items, allow_val_change)

    def _update(self, items, allow_val_change=None, lock_by=None, emit=True):
        allow = self._allow_default if allow_val_change is None else allow_val_change
        changed = {}
        with self._lock:
            for raw_key, value in items.items():
                key = _clean_key(raw_key)
                if lock_by is None and key in self._locked:
                    if key in self._items and not _same(self._items[key], value):
                        _warn("Config item '%s' was locked by '%s' (ignored update)." % (key, self._locked[key]))
                    continue
                if key in self._items:
                    old = self._items[key]
                    if _same(old, value):
                        continue
                    if not allow and lock_by is None:
                        raise ConfigError(
                            'Attempted to change value of key "%s" from %r to %r. If you really want to do this, '
                            "pass allow_val_change=True to config.update() (or to init())." % (key, old, value)
                        )
                self._items[key] = value
                changed[key] = value
                if lock_by is not None:
                    self._locked[key] = lock_by
            if changed and emit and self._emit is not None:
                self._emit(_jsonable(changed), sorted(changed) if lock_by else None)
        return changed

    def setdefaults(self, d):
        """Sets only the keys that are not set yet."""
        items = to_dict(d)
        with self._lock:
            missing = {k: v for k, v in items.items() if _clean_key(k) not in self._items}
        self._update(missing)

    def persist(self):
        """W&B API: config is always persisted here; kept for compatibility."""

    # --- reads -----------------------------------------------------------------------------------
    def as_dict(self):
        with self._lock:
            return dict(self._items)

    def keys(self):
        return self.as_dict().keys()

    def items(self):
        return self.as_dict().items()

    def values(self):
        return self.as_dict().values()

    def get(self, key, default=None):
        return self._items.get(key, default)

    def __getitem__(self, key):
        return self._items[key]

    def __setitem__(self, key, value):
        self._update({key: value})

    def __delitem__(self, key):
        raise UsageError("Config keys cannot be deleted")

    def __getattr__(self, key):
        if key.startswith("__"):
            raise AttributeError(key)
        try:
            return self.__dict__["_items"][key]
        except KeyError:
            raise AttributeError("config has no key %r" % (key,)) from None

    def __setattr__(self, key, value):
        if key.startswith("_"):
            object.__setattr__(self, key, value)
        else:
            self._update({key: value})

    def __contains__(self, key):
        return key in self._items

    def __iter__(self):
        return iter(self.as_dict())

    def __len__(self):
        return len(self._items)

    def __repr__(self):
        return repr(self.as_dict())

    def __eq__(self, other):
        if isinstance(other, Config):
            return self.as_dict() == other.as_dict()
        return isinstance(other, dict) and self.as_dict() == other

    __hash__ = None


def _same(a, b):
    try:
        return bool(a == b)
    except Exception:  # e.g. numpy arrays: ambiguous truth value
        return a is b


def _jsonable(update):
    """Config values as JSON trees; what cannot be represented is stored as its str()."""
    out = {}
    for k, v in update.items():
        try:
            out[k] = sanitize.normalize(v)
        except sanitize.Unserializable:
            out[k] = str(v)
    return out


class PreInitObject:
    """`wandb.config`/`wandb.summary` before init: any use raises wandb.Error, as in W&B."""

    def __init__(self, name):
        object.__setattr__(self, "_name", name)

    def _err(self, what):
        from .errors import Error

        return Error("You must call wandb.init() before %s%s" % (self._name, what))

    def __getitem__(self, key):
        raise self._err("[%r]" % (key,))

    def __setitem__(self, key, value):
        raise self._err("[%r]" % (key,))

    def __setattr__(self, key, value):
        if key.startswith("_"):
            object.__setattr__(self, key, value)
        else:
            raise self._err("." + key)

    def __getattr__(self, key):
        if key.startswith("_"):
            raise AttributeError(key)
        raise self._err("." + key)

    def __repr__(self):
        return "<%s before wandb.init()>" % self._name
