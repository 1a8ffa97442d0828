"""Console capture: what the script prints goes to the terminal unchanged AND into `console` records.

Two ways, one per process at a time:
- `PyCapture` wraps `sys.stdout`/`sys.stderr` `write` (used by a plain `init()`, console="wrap"/"auto").
- `FdCapture` redirects file descriptors 1 and 2 into pipes, with one reader thread per stream that
  writes every byte on to the original descriptor and then hands it to the sink. This also sees C
  extensions and child processes (used under `trackwell run`, or console="redirect").
The sink is `sink(stream, data, ts)` with data str (PyCapture) or bytes (FdCapture); it must not block.
"""
import os
import sys
import threading
import time


class PyCapture:
    kind = "wrap"

    def __init__(self, sink):
        self.sink = sink
        self._orig = {}
        self._tees = {}

    def start(self):
        for name in ("stdout", "stderr"):
            orig = getattr(sys, name)
            if orig is None:
                continue
            tee = _Tee(orig, name, self)
            self._orig[name] = orig
            self._tees[name] = tee
            setattr(sys, name, tee)
        return self

    def stop(self, timeout=None):
        for name, tee in self._tees.items():
            tee._active = False
            try:
                tee._orig.flush()
            except Exception:
                pass
            if getattr(sys, name) is tee:  # someone else may have wrapped on top: leave theirs alone
                setattr(sys, name, self._orig[name])
        self._tees = {}


class _Tee:
    """Stands in for sys.stdout/sys.stderr: writes through first, then records."""

    def __init__(self, orig, name, owner):
        self._orig = orig
        self._name = name
        self._owner = owner
        self._active = True

    def write(self, s):
        n = self._orig.write(s)
        if self._active and s:
            try:
                self._owner.sink(self._name, s if isinstance(s, str) else str(s), time.time())
            except Exception:
                pass
        return n

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def __getattr__(self, name):
        return getattr(self._orig, name)


class FdCapture:
    kind = "redirect"

    def __init__(self, sink):
        self.sink = sink
        self._saved = {}  # fd -> duplicate of the original target (the terminal)
        self._pipes = {}  # fd -> write end (duplicated onto fd)
        self._threads = []
        self._active = True

    def start(self):
        for fd, name in ((1, "stdout"), (2, "stderr")):
            try:
                os.fstat(fd)
            except OSError:
                continue  # closed descriptor: nothing to capture
            saved = os.dup(fd)
            r, w = os.pipe()
            _flush_python_stream(name)
            os.dup2(w, fd)
            os.close(w)
            self._saved[fd] = saved
            self._pipes[fd] = r
            t = threading.Thread(target=self._reader, args=(r, saved, name), name="trackwell-console-" + name, daemon=True)
            t.start()
            self._threads.append(t)
        return self

    def _reader(self, r, out_fd, name):
        """Tees one pipe: every byte reaches the terminal even if recording fails."""
        while True:
            try:
                data = os.read(r, 65536)
            except InterruptedError:
                continue
            except OSError:
                break
            if not data:
                break
            _write_all(out_fd, data)
            if self._active:
                try:
                    self.sink(name, data, time.time())
                except Exception:
                    pass
        try:
            os.close(r)
        except OSError:
            pass

    def stop(self, timeout=1.0):
        """Puts the original descriptors back and waits (bounded) for the readers to drain the pipes.

        A child process that still holds the pipe keeps its reader alive; that reader goes on
        writing through to the terminal but no longer records."""
        for fd, name in ((1, "stdout"), (2, "stderr")):
            _flush_python_stream(name)
        for fd, saved in self._saved.items():
            try:
                os.dup2(saved, fd)
            except OSError:
                pass
        deadline = time.monotonic() + timeout
        for t in self._threads:
            t.join(max(0.0, deadline - time.monotonic()))
        self._active = False
        # The saved descriptors stay open: a straggling reader may still write through them.


def _flush_python_stream(name):
    s = getattr(sys, name, None)
    try:
        if s is not None:
            s.flush()
    except Exception:
        pass


def _write_all(fd, data):
    view = memoryview(data)
    while view:
        try:
            n = os.write(fd, view)
        except InterruptedError:
            continue
        except OSError:
            return
        view = view[n:]
