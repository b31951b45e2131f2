"""The validation criterion of the microcircuit against NEST, fixed before the runs it judges
(tests/snn/test_microcircuit_nest.py and bench/bench_snn.py --model microcircuit use it):

(a) population mean rates: the mean over neurosys's seeds lies within NEST's own seed-to-seed
    range widened by two of NEST's seed-to-seed standard deviations;
(b) distributions (single-neuron rates, ISI CVs, spike-count correlations), as the reference
    data compares them: the median over neurosys's seeds of the KS distance to NEST's pooled
    seeds is at most 1.5 x the largest KS distance of one NEST seed to the others pooled, plus
    0.02 (NEST against itself sets the scale of what counts as the same)."""

from __future__ import annotations

import numpy as np

from neurosys.snn.statistics import ks_distance

STATISTICS = ("rate", "cv", "corr")


def rate_check(nest: list[dict], ours: list[dict], pop: str) -> tuple[bool, str]:
    n = np.array([np.mean(s[pop]["rate"]) for s in nest])
    o = float(np.mean([np.mean(s[pop]["rate"]) for s in ours]))
    lo, hi = n.min() - 2 * n.std(ddof=1), n.max() + 2 * n.std(ddof=1)
    return lo <= o <= hi, f"{pop} rate: neurosys {o:.3f} Hz, NEST seeds {np.round(n, 3)} -> [{lo:.3f}, {hi:.3f}]"


def ks_check(nest: list[dict], ours: list[dict], pop: str, stat: str) -> tuple[bool, str]:
    def pooled(skip: int | None = None) -> np.ndarray:
        return np.concatenate([np.asarray(s[pop][stat]) for k, s in enumerate(nest) if k != skip])

    self_ks = max(ks_distance(np.asarray(s[pop][stat]), pooled(k)) for k, s in enumerate(nest))
    ours_ks = float(np.median([ks_distance(np.asarray(s[pop][stat]), pooled()) for s in ours]))
    bound = 1.5 * self_ks + 0.02
    return ours_ks <= bound, f"{pop} {stat}: KS neurosys-NEST {ours_ks:.3f}, NEST-NEST {self_ks:.3f} (bound {bound:.3f})"


def all_checks(nest: list[dict], ours: list[dict]) -> list[tuple[bool, str]]:
    pops = list(nest[0])
    return [rate_check(nest, ours, p) for p in pops] + [
        ks_check(nest, ours, p, s) for p in pops for s in STATISTICS]
