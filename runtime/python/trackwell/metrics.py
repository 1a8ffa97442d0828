"""`define_metric`: definitions, merging, name matching and summary aggregation.

Names: in a metric name `.` separates nesting levels of logged dicts and `\\.` is a literal dot, so
`define_metric("val.acc")` matches `log({"val": {"acc": 1}})` and `define_metric("a\\.b")` matches
`log({"a.b": 1})`. A leaf of a logged row is named the same way (`canonical`). `/` is not special:
it only names sections in the UI. A trailing `*` matches by prefix (`val/*`); keys starting with `_`
are never matched by a glob. An exact definition wins over globs; among globs the longest prefix wins.
"""
import math

from .errors import UsageError

SUMMARY_OPS = ("min", "max", "mean", "first", "last", "best", "copy", "none")
GOALS = ("minimize", "maximize")
_FIELDS = ("step_metric", "step_sync", "hidden", "summary", "goal")


def split_name(name):
    """`a.b\\.c` -> ("a", "b.c")."""
    parts, cur, i = [], [], 0
    while i < len(name):
        c = name[i]
        if c == "\\" and name[i + 1: i + 2] == ".":
            cur.append(".")
            i += 2
            continue
        if c == ".":
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(c)
        i += 1
    parts.append("".join(cur))
    return tuple(parts)


def canonical(path):
    """The metric-name spelling of a leaf path: components joined by `.`, literal dots escaped."""
    if len(path) == 1:
        p = path[0]
        return p.replace(".", "\\.") if "." in p else p
    return ".".join(p.replace(".", "\\.") for p in path)


def parse_summary(summary):
    if summary is None:
        return None
    if isinstance(summary, (list, tuple)):
        ops = [str(s).strip().lower() for s in summary]
    else:
        ops = [s.strip().lower() for s in str(summary).split(",") if s.strip()]
    bad = [o for o in ops if o not in SUMMARY_OPS]
    if bad:
        raise UsageError("Unsupported summary %r: use a comma list of min, max, mean, first, last, none" % (summary,))
    out = []
    for o in ops:
        if o not in out:
            out.append(o)
    return out


class Metric:
    """What `define_metric` returns: the definition after merging with earlier calls."""

    __slots__ = ("name", "step_metric", "step_sync", "hidden", "summary", "goal")

    def __init__(self, name, step_metric=None, step_sync=None, hidden=None, summary=None, goal=None):
        self.name = name
        self.step_metric = step_metric
        self.step_sync = step_sync
        self.hidden = hidden
        self.summary = summary
        self.goal = goal

    def as_record(self):
        return {"t": "metric", "name": self.name, "step_metric": self.step_metric, "step_sync": self.step_sync,
                "hidden": self.hidden, "summary": list(self.summary) if self.summary is not None else None,
                "goal": self.goal}

    def copy(self):
        return Metric(self.name, self.step_metric, self.step_sync, self.hidden,
                      list(self.summary) if self.summary is not None else None, self.goal)

    def __repr__(self):
        return "Metric(%s)" % ", ".join("%s=%r" % (k, getattr(self, k)) for k in self.__slots__ if getattr(self, k) is not None)


def build_definition(existing, name, step_metric=None, step_sync=None, hidden=None, summary=None, goal=None, overwrite=None):
    """Validates arguments and merges with `existing` (overwrite unset/False keeps earlier values for
    parameters left out; overwrite=True resets them). step_sync defaults to True with a step_metric."""
    if not isinstance(name, str) or not name:
        raise UsageError("define_metric() needs a metric name")
    if "*" in name[:-1]:
        raise UsageError("define_metric(%r): `*` is only supported as the last character (e.g. \"val/*\")" % name)
    if isinstance(step_metric, Metric):
        step_metric = step_metric.name
    if step_metric is not None:
        if not isinstance(step_metric, str) or not step_metric or "*" in step_metric:
            raise UsageError("define_metric(%r): step_metric must be a metric name without `*`" % name)
    if goal is not None:
        goal = str(goal).lower()
        if goal in ("min", "max"):
            goal = goal + "imize"
        if goal not in GOALS:
            raise UsageError("define_metric(%r): goal must be \"minimize\" or \"maximize\"" % name)
    for flag, v in (("step_sync", step_sync), ("hidden", hidden)):
        if v is not None and not isinstance(v, bool):
            raise UsageError("define_metric(%r): %s must be True or False" % (name, flag))
    ops = parse_summary(summary)
    given = {"step_metric": step_metric, "step_sync": step_sync, "hidden": hidden, "summary": ops, "goal": goal}
    if existing is not None and not overwrite:
        merged = existing.copy()
        for k, v in given.items():
            if v is not None:
                setattr(merged, k, v)
    else:
        merged = Metric(name, **given)
    if merged.step_metric is not None and merged.step_sync is None:
        merged.step_sync = True
    return merged


class Registry:
    """Definitions as the writer thread applies them; `match` is cached per leaf name."""

    def __init__(self):
        self.exact = {}
        self.globs = []  # (prefix, Metric), longest prefix first
        self._cache = {}
        self.step_metrics = {}  # canonical step metric name -> path
        self.any_summary = False
        self.any_sync = False

    def set(self, m):
        if m.name.endswith("*"):
            prefix = m.name[:-1]
            self.globs = [g for g in self.globs if g[0] != prefix] + [(prefix, m)]
            self.globs.sort(key=lambda g: -len(g[0]))
        else:
            self.exact[m.name] = m
        self._cache.clear()
        defs = list(self.exact.values()) + [g[1] for g in self.globs]
        self.step_metrics = {d.step_metric: split_name(d.step_metric) for d in defs if d.step_metric and d.step_sync}
        self.any_summary = any(d.summary is not None for d in defs)
        self.any_sync = bool(self.step_metrics)

    def match(self, name):
        try:
            return self._cache[name]
        except KeyError:
            pass
        m = self.exact.get(name)
        if m is None and not name.startswith("_"):
            for prefix, g in self.globs:
                if name.startswith(prefix):
                    m = g
                    break
        self._cache[name] = m
        return m


class Aggregate:
    """Running min/max/mean/first/last of one summary key; min/max/mean skip non-finite and non-numbers."""

    __slots__ = ("min", "max", "total", "count", "first", "last", "has_first")

    def __init__(self):
        self.min = self.max = None
        self.total = 0.0
        self.count = 0
        self.first = self.last = None
        self.has_first = False

    def add(self, v):
        if not self.has_first:
            self.first = v
            self.has_first = True
        self.last = v
        if type(v) in (int, float) and math.isfinite(v):
            if self.min is None or v < self.min:
                self.min = v
            if self.max is None or v > self.max:
                self.max = v
            self.total += v
            self.count += 1

    def seed(self, stored):
        """Continues aggregates a resumed run stored (mean restarts: its count is not stored)."""
        if isinstance(stored, dict):
            for k in ("min", "max"):
                v = stored.get(k)
                if type(v) in (int, float) and math.isfinite(v):
                    setattr(self, k, v)
            if "first" in stored:
                self.first, self.has_first = stored["first"], True

    def view(self, ops, goal):
        out = {}
        for op in ops:
            if op == "best":
                op = "max" if goal == "maximize" else "min"
            elif op == "copy":
                op = "last"
            if op == "min" and self.min is not None:
                out["min"] = self.min
            elif op == "max" and self.max is not None:
                out["max"] = self.max
            elif op == "mean" and self.count:
                out["mean"] = self.total / self.count
            elif op == "first" and self.has_first:
                out["first"] = self.first
            elif op == "last" and self.has_first:
                out["last"] = self.last
        return out


def section(name):
    """The UI section a metric belongs to: the text before its last `/` (`a/b/c` -> `a/b`), or None."""
    i = name.rfind("/")
    return name[:i] if i > 0 else None
