"""The global workspace, the one channel between components (DESIGN.md, Contracts: Workspace).

    base.py      the layer both backends share: subscriptions, persistence, lifetime
    shm.py       ``Workspace``: the lock-free table in POSIX shared memory (the default backend)
    redis.py     ``RedisWorkspace``: the same API and codec on a Redis server (across hosts)
    segments.py  this user's segments in /dev/shm: in use, stale, removal
    protocol.py  ``WorkspaceLike``, the interface components are typed against
    keys.py      every key, declared once (docs/workspace-keys.md is generated from it)

``Workspace(name, backend="redis://host:port/db")`` still returns a ``RedisWorkspace``, so the
backend is picked in one call; redis-py is imported only then.
"""

from __future__ import annotations

from neurosys.workspace import keys
from neurosys.workspace.base import (DEFAULT_CAPACITY, DEFAULT_MAX_VALUE_BYTES, WorkspaceClosedError,
                                     WorkspaceEntry, WorkspaceFullError, WorkspaceUnavailable)
from neurosys.workspace.protocol import WorkspaceLike
from neurosys.workspace.shm import GlobalWorkspace, Workspace, reclaim_stale

__all__ = [
    "Workspace",
    "GlobalWorkspace",
    "WorkspaceLike",
    "WorkspaceEntry",
    "WorkspaceFullError",
    "WorkspaceClosedError",
    "WorkspaceUnavailable",
    "DEFAULT_CAPACITY",
    "DEFAULT_MAX_VALUE_BYTES",
    "reclaim_stale",
    "keys",
]
