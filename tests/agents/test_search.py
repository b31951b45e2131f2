"""The inventors' search (agents/search.py) on the real engine: the evaluator scores every
proposal, the database keeps it, and only programs past both gates (the score again on fresh
partners, then a mini-soup competition) are handed out, each once."""

from __future__ import annotations

import numpy as np
import pytest

from neurosys.agents.search import MINI_SHARE, InventorSearch, as_rows
from neurosys.soup import KNOWN_REPLICATOR, Soup
from neurosys.soup.fitness import fitness, mini_soup_share
from neurosys.soup.variation import BFF_BYTES
from tests.soup.test_fitness import FRAGILE


@pytest.fixture(scope="module")
def pool() -> np.ndarray:
    soup = Soup(size=1024, seed=1, threads=1)
    soup.run(16)
    return soup.programs[:64].copy()


def test_the_gate_hands_out_the_published_replicator_once_and_never_a_fragile_copier(pool):
    search = InventorSearch(64, seed=0)
    search.db.add(0, [KNOWN_REPLICATOR, *FRAGILE], np.ones(3))  # all claim a perfect score
    out = search.ready(3, pool)
    assert out == [KNOWN_REPLICATOR]
    assert search.ready(3, pool) == []  # judged once, handed out once
    assert search.judged == {KNOWN_REPLICATOR, *FRAGILE}


def test_nothing_below_the_threshold_reaches_the_gate(pool):
    search = InventorSearch(64, threshold=0.9, seed=0)
    search.db.add(0, [KNOWN_REPLICATOR], np.array([0.89]))
    assert search.ready(1, pool) == [] and search.judged == set()


def test_proposals_are_scored_and_kept_on_their_island(pool):
    search = InventorSearch(64, seed=1, islands=3)
    scores = search.evaluate([KNOWN_REPLICATOR, b"+"], pool, island=2)
    assert scores[0] >= 0.85 and scores[1] == 0.0
    assert search.db.best(1, island=2)[0][0] == KNOWN_REPLICATOR
    assert search.db.best(1, island=0) == [] and search.evaluated == 2 and search.cpu_s > 0


def test_the_operators_repair_a_broken_replicator_until_it_passes_both_gates(pool):
    """The published replicator with 8 random point edits scores ~0.2 and copies nothing
    reliably; the operators alone (no LLM) climb from it to a program past both gates."""
    rng = np.random.default_rng(0)
    broken = np.frombuffer(KNOWN_REPLICATOR, np.uint8).copy()
    edited = rng.choice(64, 8, replace=False)
    broken[edited] = rng.choice(BFF_BYTES, 8)
    search = InventorSearch(64, seed=0)
    assert search.evaluate(broken[None], pool, island=0)[0] < 0.5
    found = []
    for _ in range(200):
        search.operator_round(pool)
        found = search.ready(1, pool)
        if found:
            break
    assert found, f"nothing passed in 200 rounds; best {search.db.best(1)}"
    rescored = fitness(np.repeat(as_rows(found, 64), 8, axis=0), pool, seed=99, threads=1).mean()
    assert rescored >= 0.8 and mini_soup_share(found[0], seed=5, pool=pool) >= MINI_SHARE / 2


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match="threshold"):
        InventorSearch(64, threshold=1.5)
    with pytest.raises(ValueError, match="children"):
        InventorSearch(64, children=0)
