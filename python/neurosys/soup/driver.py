"""``SoupDriver``: runs a soup in steps for the system, samples metrics every K epochs, publishes
the soup's workspace keys (docs/workspace-keys.md) and logs one row per sample to the run store."""

from __future__ import annotations

import threading
import time
from typing import Any

import numpy as np

from neurosys.soup.engine import Soup
from neurosys.soup.metrics import SoupMetrics
from neurosys.workspace import keys

TABLE = "soup_epochs"
COLUMNS = ("epoch INTEGER, wall_time REAL, shannon REAL, compressed_bits_per_byte REAL, "
           "high_order_entropy REAL, zlib_bits_per_byte REAL, distinct_programs INTEGER, "
           "diversity REAL, program_entropy REAL, ops_per_pair REAL, mutation_rate REAL, "
           "replicators INTEGER, top_program BLOB, top_count INTEGER")


class SoupDriver:
    """Drives `soup` for the orchestrator; `workspace` and `store` are optional.

    `step(epochs)` runs epochs and samples metrics whenever the epoch counter crosses a multiple
    of `metrics_every`; the first step samples the starting soup first, so the store's series
    begins where the run began (a run stopped before its first boundary still has its row). `set_mutation_rate` and `inject` may be called from other threads (the
    agents): they wait for the running chunk of epochs to finish. zlib is off by default: on an
    8 MiB soup it costs ~4x brotli and would take metrics at K=64 past 10% of an epoch.
    """

    def __init__(self, soup: Soup, workspace: Any = None, store: Any = None, metrics_every: int = 64,
                 history: int = 500, top_k: int = 10, use_zlib: bool = False) -> None:
        if isinstance(metrics_every, bool) or not isinstance(metrics_every, int) or metrics_every < 1:
            raise ValueError(f"metrics_every must be an integer >= 1, got {metrics_every!r}")
        if not isinstance(history, int) or history < 1:
            raise ValueError(f"history must be an integer >= 1, got {history!r}")
        self.soup = soup
        self.workspace = workspace
        self.store = store
        self.metrics_every = metrics_every
        self.top_k = top_k
        self.use_zlib = use_zlib
        self._history = history
        self._hoe: list[float] = []
        self._lock = threading.RLock()
        self.last_metrics: SoupMetrics | None = None
        self.known_replicators: list[bytes] = []
        self._migration_rng = np.random.default_rng()  # who leaves and who is overwritten
        if store is not None:
            store.create_table(TABLE, COLUMNS, component="soup", version=1, indexes=("epoch",))
        self._publish({keys.SOUP_MUTATION_RATE: float(soup.mutation_rate), keys.SOUP_EPOCH: int(soup.epoch)})

    @property
    def hoe_history(self) -> np.ndarray:
        return np.asarray(self._hoe, dtype=np.float64)

    def step(self, epochs: int = 1) -> SoupMetrics | None:
        """Run `epochs` epochs; returns the last metrics sample taken during them, if any."""
        if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 0:
            raise ValueError(f"epochs must be an integer >= 0, got {epochs!r}")
        sampled = None
        if self.last_metrics is None:
            sampled = self.sample()
        remaining = epochs
        while remaining > 0:
            with self._lock:
                to_boundary = self.metrics_every - self.soup.epoch % self.metrics_every
                chunk = min(remaining, to_boundary)
                self.soup.run(chunk)
                remaining -= chunk
                if self.soup.epoch % self.metrics_every == 0:
                    sampled = self.sample()
                else:
                    self._publish({keys.SOUP_EPOCH: int(self.soup.epoch)})
        return sampled

    def sample(self) -> SoupMetrics:
        """Compute metrics now, publish them and log a row."""
        with self._lock:
            m = self.soup.metrics(top_k=self.top_k, use_zlib=self.use_zlib)
            self.last_metrics = m
            self._hoe.append(m.high_order_entropy)
            del self._hoe[: -self._history]
            for r in m.replicators:
                if r not in self.known_replicators:
                    self.known_replicators.append(r)
            self._publish({
                keys.AVG_ENTROPY: float(m.high_order_entropy),
                keys.DIVERSITY_INDEX: float(m.diversity),
                keys.SOUP_EPOCH: int(m.epoch),
                keys.SOUP_METRICS: m.summary(),
                keys.SOUP_HOE_HISTORY: self.hoe_history,
                keys.SOUP_TOP_PROGRAMS: [{"program": p, "count": int(c)} for p, c in m.top_programs],
                keys.SOUP_REPLICATORS: list(m.replicators),
                keys.SOUP_MUTATION_RATE: float(self.soup.mutation_rate),
            })
            if self.store is not None:
                n = self.soup.programs.size
                top = m.top_programs[0] if m.top_programs else (b"", 0)
                self.store.insert(TABLE, (
                    m.epoch, time.time(), m.shannon, m.compressed_bits_per_byte, m.high_order_entropy,
                    8.0 * m.zlib_bytes / n if m.zlib_bytes is not None else None, m.distinct,
                    m.diversity, m.program_entropy, m.ops_per_pair, float(self.soup.mutation_rate),
                    len(m.replicators), top[0], top[1]))
            return m

    def set_mutation_rate(self, rate: float) -> None:
        with self._lock:
            self.soup.mutation_rate = rate  # validated by the engine
            self._publish({keys.SOUP_MUTATION_RATE: self.soup.mutation_rate})  # as quantised by the engine

    def inject(self, program: bytes | str, count: int = 1, origin: int | None = None) -> np.ndarray:
        with self._lock:
            if origin is None:
                return self.soup.inject(program, count)
            return self.soup.inject(program, count, origin=origin)

    def lineage_count(self, program: bytes) -> float:
        """Exact copies of ``program`` in the soup (0 for a program of another length)."""
        arr = np.frombuffer(bytes(program), dtype=np.uint8)
        with self._lock:
            programs = self.soup.programs
            if programs.shape[1] != arr.size:
                return 0.0
            return float(np.count_nonzero((programs == arr).all(axis=1)))

    # -- an island of the island model (neurosys.soup.islands.IslandSoup), between steps -------
    def current_epoch(self) -> int:
        return int(self.soup.epoch)

    def emigrate(self, count: int) -> np.ndarray:
        """Copies of ``count`` random programs."""
        with self._lock:
            rows = self._migration_rng.choice(self.soup.size, size=int(count), replace=False)
            return self.soup.programs[rows].copy()

    def immigrate(self, programs: np.ndarray) -> None:
        """``programs`` written over as many random programs."""
        with self._lock:
            rows = self._migration_rng.choice(self.soup.size, size=len(programs), replace=False)
            self.soup.programs[rows] = programs

    def _publish(self, values: dict[str, Any]) -> None:
        if self.workspace is None:
            return
        for key, value in values.items():
            self.workspace.write(key, value)
