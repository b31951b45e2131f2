"""Kaplan–Meier curves and the log-rank test for right-censored times (epochs to the soup's
transition, censored at the cap). Plain numpy, so tests and CI need no lifelines/scipy."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["KaplanMeier", "kaplan_meier", "logrank", "plot_survival"]


@dataclass(frozen=True)
class KaplanMeier:
    times: np.ndarray     # distinct event times
    survival: np.ndarray  # S(t) just after each event time
    median: float         # first time S(t) <= 0.5; inf when never reached (too many censored)


def _check(times: np.ndarray | list, events: np.ndarray | list) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(times, dtype=np.float64).reshape(-1)
    e = np.asarray(events, dtype=bool).reshape(-1)
    if t.size != e.size or t.size == 0:
        raise ValueError(f"times and events must be non-empty and of one length, got {t.size}, {e.size}")
    return t, e


def kaplan_meier(times: np.ndarray | list, events: np.ndarray | list) -> KaplanMeier:
    """Product-limit estimate; ``events[i]`` is False when run i was censored at ``times[i]``."""
    t, e = _check(times, events)
    event_times = np.unique(t[e])
    s, surv = 1.0, []
    for u in event_times:
        at_risk = np.count_nonzero(t >= u)
        s *= 1.0 - np.count_nonzero((t == u) & e) / at_risk
        surv.append(s)
    surv_arr = np.asarray(surv)
    below = np.flatnonzero(surv_arr <= 0.5 + 1e-12)
    median = float(event_times[below[0]]) if below.size else math.inf
    return KaplanMeier(event_times, surv_arr, median)


def logrank(times_a: np.ndarray | list, events_a: np.ndarray | list,
            times_b: np.ndarray | list, events_b: np.ndarray | list) -> tuple[float, float]:
    """Two-sample log-rank test: (chi-square statistic with 1 degree of freedom, p-value)."""
    ta, ea = _check(times_a, events_a)
    tb, eb = _check(times_b, events_b)
    t, e = np.concatenate([ta, tb]), np.concatenate([ea, eb])
    in_a = np.concatenate([np.ones(ta.size, bool), np.zeros(tb.size, bool)])
    observed_minus_expected, variance = 0.0, 0.0
    for u in np.unique(t[e]):
        at_risk = t >= u
        n, n_a = np.count_nonzero(at_risk), np.count_nonzero(at_risk & in_a)
        d = np.count_nonzero((t == u) & e)
        d_a = np.count_nonzero((t == u) & e & in_a)
        observed_minus_expected += d_a - d * n_a / n
        if n > 1:
            variance += d * (n_a / n) * (1 - n_a / n) * (n - d) / (n - 1)
    if variance <= 0:
        return 0.0, 1.0
    chi2 = observed_minus_expected**2 / variance
    return float(chi2), float(math.erfc(math.sqrt(chi2 / 2)))  # chi-square(1) survival function


def plot_survival(curves: dict[str, tuple[list, list]], cap: float, path: Path, title: str,
                  styles: dict[str, str] | None = None, xlabel: str = "epoch") -> None:
    """Kaplan–Meier step curves, one per label of ``curves`` (label -> (times, events)), each
    drawn to ``cap``; written to ``path``. ``styles``: a line style per label (default solid)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.2))
    for label, (t, e) in curves.items():
        km = kaplan_meier(t, e)
        xs, ys = [0.0], [1.0]
        for x, y in zip(km.times, km.survival):
            xs += [x, x]
            ys += [ys[-1], y]
        xs.append(cap)
        ys.append(ys[-1])
        ax.plot(xs, ys, label=f"{label} (n={len(t)})", ls=(styles or {}).get(label, "-"))
    ax.set_xlabel(xlabel)
    ax.set_ylabel("fraction of runs not yet transitioned")
    ax.set_ylim(-0.02, 1.02)
    ax.set_title(title)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
