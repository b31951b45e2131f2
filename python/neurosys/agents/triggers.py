"""Spawn triggers: the network entering a new activity regime, the soup producing a new
replicator lineage."""

from __future__ import annotations

import hashlib
from collections import deque
from typing import Any

import numpy as np

from neurosys.agents.state import read_float
from neurosys.workspace import keys

__all__ = ["RegimeDetector", "LineageDetector"]


class RegimeDetector:
    """Fires when ``key`` leaves its recent range: the value stays outside [min - m, max + m]
    of the last ``window`` samples (m = ``margin`` x range, at least ``min_margin``) for
    ``persist`` consecutive samples. The window then restarts, so the new range must fill
    before the next regime can be detected."""

    def __init__(self, key: str, window: int = 30, persist: int = 3, margin: float = 0.25,
                 min_margin: float = 1.0) -> None:
        if int(window) < 2 or int(persist) < 1:
            raise ValueError(f"window must be >= 2 and persist >= 1, got {window!r}, {persist!r}")
        self.key, self.window, self.persist = key, int(window), int(persist)
        self.margin, self.min_margin = float(margin), float(min_margin)
        self.values: deque[float] = deque(maxlen=self.window)
        self._outside = 0

    def update(self, workspace: Any) -> float | None:
        """Feed the current value; returns it when a new regime starts, else None."""
        if workspace.read(self.key, None) is None:
            return None
        value = read_float(workspace, self.key)
        if len(self.values) < self.window:
            self.values.append(value)
            return None
        lo, hi = min(self.values), max(self.values)
        m = max(self.margin * (hi - lo), self.min_margin)
        if lo - m <= value <= hi + m:
            self._outside = 0
            self.values.append(value)
            return None
        self._outside += 1
        if self._outside < self.persist:
            return None
        self._outside = 0
        self.values.clear()
        self.values.append(value)
        return value


class LineageDetector:
    """Reports each program of ``soup/replicators`` the first time it appears."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def update(self, workspace: Any) -> list[bytes]:
        found = []
        for program in workspace.read(keys.SOUP_REPLICATORS, None) or []:
            if isinstance(program, np.ndarray):
                program = program.tobytes()
            if not isinstance(program, (bytes, bytearray)):
                continue
            digest = hashlib.sha256(bytes(program)).hexdigest()
            if digest not in self.seen:
                self.seen.add(digest)
                found.append(bytes(program))
        return found
