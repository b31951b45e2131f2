"""Credit that follows lineage: when the soup transitions, trace its dominant replicator back to
the injection that founded it and pay that agent once, through ``Economy.on_invention``.

The trace uses the position-free part of the evidence the soup leaves: when each injection was
made, what it wrote, and from which sample on a program like the dominant one was among the most
copied. An injection founds the lineage when it resembles the dominant program and was made
before the lineage was first seen. When no injection does, the lineage arose by itself and
nobody is paid; agents whose programs died out are never paid."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Injection", "LineageTrace", "similarity", "trace_founder", "pay_founder"]


@dataclass(frozen=True)
class Injection:
    agent: str        # who proposed it ("random" for the control arm)
    program: bytes
    epoch: int
    count: int        # copies written


@dataclass(frozen=True)
class LineageTrace:
    dominant: bytes                  # the most copied replicator at the transition
    copies: int
    first_seen: int                  # first sample epoch with a similar program among the top
    founder: Injection | None        # None: the lineage arose without an injection
    founder_similarity: float = 0.0
    candidates: list[tuple[float, Injection]] = field(default_factory=list)

    def evidence(self) -> dict[str, Any]:
        f = self.founder
        return {"dominant": self.dominant.hex(), "copies": self.copies, "first_seen": self.first_seen,
                "founder": None if f is None else f.agent, "founded_epoch": None if f is None else f.epoch,
                "similarity": round(self.founder_similarity, 4)}


def similarity(a: bytes, b: bytes) -> float:
    """Fraction of equal bytes at the best cyclic shift (copies in the soup are often written
    rotated or at an offset); programs of different lengths compare over the shorter."""
    x, y = np.frombuffer(a, np.uint8), np.frombuffer(b, np.uint8)
    n = min(x.size, y.size)
    if n == 0:
        return 0.0
    x, y = x[:n], y[:n]
    return max(float(np.mean(x == np.roll(y, k))) for k in range(n))


def trace_founder(dominant: bytes, copies: int, top_history: list[tuple[int, list[bytes]]],
                  injections: list[Injection], threshold: float = 0.75) -> LineageTrace:
    """``top_history`` is [(sample epoch, most copied programs)], oldest first; the founder is
    the most similar injection made no later than the lineage's first sighting (earliest wins a
    tie), when its similarity reaches ``threshold``."""
    first_seen = next((epoch for epoch, top in top_history
                       if any(similarity(dominant, p) >= threshold for p in top)), None)
    if first_seen is None:  # never sampled before the transition: the transition sample itself
        first_seen = top_history[-1][0] if top_history else 0
    scored = sorted(((similarity(dominant, inj.program), inj) for inj in injections
                     if inj.epoch <= first_seen), key=lambda si: (-si[0], si[1].epoch))
    founder = scored[0] if scored and scored[0][0] >= threshold else None
    return LineageTrace(dominant, int(copies), int(first_seen), founder[1] if founder else None,
                        founder[0] if founder else 0.0, scored[:5])


def pay_founder(economy: Any, trace: LineageTrace, epoch: int) -> str | None:
    """Pay the founding agent through ``Economy.on_invention`` (its reward id is derived from the
    founder's program and injection epoch, so a second call pays nothing more). None when the
    lineage had no founder among the agents."""
    f = trace.founder
    if f is None or f.agent == "random":
        return None
    return economy.on_invention(f.agent, f.program, f.epoch, int(epoch), trace.copies, True)
