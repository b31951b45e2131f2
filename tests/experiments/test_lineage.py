"""Credit by descent on real soups with provenance: of two inventors, the one whose injection
the dominant replicator descends from is the founder; a copycat that re-injects a replicator the
soup made by itself earns nothing; the ledger pays the founder once, the evidence its id."""

from __future__ import annotations

import json

import numpy as np
import pytest

from neurosys.experiments.lineage import Injection, describe, pay_founder, trace_founder
from neurosys.ledger import Economy, Ledger
from neurosys.soup import KNOWN_REPLICATOR, ORIGIN_PRIMORDIAL, Soup, is_replicator

DEAD = bytes(b"<>{}-+.,[]"[i % 10] for i in range(64))  # never spreads


@pytest.fixture
def economy(tmp_path, monkeypatch):
    monkeypatch.setenv("NEUROSYS_LEDGER_PASSPHRASE", "lineage test")
    ledger = Ledger(tmp_path)
    yield Economy(ledger)
    ledger.close()


def run_until_dominant(soup: Soup, epochs: int = 2048) -> tuple[int, bytes]:
    """Epochs until the soup's high-order entropy passes 1 (the transition), and its dominant
    program then: the detector's most copied replicator, else the most copied program."""
    while soup.epoch < epochs:
        soup.run(64)
        m = soup.metrics(top_k=4)
        if m.high_order_entropy >= 1.0:
            return soup.epoch, (m.replicators[0] if m.replicators else m.top_programs[0][0])
    raise AssertionError("no transition")


def test_of_two_inventors_the_founder_is_the_one_it_descends_from(economy):
    soup = Soup(size=2048, seed=3, device="cpu", provenance=True)
    injections = [Injection("agent-1", DEAD, 0, 64, origin=1),
                  Injection("agent-2", KNOWN_REPLICATOR, 0, 64, origin=2)]
    for inj in injections:
        soup.inject(inj.program, inj.count, origin=inj.origin)
    epoch, dominant = run_until_dominant(soup)
    trace = trace_founder(soup, dominant, injections)
    assert trace.founder is injections[1] and trace.share >= 0.5 and trace.copies > 10
    assert "agent-2" in describe(trace)
    rid = pay_founder(economy, trace, epoch)
    assert rid is not None and pay_founder(economy, trace, epoch) == rid  # pays once
    c = economy.config
    assert economy.balance("agent-2") == c.initial_grant + c.invention_reward + c.replicator_bonus
    assert economy.balance("agent-1") == c.initial_grant  # its program died out
    evidence = json.loads(economy.ledger.by_id[rid].evidence)
    assert evidence["program"] == "0x" + KNOWN_REPLICATOR.hex() and evidence["founded_epoch"] == 0


def test_a_copycat_of_a_spontaneous_replicator_earns_nothing(economy):
    """The replicator arises in the soup (written in place, so its bytes keep the initial
    soup's tags, as a replicator made by the soup itself would); an agent then re-injects it.
    The copies inherit the soup's tags: the origin is spontaneous, nobody is paid."""
    soup = Soup(size=2048, seed=4, device="cpu", provenance=True)
    soup.programs[:32] = np.frombuffer(KNOWN_REPLICATOR, np.uint8)
    copycat = Injection("agent-3", KNOWN_REPLICATOR, 0, 64, origin=3)
    soup.inject(copycat.program, copycat.count, origin=copycat.origin)
    assert not (soup.origins() == 3).any()  # it copied what was there: no new tag
    epoch, dominant = run_until_dominant(soup)
    trace = trace_founder(soup, dominant, [copycat])
    assert trace.founder is None and trace.tag == ORIGIN_PRIMORDIAL
    assert describe(trace).startswith("spontaneous")
    assert pay_founder(economy, trace, epoch) is None
    assert economy.balance("agent-3") == economy.config.initial_grant


def test_a_minority_share_is_no_founder_and_random_bytes_earn_nothing(economy):
    soup = Soup(size=512, seed=5, device="cpu", provenance=True, mutation_rate=0.0)
    rows = soup.inject(KNOWN_REPLICATOR, 8, origin=1)
    soup.origins()[rows[:5]] = 2  # most copies now descend from another origin
    soup.origins()[rows[5:]] = 1
    injections = [Injection("agent-1", KNOWN_REPLICATOR, 0, 8, origin=1),
                  Injection("random", KNOWN_REPLICATOR, 0, 8, origin=2)]
    trace = trace_founder(soup, KNOWN_REPLICATOR, injections)
    assert trace.founder is injections[1] and trace.share == pytest.approx(5 / 8)
    assert pay_founder(economy, trace, 2048) is None  # the control arm is never paid
    soup.origins()[rows[:4]], soup.origins()[rows[4:]] = 1, 2
    split = trace_founder(soup, KNOWN_REPLICATOR, injections, min_share=0.6)
    assert split.share == pytest.approx(0.5) and split.founder is None  # below the bar
    assert trace_founder(soup, DEAD, injections).copies == 0
    with pytest.raises(ValueError, match="min_share"):
        trace_founder(soup, KNOWN_REPLICATOR, injections, min_share=0.2)
    assert is_replicator(KNOWN_REPLICATOR)
