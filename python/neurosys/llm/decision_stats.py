"""How the LLM's decisions actually arrive: how many were answered, how many timed out or fell
back, and their latency. The configured interval is a wish on a shared machine; these numbers
say what the system got, and the TUI and the run summary show them."""

from __future__ import annotations

import statistics
import threading
from collections import deque
from typing import Any

__all__ = ["DecisionStats"]

_WINDOW = 256  # latest latencies kept for the median and the 95th percentile


class DecisionStats:
    """Counts and latencies of decisions, safe to update from one thread and read from others."""

    def __init__(self) -> None:
        self.made = 0       # answered by the model
        self.timed_out = 0  # no answer within the timeout: the fallback was used
        self.fell_back = 0  # any other fallback (backend error, unparsable answer, interrupted)
        self._latencies: deque[float] = deque(maxlen=_WINDOW)
        self._lock = threading.Lock()

    def record(self, seconds: float, *, fallback: bool, timed_out: bool) -> None:
        with self._lock:
            if timed_out:
                self.timed_out += 1
            elif fallback:
                self.fell_back += 1
            else:
                self.made += 1
            self._latencies.append(float(seconds))

    def as_dict(self) -> dict[str, Any]:
        """``{"made", "timed_out", "fell_back", "latency_median", "latency_p95"}`` (seconds;
        None before the first decision)."""
        with self._lock:
            lat = sorted(self._latencies)
            out: dict[str, Any] = {"made": self.made, "timed_out": self.timed_out,
                                   "fell_back": self.fell_back}
        out["latency_median"] = statistics.median(lat) if lat else None
        out["latency_p95"] = lat[min(len(lat) - 1, int(0.95 * len(lat)))] if lat else None
        return out
