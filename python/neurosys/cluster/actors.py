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

import numpy as np

from neurosys.workspace import keys

if TYPE_CHECKING:
    from neurosys.config import SystemConfig


class ComponentHost:
    """One actor: ``System(config)`` with only its components enabled, on the shared workspace.

    Args:
        name: the actor's name ("network", "soup", "agents"); its status goes to
            ``cluster/<name>/status``.
        config: the actor's configuration, checked once by the driver and handed on as it is.
        backend, workspace_name: the run's workspace, attached here.
        run_dir: the run directory (absolute); the actor writes under actors/<name>/.
        soup_host: the soup actor, for the agents (``SoupClient``).
        key_prefix: where this actor's soup publishes its keys instead of soup/ (islands >= 1).
        agent_pool: the workers the agents run in (``neurosys.cluster.agent_pool.AgentPool``).
    """

    def __init__(self, name: str, config: SystemConfig, backend: str, workspace_name: str,
                 run_dir: str, soup_host: Any = None, key_prefix: str = "",
                 agent_pool: Any = None) -> None:
        self._created = time.perf_counter()
        from neurosys.system import System
        from neurosys.workspace import Workspace

        # A Ctrl-C at the terminal reaches a local cluster's workers too (one process group);
        # the driver stops the actors in order, so they must not die of it first.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        workspace = Workspace.attach(workspace_name, backend=backend)
        remote_soup = SoupClient(soup_host) if soup_host is not None else None
        self.system = System(config, run_dir=Path(run_dir) / "actors" / name,
                             console_log=False, workspace=workspace, remote_soup=remote_soup,
                             agent_pool=agent_pool)
        self.system.status_key = keys.actor_status(name)
        self._key_prefix = key_prefix
        self._rng = np.random.default_rng()

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
        from neurosys.cluster.agent_worker import ECONOMY_CALLS

        economy = self.system.components.economy
        if economy is None or method not in ECONOMY_CALLS:
            raise ValueError(f"method: expected one of {sorted(ECONOMY_CALLS)} on this actor's "
                             f"economy, got {method!r}")
        return getattr(economy, method)(*args)

    def soup_call(self, method: str, *args: Any) -> Any:
        """The soup calls the agents make (see ``SoupClient``), run on this actor's soup."""
        driver = self.system.soup_driver
        if driver is None:
            raise RuntimeError("this actor runs no soup")
        if method == "lineage_count":
            program = np.frombuffer(args[0], dtype=np.uint8)
            programs = driver.soup.programs
            if programs.shape[1] != program.size:
                return 0.0
            return float(np.count_nonzero((programs == program).all(axis=1)))
        if method == "inject":
            driver.inject(*args)
            return None
        if method == "set_mutation_rate":
            driver.set_mutation_rate(*args)
            return None
        if method == "epoch":
            return driver.soup.epoch
        if method == "emigrate":  # islands
            return driver.exchange(self._rng, emigrants=int(args[0]))
        if method == "immigrate":
            return driver.exchange(self._rng, immigrants=args[0])
        raise ValueError("method: expected lineage_count, inject, set_mutation_rate, epoch, emigrate "
                         f"or immigrate, got {method!r}")

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


class SoupClient:
    """The soup of another actor as the agents see it: the calls they make, over Ray."""

    def __init__(self, host: Any) -> None:
        self._host = host

    def _call(self, method: str, *args: Any) -> Any:
        import ray

        return ray.get(self._host.soup_call.remote(method, *args))

    def inject(self, program: bytes, count: int = 1) -> None:
        self._call("inject", bytes(program), int(count))

    def set_mutation_rate(self, rate: float) -> None:
        self._call("set_mutation_rate", float(rate))

    def lineage_count(self, program: bytes) -> float:
        return self._call("lineage_count", bytes(program))
