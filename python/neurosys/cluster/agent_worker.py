"""``AgentWorker``: one actor of a Ray run's agent pool. It owns the agents the coordinator (the
``agents`` actor's ``PooledAgentManager``) assigns to it, their policies and LLM contexts
included, and steps them each tick. What the agents use of their manager is here in
``WorkerContext``: the workspace (the run's Redis), the soup (over Ray), the node's shared model
(``RemoteLLM``), and the economy, whose ledger stays single-writer in the coordinator (each call
goes there). Ray is imported lazily."""

from __future__ import annotations

import logging
import os
import signal
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from neurosys.agents.agent import Agent
from neurosys.agents.config import AgentsConfig
from neurosys.agents.manager import AgentManager
from neurosys.cluster.llm_host import RemoteLLM
from neurosys.cluster.proxy import economy_proxy, soup_proxy


class _Rows:
    """Collects the interaction rows the agents log; the coordinator writes them to its store."""

    def __init__(self) -> None:
        self.rows: list[tuple[Any, ...]] = []

    def insert(self, table: str, row: tuple[Any, ...]) -> None:
        self.rows.append(row)


class WorkerContext:
    """The manager as an agent in a worker sees it. Its soup calls, its purchase of predictions
    and its interaction log are the manager's own code (``AgentManager`` methods run here)."""

    soup_call = AgentManager.soup_call
    buy_prediction = AgentManager.buy_prediction
    log_interaction = AgentManager.log_interaction

    def __init__(self, workspace: Any, soup: Any, economy: Any, llm: Any, config: AgentsConfig) -> None:
        self.workspace, self.soup, self.economy, self.llm = workspace, soup, economy, llm
        self.config = config
        self.log = logging.getLogger("neurosys.agents")
        self.store = _Rows()
        self.ticks = 0
        self.targets: dict[str, float] = {}
        self.observers: list[tuple[str, str, str | None, int]] = []  # (id, quantity, prediction, age)
        self._soup_worker: ThreadPoolExecutor | None = None
        self._soup_futures: list[Future] = []

    def _seller(self, quantity: str, buyer_id: str) -> tuple[str, str | None, int] | None:
        """As ``AgentManager._seller``, from the coordinator's list of observers of this tick."""
        return next(((i, prediction, age) for i, q, prediction, age in self.observers
                     if q == quantity and i != buyer_id), None)


class AgentWorker:
    """One worker of the pool. ``name``: its actor name; ``backend``, ``workspace_name``: the
    run's workspace; ``soup_host``: the soup actor (or None); ``coordinator``: the name of the
    actor whose economy the agents pay through."""

    def __init__(self, name: str, backend: str, workspace_name: str, soup_host: Any,
                 coordinator: str) -> None:
        from neurosys.workspace import Workspace

        signal.signal(signal.SIGINT, signal.SIG_IGN)  # as ComponentHost: the driver stops us
        self.name = name
        self._workspace = Workspace.attach(workspace_name, backend=backend)
        self._soup = soup_proxy(soup_host) if soup_host is not None else None
        self._coordinator = coordinator
        self.ctx: WorkerContext | None = None
        self._llm_host: Any = None
        self.agents: dict[str, Agent] = {}

    def node(self) -> tuple[str, int]:
        """(node id, pid) of this worker."""
        import ray

        return ray.get_runtime_context().get_node_id(), os.getpid()

    def attach_llm(self, host: Any) -> None:
        """The node's ``LLMHost``, which every worker of the node shares."""
        self._llm_host = host

    def configure(self, config: AgentsConfig, economy: bool) -> None:
        """The manager's configuration and whether it has an economy; called by the coordinator
        before it assigns agents."""
        import ray
        import torch

        if config.torch_threads:  # as AgentManager: batch-1 MLPs gain nothing from threads
            torch.set_num_threads(config.torch_threads)
        client = economy_proxy(ray.get_actor(self._coordinator)) if economy else None
        self.ctx = WorkerContext(self._workspace, self._soup, client, RemoteLLM(self._llm_host), config)

    def adopt(self, agent: Agent) -> None:
        """Take ``agent`` (spawned by the coordinator): from now on it lives and steps here."""
        self.agents[agent.id] = agent

    def drop(self, agent_id: str) -> None:
        """The coordinator retired ``agent_id``."""
        agent = self.agents.pop(agent_id, None)
        if agent is not None:
            agent.alive = False
            if agent._pending is not None:
                agent._pending.cancel()

    def policy(self, agent_id: str) -> Any:
        """The agent's current policy (the coordinator clones it)."""
        return self.agents[agent_id].policy

    def tick(self, ticks: int, targets: dict[str, float], active: list[str],
             observers: list[tuple[str, str, str | None, int]]) -> tuple[dict[str, dict[str, Any]], list]:
        """One step of each of ``active`` (ids of this worker's agents); returns what the
        coordinator keeps of each (``PooledAgentManager._apply``) and the interaction rows."""
        ctx = self.ctx
        assert ctx is not None, "configure() first"
        ctx.ticks, ctx.targets, ctx.observers = ticks, targets, observers
        ctx.store.rows = []
        states = {}
        for agent_id in active:
            agent = self.agents.get(agent_id)
            if agent is None:
                continue
            learned = agent._prev is not None  # step() learns (one reward) when it acted before
            agent.step(ctx)
            states[agent_id] = {"age": agent.age, "last_action": agent.last_action,
                                "last_reward": agent.last_reward, "budget": agent.budget,
                                "consultations": agent.consultations,
                                "pending": agent._pending is not None,
                                "learned": agent.history[-1] if learned else None}
        return states, ctx.store.rows

    def stop(self) -> None:
        """Waits for the soup calls queued so far, then drops every agent."""
        if self.ctx is not None and self.ctx._soup_worker is not None:
            self.ctx._soup_worker.shutdown(wait=True)
        for agent_id in list(self.agents):
            self.drop(agent_id)
        self._workspace.close()
