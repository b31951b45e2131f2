"""The inventors' evaluator (the FunSearch / AlphaEvolve pattern: the engine scores every
proposal before anything reaches the soup). A graded fitness that predicts winning in the
soup, not only copying in isolation:

* ``fitness_components``: per program, in the engine (``_core.soup.fitness_components``), the
  copy fidelity and how intact the program stays, with the program first and second on the
  tape, against random partners and partners drawn from a pool (the current soup);
* ``fitness``: one score in [0, 1] from them, ``(copy_first x intact_first + max(copy_second,
  intact_second)) / 2``: copying while staying whole as the first half, and persisting as the
  second (intact, or copying itself into the first half); a program that copies only from
  the first position, and is damaged in the second, scores about half;
* ``mini_soup_share``: the short competition before an injection, a small soup with
  provenance seeded with copies of the program, and the share of its bytes that descend from
  them after a few dozen epochs;
* ``evolve``: a plain evolutionary search (soup.variation's operators) under any of these
  scores, the proposals that need no LLM.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from neurosys import _core
from neurosys.arguments import integer, real
from neurosys.soup.variation import random_bff, vary

__all__ = ["COMPONENTS", "fitness_components", "fitness", "mini_soup_share", "evolve"]

COMPONENTS = ("copy_first", "intact_first", "copy_second", "intact_second")


def _matrix(programs: np.ndarray | bytes | list[bytes], name: str) -> np.ndarray:
    if isinstance(programs, (bytes, bytearray)):
        programs = [bytes(programs)]
    if isinstance(programs, list):
        if not programs or len({len(p) for p in programs}) != 1:
            raise ValueError(f"{name} must be programs of one length, got {len(programs)} programs")
        programs = np.frombuffer(b"".join(programs), np.uint8).reshape(len(programs), -1)
    arr = np.ascontiguousarray(programs, dtype=np.uint8)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be a 2-D (programs x bytes) array, got shape {arr.shape}")
    return arr


def fitness_components(programs: np.ndarray | bytes | list[bytes], pool: np.ndarray | None = None, *,
                       trials: int = 8, max_steps: int = 8192, seed: int = 0,
                       threads: int = 0) -> np.ndarray:
    """(n, 4) array of COMPONENTS, each in [0, 1], averaged over ``trials`` partners (odd
    trials draw from ``pool`` when given). A program that copies nothing in its first trial
    stops there (the cheap part: one tape run)."""
    arr = _matrix(programs, "programs")
    pool_arr = None if pool is None else _matrix(pool, "pool")
    return _core.soup.fitness_components(arr, pool_arr, trials=integer("trials", trials),
                                         max_steps=integer("max_steps", max_steps),
                                         seed=integer("seed", seed), threads=integer("threads", threads))


def fitness(programs: np.ndarray | bytes | list[bytes], pool: np.ndarray | None = None,
            **kwargs: int) -> np.ndarray:
    """The graded score in [0, 1] of each program (see the module docstring)."""
    c = fitness_components(programs, pool, **kwargs)
    return 0.5 * c[:, 0] * c[:, 1] + 0.5 * np.maximum(c[:, 2], c[:, 3])


def mini_soup_share(program: bytes, *, size: int = 256, copies: int = 16, epochs: int = 128,
                    seed: int = 0, pool: np.ndarray | None = None) -> float:
    """The share of a small soup's bytes that descend from ``copies`` copies of ``program``
    after ``epochs`` epochs (provenance tags). The rest of the soup is random bytes, or rows of
    ``pool`` (the current soup) when given: the competition it would meet."""
    from neurosys.soup.engine import Soup

    size, copies, epochs = integer("size", size), integer("copies", copies), integer("epochs", epochs)
    if not 1 <= copies < size:
        raise ValueError(f"copies must be in [1, {size - 1}], got {copies}")
    soup = Soup(size=size, program_length=len(program), seed=integer("seed", seed), device="cpu",
                threads=1, provenance=True)
    if pool is not None:
        rows = np.random.default_rng(seed).integers(0, len(pool), size)
        soup.programs[...] = _matrix(pool, "pool")[rows]
    soup.inject(program, copies, origin=1)
    soup.run(epochs)
    return float(np.mean(soup.origins() == 1))


def evolve(score: Callable[[np.ndarray], np.ndarray], *, length: int = 64, parents: int = 64,
           children: int = 512, generations: int = 50, seed: int = 0,
           start: np.ndarray | None = None, target: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Evolve programs under ``score`` (rows -> one value each): each generation, ``children``
    offspring (soup.variation.vary: crossover and 1-3 edits) join the ``parents`` best. Stops
    after ``generations`` or once the best reaches ``target``. Returns the final parents and
    their scores, best first."""
    parents, children = integer("parents", parents), integer("children", children)
    if parents < 2 or children < 1:
        raise ValueError(f"parents must be >= 2 and children >= 1, got {parents}, {children}")
    rng = np.random.default_rng(seed)
    pop = random_bff(parents, length, rng) if start is None else _matrix(start, "start")[:parents]
    fit = score(pop)
    for _ in range(integer("generations", generations)):
        if target is not None and fit.max() >= real("target", target):
            break
        kids = vary(pop, children, rng)
        both = np.concatenate([pop, kids])
        scores = np.concatenate([fit, score(kids)])
        best = np.argsort(-scores, kind="stable")[:parents]
        pop, fit = both[best], scores[best]
    order = np.argsort(-fit, kind="stable")
    return pop[order], fit[order]
