"""Where runs live on disk; the same rules as runtime/store/dataRoot.ts so client and runtime agree."""
import os
import time

DATA_DIR_NAME = ".trackwell"
JOURNAL_FILE = "run.journal"


def resolve_data_root(cwd=None, environ=None):
    """$TRACKWELL_DIR, else the nearest existing `.trackwell` folder walking up from cwd, else cwd/.trackwell."""
    environ = os.environ if environ is None else environ
    cwd = os.path.abspath(cwd or os.getcwd())
    if environ.get("TRACKWELL_DIR"):
        return os.path.abspath(os.path.join(cwd, environ["TRACKWELL_DIR"]))
    d = cwd
    while True:
        cand = os.path.join(d, DATA_DIR_NAME)
        if os.path.isdir(cand):
            return cand
        parent = os.path.dirname(d)
        if parent == d:
            break
        d = parent
    return os.path.join(cwd, DATA_DIR_NAME)


def ensure_dir(path):
    """Creates a folder (and parents) readable by the owner only: runs may hold private data."""
    os.makedirs(path, mode=0o700, exist_ok=True)
    return path


def runs_dir(root):
    return os.path.join(root, "runs")


def find_git_root(start=None):
    """The folder holding `.git`, walking up from start (no subprocess: init must stay fast)."""
    d = os.path.abspath(start or os.getcwd())
    while True:
        if os.path.exists(os.path.join(d, ".git")):
            return d
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


def default_project(cwd=None):
    """W&B infers the project from the git root; otherwise "uncategorized"."""
    root = find_git_root(cwd)
    if root:
        name = os.path.basename(root.rstrip(os.sep))
        if name:
            return name
    return "uncategorized"


def git_info(root):
    """Commit, branch and remote of a repository read straight from .git (best effort)."""
    if not root:
        return None
    git = os.path.join(root, ".git")
    try:
        if os.path.isfile(git):  # a worktree or submodule: "gitdir: <path>"
            with open(git) as f:
                line = f.read().strip()
            if line.startswith("gitdir:"):
                git = os.path.normpath(os.path.join(root, line[7:].strip()))
        with open(os.path.join(git, "HEAD")) as f:
            head = f.read().strip()
        info = {"root": root, "commit": None, "branch": None, "remote": None}
        if head.startswith("ref:"):
            ref = head[4:].strip()
            info["branch"] = ref.rsplit("/", 1)[-1] if ref.startswith("refs/heads/") else ref
            path = os.path.join(git, ref)
            if os.path.exists(path):
                with open(path) as f:
                    info["commit"] = f.read().strip() or None
            else:
                packed = os.path.join(git, "packed-refs")
                if os.path.exists(packed):
                    with open(packed) as f:
                        for line in f:
                            parts = line.strip().split(" ")
                            if len(parts) == 2 and parts[1] == ref:
                                info["commit"] = parts[0]
        else:
            info["commit"] = head or None
        cfg = os.path.join(git, "config")
        if os.path.exists(cfg):
            with open(cfg) as f:
                section = None
                for line in f:
                    s = line.strip()
                    if s.startswith("["):
                        section = s
                    elif section == '[remote "origin"]' and s.startswith("url"):
                        info["remote"] = redact_url(s.split("=", 1)[1].strip())
        return info
    except (OSError, ValueError):
        return None


def redact_url(url):
    """An https remote without its user info: https://user:token@host/repo would put the token in every run.
    (ssh remotes keep theirs: git@host is a user name, not a secret.)"""
    import re

    return re.sub(r"^(https?://)[^/@]*@", r"\1", url, flags=re.IGNORECASE) if url else url


def username():
    import getpass  # lazy: a slow import for a value needed once

    try:
        return getpass.getuser()
    except Exception:  # no passwd entry in some containers
        return os.environ.get("USER") or "local"


def hostname():
    import socket

    try:
        return socket.gethostname()
    except Exception:
        return "localhost"


def make_run_dir(base, run_id, start_time):
    """`<base>/<YYYYmmdd-HHMMSS>-<id>`; a second journal of the same id in the same second gets `_2`, `_3`...

    The suffix goes on the time part so `*-<id>` still finds every directory of a run.
    """
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(start_time))
    ensure_dir(base)
    n = 1
    while True:
        name = "%s-%s" % (stamp, run_id) if n == 1 else "%s_%d-%s" % (stamp, n, run_id)
        path = os.path.join(base, name)
        try:
            os.mkdir(path, 0o700)
            return path
        except FileExistsError:
            n += 1
