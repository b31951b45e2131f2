"""This user's workspace segments in /dev/shm: which are in use, which were left behind by
processes that died (SIGKILL, a crash), and removing those.

A segment is in use exactly while some process holds a handle's shared flock on it (the kernel
drops the lock when a process dies); the header also records the pids of the processes that
have it open, so a leftover can be reported with the owners that are gone. A segment is stale
only when both say so: nobody holds the lock and none of its recorded owners is alive.
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from dataclasses import dataclass, field

from neurosys._core import workspace as _native

__all__ = ["SegmentInfo", "list_segments", "remove_stale", "pid_alive", "SHM_DIR"]

log = logging.getLogger("neurosys.workspace")

SHM_DIR = "/dev/shm"


@dataclass
class SegmentInfo:
    name: str                  # the workspace name (Workspace.attach(name))
    path: str                  # the file under /dev/shm
    size_bytes: int
    layout_version: int        # 0: not a neurosys header (never initialised)
    owners: list[int] = field(default_factory=list)       # recorded pids
    live_owners: list[int] = field(default_factory=list)  # ... of which still running
    locked: bool = False       # some process holds the segment's flock
    age_seconds: float = 0.0

    @property
    def stale(self) -> bool:
        return not self.locked and not self.live_owners

    def describe(self) -> str:
        owners = ", ".join(f"{p}{'' if p in self.live_owners else ' (dead)'}" for p in self.owners)
        if self.layout_version != _native.LAYOUT_VERSION:
            owners = f"not recorded (layout {self.layout_version})"
        state = "stale" if self.stale else "in use"
        return (f"{self.name}  {self.size_bytes / 2**20:.1f} MiB  {state}"
                f"  owners: {owners or 'none'}")


def _prefix() -> str:
    return f"neurosys-{os.geteuid()}-"


def pid_alive(pid: object) -> bool:
    """Whether a process with this pid exists (a positive int; anything else: False)."""
    if isinstance(pid, bool) or not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, belongs to someone else
        return True
    return True


def _locked(fd: int) -> bool:
    """True when some process holds the segment's flock (probe with a non-blocking LOCK_EX)."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    fcntl.flock(fd, fcntl.LOCK_UN)
    return False


def _inspect(entry: str) -> tuple[SegmentInfo, int] | None:
    """The segment's info and an open fd on it (the caller closes it), or None if it vanished."""
    path = os.path.join(SHM_DIR, entry)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        name = entry[len(_prefix()):]
        try:
            header = _native.inspect_segment(name)
        except (OSError, ValueError):
            header = {"layout_version": 0, "owners": []}
        owners = [int(p) for p in header["owners"]]
        info = SegmentInfo(name, path, st.st_size, int(header["layout_version"]), owners,
                           [p for p in owners if pid_alive(p)], _locked(fd),
                           time.time() - st.st_ctime)
    except BaseException:
        os.close(fd)
        raise
    return info, fd


def list_segments() -> list[SegmentInfo]:
    """Every workspace segment of this user, sorted by name."""
    try:
        entries = sorted(e for e in os.listdir(SHM_DIR) if e.startswith(_prefix()))
    except OSError:
        return []
    out = []
    for entry in entries:
        found = _inspect(entry)
        if found is not None:
            os.close(found[1])
            out.append(found[0])
    return out


def remove_stale(min_age: float = 2.0, names: list[str] | None = None) -> list[SegmentInfo]:
    """Removes this user's stale segments (older than ``min_age`` seconds, so a creator that is
    still initialising one is left alone; only those in ``names`` when given); logs and returns
    what it removed. A segment whose lock is held or whose recorded owner is alive is never
    removed."""
    if not min_age >= 0:
        raise ValueError(f"min_age must be >= 0 seconds, got {min_age!r}")
    removed = []
    for info in list_segments():
        if names is not None and info.name not in names:
            continue
        if not info.stale or info.age_seconds < min_age:
            continue
        found = _inspect(info.path[len(SHM_DIR) + 1:])
        if found is None:
            continue
        info, fd = found
        try:
            # Hold the exclusive lock while unlinking, so nobody attaches in between, and
            # unlink only if the name still names this very file.
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            st, now = os.fstat(fd), os.stat(info.path)
            if info.live_owners or (st.st_ino, st.st_dev) != (now.st_ino, now.st_dev):
                continue
            os.unlink(info.path)
        except OSError:
            continue  # taken meanwhile, or already gone
        finally:
            os.close(fd)
        log.warning("removed stale workspace segment %s", info.describe())
        removed.append(info)
    return removed
