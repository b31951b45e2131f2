"""What every monitor widget shares: it names the workspace keys it shows and redraws only
when one of them has a new version, so an idle monitor costs the system almost nothing."""

from __future__ import annotations

from typing import Any


def key_entry(workspace: Any, key: str) -> tuple[int, float, Any] | None:
    """``(version, timestamp, value)`` of ``key`` in one consistent read, or None when absent."""
    try:
        entry = workspace.read_meta(key)
    except KeyError:
        return None
    if entry is None:
        return None
    return int(entry.version), float(entry.timestamp), entry.value


class WorkspaceView:
    """Mixin for widgets: set ``KEYS`` and implement ``show(values)``."""

    KEYS: tuple[str, ...] = ()
    _seen: tuple[Any, ...] | None = None

    def poll(self, workspace: Any) -> bool:
        """Read the keys; when any has a new version, redraw. Returns whether it redrew."""
        entries = [key_entry(workspace, k) for k in self.KEYS]
        versions = tuple(e[:2] if e is not None else None for e in entries)
        if versions == self._seen:
            return False
        self._seen = versions
        self.show({k: (e[2] if e is not None else None) for k, e in zip(self.KEYS, entries)})
        return True

    def show(self, values: dict[str, Any]) -> None:  # pragma: no cover - abstract
        raise NotImplementedError
