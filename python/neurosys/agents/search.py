"""An inventor's search over mutations: point mutations, insertions and deletions of candidate
programs (its own proposals, the soup's most copied programs, the detector's replicators),
screened by the replicator detector, so that what it injects is the best copier it can find."""

from __future__ import annotations

import numpy as np

from neurosys.soup.language import ALPHABETS
from neurosys.soup.replicators import replicator_scores

__all__ = ["mutants", "search_replicators"]

BFF_ALPHABET = ALPHABETS["bff"]


def mutants(program: bytes, n: int, rng: np.random.Generator) -> list[bytes]:
    """``n`` variants of ``program`` (same length), each with 1-3 edits; an edit replaces,
    inserts (shifting the tail right) or deletes (shifting it left) one instruction."""
    size = len(program)
    out = []
    for _ in range(n):
        arr = bytearray(program)
        for _ in range(int(rng.integers(1, 4))):
            i, op = int(rng.integers(0, size)), int(rng.integers(0, 3))
            byte = BFF_ALPHABET[int(rng.integers(0, len(BFF_ALPHABET)))]
            if op == 0:
                arr[i] = byte
            elif op == 1:
                arr.insert(i, byte)
                del arr[size:]
            else:
                del arr[i]
                arr.append(0)
        out.append(bytes(arr))
    return out


def search_replicators(candidates: list[bytes], keep: int, rng: np.random.Generator, *,
                       per_candidate: int = 32, seed: int = 0, length: int = 64) -> list[bytes]:
    """The ``keep`` best of the candidates (padded or cut to ``length`` bytes) and their mutants
    by replicator score (ties keep the candidates' order, so with no copier found the
    proposals pass unchanged)."""
    if not candidates or keep <= 0:
        return []
    size = int(length)
    pool = [(c + bytes(size))[:size] for c in candidates]
    pool += [m for c in pool for m in mutants(c, per_candidate, rng)]
    scores = replicator_scores(np.frombuffer(b"".join(pool), np.uint8).reshape(len(pool), size),
                               trials=8, seed=seed, threads=1)
    order = np.argsort(-scores, kind="stable")
    best, seen = [], set()
    for i in order:
        if pool[i] not in seen:
            seen.add(pool[i])
            best.append(pool[i])
        if len(best) == keep:
            break
    return best
