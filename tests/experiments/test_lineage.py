"""Lineage credit on a small deterministic case: the injection that founded the dominant
lineage is found and paid once through the real economy; programs that died out earn nothing."""

from __future__ import annotations

import json

import pytest

from neurosys.experiments.lineage import Injection, pay_founder, similarity, trace_founder
from neurosys.ledger import Economy, Ledger
from neurosys.soup import KNOWN_REPLICATOR

REPLICATOR = KNOWN_REPLICATOR
MUTANT = REPLICATOR[:10] + b"+" + REPLICATOR[11:]           # one byte off: same lineage
DEAD = bytes(b"<>{}-+.,[]"[i % 10] for i in range(64))       # never spread


@pytest.fixture
def economy(tmp_path, monkeypatch):
    monkeypatch.setenv("NEUROSYS_LEDGER_PASSPHRASE", "lineage test")
    ledger = Ledger(tmp_path)
    yield Economy(ledger)
    ledger.close()


def test_similarity_sees_rotated_copies():
    assert similarity(REPLICATOR, REPLICATOR[5:] + REPLICATOR[:5]) == 1.0
    assert similarity(REPLICATOR, MUTANT) == pytest.approx(63 / 64)
    assert similarity(REPLICATOR, DEAD) < 0.5


def test_the_founder_is_the_earliest_similar_injection_before_the_first_sighting():
    injections = [Injection("agent-1", DEAD, 0, 8), Injection("agent-2", MUTANT, 128, 8),
                  Injection("agent-1", REPLICATOR, 640, 8)]  # after the lineage was seen: not it
    history = [(128, [DEAD]), (256, []), (384, [MUTANT]), (512, [REPLICATOR])]
    trace = trace_founder(REPLICATOR, 900, history, injections)
    assert trace.first_seen == 384
    assert trace.founder == injections[1]
    assert trace.evidence()["founder"] == "agent-2"


def test_no_founder_when_the_lineage_arose_by_itself():
    trace = trace_founder(REPLICATOR, 900, [(128, [REPLICATOR])], [Injection("agent-1", DEAD, 0, 8)])
    assert trace.founder is None


def test_the_founder_is_paid_once_and_the_others_nothing(economy):
    injections = [Injection("agent-1", DEAD, 0, 8), Injection("agent-2", MUTANT, 128, 8)]
    trace = trace_founder(REPLICATOR, 900, [(256, [REPLICATOR])], injections)
    rid = pay_founder(economy, trace, 1024)
    assert rid is not None and pay_founder(economy, trace, 1024) == rid  # pays once
    paid = economy.balance("agent-2")
    assert paid == economy.config.initial_grant + economy.config.invention_reward + economy.config.replicator_bonus
    assert economy.balance("agent-1") == economy.config.initial_grant  # its program died out
    evidence = json.loads(economy.ledger.by_id[rid].evidence)
    assert evidence["program"] == "0x" + MUTANT.hex() and evidence["founded_epoch"] == 128


def test_random_bytes_earn_nothing(economy):
    trace = trace_founder(REPLICATOR, 900, [(256, [REPLICATOR])], [Injection("random", MUTANT, 0, 8)])
    assert trace.founder is not None and pay_founder(economy, trace, 1024) is None
