"""soup.Islands on the session's local Ray cluster: islands run, migrate, report metrics."""

from __future__ import annotations

import numpy as np
import pytest

from neurosys.soup import Islands, Soup
from neurosys.soup.islands import island_seed


def rows(a: np.ndarray) -> np.ndarray:
    return a[np.lexsort(a.T[::-1])]


def test_four_islands_run_and_migrate(ray_cluster):
    with Islands(4, 256, migration_every=8, migration_fraction=0.25, seed=3,
                 cpus_per_island=0.5) as isl:
        isl.run(32)
        assert isl.epochs() == [32] * 4 and isl.migrations == 4
        m = isl.metrics()
        assert [i["sent"] for i in m["islands"]] == [4 * 64] * 4
        assert [i["received"] for i in m["islands"]] == [4 * 64] * 4
        assert {"high_order_entropy", "mean_high_order_entropy", "mean_diversity"} <= set(m["pooled"])
        assert m["pooled"]["migrations"] == 4


def test_ring_migration_moves_the_programs(ray_cluster):
    # With everything migrating, island 1 holds exactly island 0's soup after one round: the
    # same soup run alone here, with island 0's seed, as a multiset of programs.
    with Islands(3, 128, migration_every=4, migration_fraction=1.0, seed=5,
                 cpus_per_island=0.5) as isl:
        isl.run(4)
        after = isl.programs()
    alone = Soup(size=128, seed=island_seed(5, 0), threads=1)
    alone.run(4)
    assert np.array_equal(rows(after[1]), rows(alone.programs))
    assert not np.array_equal(rows(after[0]), rows(alone.programs))


def test_random_topology_is_a_derangement(ray_cluster):
    with Islands(4, 64, migration_every=2, topology="random", seed=1, cpus_per_island=0.25) as isl:
        for _ in range(5):
            dst = isl.destinations()
            assert sorted(dst) == [0, 1, 2, 3] and all(d != i for i, d in enumerate(dst))


@pytest.mark.parametrize("kwargs, match", [
    ({"n_islands": 0}, "n_islands"),
    ({"size": 0}, "size"),
    ({"migration_every": 0}, "migration_every"),
    ({"migration_fraction": 1.5}, "migration_fraction"),
    ({"topology": "star"}, "topology: expected one of ring, random"),
])
def test_bad_arguments_are_named(kwargs, match):
    args = {"n_islands": 2, "size": 64, **kwargs}
    with pytest.raises(ValueError, match=match):
        Islands(**args)


def test_run_needs_whole_migration_periods(ray_cluster):
    with Islands(2, 64, migration_every=8, cpus_per_island=0.5) as isl:
        with pytest.raises(ValueError, match="epochs: expected a multiple of migration_every=8"):
            isl.run(12)
