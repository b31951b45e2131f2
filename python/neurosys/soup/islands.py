"""``Islands``: an island model of the soup on Ray. Each island is one ``Soup`` in its own Ray
actor; every ``migration_every`` epochs each island sends a random ``migration_fraction`` of its
programs (copies) to another island, where they overwrite as many random programs.

    with Islands(4, 2**15, migration_every=64, migration_fraction=0.01) as isl:
        isl.run(1024)
        isl.metrics()   # {"islands": [per-island metrics], "pooled": {...}}

The driver never waits between migrations: each round is two calls per actor (run then emigrate;
immigrate), submitted at once, and the emigrants go from actor to actor through Ray's object
store. So the islands run as fast as the slowest one, and Ray's cost is a few small messages per
round (docs/scaling.md).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from neurosys.soup.metrics import high_order_entropy

TOPOLOGIES = ("ring", "random")


def island_seed(seed: int, index: int) -> int:
    """The soup seed of island ``index``: independent streams for every (seed, island)."""
    return int(np.random.SeedSequence([seed, index]).generate_state(1, np.uint64)[0] >> 1)


class Island:
    """One island (the body of a Ray actor): a soup, and a generator that picks who leaves and
    who is overwritten."""

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
        rows = self._rng.choice(self.soup.size, size=count, replace=False)
        self.sent += count
        return self.soup.programs[rows].copy()

    def immigrate(self, programs: np.ndarray) -> None:
        """Overwrites as many random programs with ``programs``."""
        rows = self._rng.choice(self.soup.size, size=len(programs), replace=False)
        self.soup.programs[rows] = programs
        self.received += len(programs)

    def metrics(self) -> dict[str, Any]:
        m = self.soup.metrics(top_k=1, use_zlib=False, detect=False)
        return {**m.summary(), "diversity": m.diversity, "sent": self.sent, "received": self.received}

    def programs(self) -> np.ndarray:
        return self.soup.programs.copy()

    def epoch(self) -> int:
        return self.soup.epoch

    def cpu_seconds(self) -> tuple[float, float]:
        """(CPU time of this actor's process so far: engine, Ray's threads, migrations;
        CPU time of the engine alone), for the overhead benchmark."""
        return time.process_time(), self.engine_seconds


class Islands:
    """Args:
        n_islands: soups (Ray actors); one island runs alone, without migrations.
        size: programs per island (even).
        migration_every: epochs between two migrations.
        migration_fraction: share of an island's programs sent at each migration, in [0, 1].
        topology: "ring" (island i sends to i+1) or "random" (a fresh random derangement each
            migration, reproducible from ``seed``).
        seed: seeds every island (``island_seed``) and the migrations.
        threads: engine threads per island (and Ray CPUs each actor reserves, unless
            ``cpus_per_island`` is given).
        address: Ray cluster; None joins this process's Ray session or starts a local one.
        soup_kwargs: passed to every ``Soup`` (language, program_length, mutation_rate, ...).
    """

    def __init__(self, n_islands: int, size: int, migration_every: int = 64,
                 migration_fraction: float = 0.01, topology: str = "ring", *, seed: int = 0,
                 threads: int = 1, cpus_per_island: float | None = None, address: str | None = None,
                 num_cpus: int | None = None, **soup_kwargs: Any) -> None:
        for name, value, lo in (("n_islands", n_islands, 1), ("size", size, 2),
                                ("migration_every", migration_every, 1), ("threads", threads, 1)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < lo:
                raise ValueError(f"{name}: expected an integer >= {lo}, got {value!r}")
        if not isinstance(migration_fraction, (int, float)) or not 0.0 <= migration_fraction <= 1.0:
            raise ValueError(f"migration_fraction: expected a number in [0, 1], got {migration_fraction!r}")
        if topology not in TOPOLOGIES:
            raise ValueError(f"topology: expected one of {', '.join(TOPOLOGIES)}, got {topology!r}")
        self.n_islands, self.size = int(n_islands), int(size)
        self.migration_every, self.migration_fraction = int(migration_every), float(migration_fraction)
        self.topology, self.seed = topology, int(seed)
        self.migrations = 0
        self._rng = np.random.default_rng([self.seed, 2**32])
        self._session = None
        from neurosys.cluster.session import ray_session

        self._session = ray_session(address=address, num_cpus=num_cpus)
        self._ray = self._session.__enter__()
        actor = self._ray.remote(num_cpus=cpus_per_island if cpus_per_island is not None else threads)(Island)
        self._actors = [actor.remote(i, self.seed, self.size, int(threads), soup_kwargs)
                        for i in range(self.n_islands)]
        self._pending: list[Any] = []  # the last round's calls, to wait for

    @property
    def migrants(self) -> int:
        """Programs each island sends per migration."""
        return int(round(self.migration_fraction * self.size)) if self.n_islands > 1 else 0

    def destinations(self) -> list[int]:
        """Where each island sends its emigrants at the next migration."""
        n = self.n_islands
        if self.topology == "ring" or n == 1:
            return [(i + 1) % n for i in range(n)]
        while True:  # a derangement: nobody sends to itself
            perm = self._rng.permutation(n)
            if not np.any(perm == np.arange(n)):
                return [int(p) for p in perm]

    def run(self, epochs: int) -> None:
        """Runs every island ``epochs`` epochs (a multiple of migration_every), migrating
        after each ``migration_every`` of them; returns when all islands are done."""
        if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0 \
                or epochs % self.migration_every:
            raise ValueError(f"epochs: expected a multiple of migration_every={self.migration_every}, "
                             f"got {epochs!r}")
        k = self.migrants
        for _ in range(int(epochs) // self.migration_every):
            out = [a.run_and_emigrate.remote(self.migration_every, k) for a in self._actors]
            self._pending = [self._actors[dst].immigrate.remote(out[src])
                             for src, dst in enumerate(self.destinations())]
            self.migrations += 1
        self._ray.get(self._pending)

    def epochs(self) -> list[int]:
        return self._ray.get([a.epoch.remote() for a in self._actors])

    def cpu_seconds(self) -> list[tuple[float, float]]:
        """Each island actor's (process CPU time, engine CPU time) so far (for the benchmark)."""
        return self._ray.get([a.cpu_seconds.remote() for a in self._actors])

    def programs(self) -> list[np.ndarray]:
        """Every island's programs (copies)."""
        return self._ray.get([a.programs.remote() for a in self._actors])

    def metrics(self) -> dict[str, Any]:
        """``{"islands": [per island], "pooled": {...}}``; pooled holds the islands' mean of each
        number and the high-order entropy of all programs together."""
        islands = self._ray.get([a.metrics.remote() for a in self._actors])
        numeric = [k for k, v in islands[0].items() if isinstance(v, (int, float))]
        pooled: dict[str, Any] = {f"mean_{k}": float(np.mean([m[k] for m in islands])) for k in numeric}
        pooled["high_order_entropy"] = high_order_entropy(np.concatenate(self.programs()))
        pooled["migrations"] = self.migrations
        return {"islands": islands, "pooled": pooled}

    def close(self) -> None:
        if self._session is None:
            return
        for a in self._actors:
            self._ray.kill(a)
        self._actors = []
        session, self._session = self._session, None
        session.__exit__(None, None, None)

    def __enter__(self) -> Islands:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
