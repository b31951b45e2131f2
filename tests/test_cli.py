"""The neurosys command: entry point, python -m, --version, --help on every subcommand."""

from __future__ import annotations

import subprocess
import sys

import pytest

import neurosys
from neurosys.cli import SUBCOMMANDS, main


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "neurosys", *args], capture_output=True, text=True,
                          timeout=120)


def test_version_via_python_m():
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"neurosys {neurosys.__version__}"


def test_help_lists_every_subcommand():
    result = run("--help")
    assert result.returncode == 0
    for name in SUBCOMMANDS:
        assert name in result.stdout


@pytest.mark.parametrize("name", SUBCOMMANDS)
def test_every_subcommand_has_help(name, capsys):
    with pytest.raises(SystemExit) as exc:
        main([name, "--help"])
    assert exc.value.code == 0
    assert "usage: neurosys " + name in capsys.readouterr().out


def test_no_command_prints_help(capsys):
    assert main([]) == 2
    assert "usage: neurosys" in capsys.readouterr().out


def test_unknown_command_is_an_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["no-such-command"])
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_info_reports_the_build(capsys):
    from neurosys import _core

    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert ("CUDA kernels:  built" in out) == _core.has_cuda
    assert f"CUDA devices:  {_core.cuda_device_count()}" in out
