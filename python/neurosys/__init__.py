"""neurosys: a spiking network, a primordial soup of programs, local-LLM agents and a token
ledger, talking through one lock-free shared-memory workspace.

Public names are loaded lazily, so ``import neurosys`` stays fast and does not import torch,
llama.cpp or web3 until a component that needs them is used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    "Workspace": "neurosys.workspace",
    "GlobalWorkspace": "neurosys.workspace",
    "RunStore": "neurosys.run.storage",
    "units": "neurosys.units",
    "snn": "neurosys.snn",
    "soup": "neurosys.soup",
    "llm": "neurosys.llm",
    "agents": "neurosys.agents",
    "ledger": "neurosys.ledger",
    "NeuromorphicNetwork": "neurosys.snn",
    "Soup": "neurosys.soup",
    "EvolutionaryDynamics": "neurosys.soup",
    "LLMIntegration": "neurosys.llm",
    "Agent": "neurosys.agents",
    "AgentManager": "neurosys.agents",
    "Ledger": "neurosys.ledger",
    "System": "neurosys.run.system",
    "SystemConfig": "neurosys.config",
    "CoreError": "neurosys.errors",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'neurosys' has no attribute {name!r}")
    module = importlib.import_module(module_name)
    value = module if module_name.rsplit(".", 1)[1] == name else getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


if TYPE_CHECKING:  # pragma: no cover - for type checkers only
    from neurosys import agents, ledger, llm, snn, soup, units
    from neurosys.agents import Agent, AgentManager
    from neurosys.config import SystemConfig
    from neurosys.errors import CoreError
    from neurosys.ledger import Ledger
    from neurosys.llm import LLMIntegration
    from neurosys.snn import NeuromorphicNetwork
    from neurosys.soup import EvolutionaryDynamics, Soup
    from neurosys.run.storage import RunStore
    from neurosys.run.system import System
    from neurosys.workspace import GlobalWorkspace, Workspace
