"""The agent roles: controllers (network rate, soup complexity), observers (a soup lineage or
a network regime, rewarded for predicting it) and inventors (new BFF programs for the soup)."""

from __future__ import annotations

from collections import deque
from typing import Any

import numpy as np

from neurosys.agents.agent import Agent
from neurosys.agents.host import AgentHost
from neurosys.agents.search import InventorSearch
from neurosys.agents.state import error_sign_action, read_float, state_vector
from neurosys.llm.prompts import format_prompt
from neurosys.soup.variation import random_bff
from neurosys.workspace import keys

__all__ = ["RateController", "ComplexityController", "Observer", "Inventor", "BFF_ALPHABET"]

BFF_ALPHABET = b"<>{}-+.,[]"


def parse_programs(text: str) -> list[bytes]:
    """The BFF programs of an LLM's answer, one a line, only their instructions."""
    programs = [bytes(b for b in line.encode("latin-1", "ignore") if b in BFF_ALPHABET)
                for line in text.split("\n")]
    return [p for p in programs if p]


def _programs(soup: Any) -> np.ndarray | None:
    """The soup's program array, read in place: the soup's own or its driver's; None for a soup
    in another process (a Ray island), which agents reach only through its calls."""
    programs = getattr(soup, "programs", None)
    if programs is None:
        programs = getattr(getattr(soup, "soup", None), "programs", None)
    return programs if isinstance(programs, np.ndarray) else None


def lineage_count(soup: Any, program: bytes) -> float:
    """Copies of ``program`` in the soup: the driver's ``lineage_count`` when it has one, else
    the exact copies in the soup's program array."""
    if hasattr(soup, "lineage_count"):
        return float(soup.lineage_count(program))
    programs = _programs(soup)
    arr = np.frombuffer(program, dtype=np.uint8)
    if programs is None or programs.shape[1] != arr.size:
        return 0.0
    return float(np.count_nonzero((programs == arr).all(axis=1)))


def program_length(host: AgentHost) -> int:
    """The soup's program size, else the configured one."""
    programs = _programs(host.soup)
    return int(programs.shape[1]) if programs is not None else host.config.program_length


def soup_sample(soup: Any, rng: np.random.Generator, n: int = 64) -> np.ndarray | None:
    """``n`` programs drawn from the soup as it is now (copied), the partners an inventor's
    proposals are scored against; None when the soup cannot be read in place."""
    programs = _programs(soup)
    if programs is None or len(programs) == 0:
        return None
    return programs[np.sort(rng.integers(0, len(programs), n))].copy()


class _Controller(Agent):
    """Moves ``quantity`` toward the manager's target for ``target_key``."""

    protected = True
    explore = False  # a controller steers a live system: it exploits, the LLM's advice explores
    quantity = ""
    target_key = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._prev_value: float | None = None
        self._window_start: tuple[float, int] | None = None  # (error, tick) for contributions

    def value(self, host: AgentHost) -> float:
        raise NotImplementedError

    def target(self, host: AgentHost) -> float:
        return float(host.targets[self.target_key])

    def prior(self, state: np.ndarray) -> int | None:
        return int(error_sign_action(float(state[0])))

    def observe(self, host: AgentHost) -> np.ndarray:
        value, target = self.value(host), self.target(host)
        prev = value if self._prev_value is None else self._prev_value
        self._prev_value = value
        return state_vector(host.workspace, value, target, prev, 0.0)

    def reward(self, host: AgentHost, prev: np.ndarray, action: int, now: np.ndarray) -> float:
        # state[0] is the relative error: reward its shrinking, and being close
        before, after = abs(float(prev[0])), abs(float(now[0]))
        self._report_contribution(host, float(now[0]))
        return float(np.clip(before - after, -1.0, 1.0) - 0.1 * min(after, 5.0))

    def _report_contribution(self, host: AgentHost, rel_error: float) -> None:
        if host.economy is None:
            return
        target = self.target(host)
        error = rel_error * max(abs(target), 1e-6)
        if self._window_start is None:
            self._window_start = (error, host.ticks)
        elif host.ticks - self._window_start[1] >= host.config.contribution_every:
            start_error, start_tick = self._window_start
            try:
                host.economy.on_contribution(self.id, self.quantity, target, abs(start_error),
                                            abs(error), host.ticks)
            except Exception as exc:  # a ledger failure is logged, never stops the loop
                host.log.warning("economy.on_contribution failed for %s: %s", self.id, exc)
            self._window_start = (error, host.ticks)

    def prompt(self, host: AgentHost, state: np.ndarray) -> str:
        target = self.target(host)
        return format_prompt("controller", {
            "quantity": self.quantity, "value": self._prev_value or 0.0, "target": target,
            "error": float(state[0]) * max(abs(target), 1e-6), "relative_error": float(state[0]),
            "trend": float(state[1]) * max(abs(target), 1e-6)})


class RateController(_Controller):
    """Drives the network's mean rate (``snn/mean_rate``) to ``targets['rate_hz']`` by writing
    ``modulation`` as a current step in nA: the policy picks the direction, the size is
    proportional to the rate error in Hz (``rate_gain_nA`` at ``rate_scale_hz`` of error or
    more). The network's gain dRate/dI is about constant in Hz/nA (70-110 over 5-20 Hz), so this
    is an integral action with a loop gain that does not depend on the target; a step
    proportional to the *relative* error had twice the loop gain at 5 Hz as at 10 Hz, and the
    loop dithered at low targets (bench/RESULTS.md, 2026-12-08)."""

    role = "rate_controller"
    quantity = keys.SNN_MEAN_RATE
    target_key = "rate_hz"
    bought_prediction = 0.0

    def value(self, host: AgentHost) -> float:
        return read_float(host.workspace, keys.SNN_MEAN_RATE)

    def observe(self, host: AgentHost) -> np.ndarray:
        # A controller has no spread of its own, so that feature (index 6) carries a regime
        # observer's prediction of the rate (-1/0/+1), bought from it every few ticks
        # (collaboration) and held in between; 0 while there is none.
        bought = host.buy_prediction(self, self.quantity)
        if bought is not None:
            self.bought_prediction = bought
        state = super().observe(host)
        state[6] = self.bought_prediction
        return state

    def apply(self, host: AgentHost, action: str) -> None:
        error_hz = abs((self._prev_value or 0.0) - self.target(host))
        size = host.config.rate_gain_nA * min(1.0, error_hz / max(host.config.rate_scale_hz, 1e-6))
        step = {"increase": size, "decrease": -size, "maintain": 0.0}[action]
        host.workspace.write(keys.MODULATION, float(step))


class ComplexityController(_Controller):
    """Drives the soup's high-order entropy (``avg_entropy``) to ``targets['complexity']`` by
    scaling the soup's mutation rate."""

    role = "complexity_controller"
    quantity = "soup/complexity"
    target_key = "complexity"
    ACTIONS = ("decrease", "maintain", "increase")  # the mutation rate

    def value(self, host: AgentHost) -> float:
        return read_float(host.workspace, keys.AVG_ENTROPY)

    def apply(self, host: AgentHost, action: str) -> None:
        if action == "maintain" or host.soup is None:
            return
        rate = read_float(host.workspace, keys.SOUP_MUTATION_RATE, host.config.mutation_rate_floor)
        factor = host.config.mutation_factor if action == "increase" else 1.0 / host.config.mutation_factor
        rate = float(np.clip(rate * factor, host.config.mutation_rate_floor, host.config.mutation_rate_ceiling))
        host.soup_call(host.soup.set_mutation_rate, rate)


class Observer(Agent):
    """Studies one quantity (a lineage's copies, or the network's rate in a new regime) by
    predicting whether it will rise, fall or stay; rewarded +1 when right, -1 when wrong.
    Its accuracy improving over time is reported to the economy as learning."""

    ACTIONS = ("fall", "stay", "rise")

    def __init__(self, *args: Any, quantity: str, lineage: bytes | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.role = "lineage_observer" if lineage is not None else "regime_observer"
        self.quantity = quantity
        self.lineage = lineage
        self.recent: deque[float] = deque(maxlen=30)
        self.hits: list[float] = []

    def value(self, host: AgentHost) -> float:
        if self.lineage is None:
            return read_float(host.workspace, self.quantity)
        if host.soup is not None:
            return lineage_count(host.soup, self.lineage)
        for entry in host.workspace.read(keys.SOUP_TOP_PROGRAMS, None) or []:
            if isinstance(entry, dict) and entry.get("program") == self.lineage:
                return float(entry.get("count", 0))
        return 0.0

    def observe(self, host: AgentHost) -> np.ndarray:
        value = self.value(host)
        prev = self.recent[-1] if self.recent else value
        self.recent.append(value)
        mean = float(np.mean(self.recent))
        return state_vector(host.workspace, value, mean if mean else 1.0, prev, float(np.std(self.recent)))

    def reward(self, host: AgentHost, prev: np.ndarray, action: int, now: np.ndarray) -> float:
        if len(self.recent) < 2:
            return 0.0
        before, after = self.recent[-2], self.recent[-1]
        tolerance = max(0.05 * abs(before), 1e-9)
        truth = 1 if abs(after - before) <= tolerance else (2 if after > before else 0)
        hit = 1.0 if truth == action else -1.0
        self.hits.append(hit)
        window = host.config.learning_window
        if host.economy is not None and len(self.hits) % window == 0 and len(self.hits) >= 2 * window:
            baseline = float(np.mean(self.hits[:window]))
            recent = float(np.mean(self.hits[-window:]))
            try:
                host.economy.on_learning(self.id, baseline, recent, window)
            except Exception as exc:
                host.log.warning("economy.on_learning failed for %s: %s", self.id, exc)
        return hit

    def apply(self, host: AgentHost, action: str) -> None:
        pass  # a prediction acts on nothing; it is scored on the next tick

    def prompt(self, host: AgentHost, state: np.ndarray) -> str:
        value = self.recent[-1] if self.recent else 0.0
        mean = float(np.mean(self.recent)) if self.recent else 0.0
        return format_prompt("observer", {
            "quantity": "soup/lineage" if self.lineage is not None else self.quantity,
            "value": value, "mean": mean, "spread": float(np.std(self.recent)) if self.recent else 0.0,
            "trend": float(state[1]) * max(abs(mean), 1e-6)})


class Inventor(Agent):
    """Searches for BFF programs that win in the soup (agents/search.py: proposals from the LLM
    or from the variation operators, scored by the engine against the soup's own programs),
    injects only those past the search's gates, and follows how many copies their lineage has
    N epochs later. Without an LLM (or with ``agents.search = "mutation"``), "invent" scores a
    round of random BFF strings and "mutate" a round of offspring of the database's best."""

    role = "inventor"
    ACTIONS = ("wait", "invent", "mutate")

    def __init__(self, *args: Any, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, seed=seed, **kwargs)
        self.rng = np.random.default_rng(seed)
        self.search: InventorSearch | None = None
        self.followed: dict[bytes, tuple[int, float]] = {}  # program -> (founded epoch, copies)
        self.inventions: list[dict[str, Any]] = []
        self._program_future: Any = None
        self._copies_before = 0.0
        self._best_before = 0.0
        self._asked = False  # consulted the LLM this tick

    def observe(self, host: AgentHost) -> np.ndarray:
        self._collect_program(host)
        self._follow(host)
        copies = float(sum(c for _, c in self.followed.values()))
        return state_vector(host.workspace, copies, max(self._copies_before, 1.0),
                            self._copies_before, 0.0)

    # rewards: growth of the copies of this inventor's programs, and progress of its search (the
    # rise of its database's best score: without it the costs teach a new inventor to wait),
    # less the cost of acting
    def reward(self, host: AgentHost, prev: np.ndarray, action: int, now: np.ndarray) -> float:
        copies = float(sum(c for _, c in self.followed.values()))
        gained = (copies - self._copies_before) / max(host.config.inject_count, 1)
        self._copies_before = copies
        best = self.search.db.best(1)[0][1] if self.search is not None and len(self.search.db) else 0.0
        progress, self._best_before = 4.0 * max(0.0, best - self._best_before), max(best, self._best_before)
        # an LLM call is the cost; a round of the evaluator is within the search's CPU budget
        cost, self._asked = (0.05 if self._asked else 0.0), False
        return float(np.clip(gained + progress, -1.0, 1.0) - cost)

    def apply(self, host: AgentHost, action: str) -> None:
        if host.soup is None or action == "wait":
            return
        search, pool = self._searcher(host), soup_sample(host.soup, self.rng)
        llm = self.model(host)
        if action == "invent" and self._program_future is not None:
            return  # the last question is still being answered
        if action == "invent" and llm is not None and self._may_consult(host):
            prompt, kwargs = self.question(search, host.config.programs_per_call)
            self._asked = True
            self._program_future = llm.generate_async(prompt, **kwargs)
        elif action == "invent":
            search.evaluate(random_bff(search.children, search.length, self.rng), pool,
                            search.db.pick_island())
        else:
            search.operator_round(pool)
        self._inject_ready(host, pool)

    def model(self, host: AgentHost) -> Any:
        """The inventors' LLM: ``agents.model`` when set (any GGUF file or Ollama name, in its
        own lane), else the model the agents share; None with ``agents.search = "mutation"``."""
        if host.config.search != "llm":
            return None
        if host.config.model:
            from neurosys.llm import load
            return load(host.config.model, lane="inventors")
        return host.llm

    def prompt(self, host: AgentHost, state: np.ndarray) -> str:
        copies = sum(c for _, c in self.followed.values())
        return format_prompt("inventor_action", {
            "followed": len(self.followed), "copies": int(copies),
            "change": int(copies - self._copies_before), "judged": len(self.inventions)})

    def _searcher(self, host: AgentHost) -> InventorSearch:
        if self.search is None:
            self.search = InventorSearch(program_length(host), threshold=host.config.inject_threshold,
                                         children=host.config.search_children,
                                         seed=int(self.rng.integers(0, 2**31)))
        return self.search

    @classmethod
    def question(cls, search: InventorSearch, n: int) -> tuple[str, dict[str, Any]]:
        """The inventors' question to the LLM: the prompt, and the generation's arguments (a
        grammar of ``n`` lines of BFF instructions, each of half to all the program's length)."""
        size = search.length
        line = f'[<>{{}}+.,\\[\\]-]{{{max(1, size // 2)},{size}}}'
        grammar = f'root ::= {line}' + f' "\\n" {line}' * (n - 1)
        return (format_prompt("inventor", cls.prompt_values(search, n)),
                {"grammar": grammar, "max_tokens": n * (size + 1), "temperature": 0.8})

    @staticmethod
    def prompt_values(search: InventorSearch, n: int) -> dict[str, Any]:
        """The database's best with their scores; only their instructions (zeros and other
        bytes are no-ops, and a prompt takes no free text)."""
        examples = search.examples(3)
        values: dict[str, Any] = {"count": n, "length": search.length}
        for i in range(3):
            program, score = examples[i] if i < len(examples) else (b"", 0.0)
            values[f"example{i + 1}"] = bytes(b for b in program if b in BFF_ALPHABET)
            values[f"score{i + 1}"] = score
        return values

    def _may_consult(self, host: AgentHost) -> bool:
        if host.economy is not None:
            return bool(host.economy.charge(self.id, "llm_consultation"))
        if self.budget <= 0:
            return False
        self.budget -= 1
        return True

    def _collect_program(self, host: AgentHost) -> None:
        future = self._program_future
        if future is None or not future.done():
            return
        self._program_future = None
        try:
            text = future.result()
        except Exception as exc:
            host.log.warning("inventor %s: the LLM failed (%s)", self.id, exc)
            return
        programs = parse_programs(text)
        if programs and host.soup is not None:
            self.consultations += 1
            search, pool = self._searcher(host), soup_sample(host.soup, self.rng)
            search.evaluate(programs, pool, search.island)
            self._inject_ready(host, pool)

    def _inject_ready(self, host: AgentHost, pool: np.ndarray | None) -> None:
        for program in self._searcher(host).ready(host.config.programs_per_call, pool):
            self._inject(host, program)

    def _inject(self, host: AgentHost, program: bytes) -> None:
        size = program_length(host)
        program = (program + bytes(size))[:size]  # zero bytes are no-ops in BFF
        if host.soup is not None:  # the inventors' callers check it too; a run may have no soup
            host.soup_call(host.soup.inject, program, host.config.inject_count)
        epoch = int(read_float(host.workspace, keys.SOUP_EPOCH))
        self.followed[program] = (epoch, float(host.config.inject_count))
        while len(self.followed) > 8:  # follow the newest few
            self._settle(host, next(iter(self.followed)))

    def _follow(self, host: AgentHost) -> None:
        if host.soup is None:
            return
        epoch = int(read_float(host.workspace, keys.SOUP_EPOCH))
        for program, (founded, _) in list(self.followed.items()):
            self.followed[program] = (founded, lineage_count(host.soup, program))
            if epoch - founded >= host.config.follow_epochs:
                self._settle(host, program)

    def _settle(self, host: AgentHost, program: bytes) -> None:
        founded, copies = self.followed.pop(program)
        epoch = int(read_float(host.workspace, keys.SOUP_EPOCH))
        replicators = host.workspace.read(keys.SOUP_REPLICATORS, None) or []
        is_replicator = program in replicators or copies > host.config.inject_count
        self.inventions.append({"program": program, "founded": founded, "epoch": epoch,
                                "copies": copies, "replicator": is_replicator})
        self._copies_before = max(0.0, self._copies_before - copies)
        if host.economy is not None:
            try:
                host.economy.on_invention(self.id, program, founded, epoch, int(copies), bool(is_replicator))
            except Exception as exc:
                host.log.warning("economy.on_invention failed for %s: %s", self.id, exc)
