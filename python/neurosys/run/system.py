"""``neurosys.System``: the whole running system.

Starts the network, the soup, the LLM integration and the agent manager each on its own thread,
with the ledger and economy the agents pay through, all connected by one named workspace and one
run store, in a run directory of its own. Usable from a script or a notebook::

    with System(SystemConfig().override({"system.duration": 10})) as system:
        system.run(10)                  # wall seconds; returns early if stopped
        system.inject(b"[<{.>,}]", 32)  # components are reachable: system.network, system.soup

``stop()`` (also on ``with`` exit, on the UI's ``stop`` command, on SIGINT/SIGTERM through
``neurosys run``) stops every thread, flushes the components, persists the workspace, closes the
ledger and commits the run store, in that order.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

from neurosys.config import SystemConfig
from neurosys.run.commands import validate_command
from neurosys.run.control import CommandReader
from neurosys.run.runner import ComponentRunner
from neurosys.run.rundir import make_run_dir, setup_logging, teardown_logging
from neurosys.run.storage import RunStore
from neurosys.run.wiring import LOCAL, Components, Factories, build_components
from neurosys.workspace import keys
from neurosys.workspace.protocol import WorkspaceLike

__all__ = ["System"]

log = logging.getLogger("neurosys.system")

PROGRESS_TABLE = "system_progress"
INFO_TABLE = "run_info"
WEIGHTS_TABLE = "synapse_weights"
_CONTROL_PERIOD = 0.05  # seconds between two polls of system/command
_JOIN_TIMEOUT = 60.0    # seconds a component thread gets to finish its current step


# What the full system writes, measured on the defaults (2026-12-04, 60 s, 1000 neurons, three
# agents): 24 keys; the largest values are neural_activations (8 bytes a neuron: 8,016 B) and
# snn/raster (at most RASTER_MAX = 5000 spikes of 12 bytes: 60 kB). Keys are fixed names, not
# one per agent or per program, so 128 keys is 5x headroom; values get 1.5x the raster's bound
# or twice the activations, whichever is larger. The defaults map 72 MiB instead of 384 MiB
# (each slot holds three cells of the largest value; tmpfs only backs the pages written).
_WORKSPACE_KEYS = 128
_WORKSPACE_MIN_VALUE_BYTES = 96 * 1024


def workspace_size(cfg: SystemConfig) -> tuple[int, int]:
    """``(capacity, max_value_bytes)`` of the workspace segment a system with ``cfg`` needs."""
    activations = 2 * 8 * cfg.network.n_neurons
    return _WORKSPACE_KEYS, max(_WORKSPACE_MIN_VALUE_BYTES, -(-activations // 4096) * 4096)


def _warn_stale_segments() -> None:
    """Segments left in /dev/shm (RAM) by runs that were killed: say so, and how to free them."""
    from neurosys.workspace.segments import list_segments

    for info in list_segments():
        if info.stale and info.age_seconds > 2.0:  # a younger one may be still being created
            log.warning("stale workspace segment left by a process that exited: %s; "
                        "`neurosys clean` removes it", info.describe())


class System:
    """Args:
        config: a :class:`SystemConfig` (the embedded defaults when None).
        run_dir: the run directory; default: a new ``<run_root>/<timestamp>``.
        console_log: also log to the console (rich, on stderr).
        factories: where the components that may run elsewhere come from
            (``neurosys.run.wiring.Factories``; ``LOCAL``: all here).

    A subclass that runs its components elsewhere (``neurosys.cluster``) overrides the hooks
    ``_open_workspace`` (which workspace the run talks through), ``_start_elsewhere`` (what
    starts beside the local threads) and ``_run_config`` (what the run directory records).
    """

    #: the workspace backend ``_open_workspace`` creates the run's workspace on
    workspace_backend: str = "shm"

    def __init__(self, config: SystemConfig | None = None, *, run_dir: str | Path | None = None,
                 console_log: bool = True, factories: Factories = LOCAL) -> None:
        if config is not None and not isinstance(config, SystemConfig):
            raise ValueError(f"config must be a neurosys.SystemConfig, got {type(config).__name__}")
        self.config = config if config is not None else SystemConfig()  # checked when it was made
        self._run_dir_arg = Path(run_dir) if run_dir is not None else None
        self._console_log = console_log
        self.run_dir: Path | None = None
        self.workspace: WorkspaceLike | None = None
        self._factories = factories
        self.status_key = keys.SYSTEM_STATUS  # a share of a larger run publishes under its own key
        self.store: RunStore | None = None
        self.components = Components()
        self.runners: dict[str, ComponentRunner] = {}
        self.stop_reason: str | None = None
        self.summary: dict[str, Any] | None = None
        self._last_snapshot: dict[str, Any] | None = None
        self._running = threading.Event()   # set: not paused
        self._stopping = threading.Event()  # set: stop requested
        # Set by a signal handler, which must not touch an Event (see signal_stop): the main
        # loop and the control thread turn it into a stop request within a fraction of a second.
        self._signalled: str | None = None
        self._stopped = False
        self._stop_lock = threading.Lock()
        self._started_at: float | None = None
        self.created_at = time.time()        # the start counts from here ...
        self.ready_at: float | None = None  # ... to every component running
        self._handlers: list[logging.Handler] = []
        self._control: threading.Thread | None = None
        self._targets = {"rate_hz": self.config.system.rate_hz,
                         "complexity": self.config.system.complexity}

    # -- access to the components, for scripting --------------------------------------------
    network = property(lambda self: self.components.network)
    soup = property(lambda self: self.components.soup)
    soup_driver = property(lambda self: self.components.soup_driver)
    llm = property(lambda self: self.components.llm)
    agents = property(lambda self: self.components.agents)
    ledger = property(lambda self: self.components.ledger)
    economy = property(lambda self: self.components.economy)

    @property
    def state(self) -> str:
        if self._started_at is None:
            return "created"
        if self._stopped:
            return "stopped"
        if self._stopping.is_set():
            return "stopping"
        return "running" if self._running.is_set() else "paused"

    @property
    def workspace_name(self) -> str:
        return self.config.system.workspace_name or f"neurosys-{os.getpid()}"

    # -- lifecycle --------------------------------------------------------------------------
    def start(self, *, paused: bool = False) -> System:
        """Build the components and start their threads; ``paused``: the threads wait for
        ``resume()`` (a caller that rewires a component first, as a soup island does)."""
        if self._started_at is not None:
            raise RuntimeError("this System was already started; create a new one to run again")
        cfg = self.config
        self.run_dir = (self._run_dir_arg or make_run_dir(cfg.system.run_root)).resolve()
        self.run_dir.mkdir(parents=True, exist_ok=True)
        (self.run_dir / "config.toml").write_text(self._run_config().to_toml(comments=False), encoding="utf-8")
        self.store = RunStore(self.run_dir / "run.db")
        self._handlers = setup_logging(cfg.system.log_level, self.run_dir / "neurosys.log",
                                       self.store, console=self._console_log)
        self._create_tables()
        _warn_stale_segments()
        try:
            self.workspace = self._open_workspace()
        except BaseException:
            self._close_resources()
            self._stopped = True
            raise
        self._started_at = time.time()
        log.info("starting the components (the first start loads torch, the LLM and the EVM)")
        try:
            self.components = build_components(cfg, self.workspace, self.store, self.run_dir,
                                               self._factories)
        except BaseException:
            self._close_resources()
            self._stopped = True
            raise
        self._info("started", self._started_at)
        self._info("workspace", self.workspace_name)
        self._info("missing", "; ".join(f"{k}: {v}" for k, v in self.components.missing.items()))
        self.workspace.write(keys.SYSTEM_TARGETS, dict(self._targets))
        self._publish_status()
        self._record_weights("before")
        if not paused:
            self._running.set()
        self._make_runners()
        self._commands = CommandReader(self.workspace)
        for runner in self.runners.values():
            runner.start()
        self._control = threading.Thread(target=self._control_loop, name="neurosys-control",
                                         daemon=True)
        self._control.start()
        log.info("run directory %s, workspace %r, components: %s", self.run_dir,
                 self.workspace_name, ", ".join(self.runners) or "none")
        try:
            self._start_elsewhere()
        except BaseException:
            self.stop("failed to start")
            raise
        self._mark_ready()
        return self

    # -- hooks for a System whose components run elsewhere --------------------------------------
    def _open_workspace(self) -> WorkspaceLike:
        """Creates the run's workspace (named, on ``workspace_backend``), saved to the run
        directory every persist_interval and on close; a name another live run holds is refused."""
        from neurosys.workspace import Workspace

        capacity, max_value_bytes = workspace_size(self.config)
        workspace = Workspace(self.workspace_name, capacity, max_value_bytes,
                              persist_path=self.run_dir / "workspace.snapshot",
                              persist_interval=self.config.system.persist_interval, unlink_on_close=True,
                              backend=self.workspace_backend)
        if not workspace.created:  # a live process has it: leave it to its owner
            workspace.close(unlink=False)
            where = "" if self.workspace_backend == "shm" else f" on {self.workspace_backend}"
            raise ValueError(f"system.workspace_name {self.workspace_name!r} is in use by a "
                             f"running process{where}; choose another name")
        return workspace

    def _start_elsewhere(self) -> None:
        """Starts what runs beside this process's component threads (nothing, here)."""

    def _run_config(self) -> SystemConfig:
        """The configuration the run directory records (the whole run's)."""
        return self.config

    def _mark_ready(self) -> None:
        """Every component runs: the start is over (``run(seconds)`` counts from here)."""
        self.ready_at = time.time()
        self._info("ready", self.ready_at)
        log.info("ready %.1f s after the System was created", self.ready_at - self.created_at)

    def _make_runners(self) -> None:
        c, cfg = self.components, self.config
        # The engines fill every core; without a spare one a decision waited 8 s for its
        # share of the CPU (bench/RESULTS.md, 2026-12-04), so they pause while one is pending.
        yield_to = c.llm.deciding if c.llm is not None and cfg.llm.yield_engines else None
        if c.network is not None:
            chunk = cfg.network.chunk
            self.runners["network"] = self._runner("network", lambda: c.network.step(chunk), 0.0,
                                                   yield_to)
        if c.soup_driver is not None:
            epochs = cfg.soup.epochs_per_step
            self.runners["soup"] = self._runner("soup", lambda: c.soup_driver.step(epochs), 0.0,
                                                yield_to)
        if c.llm is not None:
            self.runners["llm"] = self._runner("llm", c.llm.step, cfg.llm.interval)
        if c.agents is not None:
            self.runners["agents"] = self._runner("agents", c.agents.tick, cfg.agents.tick_interval)

    def _runner(self, name: str, step: Any, interval: float,
                yield_to: threading.Event | None = None) -> ComponentRunner:
        return ComponentRunner(name, step, interval, self._running, self._stopping, yield_to)

    def run(self, seconds: float | None = None, *, progress: Any = None) -> dict[str, Any]:
        """Run for ``seconds`` of wall time (None or 0: until a stop is requested), starting the
        system first if needed; ``progress(snapshot)`` is called every progress_interval.
        Returns the last snapshot. Does not stop the system (``stop()`` or ``with`` does)."""
        if seconds is not None and (seconds != seconds or seconds < 0):
            raise ValueError(f"seconds must be >= 0, got {seconds!r}")
        if self._started_at is None:
            self.start()
        deadline = time.monotonic() + seconds if seconds else None
        every = self.config.system.progress_interval
        next_progress = time.monotonic() + every if every > 0 else None
        while not self._stopping.is_set():
            self._take_signal()
            now = time.monotonic()
            if deadline is not None and now >= deadline:
                break
            if next_progress is not None and now >= next_progress and progress is not None:
                progress(self.snapshot())
                next_progress += every
            waits = [0.2] + [t - now for t in (deadline, next_progress) if t is not None]
            self._stopping.wait(max(0.0, min(waits)))
        return self.snapshot()

    def signal_stop(self, reason: str) -> None:
        """Ask for a stop from a signal handler. Only a plain assignment here: the handler runs
        in the main thread between two bytecodes, possibly while that thread holds the lock
        inside ``Event.wait`` (non-reentrant), so setting the Event from it can deadlock. The
        main loop and the control thread poll this flag every 50 to 200 ms."""
        self._signalled = self._signalled or reason

    def _take_signal(self) -> None:
        if self._signalled is not None and not self._stopping.is_set():
            self.request_stop(self._signalled)

    def request_stop(self, reason: str = "requested") -> None:
        """Ask every thread to stop (not from a signal handler: use ``signal_stop``).
        ``stop()`` finishes the job."""
        if self.stop_reason is None:
            self.stop_reason = reason
        self._stopping.set()
        self._running.set()  # wake paused runners so they see the stop
        for model in self.components.llm_models():  # a decision waiting on it returns now
            model.interrupt()

    def stop(self, reason: str = "completed") -> dict[str, Any]:
        """Stop cleanly (idempotent) and return the run summary."""
        with self._stop_lock:
            if self._stopped or self._started_at is None:
                return self.summary or {}
            self.request_stop(reason)
            log.info("stopping (%s)", self.stop_reason)
            for name, runner in self.runners.items():
                if not runner.join(_JOIN_TIMEOUT):
                    log.error("component %s did not finish its step within %.0f s", name,
                              _JOIN_TIMEOUT)
            if self._control is not None:
                self._control.join(_JOIN_TIMEOUT)
            self.summary = self._summarize()
            self._record_progress(self.summary)
            self._record_weights("after")
            self._info("stopped", time.time())
            self._info("stop_reason", self.stop_reason or reason)
            self._close_resources()
            self._stopped = True
            return self.summary

    def _close_resources(self) -> None:
        """Flush and close components (the ledger last), persist and close the workspace,
        write the summary, commit and close the store. Each step runs even if one before it
        failed; failures are logged."""
        for error in self.components.close():
            log.error("closing %s", error)
        if self.workspace is not None:
            try:
                self._publish_final_status()
                self.workspace.close()  # persists to run_dir/workspace.snapshot, then unlinks
            except Exception as exc:
                log.error("closing the workspace: %s", exc)
                try:
                    self.workspace.unlink()
                except Exception:
                    pass
        if self.summary is not None and self.run_dir is not None:
            from neurosys.run.report import format_summary

            (self.run_dir / "summary.txt").write_text(format_summary(self.summary),
                                                      encoding="utf-8")
        teardown_logging(self._handlers)
        self._handlers = []
        if self.store is not None:
            self.store.close()

    def __enter__(self) -> System:
        if self._started_at is None:
            self.start()
        return self

    def __exit__(self, exc_type: Any, *exc: object) -> None:
        self.stop("exception" if exc_type is not None else "completed")

    # -- control ----------------------------------------------------------------------------
    def pause(self) -> None:
        self._running.clear()
        self._publish_status()
        log.info("paused")

    def resume(self) -> None:
        self._running.set()
        self._publish_status()
        log.info("resumed")

    def set_target(self, rate_hz: float | None = None, complexity: float | None = None) -> None:
        args = {k: v for k, v in (("rate_hz", rate_hz), ("complexity", complexity)) if v is not None}
        args = validate_command("set_target", args).args
        self._targets.update(args)
        self.workspace.write(keys.SYSTEM_TARGETS, dict(self._targets))
        if self.components.agents is not None:  # the controllers steer towards these
            self.components.agents.submit({"op": "set_target", "args": args})
        log.info("targets set to %s", self._targets)

    def spawn_agent(self, role: str = "controller") -> Any:
        args = validate_command("spawn_agent", {"role": role}).args
        if self.components.agents is None:
            raise RuntimeError("spawn_agent needs the agent manager, which is not running")
        with self.runners["agents"].lock:
            return self.components.agents.submit({"op": "spawn", "role": args["role"]})

    def inject(self, program: bytes | str, count: int = 16) -> None:
        args = validate_command("inject", {"program": program, "count": count}).args
        if self.components.soup_driver is None:
            raise RuntimeError("inject needs the soup, which is not running")
        with self.runners["soup"].lock:
            self.components.soup_driver.inject(args["program"], args["count"])
        log.info("injected %d copies of %r", args["count"], args["program"])

    def execute(self, op: str, args: dict[str, Any] | None = None) -> None:
        """Run one command as the UI sends it (``system/command``)."""
        args = validate_command(op, args).args
        if op == "pause":
            self.pause()
        elif op == "resume":
            self.resume()
        elif op == "stop":
            self.request_stop("stop command")
        elif op == "set_target":
            self.set_target(**args)
        elif op == "spawn_agent":
            self.spawn_agent(**args)
        elif op == "inject":
            self.inject(**args)

    def _run_command(self, command: Any) -> None:
        """Run one UI command and acknowledge it, so the UI can show "done" or the error."""
        log.info("command #%d %s %s", command.seq, command.op, command.args)
        try:
            self.execute(command.op, command.args)
        except (ValueError, RuntimeError) as exc:
            log.warning("command #%d rejected: %s", command.seq, exc)
            self._commands.acknowledge(command.seq, str(exc))
        else:
            self._commands.acknowledge(command.seq, "done")

    def _control_loop(self) -> None:
        from neurosys.workspace import WorkspaceClosedError

        last_status = last_progress = time.monotonic()
        progress_every = self.config.system.progress_interval or 1.0
        while not self._stopping.wait(_CONTROL_PERIOD):
            self._take_signal()
            try:
                command = self._commands.poll()
                if command is not None:
                    self._run_command(command)
            except WorkspaceClosedError as exc:  # its server went away: stop, keep what we have
                log.error("the workspace is unavailable, stopping: %s", exc)
                self.request_stop("workspace unavailable")
                return
            now = time.monotonic()
            if now - last_status >= 0.5:
                self._publish_status()
                last_status = now
            if now - last_progress >= progress_every:
                self._record_progress(self.snapshot())
                last_progress = now

    # -- observation ------------------------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        """The numbers of the progress line, read from the workspace."""
        from neurosys.workspace import WorkspaceClosedError

        ws = self.workspace
        try:
            agents = ws.read(keys.AGENTS_TABLE) or []
        except WorkspaceClosedError:
            if self._last_snapshot is None:
                raise
            # A networked workspace whose server went away: the last numbers read, so the
            # run can still stop cleanly and write its summary.
            log.error("the workspace is unavailable; the summary holds the last values read")
            return {**self._last_snapshot, "state": self.state}
        balances = ws.read(keys.LEDGER_BALANCES) or {}
        net = self.runners.get("network")
        sim = ws.read(keys.SNN_TIME)
        snap = {
            "state": self.state,
            "wall_seconds": time.time() - (self._started_at or time.time()),
            "sim_time": float(sim) if isinstance(sim, (int, float)) else None,
            "mean_rate": ws.read(keys.SNN_MEAN_RATE),
            "network_steps": net.steps if net else 0,
            "network_busy_seconds": net.busy_seconds if net else 0.0,
            "soup_epoch": ws.read(keys.SOUP_EPOCH),
            "entropy": ws.read(keys.AVG_ENTROPY),
            "diversity": ws.read(keys.DIVERSITY_INDEX),
            "agents": sum(1 for a in agents if isinstance(a, dict) and a.get("alive", True)),
            "balances": {str(k): float(v) for k, v in dict(balances).items()},
            "llm": ws.read(keys.LLM_DECISIONS),  # neurosys.llm.integration.STATS_KEY
            "missing": dict(self.components.missing),
            "failed": {n: repr(r.error) for n, r in self.runners.items() if r.error is not None},
        }
        self._last_snapshot = snap
        return snap

    def _summarize(self) -> dict[str, Any]:
        snap = self.snapshot()
        snap["state"] = "stopped"
        snap["run_dir"] = str(self.run_dir)
        snap["stop_reason"] = self.stop_reason
        snap["steps"] = {n: r.steps for n, r in self.runners.items()}
        if self.ready_at is not None:
            snap["start_seconds"] = self.ready_at - self.created_at
        if self.components.llm is not None:  # the final count, including the last decision
            snap["llm"] = self.components.llm.stats.as_dict()
        if snap["network_busy_seconds"] > 0 and self.config.network.enabled:
            snap["network_speed"] = (snap["network_steps"] * self.config.network.chunk
                                     / snap["network_busy_seconds"])
        return snap

    def _publish_final_status(self) -> None:
        """The last status an attached UI reads: "stopped" with the summary line (the UI then
        offers to quit or attach again), or "stopping" when start itself failed."""
        if self.summary is None:
            self._publish_status("stopping")
            return
        from neurosys.run.report import progress_line

        self._publish_status("stopped", summary=progress_line(self.summary),
                             stop_reason=self.stop_reason)

    def _publish_status(self, state: str | None = None, **extra: Any) -> None:
        self.workspace.write(self.status_key, {
            "state": state or self.state, "started": self._started_at or 0.0, "pid": os.getpid(),
            "wall_seconds": time.time() - (self._started_at or time.time()), **extra})

    # -- run store --------------------------------------------------------------------------
    def _create_tables(self) -> None:
        self.store.create_table(INFO_TABLE, "key TEXT PRIMARY KEY, value TEXT",
                                component="system", version=1)
        self.store.create_table(
            PROGRESS_TABLE, "wall REAL, sim_time REAL, mean_rate REAL, soup_epoch INTEGER,"
            " entropy REAL, diversity REAL, agents INTEGER, total_balance REAL",
            component="system", version=1, indexes=("wall",))
        self.store.create_table(WEIGHTS_TABLE, "stage TEXT, sim_time REAL, weight REAL",
                                component="system", version=1)
        self._info("config", self.config.to_toml(comments=False))

    def _record_weights(self, stage: str) -> None:
        """The plastic synapses' weights, at start and at stop (for the report's histogram)."""
        projection = getattr(self.components.network, "plastic", None)
        if projection is None:
            return
        try:
            weights = projection.weights
        except Exception as exc:  # a report figure is never worth failing a run for
            log.warning("could not read the synaptic weights: %s", exc)
            return
        sim = self.workspace.read(keys.SNN_TIME)
        self.store.insert_many(WEIGHTS_TABLE, ((stage, sim, float(w)) for w in weights))

    def _info(self, key: str, value: Any) -> None:
        self.store.execute(f"INSERT OR REPLACE INTO {INFO_TABLE} VALUES (?, ?)", (key, str(value)))

    def _record_progress(self, snap: dict[str, Any]) -> None:
        def num(v: Any) -> float | None:
            return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None

        self.store.insert(PROGRESS_TABLE, (
            snap["wall_seconds"], snap["sim_time"], num(snap["mean_rate"]),
            num(snap["soup_epoch"]), num(snap["entropy"]), num(snap["diversity"]),
            snap["agents"], sum(snap["balances"].values())))
