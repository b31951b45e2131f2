"""Agents and roles depend on the ``AgentHost`` interface, not on the manager that runs them:
both hosts (the manager, a Ray pool worker's context) provide it, and neither agent.py nor
roles.py imports manager.py, not even for type checking."""

from __future__ import annotations

import ast
from pathlib import Path

import neurosys.agents
from neurosys.agents import AgentHost, AgentManager
from neurosys.agents.config import AgentsConfig
from neurosys.cluster.agent_worker import WorkerContext

AGENTS_DIR = Path(neurosys.agents.__file__).resolve().parent


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_agents_and_roles_do_not_import_the_manager():
    for name in ("agent.py", "roles.py", "host.py"):
        assert "neurosys.agents.manager" not in imported_modules(AGENTS_DIR / name), name
    assert "neurosys.agents.agent" not in imported_modules(AGENTS_DIR / "host.py")


def test_both_hosts_provide_the_interface(workspace):
    assert isinstance(AgentManager(workspace, None, None), AgentHost)
    assert isinstance(WorkerContext(workspace, None, None, None, AgentsConfig()), AgentHost)
