"""The abiogenesis experiment, one run per point: a BFF soup on the real engine runs until the
transition (experiments/transition.py: high-order entropy >= 2 and a confirmed replicator
holding >= 1 % of the soup, fixed in advance) or the epoch cap, with one arm writing into it:

- ``none``:            no agents (the baseline);
- ``llm_search``:      inventor agents (the real ``AgentManager`` + ``Inventor``) searching with
                       the engine as evaluator (agents/search.py), proposals from the LLM and
                       the variation operators;
- ``mutation_search``: the same inventors without the LLM (the operators only);
- ``random_bytes``:    uniformly random bytes, at the full budget;
- ``random_bff``:      random strings of BFF instructions, at the full budget;
- ``control_8``, ``control_16``: the published replicator with 8 or 16 random point edits, a
                       fresh variant per program, at the full budget (a positive control that
                       can fail: 16 edits break most of it).

The budget: every ``every`` epochs at most ``programs`` programs of ``program_length`` bytes are
written ``copies`` times each. The random and control arms always write the full budget; the
inventors write only what passed their search's gates within ``search_evals`` programs scored
a slot (a count, not seconds, so that a run does not depend on the machine's speed or load),
so they never write more bytes than the others. An LLM inventor may call the LLM ``llm_budget``
times in a run (its budget; a call costs ~10 CPU-seconds on this 2-core machine), then
searches on with the operators. Agents' injections go through their own code
path (``Inventor._inject`` -> ``AgentManager.soup_call`` -> the soup's ``inject``); the soup the
manager sees queues them, and the run writes the queue at the slot.

Costs are counted: ``soup_cpu_s`` (the soup's epochs and samples) and ``search_cpu_s`` (the
inventors' ticks: the evaluator, the mini-soups and the LLM's threads), process CPU time.

``run_point(point) -> dict`` is a top-level function of a plain dict, for the sweep machinery."""

from __future__ import annotations

import os
import tempfile
import time
from collections import deque
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from neurosys.agents.search import INJECT_THRESHOLD
from neurosys.experiments.lineage import WRITERS, Injection, pay_founder, trace_founder
from neurosys.experiments.points import from_point
from neurosys.experiments.transition import CRITERION, Criterion, run_until_transition
from neurosys.soup.engine import MUTATION_RATE
from neurosys.soup.tapes import KNOWN_REPLICATOR
from neurosys.soup.variation import BFF_BYTES, random_bff

__all__ = ["ARMS", "Point", "run_point", "injected_bytes_per_epoch"]

ARMS = ("none", "llm_search", "mutation_search", "random_bytes", "random_bff", "control_8", "control_16")
SEARCH_ARMS = {"llm_search": "llm", "mutation_search": "mutation"}


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
    programs: int = 2             # programs written per slot, at most
    copies: int = 64              # copies of each
    inventors: int = 1
    search_evals: int = 2**15     # programs each inventor may score per slot (its search budget)
    llm_budget: int = 16          # LLM calls each LLM inventor may make in the whole run
    threshold: float = INJECT_THRESHOLD  # the evaluator's score an inventor's program needs
    hoe: float = CRITERION.hoe    # the transition's criterion (transition.py), fixed in advance
    replicator_fraction: float = CRITERION.replicator_fraction
    pay: bool = True              # lineage credit (by descent) through a real ledger

    def __post_init__(self) -> None:
        if self.arm not in ARMS:
            raise ValueError(f"arm must be one of {ARMS}, got {self.arm!r}")
        if self.cap % self.every or self.every % self.sample:
            raise ValueError(f"cap ({self.cap}) must be a multiple of every ({self.every}), and "
                             f"every of sample ({self.sample})")
        if self.search_evals < 1 or self.llm_budget < 0:
            raise ValueError(f"search_evals must be >= 1 and llm_budget >= 0, got "
                             f"{self.search_evals!r}, {self.llm_budget!r}")

    @classmethod
    def from_dict(cls, point: dict[str, Any]) -> Point:
        return from_point(cls, point)


def injected_bytes_per_epoch(p: Point) -> float:
    """The budget: what the random and control arms write, and the most the inventors may."""
    return 0.0 if p.arm == "none" else p.programs * p.copies * p.program_length / p.every


class _Outbox:
    """The soup as the agent manager sees it: ``inject`` queues the proposal (the run writes it
    at the next slot); reads go to the real soup."""

    def __init__(self, driver: Any) -> None:
        self.driver = driver
        self.queue: deque[bytes] = deque()

    @property
    def programs(self) -> np.ndarray:
        return self.driver.soup.programs

    def inject(self, program: bytes, count: int = 1) -> None:
        self.queue.append(bytes(program))

    def set_mutation_rate(self, rate: float) -> None:
        self.driver.set_mutation_rate(rate)


class _AgentSource:
    """Inventor agents on the real manager; ``take(n)`` ticks them until n programs passed their
    gates or they scored ``search_evals`` programs each (or, should their policies only wait,
    after as many ticks as that budget would take)."""

    def __init__(self, p: Point, workspace: Any, driver: Any, llm: Any) -> None:
        from neurosys.agents import AgentManager

        self.outbox = _Outbox(driver)
        self.mgr = AgentManager(workspace, llm, None, soup=self.outbox, config={
            "control_rate": False, "control_complexity": False, "inventors": p.inventors,
            "inject_count": p.copies, "programs_per_call": max(1, p.programs // p.inventors),
            "consult_every": 0, "search": SEARCH_ARMS[p.arm], "inject_threshold": p.threshold,
            "uncertainty": 1.0, "budget": p.llm_budget, "follow_epochs": 4 * p.every,
            "clone_every": 0, "retire_below": -1e9, "seed": p.seed, "max_agents": p.inventors})
        self.budget = p.search_evals * p.inventors
        self.max_ticks = 16 + 4 * p.search_evals // 256
        self.cpu_s = 0.0

    @property
    def llm_calls(self) -> int:
        return sum(a.consultations for a in self.mgr.agents.values())

    def _tick(self) -> None:
        self.mgr.tick()
        self.mgr.wait_soup(60)
        for agent in self.mgr.agents.values():
            future = getattr(agent, "_program_future", None)
            if future is not None:
                future.exception(120)  # the answer is scored by the next tick

    def _evaluated(self) -> int:
        return sum(a.search.evaluated for a in self.mgr.agents.values() if getattr(a, "search", None))

    def take(self, n: int) -> list[tuple[str, bytes]]:
        start, first = time.process_time(), self._evaluated()
        for _ in range(self.max_ticks):
            if len(self.outbox.queue) >= n or self._evaluated() - first >= self.budget:
                break
            self._tick()
        self.cpu_s += time.process_time() - start
        out = [self.outbox.queue.popleft() for _ in range(min(n, len(self.outbox.queue)))]
        return [(self._owner(program), program) for program in out]

    def _owner(self, program: bytes) -> str:
        for agent in self.mgr.agents.values():
            if program in getattr(agent, "followed", {}):
                return agent.id
        return "unknown"

    def close(self) -> None:
        self.mgr.close()


class _WriterSource:
    """The arms without agents: ``make(rng, length)`` makes each program, at the full budget."""

    def __init__(self, p: Point, name: str, make: Any) -> None:
        self.rng = np.random.default_rng([p.seed, 0xC0])
        self.name, self.make, self.length = name, make, p.program_length
        self.llm_calls, self.cpu_s = 0, 0.0

    def take(self, n: int) -> list[tuple[str, bytes]]:
        return [(self.name, self.make(self.rng, self.length)) for _ in range(n)]

    def close(self) -> None:
        pass


def _edited_replicator(edits: int) -> Any:
    def make(rng: np.random.Generator, length: int) -> bytes:
        program = np.zeros(length, np.uint8)
        known = np.frombuffer(KNOWN_REPLICATOR, np.uint8)[:length]
        program[:known.size] = known
        program[rng.choice(length, edits, replace=False)] = rng.choice(BFF_BYTES, edits)
        return program.tobytes()
    return make


def _source(p: Point, workspace: Any, driver: Any) -> Any:
    if p.arm in SEARCH_ARMS:
        llm = None
        if p.arm == "llm_search":
            from neurosys.llm import load
            llm = load(None, timeout=120.0)
        return _AgentSource(p, workspace, driver, llm)
    if p.arm == "random_bytes":
        return _WriterSource(p, "random", lambda rng, n: rng.integers(0, 256, n, dtype=np.uint8).tobytes())
    if p.arm == "random_bff":
        return _WriterSource(p, "random", lambda rng, n: random_bff(1, n, rng)[0].tobytes())
    if p.arm.startswith("control_"):
        return _WriterSource(p, "control", _edited_replicator(int(p.arm.split("_")[1])))
    return None


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
        source = _source(p, ws, driver)
        soup_cpu = [0.0]

        def advance(epochs: int) -> None:
            t0 = time.process_time()
            driver.step(epochs)
            soup_cpu[0] += time.process_time() - t0

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
                advance, lambda: driver.last_metrics, lambda: soup.epoch, size=p.size,
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
                           "soup_cpu_s": round(soup_cpu[0], 2),
                           "search_cpu_s": round(getattr(source, "cpu_s", 0.0), 2),
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
        if p.pay and trace.founder is not None and trace.founder.agent not in WRITERS:
            row["reward_id"] = _pay(trace, crossed) or ""
    row["wall_s"] = round(time.perf_counter() - start, 2)
    return row
