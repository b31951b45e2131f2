"""The abiogenesis arms on the real soup, agents and LLM, at a tiny size: the writers write
exactly the budget, the inventors at most the budget and only what passed their gates; costs
are counted; a transition founded by an inventor's program pays it, by descent."""

from __future__ import annotations

import pytest

from neurosys.experiments.abiogenesis import ARMS, Point, injected_bytes_per_epoch, run_point

# an entropy out of reach: at 256 programs the injected copies alone would compress past 1
SMALL = {"size": 256, "cap": 64, "every": 16, "sample": 8, "programs": 3, "copies": 4, "pay": False,
         "inventors": 1, "hoe": 9.0, "search_evals": 256}
BUDGET = SMALL["programs"] * SMALL["copies"] * 64 * (SMALL["cap"] // SMALL["every"])


@pytest.mark.parametrize("arm", ["random_bytes", "random_bff", "control_8", "control_16"])
def test_writers_write_exactly_the_budget(arm):
    row = run_point({"arm": arm, "seed": 5, **SMALL})
    assert row["epochs"] == SMALL["cap"] and not row["transition"]
    assert row["injected_bytes"] == BUDGET
    assert injected_bytes_per_epoch(Point(arm=arm, seed=5, **SMALL)) * SMALL["cap"] == BUDGET
    assert row["search_cpu_s"] == 0 and row["soup_cpu_s"] > 0


def test_no_agents_write_nothing():
    row = run_point({"arm": "none", "seed": 5, **SMALL})
    assert row["injected_bytes"] == 0 and injected_bytes_per_epoch(Point(arm="none", seed=5)) == 0


@pytest.mark.parametrize("arm", ["mutation_search", "llm_search"])
def test_inventors_write_at_most_the_budget_and_pay_for_their_search(arm):
    row = run_point({"arm": arm, "seed": 5, **SMALL})
    assert 0 <= row["injected_bytes"] <= BUDGET and row["injected_bytes"] % (64 * SMALL["copies"]) == 0
    slots = SMALL["cap"] // SMALL["every"]
    assert row["search_cpu_s"] > 0  # the search ran, and its cost is counted
    if arm == "llm_search":  # three programs per call: fewer calls than programs asked for
        assert 1 <= row["llm_calls"] <= slots * 20
    else:
        assert row["llm_calls"] == 0


def test_points_are_checked():
    assert set(ARMS) >= {"none", "llm_search", "mutation_search", "random_bytes", "random_bff"}
    with pytest.raises(ValueError, match="arm"):
        Point(arm="magic", seed=0)
    with pytest.raises(ValueError, match="multiple"):
        Point(arm="none", seed=0, cap=100, every=64)
    with pytest.raises(ValueError, match="unknown"):
        Point.from_dict({"arm": "none", "seed": 0, "epochs": 5})
    with pytest.raises(ValueError, match="search_evals"):
        Point(arm="none", seed=0, search_evals=0)


def test_a_transition_founded_by_an_inventor_pays_it(monkeypatch):
    # no LLM: the mutation-search inventor's gated programs take over a 2048-program soup
    monkeypatch.setenv("NEUROSYS_LEDGER_PASSPHRASE", "abiogenesis test")
    row = run_point({"arm": "mutation_search", "seed": 2, "size": 2048, "cap": 2048, "every": 64,
                     "sample": 32, "programs": 1, "copies": 16, "search_evals": 2**14})
    assert row["transition"] and row["epochs"] < 2048
    assert row["founder"] == "agent-1" and row["share"] >= 0.5  # by descent (provenance tags)
    assert row["founded_epoch"] <= row["epochs"] and row["reward_id"].startswith("0x")
