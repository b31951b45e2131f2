"""The Ray actors of ``neurosys run --ray``. Each one runs part of the system: a ``System``
restricted to its components (its own runner threads, control loop and run store under
``<run_dir>/actors/<name>/``), attached to the run's Redis workspace, so components in different
actors (and on different nodes) talk through the workspace exactly as threads of one process do.
Commands (pause, inject, ...) reach every actor through ``system/command``; each runs those that
concern its components. Ray is imported lazily: this module is only loaded by Ray workers and by
the Ray runner.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from neurosys.cluster.proxy import ECONOMY_CALLS, SOUP_CALLS, serve, soup_proxy
from neurosys.run.system import System
from neurosys.run.wiring import LOCAL, Factories
from neurosys.workspace import keys

if TYPE_CHECKING:
    from neurosys.cluster.agent_pool import AgentPool
    from neurosys.config import SystemConfig
    from neurosys.workspace.protocol import WorkspaceLike

class _ActorSystem(System):
    """The actor's share of the system: it attaches to the run's workspace (the driver made it)."""

    def __init__(self, config: SystemConfig, backend: str, **kwargs: Any) -> None:
        super().__init__(config, **kwargs)
        self.workspace_backend = backend

    def _open_workspace(self) -> WorkspaceLike:
        from neurosys.workspace import Workspace

        return Workspace.attach(self.workspace_name, backend=self.workspace_backend)


def _factories(soup_host: Any, agent_pool: AgentPool | None) -> Factories:
    """Where this actor's agents find what runs in other actors: the soup actor, the pool."""
    soup = (lambda: soup_proxy(soup_host)) if soup_host is not None else None
    if agent_pool is None:
        return Factories(soup_control=soup) if soup is not None else LOCAL
    return Factories(model=lambda name: agent_pool.llm, lane=lambda name, lane: agent_pool.lane(lane),
                     agents=agent_pool.manager, soup_control=soup)




class ComponentHost:
    """One actor: ``System(config)`` with only its components enabled, on the shared workspace.

    Args:
        name: the actor's name ("network", "soup", "agents"); its status goes to
            ``cluster/<name>/status``.
        config: the actor's configuration, checked once by the driver and handed on as it is.
        backend: the run's workspace backend (its Redis URL); the workspace has the config's name.
        run_dir: the run directory (absolute); the actor writes under actors/<name>/.
        soup_host: the soup actor, for the agents (``soup_proxy``).
        key_prefix: where this actor's soup publishes its keys instead of soup/ (islands >= 1).
        agent_pool: the workers the agents run in (``neurosys.cluster.agent_pool.AgentPool``).
    """

    def __init__(self, name: str, config: SystemConfig, backend: str, run_dir: str,
                 soup_host: Any = None, key_prefix: str = "", agent_pool: AgentPool | None = None) -> None:
        self._created = time.perf_counter()
        # A Ctrl-C at the terminal reaches a local cluster's workers too (one process group);
        # the driver stops the actors in order, so they must not die of it first.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        self.system = _ActorSystem(config, backend, run_dir=Path(run_dir) / "actors" / name,
                                   console_log=False, factories=_factories(soup_host, agent_pool))
        self.system.status_key = keys.actor_status(name)
        self._key_prefix = key_prefix

    def start(self) -> tuple[list[str], float]:
        """Starts the components' threads; returns their names and the seconds since this
        actor's constructor began (its imports and component loads included)."""
        # An island publishes under its prefix from its first sample: its threads start paused
        # until the driver's workspace is swapped.
        island = bool(self._key_prefix)
        self.system.start(paused=island)
        if island:
            if self.system.soup_driver is not None:
                self.system.soup_driver.workspace = _Prefixed(self.system.workspace, self._key_prefix)
            self.system.resume()
        return list(self.system.runners), time.perf_counter() - self._created

    def pid(self) -> int:
        return os.getpid()

    def economy_call(self, method: str, *args: Any) -> Any:
        """A call of the agent pool's workers on this actor's economy: the ledger has one writer.
        (The agents actor runs its calls concurrently: its own tick waits on the workers.)"""
        return serve(self.system.components.economy, ECONOMY_CALLS, method, *args)

    def soup_call(self, method: str, *args: Any) -> Any:
        """A call of the agents (``RemoteSoup``) or of the island model (``IslandSoup``) on
        this actor's soup."""
        return serve(self.system.soup_driver, SOUP_CALLS, method, *args)

    def stop(self, reason: str) -> dict[str, Any]:
        """Stops the threads, closes the components and the actor's run store; the summary."""
        return self.system.stop(reason)


class _Prefixed:
    """The workspace as an island's soup driver sees it: ``soup/epoch`` goes to
    ``<prefix>epoch``, ``avg_entropy`` to ``<prefix>avg_entropy``."""

    def __init__(self, workspace: Any, prefix: str) -> None:
        self._workspace, self._prefix = workspace, prefix

    def write(self, key: str, value: Any, expiration: float | None = None) -> int:
        return self._workspace.write(self._prefix + key.removeprefix(keys.SOUP_KEY_PREFIX), value, expiration)
