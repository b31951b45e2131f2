"""Spiking network engine: conductance-based LIF populations, Poisson inputs, CSR synapses with
delays, pair-based STDP, monitors, and the seed's ``NeuromorphicNetwork`` preset.

>>> from neurosys import snn
>>> from neurosys.units import ms, mV, nS, Hz
>>> net = snn.Network(dt=0.1 * ms, seed=1)
>>> E = net.population("E", 100)
>>> inp = net.poisson("in", 100, rate=20 * Hz)
>>> proj = net.connect(inp, E, p=0.1, weight=2 * nS)
>>> spikes = net.monitor_spikes(E)
>>> net.run(0.1)
"""

from __future__ import annotations

from typing import Any

from neurosys.snn.monitors import RateMonitor, SpikeMonitor, StateMonitor
from neurosys.snn.network import Channel, Network, PoissonGroup, Population, Projection
from neurosys.snn.stdp import STDP

__all__ = ["Network", "Population", "PoissonGroup", "Projection", "Channel", "STDP",
           "SpikeMonitor", "StateMonitor", "RateMonitor", "NeuromorphicNetwork"]


def __getattr__(name: str) -> Any:
    # the preset imports the workspace and run store only when used
    if name == "NeuromorphicNetwork":
        import importlib

        return importlib.import_module("neurosys.snn.preset").NeuromorphicNetwork
    raise AttributeError(f"module 'neurosys.snn' has no attribute {name!r}")
