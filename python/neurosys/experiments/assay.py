"""The inventors' assay: detector-confirmed replicators found per CPU-second, by

- ``llm_search``:      the inventors' search (agents/search.py): one LLM call (its programs
                       scored, the database's best in its prompt) every ``llm_every`` rounds
                       of the variation operators;
- ``mutation_search``: the same search with the operators only;
- ``random_bff``:      random strings of BFF instructions, each tested by the detector.

Every method spends the same budget of programs scored (``evals``; a count, so that a run does
not depend on the machine) against partners from a young soup, and every program it flags (a
search's evaluator score >= ``flag``, or every random string) goes to the replicator detector
(``soup.replicator_scores``: it copies itself in most trials). Reported: distinct confirmed
replicators, process CPU-seconds (the detector's and the LLM's threads included), their rate,
and the CPU-seconds to the first. The soup's own time to its first replicator is read from the
transition runs (the ``soup_transition`` sweep's traces), not here.

``run_point(point) -> dict`` is a top-level function of a plain dict, for the sweep machinery."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from neurosys.agents.search import InventorSearch, as_rows
from neurosys.experiments.points import from_point
from neurosys.soup.replicators import replicator_scores
from neurosys.soup.variation import random_bff

__all__ = ["METHODS", "AssayPoint", "run_point"]

METHODS = ("llm_search", "mutation_search", "random_bff")
_BATCH = 256  # random strings per detector call, as many as one round of the operators


@dataclass(frozen=True)
class AssayPoint:
    method: str
    seed: int
    evals: int = 2**16            # programs scored (the budget)
    length: int = 64
    flag: float = 0.5             # a search's score that sends a program to the detector
    programs_per_call: int = 4    # programs asked of one LLM call
    llm_every: int = 8            # rounds of the operators per LLM call (llm_search)

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, got {self.method!r}")
        if min(self.evals, self.length, self.programs_per_call, self.llm_every) < 1:
            raise ValueError("evals, length, programs_per_call and llm_every must be >= 1, got "
                             f"{self.evals!r}, {self.length!r}, {self.programs_per_call!r}, {self.llm_every!r}")

    @classmethod
    def from_dict(cls, point: dict[str, Any]) -> AssayPoint:
        return from_point(cls, point)


class _Tally:
    """Distinct confirmed replicators and the CPU-seconds at the first."""

    def __init__(self, seed: int) -> None:
        self.found: set[bytes] = set()
        self.first_cpu_s: float | None = None
        self.start = time.process_time()
        self.seed = seed

    def check(self, rows: np.ndarray) -> None:
        if len(rows) == 0:
            return
        scores = replicator_scores(rows, trials=16, seed=self.seed, threads=1)
        for i in np.flatnonzero(scores > 0.5):
            self.found.add(rows[i].tobytes())
        if self.found and self.first_cpu_s is None:
            self.first_cpu_s = time.process_time() - self.start


def _pool(seed: int, length: int) -> np.ndarray:
    """Partners: 64 programs of a young soup (the soup an inventor meets early)."""
    from neurosys.soup.engine import Soup

    soup = Soup(size=1024, program_length=length, seed=seed, threads=1)
    soup.run(16)
    return soup.programs[np.random.default_rng(seed).integers(0, 1024, 64)].copy()


def _llm_programs(llm: Any, search: InventorSearch, n: int) -> list[bytes]:
    from neurosys.agents.roles import Inventor, parse_programs

    prompt, kwargs = Inventor.question(search, n)
    return parse_programs(llm.generate(prompt, **kwargs))


def run_point(point: dict[str, Any]) -> dict[str, Any]:
    p = AssayPoint.from_dict(point)
    pool = _pool(p.seed, p.length)
    rng = np.random.default_rng([p.seed, 0xA55A])
    tally = _Tally(p.seed)
    evaluated, llm_calls = 0, 0
    if p.method == "random_bff":
        while evaluated < p.evals:
            rows = random_bff(min(_BATCH, p.evals - evaluated), p.length, rng)
            tally.check(rows)
            evaluated += len(rows)
    else:
        llm = None
        if p.method == "llm_search":
            from neurosys.llm import load
            llm = load(None, timeout=120.0)
        search = InventorSearch(p.length, seed=p.seed)
        rounds = 0
        while search.evaluated < p.evals:
            if llm is not None and rounds % p.llm_every == 0:
                rows = as_rows(_llm_programs(llm, search, p.programs_per_call), p.length)
                llm_calls += 1
                tally.check(rows[search.evaluate(rows, pool, search.island) >= p.flag])
            kids, scores = search.operator_round(pool)
            tally.check(kids[scores >= p.flag])
            rounds += 1
        evaluated = search.evaluated
    cpu = time.process_time() - tally.start
    return {**asdict(p), "found": len(tally.found), "evaluated": evaluated, "llm_calls": llm_calls,
            "cpu_s": round(cpu, 3), "per_cpu_s": round(len(tally.found) / max(cpu, 1e-9), 4),
            "first_cpu_s": round(tally.first_cpu_s, 3) if tally.first_cpu_s is not None else ""}
