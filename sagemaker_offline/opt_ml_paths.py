"""`/opt/ml/...` inside an offline Processing job's script: the paths the script reads and writes are rewritten to the
folder of its job's instance (one per instance, algo-1 ... algo-<n>, so each has its own /opt/ml/processing and
/opt/ml/config as on AWS), in the script's process (and every Python process it starts), so it runs unchanged without
Docker.

Why rewriting in Python rather than a mount namespace or a symlink: `/opt/ml` itself may not be created without root,
a symlink there would be shared by two jobs at once, and a mount namespace needs unprivileged user namespaces (not on
macOS, and switched off on some Linux laptops and in containers). What is covered, and what is not (a C extension that
opens a path itself, a shell command), is in docs/offline-runtime.md ("Processing jobs"). This module imports the
standard library only: the bootstrap (opt_ml_bootstrap/sitecustomize.py) loads it by path in the script's process."""
from __future__ import annotations

import builtins
import io
import os
import posixpath
import sys

PREFIX = "/opt/ml"
ENV_ROOT = "SAGEMAKER_OFFLINE_OPT_ML"  # the real folder /opt/ml stands for on this instance of the job
_ROOT: str | None = None

MISS_NOTE = ("[offline] {path} was not rewritten to this job's folder: the offline runtime maps /opt/ml/... for "
             "Python's own file functions (open, os, os.path, pathlib, glob, shutil), which pandas, numpy, joblib and csv "
             "use, but not for code that opens a path itself (a C extension such as pyarrow, a shell command). Pass "
             "that code an open file, or a path from os.path.realpath(...), or run the job on AWS "
             "(docs/offline-runtime.md, \"Processing jobs\").")


def _mapped_text(text):
    prefix = PREFIX if isinstance(text, str) else PREFIX.encode()
    if not text.startswith(prefix):
        return text
    normal = posixpath.normpath(text)
    if normal != prefix and not normal.startswith(prefix + ("/" if isinstance(text, str) else b"/")):
        return text
    root = _ROOT if isinstance(text, str) else os.fsencode(_ROOT)
    return root + normal[len(prefix):]


def real_path(path):
    """The job's real path for `path` when it names /opt/ml or below; anything else (a file descriptor, a relative
    path, another folder) unchanged."""
    if _ROOT is None or isinstance(path, int):
        return path
    try:
        text = os.fspath(path)
    except TypeError:
        return path
    mapped = _mapped_text(text)
    return path if mapped is text else mapped


def _one(function):
    def call(path, *args, **kwargs):
        return function(real_path(path), *args, **kwargs)

    call.__name__, call.__doc__, call.__wrapped__ = function.__name__, function.__doc__, function
    return call


def _two(function):
    def call(src, dst, *args, **kwargs):
        return function(real_path(src), real_path(dst), *args, **kwargs)

    call.__name__, call.__doc__, call.__wrapped__ = function.__name__, function.__doc__, function
    return call


def _scandir(original):
    def scandir(path="."):
        return original(real_path(path))

    scandir.__wrapped__ = original
    return scandir


def _listdir(original):
    def listdir(path="."):
        return original(real_path(path))

    listdir.__wrapped__ = original
    return listdir


# os functions whose first argument is a path (os.path, pathlib, glob and shutil call these through the os module)
_ONE_PATH = ("stat", "lstat", "open", "mkdir", "rmdir", "remove", "unlink", "chdir", "chmod", "access", "utime",
             "truncate", "readlink", "statvfs", "mkfifo", "chown", "lchown", "chflags", "lchmod", "pathconf", "listxattr",
             "getxattr", "setxattr", "removexattr")
_TWO_PATHS = ("rename", "replace", "link", "symlink")


def _audit(event, args):
    """The last line of defence: a path under /opt/ml that reached the operating system unrewritten (through a
    function this module does not wrap) is refused with the note, rather than read or written in the real /opt/ml."""
    if event in ("open", "os.listdir", "os.scandir", "os.mkdir", "os.remove", "os.rmdir", "os.rename", "os.chdir",
                 "os.truncate", "os.utime", "os.chmod") and args:
        path = args[0]
        if isinstance(path, (str, bytes)) and real_path(path) is not path:
            text = path if isinstance(path, str) else os.fsdecode(path)
            raise FileNotFoundError(2, MISS_NOTE.format(path=text), text)


def _excepthook(original):
    def hook(kind, value, tb):
        original(kind, value, tb)
        text = f"{getattr(value, 'filename', '') or ''} {value}"
        if isinstance(value, OSError) and PREFIX + "/" in text and "[offline]" not in text:
            path = getattr(value, "filename", None) or PREFIX + "/..."
            sys.stderr.write(MISS_NOTE.format(path=path) + "\n")

    return hook


def install(root: str) -> None:
    """Rewrite /opt/ml to `root` in this process from now on (once)."""
    global _ROOT
    if _ROOT is not None:
        return
    _ROOT = os.path.abspath(root)
    opener = builtins.open

    def open(file, *args, **kwargs):  # noqa: A001 - it is builtins.open
        return opener(real_path(file), *args, **kwargs)

    open.__wrapped__ = opener
    builtins.open = io.open = open
    wrappers = {name: _one for name in _ONE_PATH} | {name: _two for name in _TWO_PATHS}
    wrappers.update(scandir=_scandir, listdir=_listdir)
    for name, wrap in wrappers.items():
        original = getattr(os, name, None)
        if original is None:
            continue
        setattr(os, name, wrap(original))
        # shutil and pathlib ask these sets which calls take a dir_fd or a file descriptor
        for supported in (os.supports_dir_fd, os.supports_fd, os.supports_follow_symlinks, os.supports_effective_ids):
            if original in supported:
                supported.add(getattr(os, name))
    sys.addaudithook(_audit)
    sys.excepthook = _excepthook(sys.excepthook)


def install_from_environment() -> None:
    root = os.environ.get(ENV_ROOT)
    if root:
        install(root)
