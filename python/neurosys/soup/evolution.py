"""``EvolutionaryDynamics``: the seed's fitness-driven genetic algorithm over BF programs, run on
the same native interpreter as the pairwise soup.

Each generation every program runs as its own self-modifying tape (at most MAX_STEPS steps);
its fitness is the seed's high-order entropy of the resulting tape: Shannon entropy (bits per
symbol) minus zlib-compressed size / length. The fittest half are parents; children come from
one-point crossover (CROSSOVER_RATE), splitting (a program divides: its first half, twice) and
merging (the first halves of two parents joined), then per-symbol mutation to a random symbol.
The best ELITE programs pass unchanged. Each generation writes `avg_entropy` (mean fitness) and
`diversity_index` (distinct programs / programs) to the workspace and a row to the run store."""

from __future__ import annotations

import time
import zlib
from typing import Any

import numpy as np

from neurosys import _core
from neurosys.soup.language import alphabet_bytes
from neurosys.soup.metrics import entropy_bits
from neurosys.workspace import keys

TABLE = "soup_ga_epochs"
COLUMNS = "epoch INTEGER, wall_time REAL, avg_entropy REAL, best_entropy REAL, diversity_index REAL"


class EvolutionaryDynamics:
    SOUP_SIZE = 1000
    PROGRAM_LENGTH = 100
    MAX_STEPS = 1000
    MUTATION_RATE = 0.01
    CROSSOVER_RATE = 0.7
    EPOCHS = 100

    def __init__(self, workspace: Any = None, store: Any = None, *, soup_size: int = SOUP_SIZE,
                 program_length: int = PROGRAM_LENGTH, max_steps: int = MAX_STEPS,
                 mutation_rate: float = MUTATION_RATE, crossover_rate: float = CROSSOVER_RATE,
                 split_rate: float = 0.05, merge_rate: float = 0.05, elite: int = 10,
                 language: str = "bf", seed: int = 0, threads: int = 0) -> None:
        if not isinstance(soup_size, int) or soup_size < 2:
            raise ValueError(f"soup_size must be an integer >= 2, got {soup_size!r}")
        if not isinstance(program_length, int) or not 2 <= program_length <= _core.soup.MAX_TAPE:
            raise ValueError(f"program_length must be in [2, {_core.soup.MAX_TAPE}], got {program_length!r}")
        if not isinstance(max_steps, int) or max_steps < 1:
            raise ValueError(f"max_steps must be an integer >= 1, got {max_steps!r}")
        for name, p in (("mutation_rate", mutation_rate), ("crossover_rate", crossover_rate),
                        ("split_rate", split_rate), ("merge_rate", merge_rate)):
            if not 0.0 <= float(p) <= 1.0:
                raise ValueError(f"{name} must be a probability in [0, 1], got {p!r}")
        if crossover_rate + split_rate + merge_rate > 1.0:
            raise ValueError("crossover_rate + split_rate + merge_rate must be <= 1")
        if not isinstance(elite, int) or not 0 <= elite <= soup_size:
            raise ValueError(f"elite must be in [0, soup_size], got {elite!r}")
        self.symbols = alphabet_bytes(language)  # validates language
        self.workspace, self.store = workspace, store
        self.language, self.max_steps, self.threads = language, max_steps, threads
        self.mutation_rate, self.crossover_rate = float(mutation_rate), float(crossover_rate)
        self.split_rate, self.merge_rate, self.elite = float(split_rate), float(merge_rate), elite
        self.rng = np.random.default_rng(seed)
        self.population = self.symbols[self.rng.integers(0, self.symbols.size, (soup_size, program_length))]
        self.epoch = 0
        self.fitness = np.zeros(soup_size)
        self.history: list[dict[str, float]] = []
        if store is not None:
            store.create_table(TABLE, COLUMNS, component="soup", version=1, indexes=("epoch",))

    def evaluate(self) -> np.ndarray:
        """Fitness of every program: high-order entropy of its tape after running it."""
        tapes = self.population.copy()
        _core.soup.run_tapes(tapes, language=self.language, max_steps=self.max_steps, threads=self.threads)
        length = tapes.shape[1]
        self.fitness = np.array([entropy_bits(t) - len(zlib.compress(t.tobytes())) / length for t in tapes])
        return self.fitness

    def diversity(self) -> float:
        return int(np.unique(self.population, axis=0).shape[0]) / self.population.shape[0]

    def step(self) -> dict[str, float]:
        """One generation: evaluate, publish, then breed the next population."""
        fitness = self.evaluate()
        record = {"epoch": self.epoch, "avg_entropy": float(fitness.mean()),
                  "best_entropy": float(fitness.max()), "diversity_index": self.diversity()}
        self.history.append(record)
        if self.workspace is not None:
            self.workspace.write(keys.AVG_ENTROPY, record["avg_entropy"])
            self.workspace.write(keys.DIVERSITY_INDEX, record["diversity_index"])
        if self.store is not None:
            self.store.insert(TABLE, (self.epoch, time.time(), record["avg_entropy"], record["best_entropy"],
                                      record["diversity_index"]))
        self.population = self._breed(fitness)
        self.epoch += 1
        return record

    def run(self, epochs: int = EPOCHS) -> list[dict[str, float]]:
        if not isinstance(epochs, int) or epochs < 0:
            raise ValueError(f"epochs must be an integer >= 0, got {epochs!r}")
        return [self.step() for _ in range(epochs)]

    def _breed(self, fitness: np.ndarray) -> np.ndarray:
        n, length = self.population.shape
        order = np.argsort(-fitness, kind="stable")
        parents = self.population[order[: max(2, n // 2)]]
        children = np.empty_like(self.population)
        children[: self.elite] = self.population[order[: self.elite]]
        rng, half = self.rng, length // 2
        for i in range(self.elite, n):
            a, b = parents[rng.integers(0, parents.shape[0], 2)]
            u = rng.random()
            if u < self.crossover_rate:
                cut = rng.integers(1, length)
                child = np.concatenate([a[:cut], b[cut:]])
            elif u < self.crossover_rate + self.split_rate:
                child = np.resize(a[: max(1, half)], length)
            elif u < self.crossover_rate + self.split_rate + self.merge_rate:
                child = np.concatenate([a[:half], b[: length - half]])
            else:
                child = a.copy()
            flips = rng.random(length) < self.mutation_rate
            child[flips] = self.symbols[rng.integers(0, self.symbols.size, int(flips.sum()))]
            children[i] = child
        return children
