"""``neurosys run --ray``: the system with each component in a Ray actor, on a Redis workspace.

The driver (this process, on the head node) is a ``System`` without local components: it owns
the run directory, the run store, the workspace (created on Redis and persisted to the run
directory), the control loop, the progress line and the summary, exactly as a local run. The
components run in ``ComponentHost`` actors: "network", "soup" and "agents" (the LLM, the agents'
manager and the ledger they pay through, pinned to the head node because the ledger lives in the
run directory); the agents themselves step in a pool of ``AgentWorker`` actors that share one
``LLMHost`` per node (agent_pool.py). ``stop()`` (Ctrl-C, SIGTERM, the stop command, the end of
the duration) stops every actor (each flushes its store and closes its components, the ledger
last), then the pool, then the driver.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

from neurosys.config import SystemConfig
from neurosys.soup.islands import island_seed
from neurosys.run.system import System
from neurosys.workspace import keys

log = logging.getLogger("neurosys.system")

# Actor name -> the config sections it runs. The agents need the LLM and pay through the ledger.
GROUPS: dict[str, tuple[str, ...]] = {"network": ("network",), "soup": ("soup",),
                                      "agents": ("llm", "agents", "ledger")}
_ALL = tuple(s for group in GROUPS.values() for s in group)
_STOP_TIMEOUT = 120.0
# The agents actor answers its workers' economy calls while its own tick waits on them.
_AGENTS_CONCURRENCY = 4


def only(cfg: SystemConfig, sections: tuple[str, ...]) -> SystemConfig:
    """``cfg`` with every component section outside ``sections`` disabled."""
    return cfg.override({f"{s}.enabled": False for s in _ALL if s not in sections})


class RaySystem(System):
    """A ``System`` whose components run in Ray actors. ``address``: a Ray cluster (None: the
    configured one, else a local cluster); the workspace is ``cluster.redis_url`` or a private
    redis-server started here. Ray and the server are stopped by ``stop()``."""

    def __init__(self, config: SystemConfig, *, address: str | None = None,
                 run_dir: str | Path | None = None, console_log: bool = True) -> None:
        from neurosys.cluster.redis_server import LocalRedis
        from neurosys.cluster.session import import_ray

        created = time.time()  # the start counts from here: Redis and Ray are part of it
        # The workspace's name is fixed here, for the driver and every actor alike.
        name = config.system.workspace_name or f"neurosys-{os.getpid()}"
        self.full_config = config.override({"system.workspace_name": name})
        self._ray = import_ray()
        self._redis: LocalRedis | None = None
        self.hosts: dict[str, Any] = {}
        self.pool: Any = None  # the agents' AgentPool
        self._migrator: threading.Thread | None = None
        self.migrations = 0
        self._actor_summaries: dict[str, dict[str, Any]] = {}
        self.recovered: dict[str, str] = {}  # actor -> what was lost and how it came back
        url = config.cluster.redis_url
        if not url:
            self._redis = LocalRedis()
            url = self._redis.start()
            atexit.register(self._redis.stop)  # also when start() fails half way
        self.workspace_backend = url  # System._open_workspace creates the run's workspace there
        super().__init__(only(self.full_config, ()), run_dir=run_dir, console_log=console_log)
        self.created_at = created
        self.start_times: dict[str, float] = {"redis": time.time() - created}
        address = address or config.cluster.address or None
        if not self._ray.is_initialized():
            kwargs: dict[str, Any] = {"include_dashboard": False, "logging_level": logging.WARNING}
            if address is None and config.cluster.num_cpus:
                kwargs["num_cpus"] = config.cluster.num_cpus
            began = time.time()
            self._ray.init(address=address, **kwargs)
            self.start_times["ray"] = time.time() - began

    # -- System's hooks ---------------------------------------------------------------------------
    def _run_config(self) -> SystemConfig:
        return self.full_config  # the whole run's, not the driver's share of it

    def _open_workspace(self) -> Any:
        try:
            return super()._open_workspace()
        except BaseException:
            self._stop_services()
            raise

    def _start_elsewhere(self) -> None:
        self._info("config", self.full_config.to_toml(comments=False))
        self._info("ray", self._ray.get_runtime_context().gcs_address)
        self._start_actors()
        log.info("actors on Ray: %s; workspace %s", ", ".join(self.hosts) or "none",
                 self.workspace_backend)
        self._info("start_times", json.dumps({k: round(v, 2) for k, v in self.start_times.items()}))

    def _start_actors(self) -> None:
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        from neurosys.cluster.actors import ComponentHost
        from neurosys.cluster.agent_pool import start_pool

        cfg = self.full_config
        wanted = [n for n, sections in GROUPS.items() if any(getattr(cfg, s).enabled for s in sections)]
        islands = cfg.cluster.soup_islands if "soup" in wanted else 1
        wanted[1:1] = [f"soup-{i}" for i in range(1, islands)]  # island 0 is "soup"
        # A small local cluster gets a share of a CPU per actor rather than actors left pending;
        # the engines' threads use what the node has either way.
        workers = cfg.cluster.agent_workers if cfg.agents.enabled else 0
        # (the pool: its workers and at most as many model hosts)
        cpus = min(1.0, self._ray.cluster_resources().get("CPU", 1.0) / max(1, len(wanted) + 2 * workers))
        head = NodeAffinitySchedulingStrategy(self._ray.get_runtime_context().get_node_id(), soft=False)
        remote = self._ray.remote(ComponentHost)
        self._specs: dict[str, tuple[dict[str, Any], tuple[Any, ...]]] = {}  # to start one again
        for name in wanted:
            options: dict[str, Any] = {"num_cpus": cpus, "name": f"{self.workspace_name}/{name}"}
            soup = self.hosts.get("soup") if name == "agents" else None
            if name == "agents":
                options.update(scheduling_strategy=head, max_concurrency=_AGENTS_CONCURRENCY)
                if workers:  # the agents' pool, before its coordinator, which gets it
                    began = time.time()
                    self.pool = start_pool(self._ray, workers, cfg.llm.model or None, self.workspace_name,
                                           self.workspace_backend, soup, options["name"], cpus)
                    self.start_times["agent_pool"] = time.time() - began
            group, _, island = name.partition("-")
            actor_cfg = only(cfg, GROUPS[group])
            if island:  # its own soup: seeded apart, publishing under its own keys
                actor_cfg = actor_cfg.override({"system.seed": island_seed(cfg.system.seed, int(island)) % 2**31})
            args = (name, actor_cfg, self.workspace_backend, str(self.run_dir), soup,
                    keys.island_prefix(int(island or 0)), self.pool if name == "agents" else None)
            self._specs[name] = (options, args)
            self.hosts[name] = remote.options(**options).remote(*args)
        began = time.time()
        started = self._ray.get([h.start.remote() for h in self.hosts.values()])
        for name, (runners, seconds) in zip(self.hosts, started):
            log.info("actor %s runs %s (its start took %.1f s)", name, ", ".join(runners) or "nothing",
                     seconds)
            self.start_times[name] = seconds
        self.start_times["actors"] = time.time() - began
        if self.pool is not None:
            self._info("agent_pool", json.dumps(self._describe_pool()))
        ring = [n for n in self.hosts if n == "soup" or n.startswith("soup-")]
        if len(ring) > 1:
            self._migrator = threading.Thread(target=self._migrate, args=(ring,), name="neurosys-migrate",
                                              daemon=True)
            self._migrator.start()

    def _describe_pool(self) -> dict[str, Any]:
        """The pool as run_info records it: the agents actor's pid, the workers (name, node,
        pid), the model hosts by node, and the Ray namespace their names live in."""
        from neurosys.cluster.llm_host import host_name

        return {"namespace": self._ray.get_runtime_context().namespace,
                "coordinator_pid": self._ray.get(self.hosts["agents"].pid.remote()),
                "workers": [{"name": w.name, "node": w.node, "pid": w.pid} for w in self.pool.workers],
                "llm_hosts": {node: host_name(self.workspace_name, node) for node in self.pool.hosts}}

    def _migrate(self, ring: list[str]) -> None:
        """The soup islands' model (``soup.islands.IslandModel``, a ring) on running actors: each
        time island i passes a multiple of migration_every epochs, a migration_fraction of its
        programs (copies) overwrites as many in the island it sends to. An island >= 1 whose
        actor is lost (its node died) is started again and reseeded (``_restart_island``)."""
        from neurosys.cluster.proxy import island_proxy
        from neurosys.soup.islands import IslandModel

        cfg = self.full_config.cluster
        model = IslandModel(len(ring), cfg.migration_every, cfg.migration_fraction)
        count = model.migrants(self.full_config.soup.size)
        lost = self._ray.exceptions.RayActorError
        unavailable = getattr(self._ray.exceptions, "ActorUnavailableError", ())
        try:
            while not self._stopping.wait(0.2):
                epochs = {}
                for src, name in enumerate(ring):
                    try:
                        epochs[src] = island_proxy(self.hosts[name]).current_epoch()
                    except lost as exc:
                        if self._stopping.is_set() or src == 0:  # island 0 is the agents' soup
                            raise
                        if isinstance(exc, unavailable):  # not known dead yet: its node may come back
                            continue
                        try:
                            self._restart_island(name, ring[src - 1], exc)
                        except lost as again:  # placed on a node that died too: next round
                            log.warning("restarting soup island %s failed (%s); trying again", name, again)
                            continue
                        model.restart(src)
                destinations = model.destinations()
                for src, epoch in epochs.items():
                    if count > 0 and model.due(src, epoch):
                        try:
                            programs = island_proxy(self.hosts[ring[src]]).emigrate(count)
                            island_proxy(self.hosts[ring[destinations[src]]]).immigrate(programs)
                        except lost:  # the next round finds the lost island and restarts it
                            continue
                        self.migrations += 1
                        self.workspace.write(keys.CLUSTER_MIGRATIONS, self.migrations)
        except Exception as exc:  # noqa: BLE001 - actors stopping under us end the ring
            if not self._stopping.is_set():
                log.error("soup migrations stopped: %s", exc)

    def _restart_island(self, name: str, neighbour: str, exc: BaseException) -> None:
        """Island ``name`` was lost with the work since its start: a new actor (anywhere Ray
        finds room) takes its place, reseeded with a copy of ``neighbour``'s programs."""
        from neurosys.cluster.actors import ComponentHost
        from neurosys.cluster.proxy import island_proxy

        log.warning("soup island %s lost (%s): starting it again", name, type(exc).__name__)
        options, args = self._specs[name]
        options = {k: v for k, v in options.items() if k != "name"}  # the dead one may still hold it
        host = self._ray.remote(ComponentHost).options(**options).remote(*args)
        try:
            self._ray.get(host.start.remote(), timeout=_STOP_TIMEOUT)
            programs = island_proxy(self.hosts[neighbour]).emigrate(self.full_config.soup.size)
            island_proxy(host).immigrate(programs)
        except BaseException:
            self._ray.kill(host)
            raise
        self.hosts[name] = host
        self.recovered[name] = (f"lost ({type(exc).__name__}: its node or process died); started again "
                                f"and reseeded from {neighbour}'s programs")

    def stop(self, reason: str = "completed") -> dict[str, Any]:
        if self.hosts and not self._actor_summaries:
            self.request_stop(reason)
            if self._migrator is not None:
                self._migrator.join(_STOP_TIMEOUT)
            log.info("stopping the actors (%s)", self.stop_reason)
            deadline = time.monotonic() + _STOP_TIMEOUT
            # The agents first, then their pool's workers (which wait for their queued soup
            # calls), and only then the engines they steer: nothing calls a stopped actor.
            self._stop_hosts(["agents"], deadline, reason)
            if self.pool is not None:  # after the coordinator, whose last tick may use them
                try:
                    self._ray.get([w.actor.stop.remote() for w in self.pool.workers],
                                  timeout=max(1.0, deadline - time.monotonic()))
                except Exception as exc:  # noqa: BLE001 - reported in the summary
                    self._actor_summaries["agent-pool"] = {"failed": {"agent-pool": f"did not stop cleanly: {exc}"}}
            self._stop_hosts([n for n in self.hosts if n != "agents"], deadline, reason)
            for h in [*self.hosts.values(), *(self.pool.actors() if self.pool is not None else [])]:
                self._ray.kill(h)
        try:
            return super().stop(reason)
        finally:
            self._stop_services()

    def _stop_hosts(self, names: list[str], deadline: float, reason: str) -> None:
        """Stop these actors at once and keep their summaries (a failure is reported in it)."""
        refs = {name: self.hosts[name].stop.remote(self.stop_reason or reason)
                for name in names if name in self.hosts}
        for name, ref in refs.items():
            try:
                left = max(1.0, deadline - time.monotonic())
                self._actor_summaries[name] = self._ray.get(ref, timeout=left)
            except Exception as exc:  # noqa: BLE001 - reported in the summary
                self._actor_summaries[name] = {"failed": {name: f"did not stop cleanly: {exc}"}}

    def _stop_services(self) -> None:
        if self._ray.is_initialized():
            self._ray.shutdown()
        if self._redis is not None:
            self._redis.stop()

    def _summarize(self) -> dict[str, Any]:
        """The driver's summary with the actors' steps, speeds, missing and failed parts."""
        snap = super()._summarize()
        for name, actor in self._actor_summaries.items():
            # an island's "soup" steps are listed under its actor's name (soup-1, ...)
            snap["steps"].update({name if k == "soup" else k: v for k, v in actor.get("steps", {}).items()})
            snap["missing"].update(actor.get("missing", {}))
            snap["failed"].update(actor.get("failed", {}))
            if "network_speed" in actor:
                snap["network_speed"] = actor["network_speed"]
        if self._migrator is not None:
            snap["steps"]["migrations"] = self.migrations
        snap["recovered"] = dict(self.recovered)
        return snap
