"""examples/: every script runs as a newcomer would run it (shortened by its own arguments), every
sweep file's points are accepted by its experiment and run through `neurosys sweep` (shrunk to
seconds), `neurosys sweep` with no argument lists them, and the README names each one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import tomli_w

from neurosys.cli import main
from neurosys.sweep import read_results
from neurosys.sweep.config import example_sweeps, load_sweep

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SCRIPTS = sorted(EXAMPLES.glob("*.py"))
SWEEPS = sorted((EXAMPLES / "sweeps").glob("*.toml"))

# Each script with arguments that keep it to seconds, and a line its output must contain.
SCRIPT_RUNS = {
    "snn_coba.py": (["--seconds", "0.2", "--neurons", "800", "--figure", "{tmp}/raster.png"],
                    "E: 640 neurons"),
    "soup_replicators.py": (["--size", "512", "--epochs", "128", "--copies", "32"],
                            "most common program"),
    "workspace_attach.py": ([], "reader: version"),
    "llm_decision.py": ([], "40.0 Hz ->"),
    "ledger_rewards.py": (["--dir", "{tmp}/ledger"], "balances: inventor-1 3"),
}
# Each experiment's point shrunk to seconds (the example's other keys are kept).
SHRINK = {
    "soup_transition": {"size": 256, "max_epochs": 32, "every": 16},
    "snn": {"n_neurons": 60, "duration": 0.1},
    "abiogenesis": {"size": 256, "cap": 256},
}


def test_every_script_has_a_run_here():
    assert {p.name for p in SCRIPTS} == set(SCRIPT_RUNS)


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_script_runs(script, tmp_path):
    args, expected = SCRIPT_RUNS[script.name]
    done = subprocess.run([sys.executable, str(script), *(a.format(tmp=tmp_path) for a in args)],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert expected in done.stdout, done.stdout
    if script.name == "snn_coba.py":
        assert (tmp_path / "raster.png").stat().st_size > 0


@pytest.mark.parametrize("sweep", SWEEPS, ids=lambda p: p.stem)
def test_sweep_file_runs_shrunk(sweep, tmp_path, ray_cluster):
    spec = load_sweep(sweep)
    assert len(spec.points) >= 2 and spec.experiment in SHRINK
    point = {**spec.points[0], **SHRINK[spec.experiment]}
    shrunk = tmp_path / "sweep.toml"
    shrunk.write_text(tomli_w.dumps({"experiment": spec.experiment, "out_dir": str(tmp_path / "out"),
                                     "points": [point]}))
    assert main(["sweep", str(shrunk), "--no-progress"]) == 0
    rows = read_results(tmp_path / "out")
    assert len(rows) == 1 and (tmp_path / "out" / "figure.png").stat().st_size > 0


def test_sweep_without_argument_lists_the_examples(capsys):
    assert main(["sweep"]) == 0
    out = capsys.readouterr().out
    for path in SWEEPS:
        assert path.stem in out
    assert set(example_sweeps()) >= {p.stem for p in SWEEPS}


def test_a_sweep_is_named_by_its_example_name_and_a_wrong_name_is_explained(capsys):
    assert main(["sweep", "no_such_example"]) == 2
    out = capsys.readouterr().out
    assert "no_such_example" in out and "soup_transition" in out


def test_the_readme_names_every_example():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for path in [*SCRIPTS, *SWEEPS]:
        assert str(path.relative_to(ROOT)) in readme, path
