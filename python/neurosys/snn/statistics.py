"""Spike-train statistics as the microcircuit's reference data compares them (Potjans & Diesmann
2014; INM-6/microcircuit-PD14-model, PyNEST/reference_data): per population, the distributions
of single-neuron rates, of the coefficient of variation of inter-spike intervals, and of
pairwise spike-count correlations, and the two-sample Kolmogorov-Smirnov distance between two
such distributions. Plain numpy."""

from __future__ import annotations

import numpy as np

__all__ = ["rates", "isi_cvs", "spike_count_correlations", "ks_distance", "ks_critical",
           "population_statistics"]


def rates(ids: np.ndarray, n: int, duration: float) -> np.ndarray:
    """Each neuron's rate (Hz) over ``duration`` seconds; ``ids`` are 0..n-1 per spike."""
    return np.bincount(np.asarray(ids, dtype=np.int64), minlength=n)[:n] / duration


def isi_cvs(times: np.ndarray, ids: np.ndarray, n: int, min_spikes: int = 3) -> np.ndarray:
    """The CV of inter-spike intervals of each neuron with at least ``min_spikes`` spikes."""
    order = np.lexsort((times, ids))
    t, i = np.asarray(times)[order], np.asarray(ids)[order]
    bounds = np.searchsorted(i, np.arange(n + 1))
    out = []
    for k in range(n):
        s = t[bounds[k]:bounds[k + 1]]
        if s.size >= min_spikes:
            isi = np.diff(s)
            if isi.mean() > 0:
                out.append(isi.std() / isi.mean())
    return np.asarray(out)


def spike_count_correlations(times: np.ndarray, ids: np.ndarray, n: int, duration: float,
                             bin_size: float = 2e-3, neurons: int = 200,
                             seed: int = 0) -> np.ndarray:
    """Pearson correlations of the spike counts in ``bin_size`` bins between every pair of
    ``neurons`` neurons chosen at random (those that spiked), as the reference data does."""
    rng = np.random.default_rng(seed)
    active = np.unique(np.asarray(ids, dtype=np.int64))
    if active.size < 2:
        return np.empty(0)
    chosen = np.sort(rng.choice(active, size=min(neurons, active.size), replace=False))
    bins = int(round(duration / bin_size))
    keep = np.isin(ids, chosen)
    row = np.searchsorted(chosen, np.asarray(ids)[keep])
    col = np.minimum((np.asarray(times)[keep] / bin_size).astype(np.int64), bins - 1)
    counts = np.zeros((chosen.size, bins))
    np.add.at(counts, (row, col), 1.0)
    counts -= counts.mean(axis=1, keepdims=True)
    norm = np.sqrt((counts ** 2).sum(axis=1))
    ok = norm > 0
    c = counts[ok] / norm[ok, None]
    corr = c @ c.T
    return corr[np.triu_indices(corr.shape[0], k=1)]


def ks_distance(a: np.ndarray, b: np.ndarray) -> float:
    """The two-sample Kolmogorov-Smirnov statistic: the largest gap between the empirical
    distribution functions of ``a`` and ``b``."""
    a, b = np.sort(np.asarray(a, dtype=float)), np.sort(np.asarray(b, dtype=float))
    if a.size == 0 or b.size == 0:
        return 1.0 if a.size != b.size else 0.0
    x = np.concatenate([a, b])
    return float(np.max(np.abs(np.searchsorted(a, x, side="right") / a.size
                                - np.searchsorted(b, x, side="right") / b.size)))


def ks_critical(n: int, m: int, alpha: float = 0.01) -> float:
    """The KS distance two samples of sizes n and m from one distribution exceed with
    probability ``alpha`` (the asymptotic c(alpha) sqrt((n + m) / (n m)))."""
    c = np.sqrt(-0.5 * np.log(alpha / 2.0))
    return float(c * np.sqrt((n + m) / (n * m))) if n and m else 1.0


def population_statistics(times: np.ndarray, ids: np.ndarray, n: int,
                          duration: float) -> dict[str, np.ndarray]:
    """rate, cv and corr distributions of one population's recorded spikes."""
    return {"rate": rates(ids, n, duration), "cv": isi_cvs(times, ids, n),
            "corr": spike_count_correlations(times, ids, n, duration)}
