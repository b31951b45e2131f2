"""``AgentManager``: spawns, runs, retires and clones agents as the system evolves, logs every
interaction and lifecycle event to the run store, publishes ``agents/table`` and
``agents/events``, and takes commands (spawn, retire, set_target, pause, resume) from any thread.

``tick()`` never waits on the LLM: consultations are queued on the model's worker and picked up
on later ticks."""

from __future__ import annotations

import json
import logging
import queue
import time
from collections import deque
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from neurosys.agents.agent import Agent
from neurosys.agents.config import AgentsConfig
from neurosys.agents.host import AgentRecord
from neurosys.agents.roles import ComplexityController, Inventor, Observer, RateController
from neurosys.agents.state import STATE_SIZE, error_sign_action, read_float
from neurosys.agents.triggers import LineageDetector, RegimeDetector
from neurosys.run.commands import ROLES, agent_role, validate_command
from neurosys.llm.model import Decision
from neurosys.llm.prompts import format_prompt
from neurosys.workspace import keys

if TYPE_CHECKING:
    from neurosys.run.components import EconomyComponent, SharedModel, SoupControl
    from neurosys.run.storage import RunStore

__all__ = ["AgentManager", "ROLES", "reward_history"]

INTERACTIONS_COLUMNS = ("id INTEGER PRIMARY KEY, time REAL, state TEXT, action TEXT, reward REAL, "
                        "llm_response TEXT, agent_id TEXT, role TEXT")
EVENTS_COLUMNS = "id INTEGER PRIMARY KEY, time REAL, kind TEXT, agent_id TEXT, role TEXT, reason TEXT, parent TEXT"


class AgentManager:
    """Runs the agent population, and is the ``AgentHost`` of its agents (agents/host.py).
    ``soup`` is the soup driver (``inject``, ``set_mutation_rate``) or None; ``economy`` the
    ledger's Economy or None (then each agent's ``budget`` bounds its LLM consultations)."""

    def __init__(self, workspace: Any, llm: SharedModel | None = None, store: RunStore | None = None,
                 *, soup: SoupControl | None = None, economy: EconomyComponent | None = None,
                 config: Any = None) -> None:
        self.workspace, self.llm, self.store = workspace, llm, store
        self.soup, self.economy = soup, economy
        self.config = AgentsConfig.from_any(config)
        if self.config.torch_threads:
            # batch-1 MLPs gain nothing from a thread pool, and its spinning workers steal the
            # cores the SNN and soup engines run on (process-wide torch setting)
            torch.set_num_threads(self.config.torch_threads)
        self.log = logging.getLogger("neurosys.agents")
        self.targets = {"rate_hz": self.config.rate_hz, "complexity": self.config.complexity}
        self.ticks = 0
        self.paused = False
        self.agents: dict[str, Agent] = {}
        self.retired: deque[Agent] = deque(maxlen=50)
        self.events: deque[dict[str, Any]] = deque(maxlen=50)
        self._commands: queue.SimpleQueue[tuple[str, dict[str, Any]]] = queue.SimpleQueue()
        self._next_id = 1
        self._rng = np.random.default_rng(self.config.seed)
        self._seen_targets: Any = None
        self.regimes = [RegimeDetector(keys.SNN_MEAN_RATE, self.config.regime_window,
                                       self.config.regime_persist, min_margin=self.config.regime_min_margin_hz),
                        RegimeDetector(keys.SNN_SYNCHRONY, self.config.regime_window,
                                       self.config.regime_persist, min_margin=0.05)]
        self.lineages = LineageDetector()
        # soup calls wait for the soup's running chunk of epochs: they go to one worker thread
        self._soup_worker: ThreadPoolExecutor | None = None
        self._soup_futures: list[Future] = []
        if store is not None:
            store.create_table("agent_interactions", INTERACTIONS_COLUMNS, component="agents",
                               version=1, indexes=("time", "agent_id"))
            store.create_table("agent_events", EVENTS_COLUMNS, component="agents", version=1,
                               indexes=("time",))
        self._spawn_start()
        self.publish()

    # -- commands -----------------------------------------------------------------------------
    def submit(self, command: str | dict[str, Any], **args: Any) -> None:
        """Queue a command from any thread: ``submit("retire", id="a3")`` or
        ``submit({"op": "set_target", "args": {"rate_hz": 10}})`` (arguments may also sit beside
        "op"; a "seq" is ignored). Checked now (ValueError, see ``neurosys.run.commands``), run on
        the next tick."""
        if isinstance(command, dict):
            beside = {k: v for k, v in command.items() if k not in ("op", "args", "seq")}
            op, args = command.get("op"), {**(command.get("args") or {}), **beside, **args}
        else:
            op = command
        self._commands.put(validate_command(op, args, "agents"))

    def _run_command(self, op: str, args: dict[str, Any]) -> None:
        if op == "spawn":
            self.spawn(args["role"], "command")
        elif op == "retire":
            self.retire(args["id"], args.get("reason", "command"))
        elif op == "set_target":
            self.targets.update(args)
        elif op in ("pause", "resume"):
            paused = op == "pause"
            if args.get("id") is None:
                self.paused = paused
            elif args["id"] in self.agents:
                self.agents[args["id"]].paused = paused

    # -- lifecycle ----------------------------------------------------------------------------
    def _spawn_start(self) -> None:
        if self.config.control_rate:
            self.spawn("rate_controller", "start")
        if self.soup is not None:
            if self.config.control_complexity:
                self.spawn("complexity_controller", "start")
            for _ in range(self.config.inventors):
                self.spawn("inventor", "start")

    def spawn(self, role: str, reason: str, *, lineage: bytes | None = None,
              trigger_value: float = 0.0, quantity: str = keys.SNN_MEAN_RATE,
              parent: Agent | None = None, trigger: str | None = None) -> Agent | None:
        """Create an agent of ``role``; None when the population cap is reached or a role
        that needs the soup has none. Logged with ``reason``."""
        role = agent_role(role)
        if len(self.agents) >= self.config.max_agents:
            return None
        if role in ("complexity_controller", "inventor") and self.soup is None:
            return None
        if role == "lineage_observer" and lineage is None:
            top = self.workspace.read(keys.SOUP_TOP_PROGRAMS, None) or []
            if not top or not isinstance(top[0], dict) or not isinstance(top[0].get("program"), bytes):
                return None
            lineage = top[0]["program"]
        agent_id = f"agent-{self._next_id}"
        self._next_id += 1
        if trigger is None:  # the persona names the trigger with a word of our own, never free text
            trigger = "cloning" if parent is not None else "start" if reason == "start" else "command"
        persona = format_prompt("persona", {
            "agent_id": int(agent_id.split("-")[1]), "role": role,
            "spawn_time": read_float(self.workspace, keys.SNN_TIME), "trigger": trigger,
            "trigger_value": trigger_value})
        seed = int(self._rng.integers(0, 2**31))
        common = dict(budget=self.config.budget, consult_every=self.config.consult_every,
                      uncertainty=self.config.uncertainty, context_size=self.config.context_size,
                      seed=seed, trigger=trigger, parent=parent.id if parent else None,
                      policy=parent.policy.clone(self.config.clone_sigma, seed) if parent else None)
        agent: Agent
        if role == "rate_controller":
            agent = RateController(agent_id, persona, **common)
            if self.config.warm_start and parent is None:
                _warm_start_rate(agent, self._rng)
        elif role == "complexity_controller":
            agent = ComplexityController(agent_id, persona, **common)
        elif role == "inventor":
            agent = Inventor(agent_id, persona, **common)
        elif role == "lineage_observer":
            agent = Observer(agent_id, persona, quantity="soup/lineage", lineage=lineage, **common)
        else:
            agent = Observer(agent_id, persona, quantity=quantity, **common)
        self.agents[agent_id] = agent
        self._event("spawn", agent, reason)
        return agent

    def retire(self, agent_id: str, reason: str) -> bool:
        agent = self.agents.pop(agent_id, None)
        if agent is None:
            return False
        agent.alive = False
        if agent._pending is not None:
            agent._pending.cancel()
        agent.finish(self)
        self.retired.append(agent)
        self._event("retire", agent, reason)
        return True

    def _event(self, kind: str, agent: Agent, reason: str) -> None:
        event = {"time": time.time(), "kind": kind, "id": agent.id, "role": agent.role, "reason": reason}
        self.events.append(event)
        self.log.info("%s %s (%s): %s", kind, agent.id, agent.role, reason)
        if self.store is not None:
            self.store.insert("agent_events", (None, event["time"], kind, agent.id, agent.role,
                                               reason, agent.parent))

    def _population_rules(self) -> None:
        for key_detector in self.regimes:
            value = key_detector.update(self.workspace)
            if value is not None:
                self.spawn("regime_observer", f"new activity regime: {key_detector.key} = {value:.3g}",
                           trigger_value=value, quantity=key_detector.key, trigger="new activity regime")
        for program in self.lineages.update(self.workspace):
            self.spawn("lineage_observer", f"new replicator lineage ({len(program)} bytes)",
                       lineage=program, trigger_value=float(len(program)),
                       trigger="new replicator lineage")
        cfg = self.config
        for agent in list(self.agents.values()):
            if agent.protected or agent.age < cfg.min_age:
                continue
            if agent.fitness() < cfg.retire_below:
                self.retire(agent.id, f"mean reward {agent.fitness():.2f} < {cfg.retire_below}")
            elif self.economy is not None and agent.balance(self) <= 0 and agent._pending is None:
                self.retire(agent.id, "cannot pay its way (balance 0)")
        if cfg.clone_every and self.ticks % cfg.clone_every == 0:
            candidates = [a for a in self.agents.values() if not a.protected and a.age >= cfg.min_age
                          and a.fitness() > cfg.clone_above]
            if candidates and len(self.agents) < cfg.max_agents:
                best = max(candidates, key=Agent.fitness)
                if self.economy is None or self.economy.charge(best.id, "spawn"):
                    kind = best.role
                    self.spawn(kind, f"clone: of {best.id}, mean reward {best.fitness():.2f}",
                               lineage=getattr(best, "lineage", None),
                               quantity=getattr(best, "quantity", keys.SNN_MEAN_RATE), parent=best)

    def soup_call(self, fn: Any, *args: Any) -> None:
        """Run a soup method (inject, set_mutation_rate) on the soup worker thread, in order;
        a failure is logged."""
        if self._soup_worker is None:
            self._soup_worker = ThreadPoolExecutor(1, thread_name_prefix="neurosys-agents-soup")
        self._soup_futures = [f for f in self._soup_futures if not f.done()]
        future = self._soup_worker.submit(fn, *args)
        future.add_done_callback(lambda f: f.exception() and self.log.warning(
            "soup call %s failed: %s", getattr(fn, "__name__", fn), f.exception()))
        self._soup_futures.append(future)

    def buy_prediction(self, buyer: AgentRecord, quantity: str) -> float | None:
        """Collaboration: ``buyer`` pays an observer of ``quantity`` for its latest prediction
        (-1 fall, 0 stay, +1 rise) through the economy, which pays only on delivery. None when
        no purchase is due, no observer of it is alive, or nothing was delivered or paid."""
        every = self.config.collaboration_every
        if self.economy is None or every <= 0 or buyer.age % every:
            return None
        seller = self._seller(quantity, buyer.id)
        if seller is None:
            return None
        seller_id, prediction, seller_age = seller  # prediction: None until it has predicted once
        service = f"prediction:{quantity}:{seller_id}:{seller_age}"
        try:
            paid = self.economy.on_collaboration(buyer.id, seller_id, self.config.collaboration_price,
                                                 service, delivered=prediction is not None)
        except Exception as exc:  # the ledger failing must not stop the tick
            self.log.warning("economy.on_collaboration failed for %s -> %s: %s", buyer.id, seller_id, exc)
            return None
        if paid is None or prediction is None:
            return None
        return float(Observer.ACTIONS.index(prediction) - 1)

    def _seller(self, quantity: str, buyer_id: str) -> tuple[str, str | None, int] | None:
        """(id, last prediction, age) of the first live observer of ``quantity`` other than the
        buyer, or None."""
        seller = next((a for a in self.agents.values() if isinstance(a, Observer) and a.alive
                       and a.lineage is None and a.quantity == quantity and a.id != buyer_id), None)
        return None if seller is None else (seller.id, seller.last_action, seller.age)

    def wait_soup(self, timeout: float | None = None) -> None:
        """Block until every soup call queued so far has run."""
        for future in list(self._soup_futures):
            future.exception(timeout)

    def wait_llm(self, timeout: float | None = None) -> None:
        """Block until every agent's pending LLM consultation has its answer (scripts and tests
        that tick in a tight loop; the system's ticks are paced, so answers arrive between)."""
        for agent in list(self.agents.values()):
            pending = agent._pending
            if pending is not None:
                try:
                    pending.exception(timeout)
                except CancelledError:  # dropped by an interrupt: nothing to wait for
                    pass

    # -- the tick -----------------------------------------------------------------------------
    def tick(self) -> None:
        """Run commands, then one step of every active agent, then the population rules.
        Never waits on the LLM."""
        while True:
            try:
                self._run_command(*self._commands.get_nowait())
            except queue.Empty:
                break
        targets = self.workspace.read(keys.SYSTEM_TARGETS, None)
        if isinstance(targets, dict) and targets != self._seen_targets:
            self._seen_targets = dict(targets)
            self.targets.update({k: float(v) for k, v in targets.items()
                                 if k in self.targets and isinstance(v, (int, float))})
        if self.paused:
            self.publish()
            return
        self.step_agents([a for a in self.agents.values() if not a.paused])
        self.ticks += 1
        self._population_rules()
        self.publish()

    def step_agents(self, active: list[Agent]) -> None:
        """One step of each active agent, here. The extension point for a manager whose agents
        step elsewhere (a subclass overrides it; the rest of ``tick`` stays the manager's)."""
        for agent in active:
            agent.step(self)

    # -- logging and reading ------------------------------------------------------------------
    def log_interaction(self, agent: AgentRecord, state: np.ndarray, action: str, reward: float,
                        decision: Decision | None, followed: bool = False) -> None:
        if self.store is None:
            return
        llm_response = None if decision is None else json.dumps(
            {"choice": decision.choice, "raw": decision.raw, "fallback": decision.fallback,
             "followed": followed})
        self.store.insert("agent_interactions", (
            None, time.time(), json.dumps([round(float(x), 6) for x in state]), action,
            float(reward), llm_response, agent.id, agent.role))

    def table(self) -> list[dict[str, Any]]:
        rows = []
        for agent in [*self.agents.values(), *self.retired]:
            rows.append({"id": agent.id, "role": agent.role, "last_action": agent.last_action or "",
                         "reward": float(agent.last_reward), "balance": agent.balance(self),
                         "alive": agent.alive})
        return rows

    def publish(self) -> None:
        self.workspace.write(keys.AGENTS_TABLE, self.table())
        self.workspace.write(keys.AGENTS_EVENTS, list(self.events))

    def history(self, agent_id: str) -> dict[str, np.ndarray]:
        """Reward over time of one agent (alive or recently retired): arrays time, tick, reward."""
        agent = self.agents.get(agent_id) or next((a for a in self.retired if a.id == agent_id), None)
        if agent is None:
            raise ValueError(f"agent_id must name an agent of this manager, got {agent_id!r}")
        rows = np.array(list(agent.history), dtype=np.float64).reshape(-1, 3)
        return {"time": rows[:, 0], "tick": rows[:, 1].astype(np.int64), "reward": rows[:, 2]}

    def history_from_store(self, agent_id: str) -> dict[str, np.ndarray]:
        """Reward over time of any agent this run store has seen (also after retirement)."""
        if self.store is None:
            raise ValueError("history_from_store needs the manager's run store (store=None)")
        return reward_history(self.store, agent_id)

    def __len__(self) -> int:
        return len(self.agents)

    def close(self) -> None:
        for agent in self.agents.values():
            if agent._pending is not None:
                agent._pending.cancel()
        if self._soup_worker is not None:
            self._soup_worker.shutdown(wait=True)
        if self.store is not None and not self.store.closed:
            self.store.flush()


def reward_history(store: Any, agent_id: str) -> dict[str, np.ndarray]:
    """Reward over time of ``agent_id`` from a run store's ``agent_interactions`` table: arrays
    time and reward, oldest first (for plots, during or after a run)."""
    rows = store.query("SELECT time, reward FROM agent_interactions WHERE agent_id=? ORDER BY id",
                       (agent_id,))
    data = np.array(rows, dtype=np.float64).reshape(-1, 2)
    return {"time": data[:, 0], "reward": data[:, 1]}


def _warm_start_rate(agent: Agent, rng: np.random.Generator, steps: int = 100) -> None:
    """Prime a rate controller with the sign of its error (increase the drive when the rate is
    below target, decrease it when above, maintain within 5 %), so the loop is safe from its first
    tick; reward and the LLM keep training it online."""
    states = np.zeros((256, STATE_SIZE), dtype=np.float32)
    for _ in range(steps):
        states[:, 0] = rng.uniform(-1.5, 4.0, len(states))
        states[:, 1] = rng.normal(0.0, 0.3, len(states))
        states[:, 2:5] = rng.uniform(0.0, 1.0, (len(states), 3))
        states[:, 5] = rng.uniform(0.0, 5.0, len(states))
        states[:, 7] = 1.0
        agent.policy.imitate(states, error_sign_action(states[:, 0]))
