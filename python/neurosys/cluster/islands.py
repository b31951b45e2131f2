"""``Islands``: the soup's island model (``neurosys.soup.islands.IslandModel``) on Ray, in
lockstep rounds. Each island is one ``Soup`` in its own Ray actor (``soup.islands.Island``);
every ``migration_every`` epochs each island sends a random ``migration_fraction`` of its
programs (copies) to another island, where they overwrite as many random programs. Also
reachable as ``neurosys.soup.Islands``, its public path before #23.

    with Islands(4, 2**15, migration_every=64, migration_fraction=0.01) as isl:
        isl.run(1024)
        isl.metrics()   # {"islands": [per-island metrics], "pooled": {...}}

The driver never waits between migrations: each round is two calls per actor (run then emigrate;
immigrate), submitted at once, and the emigrants go from actor to actor through Ray's object
store. So the islands run as fast as the slowest one, and Ray's cost is a few small messages per
round (docs/scaling.md).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from neurosys.cluster.session import ray_session
from neurosys.errors import ParameterError
from neurosys.soup.islands import Island, IslandModel
from neurosys.soup.metrics import high_order_entropy

__all__ = ["Islands"]


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
        for name, value, lo in (("size", size, 2), ("threads", threads, 1)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < lo:
                raise ParameterError(f"{name}: expected an integer >= {lo}, got {value!r}")
        self.model = IslandModel(n_islands, migration_every, migration_fraction, topology, seed)
        self.n_islands, self.size = self.model.n_islands, int(size)
        self.migration_every, self.migration_fraction = self.model.migration_every, self.model.migration_fraction
        self.topology, self.seed = topology, int(seed)
        self.migrations = 0
        self._session = None
        self._session = ray_session(address=address, num_cpus=num_cpus)
        self._ray = self._session.__enter__()
        actor = self._ray.remote(num_cpus=cpus_per_island if cpus_per_island is not None else threads)(Island)
        self._actors = [actor.remote(i, self.seed, self.size, int(threads), soup_kwargs)
                        for i in range(self.n_islands)]
        self._pending: list[Any] = []  # the last round's calls, to wait for

    @property
    def migrants(self) -> int:
        """Programs each island sends per migration."""
        return self.model.migrants(self.size)

    def destinations(self) -> list[int]:
        """Where each island sends its emigrants at the next migration."""
        return self.model.destinations()

    def run(self, epochs: int) -> None:
        """Runs every island ``epochs`` epochs (a multiple of migration_every), migrating
        after each ``migration_every`` of them; returns when all islands are done."""
        if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0 \
                or epochs % self.migration_every:
            raise ParameterError(f"epochs: expected a multiple of migration_every={self.migration_every}, "
                             f"got {epochs!r}")
        k = self.migrants
        for _ in range(int(epochs) // self.migration_every):
            out = [a.run_and_emigrate.remote(self.migration_every, k) for a in self._actors]
            self._pending = [self._actors[dst].immigrate.remote(out[src])
                             for src, dst in enumerate(self.destinations())]
            self.migrations += 1
        self._ray.get(self._pending)

    def epochs(self) -> list[int]:
        return self._ray.get([a.current_epoch.remote() for a in self._actors])

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
