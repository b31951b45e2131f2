"""The inventors' evaluator on the engine: the graded fitness ranks the published replicator
above copiers that are fragile in the soup (found by this project's own probe, a search for
copying in isolation), the mini-soup competition agrees, random strings cost one tape run, and
the mutation/crossover search finds copiers."""

from __future__ import annotations

import numpy as np
import pytest

from neurosys.soup import KNOWN_REPLICATOR, is_replicator
from neurosys.soup.fitness import evolve, fitness, fitness_components, mini_soup_share

# Found by evolve(copy_first only), seeds 3 and 1: they copy themselves when first on the tape
# (the first is even a detector-confirmed replicator) and are damaged when second.
FRAGILE = [b"[[[<,][[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[-[[[[[[[[[[[[[[[[[[[[",
           b"----}-[[+<,-]---------------------------------------------------"]


def copy_first(rows: np.ndarray) -> np.ndarray:
    return fitness_components(rows, trials=8, threads=1)[:, 0]


def test_the_published_replicator_copies_and_survives_in_both_orders():
    c = fitness_components(KNOWN_REPLICATOR, trials=16)[0]
    assert c[0] == pytest.approx(1.0) and c[1] == pytest.approx(1.0)  # copies, stays whole
    assert c[3] >= 0.75  # mostly intact as the second half too
    assert fitness(KNOWN_REPLICATOR, trials=16)[0] >= 0.85


def test_it_ranks_the_published_replicator_above_the_fragile_copiers():
    assert is_replicator(FRAGILE[0])  # the all-or-nothing detector cannot tell them apart
    scores = fitness([KNOWN_REPLICATOR, *FRAGILE], trials=16)
    assert scores[0] - max(scores[1:]) >= 0.15, scores
    parts = fitness_components(FRAGILE, trials=16)
    assert (parts[:, 0] > 0.8).all() and (parts[:, 3] < 0.7).all()  # copy first, hurt second
    published = mini_soup_share(KNOWN_REPLICATOR)
    fragile = [mini_soup_share(p) for p in FRAGILE]
    assert published > 0.8 and max(fragile) < 0.5, (published, fragile)


def test_partners_from_the_soup_and_the_cheap_path():
    rng = np.random.default_rng(2)
    random_rows = rng.integers(0, 256, (2000, 64), dtype=np.uint8)
    c = fitness_components(random_rows, threads=1)
    assert c[:, 0].mean() < 0.05 and (c[:, 2:] == 0).mean() > 0.9  # one run, the rest left at 0
    pool = np.repeat(np.frombuffer(KNOWN_REPLICATOR, np.uint8)[None], 32, axis=0)
    with_pool = fitness_components(KNOWN_REPLICATOR, pool, trials=8)[0]
    assert with_pool[0] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="pool"):
        fitness_components(KNOWN_REPLICATOR, pool[:, :32])
    with pytest.raises(ValueError, match="programs"):
        fitness_components(np.zeros(64, np.uint8))
    with pytest.raises(ValueError, match="trials"):
        fitness_components(KNOWN_REPLICATOR, trials=0)
    with pytest.raises(ValueError, match="copies"):
        mini_soup_share(KNOWN_REPLICATOR, size=16, copies=16)


def test_the_search_without_an_llm_finds_copiers():
    pop, fit = evolve(copy_first, seed=3, generations=60, target=0.9)
    assert fit[0] >= 0.9 and fit[0] == copy_first(pop[:1])[0]
    assert (np.diff(fit) <= 0).all()  # best first
    with pytest.raises(ValueError, match="parents"):
        evolve(copy_first, parents=1)
