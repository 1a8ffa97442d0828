"""`run.summary` (W&B's `wandb.Summary`). Named run_summary so `trackwell.summary` stays the live summary.

The values live on the writer thread (it folds logged rows into them); every read first waits until
the writer has applied everything logged before it, so a read reflects all earlier `log` calls. A key
set here by hand is never again changed by `log`.
"""
import copy


class Summary:
    def __init__(self, backend):
        object.__setattr__(self, "_backend", backend)

    # --- writes (applied in order with log calls) ---------------------------------------------------
    def __setitem__(self, key, value):
        self.update({key: value})

    def update(self, d=None, **kwargs):
        items = dict(d or {})
        items.update(kwargs)
        for k in items:
            if not isinstance(k, str):
                raise ValueError("Summary keys must be strings, got %r" % (k,))
        if items:
            self._backend.summary_set(items)

    def __delitem__(self, key):
        if key not in self:
            raise KeyError(key)
        self._backend.summary_delete(key)

    def pop(self, key, *default):
        if key in self:
            v = self[key]
            del self[key]
            return v
        if default:
            return default[0]
        raise KeyError(key)

    # --- reads ---------------------------------------------------------------------------------------
    def _snapshot(self):
        return self._backend.summary_snapshot()

    def __getitem__(self, key):
        return copy.deepcopy(self._snapshot()[key])

    def get(self, key, default=None):
        snap = self._snapshot()
        return copy.deepcopy(snap[key]) if key in snap else default

    def keys(self):
        return list(self._snapshot().keys())

    def items(self):
        return list(copy.deepcopy(self._snapshot()).items())

    def values(self):
        return list(copy.deepcopy(self._snapshot()).values())

    def as_dict(self):
        return copy.deepcopy(self._snapshot())

    _as_dict = as_dict

    def __contains__(self, key):
        return key in self._snapshot()

    def __iter__(self):
        return iter(self.keys())

    def __len__(self):
        return len(self._snapshot())

    def __repr__(self):
        return repr(self._snapshot())

    def __getattr__(self, key):
        if key.startswith("_"):
            raise AttributeError(key)
        snap = self._snapshot()
        if key in snap:
            return copy.deepcopy(snap[key])
        raise AttributeError("summary has no key %r" % (key,))

    def __setattr__(self, key, value):
        if key.startswith("_"):
            object.__setattr__(self, key, value)
        else:
            self[key] = value

    def __delattr__(self, key):
        del self[key]


class LocalSummaryBackend:
    """A disabled run's summary: a plain dict, nothing recorded."""

    def __init__(self):
        self.values = {}

    def summary_set(self, items):
        self.values.update(items)

    def summary_delete(self, key):
        self.values.pop(key, None)

    def summary_snapshot(self):
        return self.values
