"""``AgentHost``: what an agent uses of whoever runs it, the interface agents and roles receive.

Two hosts exist: the ``AgentManager`` (agents stepped in its process) and, in a Ray run, a pool
worker's ``WorkerContext`` (neurosys.cluster.agent_worker). Agents and roles see only this
interface, so they never import the manager (which imports them).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    import numpy as np

    from neurosys.agents.config import AgentsConfig
    from neurosys.run.components import EconomyComponent, SharedModel, SoupControl
    from neurosys.llm.model import Decision

__all__ = ["AgentHost", "AgentRecord"]


class AgentRecord(Protocol):
    """What a host reads of the agent that calls it (to log it, or to sell it a prediction)."""

    id: str
    role: str
    age: int  # ticks lived


@runtime_checkable
class AgentHost(Protocol):
    """The host of an agent: what it shares with the other agents (each None when the run has
    none) and the calls the roles make on it. Agents only read these."""

    @property
    def workspace(self) -> Any:
        """The run's Workspace: the keys the agents read and write."""
    @property
    def config(self) -> AgentsConfig:
        """The agents' settings (gains, windows, periods)."""
    @property
    def log(self) -> logging.Logger: ...
    @property
    def llm(self) -> SharedModel | None:
        """The shared model the agents consult."""
    @property
    def economy(self) -> EconomyComponent | None:
        """The ledger's economy the agents pay through."""
    @property
    def soup(self) -> SoupControl | None:
        """The soup the controllers and inventors steer."""
    @property
    def ticks(self) -> int:
        """The manager's tick count."""
    @property
    def targets(self) -> dict[str, float]:
        """rate_hz, complexity: what the controllers aim at."""

    def soup_call(self, fn: Callable[..., Any], *args: Any) -> None:
        """Run a soup method off the agent's thread (it waits for the soup's running chunk)."""
        ...

    def buy_prediction(self, buyer: AgentRecord, quantity: str) -> float | None:
        """An observer's latest prediction of ``quantity`` (-1, 0, +1), paid for by ``buyer``."""
        ...

    def log_interaction(self, agent: AgentRecord, state: np.ndarray, action: str, reward: float,
                        decision: Decision | None, followed: bool = False) -> None:
        """Record one step of ``agent`` in the run store."""
        ...
