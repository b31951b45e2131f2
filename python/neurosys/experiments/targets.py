"""A moving rate target for the closed-loop bench (issue #15): steps, then a slow sine between
5 and 20 Hz, and the window after each step in which the loop is still settling."""

from __future__ import annotations

import math

import numpy as np

__all__ = ["STEPS", "moving_target", "settled_mask"]

# (start s, target Hz) of the step part; the sine starts at SINE_START
STEPS: tuple[tuple[float, float], ...] = ((0.0, 10.0), (25.0, 20.0), (50.0, 5.0), (75.0, 15.0),
                                          (100.0, 8.0))
SINE_START, SINE_PERIOD = 125.0, 50.0


def moving_target(t: np.ndarray | float) -> np.ndarray:
    """Target rate (Hz) at time ``t`` (s): the steps, then 12.5 + 7.5 sin(2π (t - 125 s) / 50 s)."""
    t = np.asarray(t, dtype=np.float64)
    out = np.full(t.shape, STEPS[0][1])
    for start, hz in STEPS:
        out = np.where(t >= start, hz, out)
    sine = 12.5 + 7.5 * np.sin(2 * math.pi * (t - SINE_START) / SINE_PERIOD)
    return np.where(t >= SINE_START, sine, out)


def settled_mask(t: np.ndarray, settle: float) -> np.ndarray:
    """True where ``t`` lies outside the first ``settle`` seconds after each step (the start of
    the sine counts as a step: it starts where the last step was not)."""
    t = np.asarray(t, dtype=np.float64)
    starts = [s for s, _ in STEPS] + [SINE_START]
    mask = np.ones(t.shape, bool)
    for s in starts:
        mask &= ~((t >= s) & (t < s + settle))
    return mask
