"""An inventor's search, with the engine as evaluator (the FunSearch / AlphaEvolve pattern):
proposals come from the LLM (prompted with the BFF rules and the database's best programs with
their scores) or from the variation operators on the database's parents; every proposal is
scored by ``soup.fitness.fitness`` against partners drawn from the soup as it is now, and kept
in the program database with islands. Only a program scoring at least ``threshold`` that also
wins a short mini-soup competition (its descendants hold at least ``MINI_SHARE`` of a small soup
seeded from the real one) is handed out for injection, and each program only once.

The search counts its own cost (``cpu_s``, process CPU time) so that experiments can charge it
to the inventors."""

from __future__ import annotations

import time

import numpy as np

from neurosys.soup.database import ProgramDatabase
from neurosys.soup.fitness import fitness, mini_soup_share
from neurosys.soup.variation import random_bff, vary

__all__ = ["InventorSearch", "INJECT_THRESHOLD", "MINI_SHARE", "as_rows"]

INJECT_THRESHOLD = 0.9  # the evaluator's score a program needs before the mini-soup (the default)
MINI_SHARE = 0.5    # of a 256-program soup after 128 epochs, from 16 copies (6.25 %)
_RESCORE = 8        # independent evaluations averaged at the gate
_PARENTS = 16       # parents drawn from an island per round of the operators


def as_rows(programs: list[bytes] | np.ndarray, length: int) -> np.ndarray:
    """Programs padded with zeros (no-ops) or cut to ``length`` bytes, as (n, length) rows."""
    if isinstance(programs, np.ndarray):
        return np.ascontiguousarray(programs, np.uint8)
    out = np.zeros((len(programs), length), np.uint8)
    for i, p in enumerate(programs):
        p = bytes(p)[:length]
        out[i, :len(p)] = np.frombuffer(p, np.uint8)
    return out


class InventorSearch:
    """One inventor's database, evaluator and gate (see the module docstring)."""

    def __init__(self, length: int, *, threshold: float = INJECT_THRESHOLD, children: int = 256,
                 islands: int = 4, trials: int = 8, seed: int = 0) -> None:
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f"threshold must be in [0, 1], got {threshold!r}")
        if children < 1 or length < 1:
            raise ValueError(f"children and length must be >= 1, got {children!r}, {length!r}")
        self.length, self.threshold, self.children, self.trials = length, threshold, children, trials
        self.db = ProgramDatabase(islands, seed=seed)
        self.rng = np.random.default_rng([seed, 0x5EA])
        self.judged: set[bytes] = set()   # programs the gate has ruled on (passed or not)
        self.evaluated = 0
        self.cpu_s = 0.0
        self.island = self.db.pick_island()  # the island the next LLM answer belongs to

    def _seed(self) -> int:
        return int(self.rng.integers(0, 2**31))

    def evaluate(self, programs: list[bytes] | np.ndarray, pool: np.ndarray | None,
                 island: int | None = None) -> np.ndarray:
        """Score ``programs`` against random and ``pool`` partners; keep them on ``island``."""
        rows = as_rows(programs, self.length)
        if len(rows) == 0:
            return np.zeros(0)
        start = time.process_time()
        scores = fitness(rows, pool, trials=self.trials, seed=self._seed(), threads=1)
        self.db.add(self.island if island is None else island, rows, scores)
        self.evaluated += len(rows)
        self.cpu_s += time.process_time() - start
        return scores

    def operator_round(self, pool: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """One round without the LLM: ``children`` offspring of an island's parents (random BFF
        strings while it is empty), scored and kept there. Returns them and their scores."""
        island = self.db.pick_island()
        parents = self.db.parents(island, _PARENTS)
        if len(parents) == 0:
            parents = random_bff(_PARENTS, self.length, self.rng)
        kids = vary(parents, self.children, self.rng)
        return kids, self.evaluate(kids, pool, island)

    def examples(self, k: int = 3) -> list[tuple[bytes, float]]:
        """The prompt's examples: the best ``k`` of the island the next LLM answer joins."""
        self.island = self.db.pick_island()
        return self.db.best(k, island=self.island) or self.db.best(k)

    def ready(self, n: int, pool: np.ndarray | None) -> list[bytes]:
        """Up to ``n`` programs that passed both gates, each handed out once. At most ``n``
        mini-soups run per call (the gate's dear part, ~0.2 CPU-s each)."""
        out: list[bytes] = []
        start, trials = time.process_time(), 0
        for program, score in self.db.best(8 * max(n, 1)):
            if len(out) >= n or trials >= n or score < self.threshold:
                break
            if program in self.judged:
                continue
            self.judged.add(program)
            # scored again on 8x as many fresh partners: the best of thousands of noisy scores
            # is partly luck (a winner's curse), and a lucky copier loses in the soup
            again = fitness(np.repeat(as_rows([program], self.length), _RESCORE, axis=0), pool,
                            trials=self.trials, seed=self._seed(), threads=1).mean()
            if again < self.threshold:
                continue
            trials += 1
            if mini_soup_share(program, seed=self._seed(), pool=pool) >= MINI_SHARE:
                out.append(program)
        self.cpu_s += time.process_time() - start
        return out
