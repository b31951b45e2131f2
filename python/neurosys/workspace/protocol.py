"""``WorkspaceLike``: the one interface every component is typed against.

Both backends (``Workspace`` on shared memory, ``RedisWorkspace`` on a Redis server) satisfy it,
and so does any wrapper that forwards these calls (the Ray runner's key-prefixing view). A
component never learns which backend it has.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

import numpy as np

from neurosys._core import workspace as _native

__all__ = ["WorkspaceLike"]


@runtime_checkable
class WorkspaceLike(Protocol):
    """Values by key, with versions, expiry, change notifications, persistence and a lifetime."""

    @property
    def name(self) -> str: ...

    @property
    def closed(self) -> bool: ...

    def write(self, key: str, value: Any, expiration: float | None = None) -> int: ...

    def read(self, key: str, default: Any = None) -> Any: ...

    def read_meta(self, key: str) -> _native.WorkspaceEntry: ...

    def read_into(self, key: str, out: np.ndarray) -> int: ...

    def wait_for(self, key: str, timeout: float | None = None, after_version: int | None = None) -> Any: ...

    def delete(self, key: str) -> bool: ...

    def keys(self) -> list[str]: ...

    def cleanup_expired(self) -> int: ...

    def subscribe(self, key: str, callback: Callable[[str, Any], Any]) -> None: ...

    def unsubscribe(self, key: str, callback: Callable[[str, Any], Any]) -> None: ...

    def add_observer(self, callback: Callable[[str, Any], Any]) -> None: ...

    def remove_observer(self, callback: Callable[[str, Any], Any]) -> None: ...

    def persist(self, path: str | os.PathLike[str] | None = None) -> int: ...

    def restore(self, path: str | os.PathLike[str]) -> int: ...

    def close(self, *, unlink: bool | None = None) -> None: ...
