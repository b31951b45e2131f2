"""Pair-based STDP (Song, Miller & Abbott 2000) with per-neuron event-driven traces: the rule's
parameters, checked by the engine when the rule is made (``_core.snn.check_stdp``)."""

from __future__ import annotations

from dataclasses import dataclass

from neurosys import _core
from neurosys.arguments import real
from neurosys.units import ms

# the parameters in the order of _core.snn.check_stdp and Network.enable_stdp
_ENGINE_ORDER = ("tau_pre", "tau_post", "A_plus", "A_minus", "w_min", "w_max")


@dataclass(frozen=True)
class STDP:
    """All-to-all pair-based STDP. Every presynaptic spike adds 1 to the pre trace (decaying with
    ``tau_pre``) and depresses the synapse by ``A_minus * x_post``; every postsynaptic spike adds
    1 to the post trace and potentiates by ``A_plus * x_pre``. Amplitudes are fractions of
    ``w_max - w_min`` (``rule="additive"``, hard bounds) or of the distance to the bound
    (``rule="multiplicative"``, soft bounds). Weights stay in ``[w_min, w_max]``."""

    w_max: float
    tau_pre: float = 20 * ms
    tau_post: float = 20 * ms
    A_plus: float = 0.01
    A_minus: float = 0.0105
    w_min: float = 0.0
    rule: str = "additive"

    def __post_init__(self) -> None:
        if self.rule not in ("additive", "multiplicative"):
            raise ValueError(f"rule must be 'additive' or 'multiplicative', got {self.rule!r}")
        values = [real(name, getattr(self, name)) for name in _ENGINE_ORDER]
        for name, value in zip(_ENGINE_ORDER, values):
            object.__setattr__(self, name, value)  # frozen: the converted floats
        # the engine's own check, so that a bad rule fails here rather than at connect()
        _core.snn.check_stdp(*values)
