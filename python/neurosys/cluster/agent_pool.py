"""The agents of a Ray run in a pool of ``AgentWorker`` actors sharing one model per node.

``start_pool`` (the driver) starts ``cluster.agent_workers`` workers spread over the nodes and one
``LLMHost`` on each node that has a worker. The ``agents`` actor's manager is a
``PooledAgentManager``: it keeps the population (spawn, retire, clone, commands, economy, ledger,
collaboration, the store and ``agents/table``) and the agents' bookkeeping, but each agent lives
in, and is stepped by, the worker it was assigned to (the least loaded at its spawn)."""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from neurosys.agents.agent import Agent
from neurosys.agents.manager import AgentManager
from neurosys.agents.roles import Observer
from neurosys.cluster.llm_host import HOST_CONCURRENCY, SHARED_LANE, LLMHost, RemoteLLM, host_name

# What the coordinator's copy of an agent shows while its consultation runs in the worker: a
# finished future (``wait_llm`` returns at once; retiring it cancels nothing).
_PENDING: Future = Future()
_PENDING.set_result(None)


@dataclass
class Worker:
    """One ``AgentWorker``: its actor name, handle, node and pid."""

    name: str
    actor: Any
    node: str
    pid: int


@dataclass
class AgentPool:
    """What the ``agents`` actor gets: the workers and the model hosts, by node."""

    workers: list[Worker]
    hosts: dict[str, Any] = field(default_factory=dict)  # node id -> LLMHost
    head: str = ""  # the head node's id (the coordinator's)

    @property
    def llm(self) -> RemoteLLM:
        """The model the coordinator's components see: its node's host when it has one."""
        return self.lane(SHARED_LANE)

    def lane(self, name: str) -> RemoteLLM:
        """Lane ``name`` of the coordinator's node's host (else any host), loaded there now in
        the background, so its first call does not wait for the load."""
        host = self.hosts.get(self.head) or next(iter(self.hosts.values()))
        if name != SHARED_LANE:
            host.warm.remote(name)
        return RemoteLLM(host, lane=name)

    def manager(self, *args: Any, **kwargs: Any) -> PooledAgentManager:
        return PooledAgentManager(*args, workers=self.workers, **kwargs)

    def actors(self) -> list[Any]:
        return [w.actor for w in self.workers] + list(self.hosts.values())


def start_pool(ray: Any, count: int, model: str | None, workspace_name: str, backend: str,
               soup_host: Any, coordinator: str, cpus: float) -> AgentPool:
    """``count`` workers spread over the nodes, then one named ``LLMHost`` per node of theirs."""
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    from neurosys.cluster.agent_worker import AgentWorker

    worker_cls, host_cls = ray.remote(AgentWorker), ray.remote(LLMHost)
    names = [f"{workspace_name}/agent-worker-{i}" for i in range(count)]
    actors = [worker_cls.options(name=n, num_cpus=cpus, scheduling_strategy="SPREAD").remote(
        n, backend, workspace_name, soup_host, coordinator) for n in names]
    placed = ray.get([a.node.remote() for a in actors])
    pool = AgentPool([Worker(n, a, node, pid) for n, a, (node, pid) in zip(names, actors, placed)],
                     head=ray.get_runtime_context().get_node_id())
    for node in dict.fromkeys(node for node, _ in placed):
        pool.hosts[node] = host_cls.options(
            name=host_name(workspace_name, node), get_if_exists=True, num_cpus=cpus,
            max_concurrency=HOST_CONCURRENCY,
            scheduling_strategy=NodeAffinitySchedulingStrategy(node, soft=False)).remote(model)
    ray.get([w.actor.attach_llm.remote(pool.hosts[w.node]) for w in pool.workers])
    return pool


class PooledAgentManager(AgentManager):
    """An ``AgentManager`` whose agents step in the pool's workers. Its ``agents`` are the
    coordinator's copies: what the population rules and the table read, updated each tick."""

    def __init__(self, *args: Any, workers: list[Worker], **kwargs: Any) -> None:
        import ray

        self._ray = ray
        self._workers = workers
        self._owner: dict[str, Worker] = {}  # agent id -> its worker, retired ones included
        self._configured = False
        super().__init__(*args, **kwargs)

    def spawn(self, role: str, reason: str, **kwargs: Any) -> Agent | None:
        if not self._configured:  # the first spawn runs inside AgentManager.__init__
            self._ray.get([w.actor.configure.remote(self.config, self.economy is not None) for w in self._workers])
            self._configured = True
        parent = kwargs.get("parent")
        if parent is not None:  # a clone inherits its parent's policy as trained so far
            parent.policy = self._ray.get(self._owner[parent.id].actor.policy.remote(parent.id))
        agent = super().spawn(role, reason, **kwargs)
        if agent is not None:
            load = {w.name: 0 for w in self._workers}
            for other in self.agents:
                if other in self._owner:
                    load[self._owner[other].name] += 1
            worker = min(self._workers, key=lambda w: load[w.name])
            self._ray.get(worker.actor.adopt.remote(agent))
            self._owner[agent.id] = worker
        return agent

    def retire(self, agent_id: str, reason: str) -> bool:
        worker = self._owner.get(agent_id)
        if not super().retire(agent_id, reason):
            return False
        if worker is not None:
            worker.actor.drop.remote(agent_id)  # in order with this worker's next calls
        return True

    def step_agents(self, active: list[Agent]) -> None:
        observers = [(a.id, a.quantity, a.last_action, a.age) for a in self.agents.values()
                     if isinstance(a, Observer) and a.alive and a.lineage is None]
        refs = []
        for worker in self._workers:
            ids = [a.id for a in active if self._owner.get(a.id) is worker]
            if ids:
                refs.append(worker.actor.tick.remote(self.ticks, dict(self.targets), ids, observers))
        for states, rows in self._ray.get(refs):
            for agent_id, state in states.items():
                agent = self.agents.get(agent_id)
                if agent is not None:
                    self._apply(agent, state)
            if self.store is not None:
                for row in rows:
                    self.store.insert("agent_interactions", row)

    @staticmethod
    def _apply(agent: Agent, state: dict[str, Any]) -> None:
        """What the worker reported of one step, onto the coordinator's copy."""
        agent.age, agent.last_action = state["age"], state["last_action"]
        agent.last_reward, agent.budget = state["last_reward"], state["budget"]
        agent.consultations = state["consultations"]
        agent._pending = _PENDING if state["pending"] else None
        if state["learned"] is not None:
            agent.rewards.append(agent.last_reward)
            agent.history.append(tuple(state["learned"]))

    def table(self) -> list[dict[str, Any]]:
        """The table, each row naming the worker (actor and pid) its agent runs in."""
        rows = super().table()
        for row in rows:
            worker = self._owner.get(row["id"])
            if worker is not None:
                row.update(worker=worker.name, pid=worker.pid)
        return rows
