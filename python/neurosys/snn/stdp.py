"""Pair-based STDP (Song, Miller & Abbott 2000) with per-neuron event-driven traces."""

from __future__ import annotations

import math
from dataclasses import dataclass

from neurosys.units import ms


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
        for name in ("w_max", "tau_pre", "tau_post", "A_plus", "A_minus", "w_min"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ValueError(f"{name} must be a finite number, got {value!r}")
        if self.tau_pre <= 0 or self.tau_post <= 0:
            raise ValueError("tau_pre and tau_post must be > 0 seconds")
        if self.A_plus < 0 or self.A_minus < 0:
            raise ValueError("A_plus and A_minus must be >= 0")
        if not self.w_max > self.w_min:
            raise ValueError(f"w_max must be greater than w_min, got {self.w_max} <= {self.w_min}")
        if self.rule not in ("additive", "multiplicative"):
            raise ValueError(f"rule must be 'additive' or 'multiplicative', got {self.rule!r}")
