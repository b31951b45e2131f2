"""The inventors' program database with islands, and the variation operators."""

from __future__ import annotations

import numpy as np
import pytest

from neurosys.soup.database import ProgramDatabase
from neurosys.soup.variation import BFF_BYTES, random_bff, vary


def _programs(n: int, seed: int) -> list[bytes]:
    return [row.tobytes() for row in random_bff(n, 16, np.random.default_rng(seed))]


def test_an_island_keeps_its_best_within_capacity_and_each_program_once():
    db = ProgramDatabase(islands=2, capacity=4)
    progs = _programs(6, 0)
    db.add(0, progs, np.arange(6) / 10)
    db.add(0, [progs[5]], np.array([0.1]))  # a worse score for a kept program changes nothing
    assert [s for _, s in db.best(10, island=0)] == [0.5, 0.4, 0.3, 0.2]
    assert db.best(10, island=1) == [] and len(db) == 4


def test_the_worse_half_of_the_islands_is_reseeded_from_a_better_one():
    db = ProgramDatabase(islands=4, capacity=8, reset_every=8, seed=3)
    for island in range(4):
        db.add(island, _programs(2, island), np.array([0.1 * (island + 1), 0.0]))
    assert db.resets == 1  # 8 additions
    best = {p for p, _ in db.best(1, island=2) + db.best(1, island=3)}
    for island in (0, 1):
        kept = db.best(10, island=island)
        assert len(kept) == 1 and kept[0][0] in best
    assert len(db.best(10, island=3)) == 2  # the better half is untouched


def test_parents_prefer_the_better_ranked():
    db = ProgramDatabase(islands=1, capacity=64, seed=0)
    progs = _programs(40, 1)
    db.add(0, progs, np.linspace(1.0, 0.0, 40))
    picks = np.concatenate([db.parents(0, 4) for _ in range(200)])
    top = np.frombuffer(progs[0], np.uint8)
    bottom = np.frombuffer(progs[-1], np.uint8)
    assert (picks == top).all(1).sum() > 3 * (picks == bottom).all(1).sum()
    assert db.parents(0, 0).shape[0] == 0 and ProgramDatabase(1).parents(0, 4).shape[0] == 0


def test_vary_keeps_the_length_and_the_alphabet_and_changes_programs():
    rng = np.random.default_rng(0)
    parents = random_bff(8, 32, rng)
    kids = vary(parents, 500, rng)
    assert kids.shape == (500, 32) and np.isin(kids, BFF_BYTES).all()
    assert not any((parents == k).all(1).any() for k in kids[:50])


def test_bad_arguments_name_themselves():
    with pytest.raises(ValueError, match="islands"):
        ProgramDatabase(islands=0)
    with pytest.raises(ValueError, match="parents"):
        vary(np.zeros((0, 4), np.uint8), 3, np.random.default_rng(0))
