"""Source files of a run: the main script and the local modules it imported (Sacred's `sources`), and
code snapshots (W&B's `save_code` / `run.log_code`). Bytes go to the blob store (blobs.py) before the
`file` record that names them."""
import os
import re
import sys

from .writer import FILE

MAX_SOURCES = 500
MAX_FILE_BYTES = 10 << 20
MAX_SNAPSHOT_FILES = 5000
_PKG = os.path.dirname(os.path.abspath(__file__))  # trackwell itself (with its wandb module) is not a source
_SKIP_DIRS = {".git", ".hg", ".svn", ".trackwell", "__pycache__"}
# left out by log_code's default exclude_fn (W&B's leaves out .wandb/ and wandb/), with virtualenvs
_DEFAULT_SKIP_DIRS = {".wandb", "wandb", "node_modules", "site-packages", "dist-packages"}


def main_path():
    """The script being run: argv[0] when it is a file, else `__main__`'s file (`python -m` after start)."""
    prog = sys.argv[0] if sys.argv else None
    if prog and prog not in ("-c", "-m", "") and os.path.isfile(prog):
        return os.path.abspath(prog)
    f = getattr(sys.modules.get("__main__"), "__file__", None)
    return os.path.abspath(f) if isinstance(f, str) and os.path.isfile(f) else None


def recording(run):
    w = run._writer
    return w is not None and not w.closed and w.journal is not None and bool(run._data_root)


def store_file(run, path, data, kind, sha256=None):
    """Writes bytes to the blob store, then journals their `file` record (path relative to the run)."""
    from . import blobs

    if recording(run):
        sha = blobs.put(run._data_root, data, sha256)
        run._append((FILE, {"path": path, "sha256": sha, "size": len(data), "kind": kind}))


class SourceScanner:
    """Finds local modules: files under the git root, the working directory or the script's folder that
    are not the standard library, site-packages, a virtualenv, or trackwell. Each file is looked at once."""

    def __init__(self, cwd):
        self.cwd = cwd
        self.git_root = None
        self.sources = {}  # absolute path -> (relpath, md5)
        self._seen = set()
        self._excluded = None

    def pairs(self):
        """Sacred's `(filename, md5)` pairs, sorted."""
        return sorted([rel, md5] for rel, md5 in self.sources.values())

    def scan(self, store):
        """Looks at the main script and every imported module not seen yet; calls store(relpath, data, sha256)
        for each new source (unless store is None). True if a source was added."""
        from . import blobs

        files = [main_path()]
        for mod in list(sys.modules.copy().values()):
            f = getattr(mod, "__file__", None)
            if isinstance(f, str):
                files.append(f[:-1] if f.endswith(".pyc") else f)
        roots = self._roots()
        added = False
        for f in files:
            if not f or not f.endswith(".py"):
                continue
            path = os.path.abspath(f)
            if path in self._seen:
                continue
            self._seen.add(path)
            rel = self._relpath(path, roots)
            if rel is None or len(self.sources) >= MAX_SOURCES or not os.path.isfile(path):
                continue
            if os.path.getsize(path) > MAX_FILE_BYTES:
                continue
            with open(path, "rb") as fh:
                data = fh.read()
            md5, sha = blobs.digests(data)
            if store is not None:
                store(rel, data, sha)
            self.sources[path] = (rel, md5)
            added = True
        return added

    def _roots(self):
        main = main_path()
        roots = [self.git_root, self.cwd, os.path.dirname(main) if main else None]
        return [r for r in roots if r and os.path.dirname(r) != r]  # "/" would make every file local

    def _excluded_prefixes(self, roots):
        if self._excluded is None:
            import sysconfig

            paths = sysconfig.get_paths()
            out = [_PKG] + [paths[k] for k in ("stdlib", "platstdlib", "purelib", "platlib") if paths.get(k)]
            for prefix in {sys.prefix, sys.base_prefix, sys.exec_prefix}:
                # a virtualenv inside the project is not the project; a prefix above it (/usr) is left to the paths above
                if prefix and not any(r == prefix or r.startswith(prefix.rstrip(os.sep) + os.sep) for r in roots):
                    out.append(prefix)
            self._excluded = tuple(os.path.abspath(p).rstrip(os.sep) + os.sep for p in out)
        return self._excluded

    def _relpath(self, path, roots):
        if path.startswith(self._excluded_prefixes(roots)):
            return None
        parts = path.split(os.sep)
        if "site-packages" in parts or "dist-packages" in parts:
            return None
        for r in roots:
            if path.startswith(r.rstrip(os.sep) + os.sep):
                return os.path.relpath(path, r).replace(os.sep, "/")
        return None


def _safe_name(s):
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", s).strip("._") or "source"


class CodeSnapshot:
    """What `log_code` returns (W&B returns an Artifact): its name and the stored paths."""

    type = "code"

    def __init__(self, name, files):
        self.name = name
        self.files = files

    def __repr__(self):
        return "<CodeSnapshot %s (%d files)>" % (self.name, len(self.files))


def _accepts_root(fn):
    import inspect

    try:
        return len(inspect.signature(fn).parameters) >= 2
    except (TypeError, ValueError):
        return True


def default_name(run):
    main = main_path()
    return _safe_name("source-%s-%s" % (run.project, os.path.basename(main) if main else "code"))


def snapshot(run, name, root, paths):
    stored = []
    for path in paths[:MAX_SNAPSHOT_FILES]:
        if not os.path.isfile(path) or os.path.getsize(path) > MAX_FILE_BYTES:
            continue
        with open(path, "rb") as fh:
            data = fh.read()
        rel = "snapshots/%s/%s" % (name, os.path.relpath(path, root).replace(os.sep, "/"))
        store_file(run, rel, data, "code")
        stored.append(rel)
    return CodeSnapshot(name, stored) if stored else None


def log_code(run, root=".", name=None, include_fn=None, exclude_fn=None):
    """W&B's `Run.log_code`: stores the files under `root` that include_fn accepts (default: *.py) and
    exclude_fn does not, as `snapshots/<name>/<relpath>` files of kind "code". Returns a CodeSnapshot, or
    None when nothing was stored."""
    root = os.path.abspath(root if root is not None else ".")
    include_fn = include_fn or (lambda p, r: p.endswith(".py"))
    default_exclude = exclude_fn is None
    exclude_fn = exclude_fn or (lambda p, r: False)
    inc2, exc2 = _accepts_root(include_fn), _accepts_root(exclude_fn)
    name = _safe_name(str(name)) if name is not None else default_name(run)
    skip = _SKIP_DIRS | _DEFAULT_SKIP_DIRS if default_exclude else _SKIP_DIRS
    paths = []
    for dirpath, dirnames, filenames in os.walk(root):
        # version control and data roots hold nobody's code; by default neither do W&B's folders and virtualenvs
        dirnames[:] = sorted(d for d in dirnames if d not in skip
                             and not (default_exclude and os.path.exists(os.path.join(dirpath, d, "pyvenv.cfg"))))
        for fn in sorted(filenames):
            path = os.path.join(dirpath, fn)
            if not (include_fn(path, root) if inc2 else include_fn(path)):
                continue
            if exclude_fn(path, root) if exc2 else exclude_fn(path):
                continue
            paths.append(path)
    return snapshot(run, name, root, sorted(paths))
