"""The inventors' assay on the real engine and model, at a small budget: every method spends
the same count of programs scored, and what it finds is confirmed by the detector."""

from __future__ import annotations

import pytest

from neurosys.experiments.assay import METHODS, AssayPoint, run_point
from neurosys.soup import is_replicator


@pytest.mark.parametrize("method", METHODS)
def test_each_method_spends_the_budget_and_counts_its_cost(method):
    row = run_point({"method": method, "seed": 1, "evals": 1024, "llm_every": 4})
    assert row["evaluated"] >= 1024 and row["cpu_s"] > 0
    assert row["found"] >= 0 and row["per_cpu_s"] == pytest.approx(row["found"] / row["cpu_s"], rel=1e-2)
    assert (row["llm_calls"] >= 1) == (method == "llm_search")


def test_the_mutation_search_finds_confirmed_replicators():
    row = run_point({"method": "mutation_search", "seed": 1, "evals": 2**15})
    assert row["found"] >= 1 and 0 < row["first_cpu_s"] <= row["cpu_s"]


def test_points_are_checked():
    with pytest.raises(ValueError, match="method"):
        AssayPoint(method="magic", seed=0)
    with pytest.raises(ValueError, match="unknown"):
        AssayPoint.from_dict({"method": "random_bff", "seed": 0, "budget": 5})
    assert not is_replicator(bytes(64))  # the detector the assay trusts refuses a blank
