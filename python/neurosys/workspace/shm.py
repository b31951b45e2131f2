"""The global workspace: a lock-free key-value table in POSIX shared memory.

Every component of a neurosys system talks through one workspace; other processes attach to it
by name and read, write, wait and subscribe. ``read``, ``write``, ``read_meta``, ``read_into``
and ``wait_for`` are implemented in C++ (``neurosys._core.workspace.WorkspaceHandle``) and run
without a Python frame; this module adds naming and the segment's lifetime, and inherits
subscriptions and persistence from ``base.WorkspaceLayer`` (shared with the Redis backend).

Subscriptions are state notifications: after a write (from any process) each subscriber of the
key is called with the key's *current* value. Several quick writes may be delivered as one
call carrying the latest value; calls for one key arrive in order, on a small dispatcher pool.
"""

from __future__ import annotations

import logging
import os
import secrets
from typing import Any

from neurosys._core import workspace as _native
from neurosys.workspace.base import (DEFAULT_CAPACITY, DEFAULT_MAX_VALUE_BYTES, WorkspaceLayer,
                                     check_open_args)

__all__ = ["Workspace", "GlobalWorkspace", "reclaim_stale"]

logger = logging.getLogger("neurosys.workspace")


def reclaim_stale(min_age: float = 2.0) -> list[str]:
    """Removes this user's workspace segments that no live process has open; returns their
    names (see ``neurosys.workspace.segments.remove_stale``, which logs each one)."""
    from neurosys.workspace.segments import remove_stale

    return [info.name for info in remove_stale(min_age)]


class Workspace(WorkspaceLayer, _native.WorkspaceHandle):
    """A named shared-memory workspace; ``Workspace.attach(name)`` opens it from another process.

    Args:
        name: segment name (letters, digits, ``_-.``); ``None`` makes a fresh unique one.
        capacity: most keys the table holds (only used when the segment is created).
        max_value_bytes: largest encoded value (only used when the segment is created).
        persist_path: file the workspace is saved to on ``close()`` (and every
            ``persist_interval`` seconds); a freshly created workspace restores it on start.
        persist_interval: seconds between automatic saves, or ``None``.
        unlink_on_close: remove the segment name on ``close()``; defaults to True for
            auto-named workspaces, False for named ones.
        dispatcher_threads: size of the callback dispatcher pool.
        backend: "shm" (this class) or "redis://host:port/db", which returns a
            ``neurosys.workspace.redis.RedisWorkspace`` with the same API and value encoding.
    """

    backend = "shm"  # what the handle runs on; a RedisWorkspace answers with its URL

    def __new__(cls, name: str | None = None, *args: Any, backend: str = "shm", **kwargs: Any) -> Any:
        if backend == "shm":
            return super().__new__(cls)
        from neurosys.workspace.redis import RedisWorkspace

        return RedisWorkspace(backend, name, *args, **kwargs)

    def __init__(
        self,
        name: str | None = None,
        capacity: int = DEFAULT_CAPACITY,
        max_value_bytes: int = DEFAULT_MAX_VALUE_BYTES,
        persist_path: str | os.PathLike[str] | None = None,
        persist_interval: float | None = None,
        *,
        unlink_on_close: bool | None = None,
        dispatcher_threads: int = 2,
        backend: str = "shm",
    ) -> None:
        check_open_args(name, capacity, max_value_bytes, persist_path, persist_interval, dispatcher_threads)
        auto_named = name is None
        self._open(name or f"ws-{os.getpid()}-{secrets.token_hex(6)}", True, capacity, max_value_bytes)
        self._setup(persist_path, persist_interval, auto_named if unlink_on_close is None else unlink_on_close,
                    dispatcher_threads)
        if self.reclaimed:
            logger.warning("workspace %r: removed a stale segment of that name (every process "
                           "that had it open had exited) and created a fresh one", self.name)
        self._restore_on_create()

    @classmethod
    def attach(cls, name: str, *, dispatcher_threads: int = 2, backend: str = "shm") -> Workspace:
        """Opens an existing workspace segment (FileNotFoundError when there is none)."""
        if backend != "shm":
            from neurosys.workspace.redis import RedisWorkspace

            return RedisWorkspace.attach(backend, name, dispatcher_threads=dispatcher_threads)
        if not isinstance(name, str):
            raise TypeError(f"name: expected str, got {type(name).__name__}")
        self = cls.__new__(cls)
        self._open(name, False, 1, 64)
        self._setup(None, None, False, dispatcher_threads)
        return self

    def unlink(self) -> bool:
        """Remove the segment's name, before or after ``close()`` (as with
        ``multiprocessing.shared_memory``); attached handles keep working. True when removed."""
        if self.closed:
            return _native.unlink_name(self._segment_name)
        return super().unlink()

    def __repr__(self) -> str:
        if self.closed:
            return f"<{type(self).__name__} (closed)>"
        return f"<{type(self).__name__} name={self.name!r} keys={self.used}/{self.capacity}>"


class GlobalWorkspace(Workspace):
    """The seed's name for the workspace: ``GlobalWorkspace()`` makes a private, auto-named one."""

