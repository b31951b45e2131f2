"""The abiogenesis arms on the real soup, agents and LLM, at a tiny size: every arm that writes
writes exactly the same bytes per epoch; the LLM arm batches programs per call."""

from __future__ import annotations

import pytest

from neurosys.experiments.abiogenesis import Point, injected_bytes_per_epoch, run_point

# an entropy out of reach: at 256 programs the injected copies alone would compress past 1
SMALL = {"size": 256, "cap": 64, "every": 16, "sample": 8, "programs": 3, "copies": 4, "pay": False, "inventors": 1,
         "hoe": 9.0}


def test_injection_budget_is_equal_across_arms():
    rows = {arm: run_point({"arm": arm, "seed": 5, **SMALL}) for arm in ("none", "random", "policy", "llm")}
    rows["policy+improved"] = run_point({"arm": "policy", "seed": 5, "improved": True, **SMALL})
    budget = SMALL["programs"] * SMALL["copies"] * 64 * (SMALL["cap"] // SMALL["every"])
    assert rows["none"]["injected_bytes"] == 0
    for arm in ("random", "policy", "llm", "policy+improved"):
        assert rows[arm]["epochs"] == SMALL["cap"] and not rows[arm]["transition"]
        assert rows[arm]["injected_bytes"] == budget, arm
        assert injected_bytes_per_epoch(Point(arm=arm.split("+")[0], seed=5, **SMALL)) * SMALL["cap"] == budget
    # one inventor, three programs per LLM call: fewer calls than programs written
    assert 1 <= rows["llm"]["llm_calls"] < SMALL["programs"] * SMALL["cap"] // SMALL["every"]
    assert rows["policy"]["llm_calls"] == 0


def test_points_are_checked():
    with pytest.raises(ValueError, match="arm"):
        Point(arm="magic", seed=0)
    with pytest.raises(ValueError, match="multiple"):
        Point(arm="none", seed=0, cap=100, every=64)
    with pytest.raises(ValueError, match="unknown"):
        Point.from_dict({"arm": "none", "seed": 0, "epochs": 5})


def test_a_transition_seeded_by_an_inventor_pays_its_founder(monkeypatch, tmp_path):
    # the improved policy inventor also searches from the published replicator: it takes over.
    # 2048 programs: in smaller soups 16 copies alone cross the threshold at once, before the
    # economy's invention_min_epochs (then nothing is paid, by the economy's rule)
    monkeypatch.setenv("NEUROSYS_LEDGER_PASSPHRASE", "abiogenesis test")
    row = run_point({"arm": "policy", "seed": 1, "improved": True, "known": True, "size": 2048,
                     "cap": 2048, "every": 64, "sample": 32, "programs": 1, "copies": 16})
    assert row["transition"] and row["epochs"] < 2048
    assert row["founder"] == "agent-1" and row["share"] >= 0.5  # by descent (provenance tags)
    assert row["founded_epoch"] <= row["epochs"] and row["reward_id"].startswith("0x")
