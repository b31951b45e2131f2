"""``Channel``: a synaptic input channel of a population, and the default pair (excitatory and
inhibitory conductances) every population gets unless it names its own."""

from __future__ import annotations

from dataclasses import dataclass

from neurosys.units import mV, ms

__all__ = ["Channel", "DEFAULT_CHANNELS"]


@dataclass(frozen=True)
class Channel:
    """A synaptic input channel. ``current=False``: a conductance (S) with reversal potential
    ``E`` (V), current ``g (E - v)``; ``current=True``: a current (A) added directly.
    ``tau=0`` with ``current=True``: a delta channel, each spike's current lasts one step."""

    tau: float
    E: float = 0.0
    current: bool = False


DEFAULT_CHANNELS: dict[str, Channel] = {
    "exc": Channel(tau=5 * ms, E=0 * mV),
    "inh": Channel(tau=10 * ms, E=-80 * mV),
}
