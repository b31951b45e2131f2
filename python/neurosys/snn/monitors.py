"""Monitors: compact numpy views of what the native step loop recorded."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from neurosys.snn.network import Group, Network


class _Monitor:
    """What every monitor shares: ``(steps, values)`` read from the engine, ``times`` in
    seconds, and ``take()`` for chunked logging."""

    def __init__(self, net: "Network", group: "Group", k: int) -> None:
        self.net, self.group, self._k = net, group, k

    def _record(self, clear: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """(steps, values) recorded so far; ``clear`` forgets them."""
        raise NotImplementedError

    @property
    def times(self) -> np.ndarray:
        return self._record()[0] * self.net.dt

    def take(self) -> tuple[np.ndarray, np.ndarray]:
        """Return (times, values) recorded so far and forget them (for chunked logging)."""
        steps, values = self._record(clear=True)
        return steps * self.net.dt, values


class SpikeMonitor(_Monitor):
    """Spikes of a group: ``times`` (s, float64) and ``indices`` (int32), in time order;
    ``take()`` returns (times, indices)."""

    def _record(self, clear: bool = False) -> tuple[np.ndarray, np.ndarray]:
        return self.net._core.spike_data(self._k, clear)

    @property
    def indices(self) -> np.ndarray:
        return self._record()[1]

    @property
    def steps(self) -> np.ndarray:
        return self._record()[0]

    def __len__(self) -> int:
        return len(self.indices)

    def counts(self) -> np.ndarray:
        """Spikes per neuron of the group."""
        return np.bincount(self.indices, minlength=self.group.n)


class StateMonitor(_Monitor):
    """Samples of one variable: ``times`` (s) and ``values`` of shape (samples, indices)."""

    def __init__(self, net: "Network", group: "Group", k: int, variable: str,
                 indices: np.ndarray) -> None:
        super().__init__(net, group, k)
        self.variable, self.record = variable, indices

    def _record(self, clear: bool = False) -> tuple[np.ndarray, np.ndarray]:
        return self.net._core.state_data(self._k, clear)

    @property
    def values(self) -> np.ndarray:
        return self._record()[1]


class RateMonitor(_Monitor):
    """Population rate per step (Hz): ``times`` (s) and ``rate``; ``take()`` returns (times,
    rate)."""

    def _record(self, clear: bool = False) -> tuple[np.ndarray, np.ndarray]:
        first, counts = self.net._core.rate_data(self._k, clear)
        steps = first + np.arange(len(counts))
        return steps, counts / (max(self.group.n, 1) * self.net.dt)

    @property
    def rate(self) -> np.ndarray:
        return self._record()[1]
