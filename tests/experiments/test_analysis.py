"""The paired comparison of survival arms: the exact sign test, the Cox model stratified by
seed (lifelines), and the log-rank test ours and lifelines' side by side."""

from __future__ import annotations

import math

import numpy as np
import pytest

from neurosys.experiments.analysis import compare, sign_test, survival_data


def _rows(arm: str, times: list[float], events: list[bool], cpu_per_epoch: float = 0.01,
          search: float = 0.0) -> list[dict]:
    return [{"arm": arm, "seed": s, "epochs": t, "transition": e, "soup_cpu_s": t * cpu_per_epoch,
             "search_cpu_s": search} for s, (t, e) in enumerate(zip(times, events), start=1)]


def test_the_sign_test_is_exact():
    arm = {s: (10.0, True) for s in range(10)}
    ref = {s: (100.0, False) for s in range(10)}
    assert sign_test(arm, ref) == (10, 0, pytest.approx(2 / 1024))
    assert sign_test(ref, arm) == (0, 10, pytest.approx(2 / 1024))
    both_censored = {s: (100.0, False) for s in range(10)}
    assert sign_test(both_censored, ref) == (0, 0, 1.0)


def test_a_reference_stopped_before_the_arms_event_is_undetermined():
    arm = {1: (50.0, True)}
    assert sign_test(arm, {1: (40.0, False)}) == (0, 0, 1.0)  # stopped with less compute
    assert sign_test(arm, {1: (50.0, False)})[:2] == (1, 0)     # still running at the event


def test_cpu_time_counts_the_search():
    rows = _rows("a", [100.0], [True], search=5.0)
    assert survival_data(rows, "a", "cpu_s") == {1: (pytest.approx(6.0), True)}
    with pytest.raises(ValueError, match="time"):
        survival_data(rows, "a", "hours")


def test_a_faster_arm_has_a_hazard_ratio_above_one():
    rng = np.random.default_rng(0)
    fast = rng.exponential(300, 30)
    slow = rng.exponential(1500, 30)
    cap = 2000.0
    rows = (_rows("fast", list(np.minimum(fast, cap)), list(fast < cap))
            + _rows("none", list(np.minimum(slow, cap)), list(slow < cap)))
    c = compare(rows, "fast", "none")
    assert c.n == 30 and c.events[0] > c.events[1]
    assert c.hazard_ratio > 1 and c.ci[0] > 1 and c.p_cox < 0.05
    assert c.wins > c.losses and c.p_exact < 0.05
    assert c.p_logrank == pytest.approx(c.p_logrank_lifelines, rel=1e-6)
    same = compare(rows, "none", "none")
    assert same.wins == same.losses == 0 and same.p_exact == 1.0


def test_no_events_in_one_arm_is_not_estimable_and_says_so():
    rows = _rows("a", [100.0, 200.0, 300.0], [True, True, True]) + _rows("none", [400.0] * 3, [False] * 3)
    c = compare(rows, "a")
    assert math.isnan(c.hazard_ratio) and "not estimable" in c.ratio_text()
    assert (c.wins, c.losses) == (3, 0) and c.p_exact == pytest.approx(0.25)
    with pytest.raises(ValueError, match="share no seed"):
        compare(rows, "a", "b")
