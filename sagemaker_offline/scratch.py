"""The offline AWS's temporary folders, named for the process that made them (`sagemaker-offline-<pid>-<start>-...`):
a kernel killed with SIGKILL cannot remove its own, so the next offline AWS to start removes those whose process is
gone, and only those (two kernels may run at once)."""
from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

PREFIX = "sagemaker-offline-"
_OWNED = re.compile(rf"^{re.escape(PREFIX)}(\d+)-(\d+)-")


def _start_ticks(pid: int) -> int:
    """When the process started (Linux: field 22 of /proc/<pid>/stat, clock ticks since boot), so a pid used again by
    a newer process is told apart; 0 where /proc cannot say."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0
    fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) ", the comm possibly holding spaces
    return int(fields[19]) if len(fields) > 19 and fields[19].isdigit() else 0


def prefix(kind: str = "") -> str:
    """The name start of a folder this process owns: the offline AWS's own (`kind` empty) or a job's."""
    pid = os.getpid()
    return f"{PREFIX}{pid}-{_start_ticks(pid)}-" + (f"{kind}-" if kind else "")


def _alive(pid: int, start: int) -> bool:
    """Whether the process that named a folder still runs: an existing pid that is no zombie and (where /proc says)
    started when the folder's name says. A process of another user counts as alive."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True  # no /proc (macOS): the pid exists, so the folder stays
    if state == "Z":
        return False
    return start == 0 or _start_ticks(pid) in (0, start)


def remove_orphans(root: str | os.PathLike | None = None) -> list[Path]:
    """Remove the folders in `root` (the temporary directory) whose owning process is gone; returns them. Folders
    without an owner in their name (an older kit's) and other users' folders are left alone."""
    root = Path(root if root is not None else tempfile.gettempdir())
    removed = []
    try:
        entries = list(root.iterdir())
    except OSError:
        return removed
    uid = os.getuid() if hasattr(os, "getuid") else None
    for entry in entries:
        owner = _OWNED.match(entry.name)
        if owner is None or not entry.is_dir() or entry.is_symlink():
            continue
        try:
            if uid is not None and entry.stat().st_uid != uid:
                continue
        except OSError:
            continue
        if not _alive(int(owner.group(1)), int(owner.group(2))):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed
