"""Build each component of a System from its config section, through the interfaces of
docs/components.md. A component whose package cannot be imported is left out (and reported),
never replaced by a stand-in; any other construction error is raised."""

from __future__ import annotations

import importlib
import logging
import os
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from neurosys.config import SystemConfig

__all__ = ["Components", "build_components", "optional_import"]

log = logging.getLogger("neurosys.system")


def optional_import(module: str, *names: str) -> tuple[Any | None, str | None]:
    """``(module, None)`` when ``module`` and its attributes ``names`` import, else
    ``(None, why not)``. Packages load names lazily, so each name is resolved here."""
    try:
        mod = importlib.import_module(module)
        for name in names:
            getattr(mod, name)
        return mod, None
    except (ImportError, AttributeError) as exc:
        return None, f"{module} is not available yet ({exc})"


_LLM_DRAIN_SECONDS = 1.0  # a stop must finish within seconds; `neurosys run` then exits at once


def _drained(model: Any, timeout: float) -> bool:
    """Wait until the shared model has no call queued or running."""
    end = time.monotonic() + timeout
    while getattr(model, "pending", 0) > 0:
        if time.monotonic() >= end:
            return False
        time.sleep(0.05)
    return True


@dataclass
class Components:
    network: Any = None
    soup: Any = None          # the engine (neurosys.soup.Soup)
    soup_driver: Any = None   # its driver (SoupDriver): step(epochs), inject, metrics
    llm_model: Any = None     # the model the agents share
    llm_lane: Any = None      # the LLM integration's own instance (see neurosys.llm.load)
    llm: Any = None           # LLMIntegration
    ledger: Any = None
    economy: Any = None
    agents: Any = None        # AgentManager
    missing: dict[str, str] = field(default_factory=dict)  # component -> why it is left out

    def llm_models(self) -> list[Any]:
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


def _ledger_passphrase(cfg: SystemConfig, run_dir: Path, ledger: Any) -> str | None:
    """The keystore passphrase: $NEUROSYS_LEDGER_PASSPHRASE when set (None lets the ledger read
    it). Otherwise, on the embedded chain, whose tokens exist only inside this run, a random
    per-run passphrase kept in ``ledger/passphrase`` (0600) so the run needs no prompt and
    `neurosys ledger` can open it later. A JSON-RPC chain always needs the variable or a prompt."""
    if os.environ.get(ledger.PASSPHRASE_ENV) or cfg.ledger.chain != "embedded":
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


def build_components(cfg: SystemConfig, workspace: Any, store: Any, run_dir: Path, *,
                     remote_soup: Any = None, agent_pool: Any = None) -> Components:
    """``remote_soup``: what the agents steer when the soup is not built here (Ray runner);
    ``agent_pool``: the Ray actors the agents run in, with the model they share (Ray runner)."""
    c = Components()
    try:
        _build(c, cfg, workspace, store, run_dir, remote_soup, agent_pool)
    except BaseException:
        c.close()  # what was built before the failure
        raise
    for name, why in c.missing.items():
        log.warning("%s left out: %s", name, why)
    return c


def _build(c: Components, cfg: SystemConfig, workspace: Any, store: Any, run_dir: Path,
           remote_soup: Any, agent_pool: Any = None) -> None:
    seed = cfg.system.seed

    if cfg.network.enabled:
        snn, why = optional_import("neurosys.snn", "NeuromorphicNetwork")
        if snn is None:
            c.missing["network"] = why  # type: ignore[assignment]
        else:
            n = cfg.network
            c.network = snn.NeuromorphicNetwork(
                workspace, store, n_neurons=n.n_neurons, connection_prob=n.connection_prob,
                dt=n.dt, device=n.device, seed=seed)

    if cfg.soup.enabled:
        soup, why = optional_import("neurosys.soup", "Soup", "SoupDriver")
        if soup is None:
            c.missing["soup"] = why  # type: ignore[assignment]
        else:
            s = cfg.soup
            c.soup = soup.Soup(language=s.language, size=s.n_programs,
                               program_length=s.program_size, mutation_rate=s.mutation_rate,
                               device=s.device, seed=seed)
            c.soup_driver = soup.SoupDriver(c.soup, workspace, store, metrics_every=s.metrics_every)

    if cfg.ledger.enabled:
        ledger, why = optional_import("neurosys.ledger", "Ledger", "Economy")
        if ledger is None:
            c.missing["ledger"] = why  # type: ignore[assignment]
        else:
            c.ledger = ledger.Ledger(run_dir, chain=cfg.ledger.chain, store=store,
                                     workspace=workspace,
                                     passphrase=_ledger_passphrase(cfg, run_dir, ledger))
            c.economy = ledger.Economy(c.ledger)

    if cfg.llm.enabled or cfg.agents.enabled:
        llm, why = optional_import("neurosys.llm", "load", "LLMIntegration")
        if llm is None:
            c.missing["llm"] = why  # type: ignore[assignment]
        else:
            try:
                # a pool's agents share its per-node model: none is loaded here for them
                c.llm_model = agent_pool.llm if agent_pool is not None else llm.load(cfg.llm.model or None)
            except ImportError as exc:  # the llama.cpp backend itself is not installed
                c.missing["llm"] = f"the LLM backend is not importable ({exc})"
            else:
                if cfg.llm.enabled:
                    # Its own lane when agents share the other: an agent's 64-token program
                    # held the one queue for 20 s on 2 shared cores (bench/RESULTS.md).
                    c.llm_lane = (llm.load(cfg.llm.model or None, lane="decisions")
                                  if cfg.agents.enabled else None)
                    c.llm = llm.LLMIntegration(workspace, c.llm_lane or c.llm_model)

    if cfg.agents.enabled:
        agents, why = optional_import("neurosys.agents", "AgentManager")
        if agents is None:
            c.missing["agents"] = why  # type: ignore[assignment]
        elif c.llm_model is None:
            c.missing["agents"] = "the agents need the LLM, which is not available"
        else:
            soup = c.soup_driver if c.soup_driver is not None else remote_soup
            manager = agent_pool.manager if agent_pool is not None else agents.AgentManager
            c.agents = manager(workspace, c.llm_model, store, soup=soup, economy=c.economy,
                               config={
                                   "max_agents": cfg.agents.max_agents,
                                   "consult_every": cfg.agents.consult_every,
                                   "inventors": cfg.agents.inventors,
                                   "program_length": cfg.soup.program_size,
                                   "rate_hz": cfg.system.target_rate_hz,
                                   "complexity": cfg.system.target_complexity,
                                   "seed": seed})
