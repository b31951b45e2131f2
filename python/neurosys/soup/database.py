"""The inventors' program database, with islands (FunSearch's): scored programs live on a few
islands that evolve apart, so that one early good-enough program does not take every search
down its own valley. Parents and prompt examples come from one island at a time; every
``reset_every`` additions the worse half of the islands is wiped and reseeded with the best
program of a better island.

Scores are the evaluator's (soup.fitness.fitness, in [0, 1]); the database only keeps, ranks and
samples them. A program is kept once (its best score), on the island that found it."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from neurosys.arguments import integer
from neurosys.arguments import seed as seed_arg

__all__ = ["ProgramDatabase"]


def _at_least(name: str, value: int, lo: int) -> int:
    value = integer(name, value)
    if value < lo:
        raise ValueError(f"{name} must be >= {lo}, got {value}")
    return value


@dataclass
class _Island:
    programs: dict[bytes, float] = field(default_factory=dict)

    def best(self) -> float:
        return max(self.programs.values(), default=0.0)

    def ranked(self) -> list[tuple[bytes, float]]:
        return sorted(self.programs.items(), key=lambda kv: -kv[1])


class ProgramDatabase:
    """``islands`` islands of at most ``capacity`` programs each (the lowest scored leave)."""

    def __init__(self, islands: int = 4, capacity: int = 64, *, reset_every: int = 2**16,
                 seed: int = 0) -> None:
        self.islands = [_Island() for _ in range(_at_least("islands", islands, 1))]
        self.capacity = _at_least("capacity", capacity, 2)
        self.reset_every = _at_least("reset_every", reset_every, 1)
        self.rng = np.random.default_rng(seed_arg(seed))
        self.added = 0
        self.resets = 0

    def __len__(self) -> int:
        return sum(len(i.programs) for i in self.islands)

    def add(self, island: int, programs: np.ndarray | list[bytes], scores: np.ndarray) -> None:
        """Keep the scored ``programs`` (rows or byte strings) on ``island``."""
        home = self.islands[island]
        for program, score in zip(programs, np.asarray(scores, float)):
            key = bytes(program)
            if score > home.programs.get(key, -1.0):
                home.programs[key] = float(score)
        if len(home.programs) > self.capacity:
            home.programs = dict(home.ranked()[:self.capacity])
        self.added += len(scores)
        if self.added >= self.reset_every * (self.resets + 1):
            self._reset_worse_half()

    def _reset_worse_half(self) -> None:
        self.resets += 1
        if len(self.islands) < 2:
            return
        order = sorted(range(len(self.islands)), key=lambda i: (self.islands[i].best(), self.rng.random()))
        worse, better = order[:len(order) // 2], order[len(order) // 2:]
        for i in worse:
            donor = self.islands[int(self.rng.choice(better))].ranked()
            self.islands[i] = _Island(dict(donor[:1]))

    def pick_island(self) -> int:
        return int(self.rng.integers(0, len(self.islands)))

    def best(self, k: int = 1, island: int | None = None) -> list[tuple[bytes, float]]:
        """The ``k`` best programs with their scores, of one island or of all."""
        if island is not None:
            return self.islands[island].ranked()[:k]
        merged: dict[bytes, float] = {}
        for isl in self.islands:
            for program, score in isl.programs.items():
                merged[program] = max(score, merged.get(program, -1.0))
        return sorted(merged.items(), key=lambda kv: -kv[1])[:k]

    def parents(self, island: int, k: int) -> np.ndarray:
        """Up to ``k`` of the island's programs as rows, sampled with a preference for the
        better ranked (probability ~ 1 / (rank + 1), FunSearch's preference for short, good
        programs without their length term); empty (0 rows) when the island is."""
        ranked = self.islands[island].ranked()
        if not ranked or k < 1:
            return np.zeros((0, 0), np.uint8)
        weights = 1.0 / np.arange(1, len(ranked) + 1)
        take = self.rng.choice(len(ranked), min(k, len(ranked)), replace=False, p=weights / weights.sum())
        return np.stack([np.frombuffer(ranked[i][0], np.uint8) for i in sorted(take)])
