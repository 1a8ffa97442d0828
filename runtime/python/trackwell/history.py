"""The step/commit state machine of `log` (SEMANTICS.md, "Decisions"), run on the writer thread.

- `log(d)`: d joins the pending row at the current step, which is written; the step advances by one.
- `log(d, commit=False)`: d joins the pending row; nothing is written.
- `log(d, step=n)` (commit defaults to False): n > current writes the pending row and moves to n with d
  pending; n == current adds d to the pending row; n < current drops d with the warning below.
- `commit=True` with a step writes the row at that step and advances to step + 1.
- An empty pending row is never written, but the step still advances.
Rows merge nested dicts key by key, so `log({"a": {"x": 1}}, commit=False); log({"a": {"y": 2}})` is
one row `{"a": {"x": 1, "y": 2}}`.
"""

BACKWARDS_WARNING = (
    "Tried to log to step %d that is less than the current step %d. "
    "Steps must be monotonically increasing, so this data will be ignored."
)


def merge_into(dst, src):
    """Deep-merges `src` into `dst` (both freshly copied by log(), so no aliasing with user data)."""
    for k, v in src.items():
        if type(v) is dict:
            cur = dst.get(k)
            if type(cur) is dict:
                merge_into(cur, v)
                continue
        dst[k] = v


class StepMachine:
    __slots__ = ("step", "pending", "pending_ts", "dropped", "warned")

    def __init__(self, start_step=0):
        self.step = start_step
        self.pending = None
        self.pending_ts = None
        self.dropped = 0  # calls ignored for going backwards
        self.warned = False

    def log(self, data, step, commit, ts, out):
        """Applies one log() call; appends committed rows `(step, row, ts)` to `out`.
        Returns the warning text the first time a call is dropped, else None."""
        if step is None:
            if commit is None:
                commit = True
        else:
            if commit is None:
                commit = False
            if step < self.step:
                self.dropped += 1
                if not self.warned:
                    self.warned = True
                    return BACKWARDS_WARNING % (step, self.step)
                return None
            if step > self.step:
                self.flush(out)
                self.step = step
        if self.pending is None:
            self.pending = data
        else:
            merge_into(self.pending, data)
        self.pending_ts = ts
        if commit:
            self.flush(out)
            self.step += 1
        return None

    def flush(self, out):
        """Writes the pending row (if any) at the current step without advancing."""
        if self.pending:
            out.append((self.step, self.pending, self.pending_ts))
        self.pending = None
        self.pending_ts = None
