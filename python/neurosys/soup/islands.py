"""The island model of the soup, one for every transport: which island sends to which
(``IslandModel``: a ring or random derangements), how many programs, and when; the soup side of
a migration (``IslandSoup``: what an island answers; ``Island``: one island's soup and generator).

Two runners move the programs: ``neurosys.cluster.islands.Islands`` (islands as Ray actors in
lockstep rounds, for experiments) and the Ray runner of ``neurosys run --ray`` (each island a
running soup actor, migrating as it passes each multiple of ``migration_every`` epochs). Both
take their topology, counts and timing from ``IslandModel``.
"""

from __future__ import annotations

import time
from typing import Any, Protocol

import numpy as np

from neurosys.errors import ParameterError

__all__ = ["TOPOLOGIES", "IslandModel", "IslandSoup", "Island", "island_seed"]

TOPOLOGIES = ("ring", "random")


def island_seed(seed: int, index: int) -> int:
    """The soup seed of island ``index``: independent streams for every (seed, island)."""
    return int(np.random.SeedSequence([seed, index]).generate_state(1, np.uint64)[0] >> 1)


class IslandSoup(Protocol):
    """An island as a migration sees it (a soup driver, or an island actor's body)."""

    def current_epoch(self) -> int: ...

    def emigrate(self, count: int) -> np.ndarray:
        """Copies of ``count`` random programs."""
        ...

    def immigrate(self, programs: np.ndarray) -> None:
        """``programs`` written over as many random programs."""
        ...


class IslandModel:
    """Args:
        n_islands: soups; one island alone never migrates.
        migration_every: epochs between two migrations of an island.
        migration_fraction: share of an island's programs sent at each migration, in [0, 1].
        topology: "ring" (island i sends to i+1) or "random" (a fresh random derangement each
            round, reproducible from ``seed``).
        seed: seeds the random topology.
    """

    def __init__(self, n_islands: int, migration_every: int = 64, migration_fraction: float = 0.01,
                 topology: str = "ring", seed: int = 0) -> None:
        for name, value, lo in (("n_islands", n_islands, 1), ("migration_every", migration_every, 1)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < lo:
                raise ParameterError(f"{name}: expected an integer >= {lo}, got {value!r}")
        if isinstance(migration_fraction, bool) or not isinstance(migration_fraction, (int, float)) \
                or not 0.0 <= migration_fraction <= 1.0:
            raise ParameterError(f"migration_fraction: expected a number in [0, 1], got {migration_fraction!r}")
        if topology not in TOPOLOGIES:
            raise ParameterError(f"topology: expected one of {', '.join(TOPOLOGIES)}, got {topology!r}")
        self.n_islands, self.migration_every = int(n_islands), int(migration_every)
        self.migration_fraction, self.topology = float(migration_fraction), topology
        self._rng = np.random.default_rng([int(seed), 2**32])
        self._rounds_done = [0] * self.n_islands

    def migrants(self, size: int) -> int:
        """Programs an island of ``size`` programs sends per migration."""
        return int(round(self.migration_fraction * size)) if self.n_islands > 1 else 0

    def destinations(self) -> list[int]:
        """Where each island sends its emigrants at the next round."""
        n = self.n_islands
        if self.topology == "ring" or n == 1:
            return [(i + 1) % n for i in range(n)]
        while True:  # a derangement: nobody sends to itself
            perm = self._rng.permutation(n)
            if not np.any(perm == np.arange(n)):
                return [int(p) for p in perm]

    def due(self, island: int, epoch: int) -> bool:
        """Whether ``island``, now at ``epoch``, passed a multiple of migration_every since its
        last migration (then counted as done): the timing of islands that run freely."""
        rounds = epoch // self.migration_every
        if self.n_islands < 2 or rounds <= self._rounds_done[island]:
            return False
        self._rounds_done[island] = rounds
        return True

    def restart(self, island: int) -> None:
        """``island`` starts again from epoch 0 (its soup was lost): its timing starts over."""
        self._rounds_done[island] = 0


class Island:
    """One island (the body of a Ray actor of ``cluster.islands.Islands``): a soup, and a
    generator that picks who leaves and who is overwritten."""

    def __init__(self, index: int, seed: int, size: int, threads: int, soup_kwargs: dict[str, Any]) -> None:
        from neurosys.soup.engine import Soup

        self.soup = Soup(size=size, seed=island_seed(seed, index), threads=threads, **soup_kwargs)
        self._rng = np.random.default_rng([seed, index, 1])
        self.sent = self.received = 0
        self.engine_seconds = 0.0  # CPU time of the engine alone (it runs on the calling thread)

    def run_and_emigrate(self, epochs: int, count: int) -> np.ndarray:
        """Runs ``epochs`` epochs, then returns copies of ``count`` random programs."""
        t0 = time.thread_time()
        self.soup.run(epochs)
        self.engine_seconds += time.thread_time() - t0
        return self.emigrate(count)

    def emigrate(self, count: int) -> np.ndarray:
        rows = self._rng.choice(self.soup.size, size=count, replace=False)
        self.sent += count
        return self.soup.programs[rows].copy()

    def immigrate(self, programs: np.ndarray) -> None:
        rows = self._rng.choice(self.soup.size, size=len(programs), replace=False)
        self.soup.programs[rows] = programs
        self.received += len(programs)

    def current_epoch(self) -> int:
        return self.soup.epoch

    def metrics(self) -> dict[str, Any]:
        m = self.soup.metrics(top_k=1, use_zlib=False, detect=False)
        return {**m.summary(), "diversity": m.diversity, "sent": self.sent, "received": self.received}

    def programs(self) -> np.ndarray:
        return self.soup.programs.copy()

    def cpu_seconds(self) -> tuple[float, float]:
        """(CPU time of this actor's process so far: engine, Ray's threads, migrations;
        CPU time of the engine alone), for the overhead benchmark."""
        return time.process_time(), self.engine_seconds
