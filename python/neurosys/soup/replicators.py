"""Replicator detection: a program is a replicator when, run against random partners, it leaves a
copy of itself in the partner half in most trials (directly, or after its copy meets one more
partner, which catches copiers that write themselves reversed)."""

from __future__ import annotations

import numpy as np

from neurosys import _core


def replicator_scores(programs: np.ndarray, *, language: str = "bff", max_steps: int = 8192,
                      heads_from_tape: bool = False, trials: int = 16, min_similarity: float = 0.9,
                      seed: int = 0, threads: int = 0) -> np.ndarray:
    """Per program, the fraction of trials in which it copied itself (>= min_similarity of bytes)."""
    programs = np.atleast_2d(np.ascontiguousarray(programs, dtype=np.uint8))
    return _core.soup.replicator_scores(programs, language=language, max_steps=max_steps,
                                        heads_from_tape=heads_from_tape, trials=trials,
                                        min_similarity=min_similarity, seed=seed, threads=threads)


def is_replicator(program: bytes | np.ndarray, *, threshold: float = 0.5, **kwargs) -> bool:
    """True when the program copies itself in more than `threshold` of the trials."""
    arr = np.frombuffer(bytes(program), np.uint8) if isinstance(program, (bytes, bytearray)) else program
    return bool(replicator_scores(arr, **kwargs)[0] > threshold)


def detect_replicators(programs: np.ndarray, *, threshold: float = 0.5, **kwargs) -> list[bytes]:
    """The rows of `programs` that are replicators, as bytes, in input order."""
    programs = np.atleast_2d(np.ascontiguousarray(programs, dtype=np.uint8))
    if not 0.0 <= threshold < 1.0:
        raise ValueError(f"threshold must be in [0, 1), got {threshold}")
    scores = replicator_scores(programs, **kwargs)
    return [programs[i].tobytes() for i in np.flatnonzero(scores > threshold)]
