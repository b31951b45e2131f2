"""Kaplan–Meier and log-rank on data with known answers."""

import math

import pytest

from neurosys.experiments.survival import kaplan_meier, logrank


def test_kaplan_meier_by_hand():
    # 6 runs: events at 1, 3, 3, 6; censored at 4 and 8
    km = kaplan_meier([1, 3, 3, 4, 6, 8], [1, 1, 1, 0, 1, 0])
    assert list(km.times) == [1, 3, 6]
    # S(1) = 5/6; S(3) = 5/6 * 3/5 = 1/2; S(6) = 1/2 * (1 - 1/2) = 1/4
    assert km.survival == pytest.approx([5 / 6, 0.5, 0.25])
    assert km.median == 3


def test_median_is_infinite_when_most_runs_are_censored():
    assert math.isinf(kaplan_meier([5, 10, 10, 10], [1, 0, 0, 0]).median)


def test_logrank_matches_the_textbook_statistic():
    # Hand computation: at t=1 (n=6, n_a=3, d=1, d_a=1): O-E = 1 - 1/2, V = 1/4;
    # at t=2 (n=5, n_a=2, d=1, d_a=1): O-E = 1 - 2/5, V = 6/25; total O-E = 1.1, V = 0.49
    chi2, p = logrank([1, 2, 9], [1, 1, 0], [3, 9, 9], [0, 0, 0])
    assert chi2 == pytest.approx(1.1**2 / 0.49)
    assert p == pytest.approx(math.erfc(math.sqrt(chi2 / 2)))


def test_logrank_of_identical_groups_is_not_significant():
    chi2, p = logrank([2, 4, 6], [1, 1, 0], [2, 4, 6], [1, 1, 0])
    assert chi2 == pytest.approx(0.0) and p == pytest.approx(1.0)


def test_logrank_agrees_with_lifelines_when_installed():
    lifelines = pytest.importorskip("lifelines.statistics")
    a, ea = [3, 5, 7, 9, 12, 20, 20], [1, 1, 1, 0, 1, 0, 0]
    b, eb = [8, 14, 20, 20, 20, 20], [1, 1, 0, 0, 0, 0]
    ref = lifelines.logrank_test(a, b, event_observed_A=ea, event_observed_B=eb)
    chi2, p = logrank(a, ea, b, eb)
    assert chi2 == pytest.approx(ref.test_statistic) and p == pytest.approx(ref.p_value)
