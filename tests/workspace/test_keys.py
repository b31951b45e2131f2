"""Every workspace key is declared once, in neurosys.workspace.keys: code names keys through its
constants, and docs/workspace-keys.md is the table as generated (#23 point 2)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from neurosys.workspace import keys

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "python" / "neurosys"
WORKSPACE_CALLS = {"write", "read", "read_meta", "read_into", "wait_for", "subscribe", "unsubscribe",
                   "delete"}
# The same words used for something that is not a workspace key: the LLM prompt named after the
# key it decides, and the fields of EvolutionaryDynamics' history records (the seed's names).
NOT_KEYS = {
    ("llm/prompts.py", "modulation"), ("llm/integration.py", "modulation"),
    ("soup/evolution.py", "avg_entropy"), ("soup/evolution.py", "diversity_index"),
    ("cli/soup.py", "avg_entropy"), ("cli/soup.py", "diversity_index"),
}


def _sources() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py")
                  if "examples" not in p.relative_to(PACKAGE).parts and p != PACKAGE / "workspace" / "keys.py")


def _receiver_is_workspace(node: ast.expr) -> bool:
    name = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else ""
    return "workspace" in name or name in ("ws", "fresh")


def key_literals(rel: str, source: str) -> list[str]:
    """'line: literal' for each key the module ``rel`` (under python/neurosys) writes as a string
    instead of naming it through keys."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and node.value in keys.NAMES and (rel, node.value) not in NOT_KEYS:
            found.append(f"{node.lineno}: {node.value!r}")
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in WORKSPACE_CALLS and _receiver_is_workspace(node.func.value)
                and node.args and isinstance(node.args[0], (ast.Constant, ast.JoinedStr))):
            found.append(f"{node.lineno}: a literal key in {node.func.attr}()")
    return sorted(found)


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_key_literal_outside_the_table(path: Path) -> None:
    assert key_literals(path.relative_to(PACKAGE).as_posix(), path.read_text()) == [], f"{path.relative_to(ROOT)} names workspace keys literally"


def test_the_check_finds_a_literal() -> None:
    source = 'def f(workspace):\n    workspace.read("snn/mean_rate")\n    workspace.write(f"x/{1}", 0)\n'
    assert key_literals("agents/probe.py", source) == [
        "2: 'snn/mean_rate'", "2: a literal key in read()", "3: a literal key in write()"]
    assert key_literals("llm/prompts.py", 'PROMPTS = {"modulation": ""}') == []


def test_docs_are_generated_from_the_table() -> None:
    assert (ROOT / "docs" / "workspace-keys.md").read_text() == keys.markdown(), \
        "docs/workspace-keys.md is stale: run python tools/gen_workspace_keys.py"


def test_each_key_is_declared_once() -> None:
    names = [spec.name for spec in keys.TABLE]
    assert len(names) == len(set(names))
    assert all(spec.writer and spec.type for spec in keys.TABLE)


def test_key_families_follow_their_patterns() -> None:
    assert keys.island_prefix(0) == ""
    assert keys.island_prefix(3) + "epoch" == "soup/island/3/epoch"
    assert keys.actor_status("soup-2") == "cluster/soup-2/status"
