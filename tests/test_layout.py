"""The tree explains itself: every source file states its job in its first lines, and the README's
layout block names exactly the folders that exist (issue #13)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PY_DIRS = ("python", "bench", "tools", "tests")
CPP_SUFFIXES = {".cpp", ".hpp", ".cu", ".cuh", ".h"}


def _python_files() -> list[Path]:
    return sorted(p for d in PY_DIRS for p in (ROOT / d).rglob("*.py")
                  if "generated" not in p.parts and "__pycache__" not in p.parts)


def _cpp_files() -> list[Path]:
    return sorted(p for p in (ROOT / "cpp").rglob("*") if p.suffix in CPP_SUFFIXES)


@pytest.mark.parametrize("path", _python_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_python_file_states_its_job(path: Path) -> None:
    source = path.read_text()
    if not source.strip():  # an empty __init__.py marks a package and has no job to state
        return
    assert ast.get_docstring(ast.parse(source)), f"{path.relative_to(ROOT)} has no module docstring"


@pytest.mark.parametrize("path", _cpp_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_cpp_file_states_its_job(path: Path) -> None:
    lines = [line.strip() for line in path.read_text().splitlines() if line.strip()]
    lines = [line for line in lines if line != "#pragma once"]
    assert lines and lines[0].startswith(("//", "/*")), \
        f"{path.relative_to(ROOT)} does not open with a comment saying what it is for"


def _layout_block() -> str:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Layout", 1)[1]
    return section.split("```", 2)[1]


def _folders(base: Path) -> set[str]:
    return {p.name for p in base.iterdir()
            if p.is_dir() and p.name != "__pycache__" and not p.name.startswith(".")}


@pytest.mark.parametrize("base", ["cpp", "python/neurosys"])
def test_readme_layout_names_every_folder(base: str) -> None:
    block = _layout_block()
    named = set(re.findall(r"([A-Za-z_][\w-]*)/", block))
    missing = _folders(ROOT / base) - named
    assert not missing, f"README layout does not name {sorted(missing)} under {base}/"


def test_readme_layout_names_only_what_exists() -> None:
    skip = {".git", "build", "dist", "runs", "node_modules", "__pycache__"}
    existing = {p.name for p in ROOT.rglob("*") if p.is_dir()
                and not skip & set(p.relative_to(ROOT).parts) and not p.name.startswith(".venv")}
    named = set(re.findall(r"(\.?[A-Za-z_][\w-]*)/", _layout_block()))
    assert not named - existing, f"README layout names folders that do not exist: {sorted(named - existing)}"
