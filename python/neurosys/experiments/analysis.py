"""The arms of a paired survival experiment compared with a reference arm (the abiogenesis
experiment: the same seeds in every arm), on epochs or on CPU-seconds:

* the exact paired sign test (a permutation test: under the null, which run of a seed's pair
  transitions first is a fair coin): a pair counts for the arm when it transitions and the
  reference has not by then (transitioned later, or censored later), against it in the mirror
  case, and not at all when both are censored or when one is censored before the other's event
  (undetermined: on CPU-seconds, a reference stopped at its cap with less CPU than the arm
  spent is not given the benefit);
* the Cox model stratified by seed (``lifelines``), its hazard ratio with a 95 % CI, when both
  arms have events (with none in one arm the ratio is not estimable and is reported so);
* the log-rank test, ours and ``lifelines``' side by side, and Kaplan–Meier medians.

Rows are the sweep's result rows (``arm``, ``seed``, ``transition``, ``epochs``, ``soup_cpu_s``,
``search_cpu_s``)."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from neurosys.experiments.survival import kaplan_meier, logrank

__all__ = ["Comparison", "compare", "sign_test", "survival_data", "TIME_AXES"]

TIME_AXES = ("epochs", "cpu_s")


def _flag(value: Any) -> bool:
    return str(value).lower() in ("true", "1")


def survival_data(rows: list[dict[str, Any]], arm: str, time: str = "epochs") -> dict[int, tuple[float, bool]]:
    """seed -> (time, transitioned) of one arm; ``time`` is "epochs" or "cpu_s" (the soup's
    and the search's CPU together)."""
    if time not in TIME_AXES:
        raise ValueError(f"time must be one of {TIME_AXES}, got {time!r}")
    out = {}
    for r in rows:
        if r["arm"] != arm:
            continue
        t = float(r["epochs"]) if time == "epochs" else float(r["soup_cpu_s"]) + float(r.get("search_cpu_s") or 0)
        out[int(r["seed"])] = (t, _flag(r["transition"]))
    return out


def sign_test(arm: dict[int, tuple[float, bool]], ref: dict[int, tuple[float, bool]]) -> tuple[int, int, float]:
    """(pairs won by the arm, pairs won by the reference, exact two-sided p) over the seeds in
    both."""
    wins = losses = 0
    for seed in arm.keys() & ref.keys():
        (ta, ea), (tr, er) = arm[seed], ref[seed]
        if ea and (not er or ta < tr) and (er or tr >= ta):
            wins += 1     # the arm transitioned first (the reference was still running then)
        elif er and (not ea or tr < ta) and (ea or ta >= tr):
            losses += 1
    n = wins + losses
    if n == 0:
        return 0, 0, 1.0
    k = min(wins, losses)
    p = 2 * sum(math.comb(n, i) for i in range(k + 1)) / 2**n
    return wins, losses, min(1.0, p)


@dataclass(frozen=True)
class Comparison:
    arm: str
    reference: str
    time: str
    n: int                      # seeds in both arms
    events: tuple[int, int]     # transitions (arm, reference)
    median: tuple[float, float]  # Kaplan–Meier medians (inf: not reached)
    wins: int                   # paired sign test
    losses: int
    p_exact: float
    hazard_ratio: float         # arm vs reference, Cox stratified by seed; nan: not estimable
    ci: tuple[float, float]
    p_cox: float
    p_logrank: float            # ours
    p_logrank_lifelines: float

    def ratio_text(self) -> str:
        if math.isnan(self.hazard_ratio):
            return "not estimable (no events in " + ("either arm" if sum(self.events) == 0 else
                                                     "one arm") + ")"
        return f"{self.hazard_ratio:.2f} [{self.ci[0]:.2f}, {self.ci[1]:.2f}]"


def _cox(arm: dict, ref: dict, seeds: list[int]) -> tuple[float, tuple[float, float], float]:
    import pandas as pd
    from lifelines import CoxPHFitter

    frame = pd.DataFrame([{"T": d[s][0], "E": int(d[s][1]), "arm": int(d is arm), "seed": s}
                          for s in seeds for d in (arm, ref)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # lifelines' convergence chatter; the CI tells the story
        cph = CoxPHFitter().fit(frame, duration_col="T", event_col="E", strata=["seed"])
    hr = float(np.exp(cph.params_["arm"]))
    lo, hi = (float(np.exp(v)) for v in cph.confidence_intervals_.loc["arm"])
    return hr, (lo, hi), float(cph.summary.loc["arm", "p"])


def compare(rows: list[dict[str, Any]], arm: str, reference: str = "none",
            time: str = "epochs") -> Comparison:
    """The arm against the reference over the seeds both have (see the module docstring)."""
    from lifelines.statistics import logrank_test

    a, r = survival_data(rows, arm, time), survival_data(rows, reference, time)
    seeds = sorted(a.keys() & r.keys())
    if not seeds:
        raise ValueError(f"arms {arm!r} and {reference!r} share no seed")
    ta, ea = zip(*(a[s] for s in seeds))
    tr, er = zip(*(r[s] for s in seeds))
    wins, losses, p_exact = sign_test(a, r)
    hr, ci, p_cox = math.nan, (math.nan, math.nan), math.nan
    if any(ea) and any(er):  # with no events in one arm the partial likelihood has no maximum
        hr, ci, p_cox = _cox(a, r, seeds)
    lr = logrank_test(ta, tr, event_observed_A=ea, event_observed_B=er)
    return Comparison(arm, reference, time, len(seeds), (sum(ea), sum(er)),
                      (kaplan_meier(ta, ea).median, kaplan_meier(tr, er).median),
                      wins, losses, p_exact, hr, ci, p_cox, logrank(ta, ea, tr, er)[1],
                      float(lr.p_value))
