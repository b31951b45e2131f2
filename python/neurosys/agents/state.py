"""State vectors for agent policies, built from numeric workspace keys only."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from neurosys.workspace import keys

__all__ = ["STATE_SIZE", "read_float", "state_vector", "error_sign_action"]

STATE_SIZE = 8


def read_float(workspace: Any, key: str, default: float = 0.0) -> float:
    """A finite float from ``key``, or ``default`` (missing, not a number, NaN)."""
    value = workspace.read(key, None)
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        return default
    value = float(value)
    return value if math.isfinite(value) else default


def state_vector(workspace: Any, value: float, reference: float, previous: float,
                 spread: float) -> np.ndarray:
    """[relative error, relative trend, synchrony, entropy, diversity, log value, relative
    spread, bias]: the quantity an agent watches against its reference (target or recent mean),
    plus the system context every agent sees."""
    scale = max(abs(reference), 1e-6)
    return np.array([
        np.clip((value - reference) / scale, -5.0, 5.0),
        np.clip((value - previous) / scale, -5.0, 5.0),
        read_float(workspace, keys.SNN_SYNCHRONY),
        read_float(workspace, keys.AVG_ENTROPY),
        read_float(workspace, keys.DIVERSITY_INDEX),
        math.log1p(max(value, 0.0)),
        np.clip(spread / scale, 0.0, 5.0),
        1.0,
    ], dtype=np.float32)


def error_sign_action(rel_error: np.ndarray | float, band: float = 0.05) -> np.ndarray:
    """The controller's prior: 0 (decrease) above the target by more than ``band``, 2
    (increase) below it, 1 (maintain) within."""
    e = np.asarray(rel_error)
    return np.where(e > band, 0, np.where(e < -band, 2, 1))
