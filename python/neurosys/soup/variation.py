"""The variation operators of the inventors' searches, one set for all of them (``evolve``,
``agents.search``): point mutations, insertions and deletions of single BFF instructions (the
tail shifts, the length stays), and one-point crossover of two parents."""

from __future__ import annotations

import numpy as np

__all__ = ["BFF_BYTES", "vary", "random_bff"]

BFF_BYTES = np.frombuffer(b"<>{}+-.,[]\x00", np.uint8)  # the instructions, and zero (a no-op)


def random_bff(n: int, length: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` random strings of BFF instructions and zeros, (n, length) uint8."""
    return rng.choice(BFF_BYTES, (int(n), int(length)))


def _shift_edit(row: np.ndarray, rng: np.random.Generator) -> None:
    """Insert one instruction (the tail shifts right, the last byte falls off) or delete one
    (the tail shifts left, a zero enters at the end), in place."""
    i = int(rng.integers(0, row.size))
    if rng.random() < 0.5:
        row[i + 1:] = row[i:-1].copy()
        row[i] = rng.choice(BFF_BYTES)
    else:
        row[i:-1] = row[i + 1:].copy()
        row[-1] = 0


def vary(parents: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` children of ``parents`` (rows): half after a one-point crossover of two parents,
    then each with 1-3 edits, of which one in four inserts or deletes an instruction."""
    parents = np.asarray(parents, np.uint8)
    if parents.ndim != 2 or len(parents) == 0:
        raise ValueError(f"parents must be a non-empty (programs x bytes) array, got shape {parents.shape}")
    count, length = len(parents), parents.shape[1]
    a = parents[rng.integers(0, count, n)]
    b = parents[rng.integers(0, count, n)]
    cut = rng.integers(1, max(length, 2), n)
    cross = rng.random(n) < 0.5
    kids = np.where((np.arange(length)[None, :] >= cut[:, None]) & cross[:, None], b, a)
    for k in range(3):
        hit = np.flatnonzero(rng.random(n) < (1.0 if k == 0 else 0.5))
        shift = rng.random(hit.size) < 0.25
        for i in hit[shift]:
            _shift_edit(kids[i], rng)
        point = hit[~shift]
        kids[point, rng.integers(0, length, point.size)] = rng.choice(BFF_BYTES, point.size)
    return kids
