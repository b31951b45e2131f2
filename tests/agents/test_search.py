"""The inventors' search over mutations, screened by the replicator detector."""

import numpy as np

from neurosys.agents.search import mutants, search_replicators
from neurosys.soup import KNOWN_REPLICATOR, is_replicator


def test_mutants_keep_the_length_and_differ():
    rng = np.random.default_rng(0)
    out = mutants(KNOWN_REPLICATOR, 20, rng)
    assert len(out) == 20 and all(len(m) == 64 for m in out)
    assert sum(m != KNOWN_REPLICATOR for m in out) >= 15


def test_search_puts_the_copier_first():
    rng = np.random.default_rng(1)
    junk = bytes(rng.choice(list(b"<>{}+-.,[]"), 64))
    best = search_replicators([junk, KNOWN_REPLICATOR], 2, rng, per_candidate=4)
    assert len(best) == 2 and is_replicator(best[0])


def test_without_a_copier_the_proposals_pass_in_order():
    rng = np.random.default_rng(2)
    a, b = bytes(64), b"+" * 64  # neither copies anything
    assert search_replicators([a, b], 2, rng, per_candidate=2) == [a, b]
