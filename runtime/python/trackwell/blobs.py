"""The data root's content-addressed blob store: `<data root>/blobs/<sha256[:2]>/<sha256>`.

The same layout as runtime/store/blobs.ts. A file saved with a run is written here before its `file`
journal record, so the runtime never sees a record whose bytes are missing. Identical content is
stored once; a blob is written to a temporary name and renamed, so a reader never sees half a file.
"""
import hashlib
import os


def blob_path(root, sha256):
    return os.path.join(root, "blobs", sha256[:2], sha256)


def digests(data):
    """(md5, sha256) hex digests of bytes; md5 only identifies sources (Sacred's `(filename, md5)`)."""
    try:
        md5 = hashlib.md5(data, usedforsecurity=False)
    except TypeError:  # Python < 3.9
        md5 = hashlib.md5(data)
    return md5.hexdigest(), hashlib.sha256(data).hexdigest()


def put(root, data, sha256=None):
    """Stores bytes once; returns their sha256."""
    sha256 = sha256 or hashlib.sha256(data).hexdigest()
    path = blob_path(root, sha256)
    if os.path.exists(path):
        return sha256
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    tmp = "%s.%d.%s.tmp" % (path, os.getpid(), os.urandom(4).hex())
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)  # atomic; a concurrent writer of the same content writes the same bytes
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return sha256
