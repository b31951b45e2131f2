"""Monitors: compact numpy views of what the native step loop recorded."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from neurosys.snn.network import Group, Network


class SpikeMonitor:
    """Spikes of a group: ``times`` (s, float64) and ``indices`` (int32), in time order."""

    def __init__(self, net: "Network", group: "Group", k: int) -> None:
        self.net, self.group, self._k = net, group, k

    def _data(self) -> tuple[np.ndarray, np.ndarray]:
        return self.net._core.spike_data(self._k)

    @property
    def times(self) -> np.ndarray:
        return self._data()[0] * self.net.dt

    @property
    def indices(self) -> np.ndarray:
        return self._data()[1]

    @property
    def steps(self) -> np.ndarray:
        return self._data()[0]

    def __len__(self) -> int:
        return len(self._data()[1])

    def counts(self) -> np.ndarray:
        """Spikes per neuron of the group."""
        return np.bincount(self.indices, minlength=self.group.n)

    def take(self) -> tuple[np.ndarray, np.ndarray]:
        """Return (times, indices) recorded so far and forget them (for chunked logging)."""
        steps, idx = self.net._core.spike_data(self._k, True)
        return steps * self.net.dt, idx


class StateMonitor:
    """Samples of one variable: ``times`` (s) and ``values`` of shape (samples, indices)."""

    def __init__(self, net: "Network", group: "Group", k: int, variable: str,
                 indices: np.ndarray) -> None:
        self.net, self.group, self._k = net, group, k
        self.variable, self.record = variable, indices

    @property
    def times(self) -> np.ndarray:
        return self.net._core.state_data(self._k)[0] * self.net.dt

    @property
    def values(self) -> np.ndarray:
        return self.net._core.state_data(self._k)[1]

    def take(self) -> tuple[np.ndarray, np.ndarray]:
        steps, values = self.net._core.state_data(self._k, True)
        return steps * self.net.dt, values


class RateMonitor:
    """Population rate per step (Hz): ``times`` (s) and ``rate``."""

    def __init__(self, net: "Network", group: "Group", k: int) -> None:
        self.net, self.group, self._k = net, group, k

    def _data(self) -> tuple[np.ndarray, np.ndarray]:
        first, counts = self.net._core.rate_data(self._k)
        times = (first + np.arange(len(counts))) * self.net.dt
        return times, counts / (max(self.group.n, 1) * self.net.dt)

    @property
    def times(self) -> np.ndarray:
        return self._data()[0]

    @property
    def rate(self) -> np.ndarray:
        return self._data()[1]

    def take(self) -> tuple[np.ndarray, np.ndarray]:
        first, counts = self.net._core.rate_data(self._k, True)
        times = (first + np.arange(len(counts))) * self.net.dt
        return times, counts / (max(self.group.n, 1) * self.net.dt)
