"""Economy rules: amounts from config, evidence beside each reward, idempotent by evidence,
costs refused when an agent cannot pay."""

from __future__ import annotations

import json

import pytest

from neurosys.ledger import TREASURY, Economy, EconomyConfig, Ledger


@pytest.fixture
def economy(open_ledger) -> Economy:
    cfg = EconomyConfig(invention_reward=10, replicator_bonus=4, invention_min_epochs=5,
                        invention_min_copies=2, learning_reward=3, learning_margin=0.5,
                        learning_min_window=4, contribution_reward=2, collaboration_bonus=1,
                        costs={"llm_consultation": 0.5, "spawn": 8}, initial_grant=2)
    return Economy(open_ledger(), cfg)


def test_invention_pays_once_with_replicator_bonus(economy: Economy) -> None:
    prog = bytes(range(16))
    assert economy.on_invention("inv", prog, 10, 12, 5, False) is None  # too young
    assert economy.on_invention("inv", prog, 10, 20, 1, False) is None  # too few copies
    rid = economy.on_invention("inv", prog, 10, 20, 3, False)
    assert rid is not None
    assert economy.balance("inv") == 2 + 10
    assert economy.on_invention("inv", prog, 10, 40, 9, False) == rid  # same lineage: once
    bonus = economy.on_invention("inv", prog, 10, 41, 9, True)
    assert bonus != rid and economy.balance("inv") == 2 + 10 + 4
    economy.on_invention("inv", prog, 10, 60, 9, True)
    assert economy.balance("inv") == 16
    entry = economy.ledger.by_id[rid]
    evidence = json.loads(entry.evidence)
    assert evidence["program"] == "0x" + prog.hex() and evidence["founded_epoch"] == 10
    with pytest.raises(ValueError, match="program"):
        economy.on_invention("inv", b"", 0, 10, 3, False)


def test_learning_pays_per_margin_step(economy: Economy) -> None:
    assert economy.on_learning("l", 1.0, 1.4, 10) is None      # below the margin
    assert economy.on_learning("l", 1.0, 2.0, 2) is None       # window too short
    a = economy.on_learning("l", 1.0, 1.6, 10)
    assert economy.on_learning("l", 1.0, 1.7, 10) == a          # same step: once
    b = economy.on_learning("l", 1.0, 2.05, 10)                 # a further step pays again
    assert a and b and a != b
    assert economy.balance("l") == 2 + 3 + 3
    with pytest.raises(ValueError, match="recent"):
        economy.on_learning("l", 1.0, float("nan"), 10)


def test_contribution_in_proportion_to_error_closed(economy: Economy) -> None:
    assert economy.on_contribution("c", "rate_hz", 10.0, 4.0, 5.0, 1) is None  # moved away
    rid = economy.on_contribution("c", "rate_hz", 10.0, 4.0, 1.0, 2)
    assert economy.on_contribution("c", "rate_hz", 10.0, 4.0, 1.0, 2) == rid
    assert economy.balance("c") == pytest.approx(2 + 2 * 0.75)


def test_collaboration_and_charges(economy: Economy) -> None:
    assert economy.on_collaboration("p", "q", 1.5, "prediction:7", delivered=False) is None
    rid = economy.on_collaboration("p", "q", 1.5, "prediction:7", delivered=True)
    assert rid is not None
    assert economy.on_collaboration("p", "q", 1.5, "prediction:7", delivered=True) == rid
    assert economy.balance("p") == pytest.approx(2 - 1.5)
    assert economy.balance("q") == pytest.approx(2 + 1.5 + 1)
    assert economy.on_collaboration("p", "q", 1.5, "prediction:8", delivered=True) is None  # broke
    assert economy.charge("q", "llm_consultation") is True
    assert economy.balance("q") == pytest.approx(4.0)
    assert economy.charge("q", "spawn") is False                # 8 > 4: falls back to policy
    assert economy.balance("q") == pytest.approx(4.0)
    assert economy.ledger.balance(TREASURY) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="amount_key"):
        economy.charge("q", "yacht")
    assert economy.ledger.verify()["ok"]


def test_config_validated() -> None:
    with pytest.raises(ValueError, match="learning_margin"):
        EconomyConfig(learning_margin=0)
    with pytest.raises(ValueError, match="costs"):
        EconomyConfig(costs={"spawn": -1})


def test_economy_survives_restart(tmp_path, chain: str) -> None:
    with Ledger(tmp_path, chain=chain) as ledger:
        e = Economy(ledger)
        rid = e.on_invention("x", b"\x01\x02", 0, 100, 3, False)
    with Ledger(tmp_path, chain=chain) as ledger:
        e = Economy(ledger)
        assert e.on_invention("x", b"\x01\x02", 0, 200, 3, False) == rid
        assert e.balance("x") == EconomyConfig().initial_grant + EconomyConfig().invention_reward
