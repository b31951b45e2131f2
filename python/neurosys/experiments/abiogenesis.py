"""The abiogenesis experiment, one run per point: a BFF soup on the real engine runs until the
transition (experiments/transition.py: high-order entropy >= 2 and a confirmed replicator
holding >= 1 % of the soup, fixed in advance) or the epoch cap, with one of four arms writing
into it at the same budget of injected bytes per epoch:

- ``none``:   no agents;
- ``llm``:    inventor agents (real ``AgentManager`` + ``Inventor``) whose new programs come from
              the LLM, batched ``programs_per_call`` per call;
- ``random``: the same number of programs, of uniformly random bytes;
- ``policy``: the same inventors without an LLM (their torch policy picks invent/mutate, and an
              invention is a random string of BFF instructions).

The budget is exact: every ``every`` epochs, ``programs`` programs of ``program_length`` bytes
are written ``copies`` times each (zero padding included). Agents' injections go through their
own code path (``Inventor._inject`` -> ``AgentManager.soup_call`` -> the soup's ``inject``); the
soup the manager sees queues them, and the run writes the queued programs at the slot, so the
policy's "wait" can change which programs are written, never how many bytes.

``run_point(point) -> dict`` is a top-level function of a plain dict, for the sweep machinery."""

from __future__ import annotations

import os
import tempfile
import time
from collections import deque
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np

from neurosys.agents.roles import BFF_ALPHABET
from neurosys.experiments.lineage import Injection, pay_founder, trace_founder
from neurosys.experiments.transition import CRITERION, Criterion, run_until_transition
from neurosys.soup.engine import MUTATION_RATE

__all__ = ["ARMS", "Point", "run_point", "injected_bytes_per_epoch"]

ARMS = ("none", "llm", "random", "policy")
_MAX_TICKS = 20  # agent ticks per slot before its latest proposals are reused


@dataclass(frozen=True)
class Point:
    arm: str
    seed: int
    size: int = 2**12
    program_length: int = 64
    mutation_rate: float = MUTATION_RATE
    cap: int = 2048               # epochs; runs that never cross are censored here
    every: int = 256              # epochs between injection slots
    sample: int = 64              # epochs between entropy samples (the time resolution)
    programs: int = 2             # programs written per slot
    copies: int = 64              # copies of each
    inventors: int = 1
    improved: bool = False        # informed prompt + detector-screened mutation search
    known: bool = False           # improved inventors also search from the published replicator
    hoe: float = CRITERION.hoe    # the transition's criterion (transition.py), fixed in advance
    replicator_fraction: float = CRITERION.replicator_fraction
    pay: bool = True              # lineage credit (by descent) through a real ledger

    def __post_init__(self) -> None:
        if self.arm not in ARMS:
            raise ValueError(f"arm must be one of {ARMS}, got {self.arm!r}")
        if self.cap % self.every or self.every % self.sample:
            raise ValueError(f"cap ({self.cap}) must be a multiple of every ({self.every}), and "
                             f"every of sample ({self.sample})")

    @classmethod
    def from_dict(cls, point: dict[str, Any]) -> Point:
        names = {f.name for f in fields(cls)}
        unknown = set(point) - names
        if unknown:
            raise ValueError(f"unknown point keys {sorted(unknown)}; accepted: {sorted(names)}")
        return cls(**point)


def injected_bytes_per_epoch(p: Point) -> float:
    """The budget, identical for every arm but ``none`` (which writes nothing)."""
    return 0.0 if p.arm == "none" else p.programs * p.copies * p.program_length / p.every


class _Outbox:
    """The soup as the agent manager sees it: ``inject`` queues the proposal (the run writes it
    at the next slot); reads go to the real soup."""

    def __init__(self, driver: Any) -> None:
        self.driver = driver
        self.queue: deque[bytes] = deque(maxlen=64)

    @property
    def programs(self) -> np.ndarray:
        return self.driver.soup.programs

    def inject(self, program: bytes, count: int = 1) -> None:
        self.queue.append(bytes(program))

    def set_mutation_rate(self, rate: float) -> None:
        self.driver.set_mutation_rate(rate)


class _AgentSource:
    """Inventor agents on the real manager; ``take(n)`` ticks them until n programs are queued."""

    def __init__(self, p: Point, workspace: Any, driver: Any, llm: Any) -> None:
        from neurosys.agents import AgentManager

        self.outbox = _Outbox(driver)
        self.mgr = AgentManager(workspace, llm, None, soup=self.outbox, config={
            "control_rate": False, "control_complexity": False, "inventors": p.inventors,
            "inject_count": p.copies, "programs_per_call": max(1, p.programs // p.inventors),
            "consult_every": 0,
            "uncertainty": 1.0, "budget": 10**6, "follow_epochs": 4 * p.every,
            "informed": p.improved, "search_mutants": 32 if p.improved else 0,
            "known_replicators": p.known,
            "clone_every": 0, "retire_below": -1e9, "seed": p.seed, "max_agents": p.inventors})
        self.llm_calls = 0
        self.last: list[tuple[str, bytes]] = []
        self.rng = np.random.default_rng([p.seed, 0xA6])
        self.length = p.program_length

    def _owner(self, program: bytes) -> str:
        for agent in self.mgr.agents.values():
            if program in getattr(agent, "followed", {}) or any(
                    i["program"] == program for i in getattr(agent, "inventions", [])[-16:]):
                return agent.id
        return "unknown"

    def take(self, n: int) -> list[tuple[str, bytes]]:
        for _ in range(_MAX_TICKS):  # a policy that waits is asked again, a few times
            if len(self.outbox.queue) >= n:
                break
            self.mgr.tick()
            self.mgr.wait_soup(60)
            for agent in self.mgr.agents.values():
                future = getattr(agent, "_program_future", None)
                if future is not None:
                    future.exception(120)  # the answer is collected by the next tick
        self.llm_calls = sum(a.consultations for a in self.mgr.agents.values())
        out = [self.outbox.queue.pop() for _ in range(min(n, len(self.outbox.queue)))]  # newest
        taken = [(self._owner(prog), prog) for prog in out]
        # An inventor that learned to wait still spends the slot (the budget is the arm's, not
        # the policy's): its latest proposals are written again; before any, random instructions.
        while len(taken) < n:
            taken.append(self.last[len(taken) % len(self.last)] if self.last else
                          ("unknown", bytes(self.rng.choice(list(BFF_ALPHABET), self.length))))
        self.last = taken
        return taken

    def close(self) -> None:
        self.mgr.close()


class _RandomSource:
    def __init__(self, p: Point) -> None:
        self.rng = np.random.default_rng([p.seed, 0xC0])
        self.length = p.program_length
        self.llm_calls = 0

    def take(self, n: int) -> list[tuple[str, bytes]]:
        return [("random", self.rng.integers(0, 256, self.length, dtype=np.uint8).tobytes())
                for _ in range(n)]

    def close(self) -> None:
        pass


def _pay(trace: Any, epoch: int) -> str | None:
    """Credit through a real (embedded-chain) ledger in a scratch folder."""
    from neurosys.ledger import Economy, Ledger

    os.environ.setdefault("NEUROSYS_LEDGER_PASSPHRASE", "abiogenesis")
    with tempfile.TemporaryDirectory() as tmp:
        ledger = Ledger(tmp)
        try:
            economy = Economy(ledger)
            rid = pay_founder(economy, trace, epoch)
            again = pay_founder(economy, trace, epoch)  # the evidence is the id: pays once
            assert rid == again
            return rid
        finally:
            ledger.close()


def run_point(point: dict[str, Any]) -> dict[str, Any]:
    """One run; returns the result row (epochs to the transition, or the cap when censored)."""
    from neurosys.soup import Soup, SoupDriver
    from neurosys.workspace import Workspace

    p = Point.from_dict(point)
    start = time.perf_counter()
    soup = Soup(size=p.size, program_length=p.program_length, seed=p.seed,
                mutation_rate=p.mutation_rate, threads=1, provenance=True)
    injections: list[Injection] = []
    crossed, last = None, None
    with Workspace() as ws:
        driver = SoupDriver(soup, ws, None, metrics_every=p.sample, top_k=8)
        source: Any = None
        if p.arm == "random":
            source = _RandomSource(p)
        elif p.arm in ("llm", "policy"):
            llm = None
            if p.arm == "llm":
                from neurosys.llm import load
                llm = load(None, timeout=120.0)
            source = _AgentSource(p, ws, driver, llm)
        def slot(epoch: int) -> None:
            if source is None or epoch % p.every:
                return
            for agent, program in source.take(p.programs):
                program = (program + bytes(p.program_length))[:p.program_length]
                origin = len(injections) + 1  # its provenance tag
                injections.append(Injection(agent, program, epoch, p.copies, origin))
                driver.inject(program, p.copies, origin=origin)

        try:
            crossed, last = run_until_transition(
                driver.step, lambda: driver.last_metrics, lambda: soup.epoch, size=p.size,
                cap=p.cap, every=p.sample, criterion=Criterion(p.hoe, p.replicator_fraction),
                before_chunk=slot)
        finally:
            if source is not None:
                source.close()
    row: dict[str, Any] = {**asdict(p), "transition": crossed is not None,
                           "epochs": crossed if crossed is not None else soup.epoch,
                           "final_hoe": round(last.high_order_entropy, 4) if last else 0.0,
                           "injected_bytes": sum(i.count * len(i.program) for i in injections),
                           "llm_calls": getattr(source, "llm_calls", 0),
                           "founder": "", "founded_epoch": -1, "share": 0.0, "reward_id": "",
                           "dominant": ""}
    if crossed is not None and last is not None:
        counts = dict(last.top_programs)  # the most copied confirmed replicator (the criterion's)
        dominant = max(last.replicators, key=lambda r: counts.get(r, 0))
        trace = trace_founder(soup, dominant, injections)
        row.update(dominant="0x" + dominant.hex(),  # "0x": a CSV cell of digits stays text
                   founder=trace.founder.agent if trace.founder else "",
                   founded_epoch=trace.founder.epoch if trace.founder else -1,
                   share=round(trace.share, 4))
        if p.pay and trace.founder is not None and trace.founder.agent != "random":
            row["reward_id"] = _pay(trace, crossed) or ""
    row["wall_s"] = round(time.perf_counter() - start, 2)
    return row
