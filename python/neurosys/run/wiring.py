"""Build each component of a System from its config section: the composition root. Each field
of ``Components`` is typed by its interface (``neurosys.run.components``, docs/components.md).

Where a component comes from is the caller's choice (``Factories``): ``LOCAL`` builds every one
in this process; a run spread over processes or hosts (``neurosys.cluster``) passes factories
that return proxies of its components elsewhere. This module knows nothing of how they are reached.

A component's classes are imported when it is built, not when this module is: ``import neurosys``
and ``neurosys.run.system`` stay free of torch, llama.cpp and web3 (they load in the component
packages). A component whose package cannot be imported is left out (and reported), never
replaced by a stand-in; any other construction error is raised."""

from __future__ import annotations

import logging
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from neurosys.run.components import (AgentsComponent, EconomyComponent, LedgerComponent, LLMComponent,
                                 NetworkComponent, SharedModel, SoupComponent, SoupControl,
                                 SoupEngine)
from neurosys.config import SystemConfig
from neurosys.workspace.protocol import WorkspaceLike

if TYPE_CHECKING:
    from neurosys.run.storage import RunStore

__all__ = ["Components", "Factories", "LOCAL", "build_components"]

log = logging.getLogger("neurosys.system")


def _unavailable(package: str, exc: ImportError) -> str:
    """Why a component is left out: its package (or one that it needs) does not import."""
    return f"{package} is not available yet ({exc})"


class _Imports:
    """``with _Imports(c, "network", "neurosys.snn") as imported:`` around a component's imports
    and nothing else: an ImportError leaves the component out (recorded in ``c.missing``) and is
    suppressed; ``imported.ok`` says whether to build it. Errors while building are not caught."""

    def __init__(self, c: Components, name: str, package: str) -> None:
        self.c, self.name, self.package, self.ok = c, name, package, True

    def __enter__(self) -> _Imports:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: object) -> bool:
        if kind is None or not issubclass(kind, ImportError):
            return False
        assert isinstance(exc, ImportError)
        self.c.missing[self.name] = _unavailable(self.package, exc)
        self.ok = False
        return True


_LLM_DRAIN_SECONDS = 1.0  # a stop must finish within seconds; `neurosys run` then exits at once


def _drained(model: SharedModel, timeout: float) -> bool:
    """Wait until the shared model has no call queued or running."""
    end = time.monotonic() + timeout
    while model.pending > 0:
        if time.monotonic() >= end:
            return False
        time.sleep(0.05)
    return True


@dataclass
class Components:
    """The built components (None: disabled, or left out and named in ``missing``)."""

    network: NetworkComponent | None = None   # snn.NeuromorphicNetwork
    soup: SoupEngine | None = None            # the engine (soup.Soup)
    soup_driver: SoupComponent | None = None  # its driver (soup.SoupDriver)
    llm_model: SharedModel | None = None      # the model the agents share (llm.LLM)
    llm_lane: SharedModel | None = None       # the LLM integration's own instance (llm.load)
    llm: LLMComponent | None = None           # llm.LLMIntegration
    ledger: LedgerComponent | None = None     # ledger.Ledger
    economy: EconomyComponent | None = None   # ledger.Economy
    agents: AgentsComponent | None = None     # agents.AgentManager (or a factory's)
    missing: dict[str, str] = field(default_factory=dict)  # component -> why it is left out

    def llm_models(self) -> list[SharedModel]:
        """The loaded model instances (the agents' and the integration's own)."""
        return [m for m in (self.llm_model, self.llm_lane) if m is not None]

    def close(self) -> list[str]:
        """Close what has a close(); returns the errors (the caller logs them)."""
        errors = []
        for name in ("agents", "llm", "llm_lane", "llm_model", "soup_driver", "soup", "network",
                     "economy", "ledger"):
            obj = getattr(self, name)
            close = getattr(obj, "close", None)
            if close is None:
                continue
            if obj in self.llm_models() and not _drained(obj, _LLM_DRAIN_SECONDS):
                # Freeing the model while its worker still decodes would crash the process;
                # the worker is a daemon thread, so leaving it is safe.
                log.info(
                    "%s still answering after %.0f s: left to end with the process", name,
                    _LLM_DRAIN_SECONDS)
                continue
            try:
                close()
            except Exception as exc:  # keep closing the others
                errors.append(f"{name}: {exc}")
        return errors


def _ledger_passphrase(cfg: SystemConfig, run_dir: Path, env: str) -> str | None:
    """The keystore passphrase: the variable ``env`` ($NEUROSYS_LEDGER_PASSPHRASE) when set
    (None lets the ledger read it). Otherwise, on the embedded chain, whose tokens exist only
    inside this run, a random per-run passphrase kept in ``ledger/passphrase`` (0600) so the run
    needs no prompt and `neurosys ledger` can open it later. A JSON-RPC chain always needs the
    variable or a prompt."""
    if os.environ.get(env) or cfg.ledger.chain != "embedded":
        return None
    path = run_dir / "ledger" / "passphrase"
    if path.is_file():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(24)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(secret + "\n")
    return secret


@dataclass(frozen=True)
class Factories:
    """Where the components that may live elsewhere come from; None: built here.

    model: ``model(name) -> SharedModel``, the model the agents share.
    lane: ``lane(name, lane) -> SharedModel``, the LLM integration's own lane of it.
    agents: called as ``AgentManager`` is, returns the agents component.
    soup_control: ``soup_control() -> SoupControl``, what the agents steer when no soup is
        built here (the soup runs elsewhere), or None when there is none.
    """

    model: Callable[[str | None], SharedModel] | None = None
    lane: Callable[[str | None, str], SharedModel] | None = None
    agents: Callable[..., AgentsComponent] | None = None
    soup_control: Callable[[], SoupControl | None] | None = None


LOCAL = Factories()


def build_components(cfg: SystemConfig, workspace: WorkspaceLike, store: RunStore, run_dir: Path,
                     factories: Factories = LOCAL) -> Components:
    """The components ``cfg`` enables, on ``workspace`` and ``store``; ``factories`` says where
    the ones that may run elsewhere come from (``LOCAL``: all built here)."""
    c = Components()
    try:
        _build(c, cfg, workspace, store, run_dir, factories)
    except BaseException:
        c.close()  # what was built before the failure
        raise
    for name, why in c.missing.items():
        log.warning("%s left out: %s", name, why)
    return c


def _build(c: Components, cfg: SystemConfig, workspace: WorkspaceLike, store: RunStore, run_dir: Path,
           factories: Factories) -> None:
    # Each component: its classes imported (an ImportError leaves it out), then built, where
    # an error is raised.
    seed = cfg.system.seed

    if cfg.network.enabled:
        with _Imports(c, "network", "neurosys.snn") as imported:
            from neurosys.snn import NeuromorphicNetwork
        if imported.ok:
            n = cfg.network
            c.network = NeuromorphicNetwork(
                workspace, store, n_neurons=n.n_neurons, connection_prob=n.connection_prob,
                dt=n.dt, device=n.device, seed=seed)

    if cfg.soup.enabled:
        with _Imports(c, "soup", "neurosys.soup") as imported:
            from neurosys.soup import Soup, SoupDriver
        if imported.ok:
            s = cfg.soup
            soup = Soup(language=s.language, size=s.size, program_length=s.program_length,
                        mutation_rate=s.mutation_rate, device=s.device, seed=seed)
            c.soup = soup
            c.soup_driver = SoupDriver(soup, workspace, store, metrics_every=s.metrics_every)

    if cfg.ledger.enabled:
        with _Imports(c, "ledger", "neurosys.ledger") as imported:
            from neurosys.ledger import PASSPHRASE_ENV, Economy, Ledger
        if imported.ok:
            ledger = Ledger(run_dir, chain=cfg.ledger.chain, store=store, workspace=workspace,
                            passphrase=_ledger_passphrase(cfg, run_dir, PASSPHRASE_ENV))
            c.ledger = ledger
            c.economy = Economy(ledger)

    if cfg.llm.enabled or cfg.agents.enabled:
        with _Imports(c, "llm", "neurosys.llm") as imported:
            from neurosys.llm import LLMIntegration, load
        if imported.ok:
            model = cfg.llm.model or None
            try:
                c.llm_model = (factories.model or load)(model)
            except ImportError as exc:  # the llama.cpp backend itself is not installed
                c.missing["llm"] = f"the LLM backend is not importable ({exc})"
            else:
                if cfg.llm.enabled:
                    # Its own lane when agents share the other: an agent's 64-token program
                    # held the one queue for 20 s on 2 shared cores (bench/RESULTS.md).
                    lane = None
                    if cfg.agents.enabled:
                        lane = (factories.lane or (lambda m, name: load(m, lane=name)))(model, "decisions")
                    c.llm_lane = lane
                    c.llm = LLMIntegration(workspace, lane if lane is not None else c.llm_model)

    if cfg.agents.enabled:
        with _Imports(c, "agents", "neurosys.agents") as imported:
            from neurosys.agents import AgentManager
        if imported.ok:
            if c.llm_model is None:
                c.missing["agents"] = "the agents need the LLM, which is not available"
            else:
                manager = factories.agents or AgentManager
                remote_soup = factories.soup_control() if factories.soup_control is not None else None
                c.agents = manager(
                    workspace, c.llm_model, store,
                    soup=c.soup_driver if c.soup_driver is not None else remote_soup,
                    economy=c.economy, config={
                        "max_agents": cfg.agents.max_agents,
                        "consult_every": cfg.agents.consult_every,
                        "inventors": cfg.agents.inventors,
                        "search": cfg.agents.search,
                        "inject_threshold": cfg.agents.inject_threshold,
                        "model": cfg.agents.model,
                        "program_length": cfg.soup.program_length,
                        "rate_hz": cfg.system.rate_hz,
                        "complexity": cfg.system.complexity,
                        "seed": seed})
