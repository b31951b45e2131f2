"""Credit that follows descent, never similarity: when the soup transitions, the founder of its
dominant replicator is the origin that holds the largest share of the bytes of that
replicator's copies, read from the soup's provenance tags (``Soup(provenance=True)``: every
copying instruction carries a byte's tag along), and that agent is paid once through
``Economy.on_invention``. A largest share below one half, or one held by the initial soup or by
mutations, is a spontaneous origin: nobody is paid. An injection that copies a program already
in the soup inherits that program's tags (``Soup.inject``), so re-injecting what the soup made
by itself earns nothing; agents whose programs died out hold no bytes and earn nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from neurosys.soup.engine import ORIGIN_MUTATION, ORIGIN_PRIMORDIAL

__all__ = ["Injection", "LineageTrace", "trace_founder", "describe", "pay_founder", "FOUNDER_SHARE", "WRITERS"]

FOUNDER_SHARE = 0.5  # the least share of the copies' bytes that makes an origin the founder
WRITERS = ("random", "control")  # the experiments' writers that are not agents: never paid


@dataclass(frozen=True)
class Injection:
    agent: str        # who proposed it ("random" for the control arm)
    program: bytes
    epoch: int
    count: int        # copies written
    origin: int       # the provenance tag its bytes were written with


@dataclass(frozen=True)
class LineageTrace:
    dominant: bytes                  # the most copied replicator at the transition
    copies: int                      # its copies in the soup
    founder: Injection | None        # None: a spontaneous origin (nobody is paid)
    share: float                     # the leading origin's share of the copies' bytes
    tag: int                         # that origin's tag
    shares: dict[int, float] = field(default_factory=dict)  # the five largest, by tag

    def evidence(self) -> dict[str, Any]:
        f = self.founder
        return {"dominant": self.dominant.hex(), "copies": self.copies, "tag": self.tag,
                "share": round(self.share, 4), "founder": None if f is None else f.agent,
                "founded_epoch": None if f is None else f.epoch}


def _origin_name(tag: int) -> str:
    return {ORIGIN_PRIMORDIAL: "primordial", ORIGIN_MUTATION: "mutation"}.get(tag, str(tag))


def trace_founder(soup: Any, dominant: bytes, injections: list[Injection],
                  min_share: float = FOUNDER_SHARE) -> LineageTrace:
    """The founder of ``dominant`` in ``soup`` (a soup with provenance), by descent: the
    injection whose tag holds at least ``min_share`` of the bytes of the copies of ``dominant``
    (its rows equal to it, zero-padded to the program length)."""
    if not 0.5 <= min_share <= 1.0:
        raise ValueError(f"min_share must be in [0.5, 1], got {min_share!r}")
    row = np.zeros(soup.program_length, np.uint8)
    data = np.frombuffer(bytes(dominant), np.uint8)[: soup.program_length]
    row[: data.size] = data
    rows = np.flatnonzero((soup.programs == row).all(axis=1))
    if rows.size == 0:
        return LineageTrace(bytes(dominant), 0, None, 0.0, ORIGIN_PRIMORDIAL)
    tags, counts = np.unique(soup.origins()[rows], return_counts=True)
    order = np.argsort(-counts, kind="stable")
    total = counts.sum()
    shares = {int(tags[k]): float(counts[k] / total) for k in order[:5]}
    tag, share = int(tags[order[0]]), float(counts[order[0]] / total)
    by_tag = {inj.origin: inj for inj in injections}
    founder = by_tag.get(tag) if share >= min_share else None
    return LineageTrace(bytes(dominant), int(rows.size), founder, share, tag, shares)


def describe(trace: LineageTrace) -> str:
    """One line: who founded the lineage, with what share, or that it was spontaneous."""
    lead = ", ".join(f"{_origin_name(t)} {s:.0%}" for t, s in trace.shares.items())
    if trace.founder is None:
        return f"spontaneous ({trace.copies} copies; origins: {lead or 'none'})"
    return (f"founded by {trace.founder.agent} (injected at epoch {trace.founder.epoch}, "
            f"{trace.share:.0%} of the bytes of {trace.copies} copies; origins: {lead})")


def pay_founder(economy: Any, trace: LineageTrace, epoch: int) -> str | None:
    """Pay the founding agent through ``Economy.on_invention`` (its reward id is derived from the
    founder's program and injection epoch, so a second call pays nothing more). None when the
    origin was spontaneous or the founder is one of the WRITERS (an experiment's control)."""
    f = trace.founder
    if f is None or f.agent in WRITERS:
        return None
    return economy.on_invention(f.agent, f.program, f.epoch, int(epoch), trace.copies, True)
