"""Turning logged values into JSON trees, on the writer thread (never on the training thread).

`normalize` maps what users log to JSON-able Python values: numpy/torch scalars and one-element
tensors become numbers, arrays and tuples become lists, nested dicts stay trees. A value that cannot
be represented raises `Unserializable`. `normalize_tree` does the same for a logged value but leaves
out only the bad leaves of a dict tree (reporting each by its path), so the caller drops just those. Non-finite
floats stay floats here (the summary needs them as numbers); `encode` writes them as
`{"$num": "NaN" | "Infinity" | "-Infinity"}` markers, as docs/journal.md requires.
"""
import json
import math

_FAST = (int, float, str, bool, type(None))
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False, check_circular=False)
_encode_fast = _ENCODER.encode


class Unserializable(Exception):
    pass


def normalize(value, _depth=0):
    """Returns a JSON-able version of `value` (sharing unchanged scalars) or raises Unserializable."""
    t = type(value)
    if t in _FAST:
        return value
    if _depth > 64:
        raise Unserializable("nested too deeply (a reference cycle?)")
    if t is dict or isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise Unserializable("has a non-string key %r" % (k,))
            out[k] = normalize(v, _depth + 1)
        return out
    if t is list or t is tuple or isinstance(value, (list, tuple)):
        return [normalize(v, _depth + 1) for v in value]
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):  # IntEnum, numpy ints registered as int subclasses...
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    return _array_like(value, _depth)


DROPPED = object()  # what normalize_tree returns for a value that is left out as a whole


def normalize_tree(value, path, drops, _depth=0):
    """`normalize` for a logged value, dropping only what cannot be represented: in a dict (at any
    depth) a bad leaf is left out and `(path, reason)` appended to `drops` (`path` the tuple of keys to
    it), and the rest of the dict is kept. A dict left empty by drops, or a bad value that is not a
    dict (a list with a bad element is one value), returns DROPPED."""
    t = type(value)
    if t in _FAST:
        return value
    if (t is dict or isinstance(value, dict)) and _depth <= 64:
        out = {}
        lost = False
        for k, v in value.items():
            if not isinstance(k, str):
                drops.append((path + (repr(k),), "has a non-string key %r (keys must be strings)" % (k,)))
                lost = True
                continue
            nv = normalize_tree(v, path + (k,), drops, _depth + 1)
            if nv is DROPPED:
                lost = True
            else:
                out[k] = nv
        return DROPPED if lost and not out else out
    try:
        return normalize(value, _depth)
    except Unserializable as e:
        drops.append((path, str(e)))
        return DROPPED


def _array_like(value, depth):
    """numpy scalars/arrays, torch tensors and anything else with item()/tolist()."""
    size = _size(value)
    item = getattr(value, "item", None)
    if callable(item) and size == 1 and getattr(value, "ndim", 0) == 0:
        return normalize(_call(item), depth + 1)
    tolist = getattr(value, "tolist", None)
    if callable(tolist):
        return normalize(_call(tolist), depth + 1)
    if callable(item) and size == 1:
        return normalize(_call(item), depth + 1)
    # numbers.Real (Decimal, Fraction) that are not floats
    if hasattr(value, "__float__") and type(value).__module__ in ("decimal", "fractions"):
        return float(value)
    raise Unserializable("of type %s cannot be serialised" % (type(value).__name__,))


def _size(value):
    for attr in ("size", "numel"):
        s = getattr(value, attr, None)
        if callable(s):
            try:
                s = s()
            except Exception:
                continue
        if isinstance(s, int):
            return s
    return None


def _call(fn):
    try:
        return fn()
    except Exception as e:
        raise Unserializable("could not be converted (%s)" % (e,))


def nonfinite_marker(x):
    return {"$num": "NaN" if x != x else ("Infinity" if x > 0 else "-Infinity")}


def mark_nonfinite(value):
    """Copy of a JSON tree with non-finite floats replaced by markers (unchanged parts shared)."""
    t = type(value)
    if t is float:
        return value if math.isfinite(value) else nonfinite_marker(value)
    if t is dict:
        return {k: mark_nonfinite(v) for k, v in value.items()}
    if t is list:
        return [mark_nonfinite(v) for v in value]
    return value


def unmark(value):
    """The inverse of mark_nonfinite, for readers."""
    t = type(value)
    if t is dict:
        if len(value) == 1 and "$num" in value:
            return float({"NaN": "nan", "Infinity": "inf", "-Infinity": "-inf"}.get(value["$num"], "nan"))
        return {k: unmark(v) for k, v in value.items()}
    if t is list:
        return [unmark(v) for v in value]
    return value


def encode(record):
    """Compact JSON text of a record; non-finite floats become markers (rare, so tried after the fast path)."""
    try:
        return _encode_fast(record)
    except ValueError:
        return _encode_fast(mark_nonfinite(record))
