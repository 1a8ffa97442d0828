"""Gatherers for collect.py: git state, installed distributions, host. Called on the collector thread
only (they run subprocesses and read files); each returns None or partial data rather than raising for
an ordinary absence (no git, not a repository, no GPU)."""
import os
import re
import shutil
import subprocess

from .dataroot import redact_url

GIT_TIMEOUT = 3.0
DIFF_TIMEOUT = 10.0
SMI_TIMEOUT = 2.0
MAX_PATCH_BYTES = 64 << 20


def _git(cwd, args, timeout=GIT_TIMEOUT, binary=False):
    """stdout of `git -C cwd args`, or None when git fails or is slow."""
    env = dict(os.environ, GIT_OPTIONAL_LOCKS="0", GIT_TERMINAL_PROMPT="0", LC_ALL="C")
    try:
        p = subprocess.run(["git", "-C", cwd] + args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, timeout=timeout, env=env)
    except (OSError, subprocess.SubprocessError):
        return None
    if p.returncode != 0:
        return None
    return p.stdout if binary else p.stdout.decode("utf-8", "replace").strip()


def git_state(start, remote="origin"):
    """({root, remote, commit, branch, dirty}, patch bytes or None), or (None, None) outside a repository.

    Without a usable git executable the basic state is read from .git (dirty unknown, no patch)."""
    root = _git(start, ["rev-parse", "--show-toplevel"]) if shutil.which("git") else None
    if not root:  # no git, not a repository, or git refuses it (a repository owned by another user)
        from .dataroot import find_git_root, git_info

        info = git_info(find_git_root(start))
        if info:
            info["dirty"] = None
        return info, None
    commit = _git(root, ["rev-parse", "--verify", "-q", "HEAD"]) or None
    status = _git(root, ["status", "--porcelain", "--untracked-files=no"])
    info = {
        "root": root,
        "remote": redact_url(_git(root, ["config", "--get", "remote.%s.url" % (remote or "origin")]) or None),
        "commit": commit,
        "branch": _git(root, ["symbolic-ref", "-q", "--short", "HEAD"]) or None,
        "dirty": None if status is None else bool(status),
    }
    patch = None
    if info["dirty"] and commit:
        # --binary: the patch also carries binary changes, so `git apply` reproduces the whole tree.
        patch = _git(root, ["diff", "HEAD", "--binary", "--no-color", "--no-ext-diff", "--no-textconv"],
                     timeout=DIFF_TIMEOUT, binary=True)
        if patch is not None and len(patch) > MAX_PATCH_BYTES:
            patch = None
    return info, patch


def _name_version(dist):
    # Only the header of METADATA: the email parser behind dist.metadata costs ~1 ms per distribution.
    text = dist.read_text("METADATA") or dist.read_text("PKG-INFO") or ""
    name = version = None
    for line in text.splitlines():
        if not line:
            break
        if line.startswith("Name:"):
            name = line[5:].strip()
        elif line.startswith("Version:"):
            version = line[8:].strip()
    return name, version


def dependencies():
    """Installed distributions as sorted, de-duplicated `name==version` (the first on sys.path wins)."""
    import importlib.metadata as md

    seen = {}
    for d in md.distributions():
        try:
            name, version = _name_version(d)
        except Exception:  # an unreadable distribution is left out
            continue
        if name and version:
            seen.setdefault(re.sub(r"[-_.]+", "-", name).lower(), "%s==%s" % (name, version))
    return sorted(seen.values(), key=str.lower)


def cpu_model():
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.strip() in ("model name", "Model", "Hardware", "cpu model") and value.strip():
                    return value.strip()
    except OSError:
        pass
    import platform

    return platform.processor() or None


def memory_total():
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None


def parse_nvidia_smi(text):
    """`nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader,nounits` lines."""
    gpus = []
    for line in text.splitlines():
        parts = [p.strip() for p in line.split(",")]
        if len(parts) < 3 or not parts[0]:
            continue
        try:
            mem = int(float(parts[1]) * 1024 * 1024)
        except ValueError:
            mem = None
        gpus.append({"name": parts[0], "memory_total": mem, "driver": parts[2]})
    return gpus


def gpus():
    if shutil.which("nvidia-smi") is None:
        return []
    try:
        p = subprocess.run(["nvidia-smi", "--query-gpu=name,memory.total,driver_version", "--format=csv,noheader,nounits"],
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=SMI_TIMEOUT)
    except (OSError, subprocess.SubprocessError):
        return []
    return parse_nvidia_smi(p.stdout.decode("utf-8", "replace")) if p.returncode == 0 else []


def host_info(env_names=()):
    import platform

    from .dataroot import hostname, username

    info = {"hostname": hostname(), "os": platform.system(), "release": platform.release(), "machine": platform.machine(),
            "python": platform.python_version(), "pid": os.getpid(), "user": username(), "cpu": cpu_model(),
            "cpu_count": os.cpu_count(), "memory_total": memory_total(), "gpus": gpus()}
    if env_names:  # only what the user listed (Sacred's CAPTURED_ENV is empty by default)
        info["env"] = {n: os.environ[n] for n in env_names if n in os.environ}
    return info
