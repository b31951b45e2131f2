"""The interfaces of the system's components: what the orchestrator (``neurosys.System``, through
``neurosys.run.wiring``) and the agents call on each one, as ``typing.Protocol`` classes.

The concrete classes (``snn.NeuromorphicNetwork``, ``soup.SoupDriver``, ``llm.LLM``, ...) satisfy
them structurally; so do the Ray run's stand-ins for a component in another process
(``cluster.proxy.ActorProxy`` of one of these Protocols, ``cluster.llm_host.RemoteLLM``). docs/components.md describes
them. This module imports nothing heavy: typing ``System`` costs no torch, llama.cpp or web3.
A component without ``close`` has nothing to release; ``wiring.Components.close`` skips it.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    import numpy as np

    from neurosys.llm.decision_stats import DecisionStats
    from neurosys.llm.model import Conversation, Decision

__all__ = ["NetworkComponent", "SoupEngine", "SoupControl", "SoupComponent", "SharedModel",
           "LLMComponent", "LedgerComponent", "EconomyComponent", "AgentsComponent"]


@runtime_checkable
class NetworkComponent(Protocol):
    """The spiking network: its runner calls ``step(network.chunk)`` in a loop."""

    def step(self, duration: float) -> object:
        """Simulate ``duration`` seconds and publish the activity to the workspace."""
        ...

    def close(self) -> None: ...


@runtime_checkable
class SoupEngine(Protocol):
    """The soup itself (``System.soup``): its programs, one per row, and its epoch."""

    @property
    def programs(self) -> np.ndarray: ...
    @property
    def epoch(self) -> int: ...


@runtime_checkable
class SoupControl(Protocol):
    """The soup as the agents and the ``inject`` command steer it (local, or in another actor).
    Both calls may come from any thread: they wait for the running chunk of epochs."""

    def inject(self, program: bytes, count: int = ...) -> object: ...
    def set_mutation_rate(self, rate: float) -> object: ...


class RemoteSoup(SoupControl, Protocol):
    """The soup of another actor as the agents reach it: its controls, and how many exact
    copies of a program it holds (an inventor follows its lineage with it)."""

    def lineage_count(self, program: bytes) -> float: ...


@runtime_checkable
class SoupComponent(SoupControl, Protocol):
    """The soup's driver: its runner calls ``step(soup.epochs_per_step)`` in a loop."""

    @property
    def soup(self) -> SoupEngine: ...

    def step(self, epochs: int) -> object: ...


@runtime_checkable
class SharedModel(Protocol):
    """A loaded LLM shared by its callers: calls queue on its one worker and return futures."""

    @property
    def pending(self) -> int: ...  # calls queued or running: closing waits for none left

    def decide_async(self, prompt: str, choices: Sequence[str],
                     context: Conversation | None = None, fallback: str | None = None) -> Future:
        """A future of the ``Decision`` among ``choices``."""
        ...

    def generate_async(self, prompt: str, grammar: str | None = None,
                       max_tokens: int | None = None, temperature: float | None = None) -> Future:
        """A future of the generated text."""
        ...

    def decide_detailed(self, prompt: str, choices: Sequence[str],
                        context: Conversation | None = None, fallback: str | None = None,
                        timeout: float | None = None) -> Decision:
        """The ``Decision`` (waiting up to ``timeout``; the fallback after it or an interrupt)."""
        ...

    def interrupt(self) -> None:
        """Make a call in progress return now (a stop must not wait for a decision)."""
        ...

    def close(self) -> None: ...


@runtime_checkable
class LLMComponent(Protocol):
    """The LLM integration: its runner calls ``step()`` (one decision) every ``llm.interval``."""

    @property
    def deciding(self) -> threading.Event: ...  # set while a decision runs: the engines yield
    @property
    def stats(self) -> DecisionStats: ...       # the summary's decision counts and latencies

    def step(self) -> object: ...


@runtime_checkable
class LedgerComponent(Protocol):
    """The token ledger: the economy writes to it; the orchestrator closes it last."""

    def close(self) -> None: ...


@runtime_checkable
class EconomyComponent(Protocol):
    """The economy seam: agents report what they did and pay through it (docs/components.md)."""

    def on_invention(self, agent_id: str, program: bytes, founded_epoch: int, epoch: int,
                     copies: int, is_replicator: bool) -> str | None: ...
    def on_learning(self, agent_id: str, baseline: float, recent: float,
                    window: int) -> str | None: ...
    def on_contribution(self, agent_id: str, quantity: str, target: float, error_before: float,
                        error_after: float, tick: int) -> str | None: ...
    def on_collaboration(self, payer_id: str, payee_id: str, amount: float, service: str,
                         delivered: bool) -> str | None: ...
    def charge(self, agent_id: str, amount_key: str) -> bool: ...
    def balance(self, agent_id: str) -> float: ...


@runtime_checkable
class AgentsComponent(Protocol):
    """The agent manager: its runner calls ``tick()`` every ``agents.tick_interval``."""

    def tick(self) -> None: ...

    def submit(self, command: str | dict[str, Any], **args: Any) -> None:
        """Queue a command (``neurosys.run.commands``, receiver "agents") from any thread."""
        ...

    def close(self) -> None: ...
