"""`neurosys sweep CONFIG` for both experiments on the session's Ray cluster: table, figure,
resume; and the sweep file's checks."""

from __future__ import annotations

import pytest

from neurosys.cli import main
from neurosys.sweep import read_results
from neurosys.sweep.config import load_sweep


def write(tmp_path, text: str):
    path = tmp_path / "sweep.toml"
    path.write_text(text)
    return path


def sweep_file(tmp_path, experiment: str, out, grid: str, fixed: str):
    return write(tmp_path, f'experiment = "{experiment}"\nout_dir = "{out}"\n'
                           f"[fixed]\n{fixed}\n[grid]\n{grid}\n")


def test_soup_transition_sweep_writes_table_and_figure_and_resumes(ray_cluster, tmp_path):
    out = tmp_path / "out"
    cfg = sweep_file(tmp_path, "soup_transition", out, "seed = [0, 1]",
                     "size = 256\nmax_epochs = 32\nevery = 16\nhoe = 100.0")
    assert main(["sweep", str(cfg), "--no-progress"]) == 0
    rows = read_results(out)
    assert sorted(r["seed"] for r in rows) == [0, 1]
    assert all(r["epochs_run"] == 32 and r["transition_epoch"] is None for r in rows)
    assert (out / "figure.png").stat().st_size > 0
    traces = sorted(out.glob("points/*/trace.csv"))
    assert len(traces) == 2 and len(traces[0].read_text().splitlines()) == 1 + 3
    # a larger max_epochs is a new point; its checkpoint is its own
    cfg.write_text(cfg.read_text().replace("max_epochs = 32", "max_epochs = 48"))
    assert main(["sweep", str(cfg), "--no-progress"]) == 0
    assert len(read_results(out)) == 4
    assert main(["sweep", str(cfg), "--no-progress"]) == 0  # all done: nothing reruns
    assert len(read_results(out)) == 4


def test_snn_sweep(ray_cluster, tmp_path):
    out = tmp_path / "snn"
    cfg = sweep_file(tmp_path, "snn", out, "i_inj_nA = [0.1, 0.3]", "n_neurons = 60\nduration = 0.1")
    assert main(["sweep", str(cfg), "--no-progress"]) == 0
    rows = read_results(out)
    assert sorted(r["i_inj_nA"] for r in rows) == [0.1, 0.3]
    assert all(isinstance(r["mean_rate"], float) for r in rows)
    assert (out / "figure.png").is_file()


@pytest.mark.parametrize("text, match", [
    ('experiment = "nope"\n[grid]\nseed = [1]', "experiment: expected one of soup_transition, snn"),
    ('experiment = "snn"', "no points"),
    ('experiment = "snn"\n[grid]\nseed = 1', r"grid.seed: expected a list"),
    ('experiment = "snn"\nbogus = 1\n[grid]\nseed = [1]', "unknown keys"),
    ('experiment = "snn"\ncpus_per_point = 0\n[grid]\nseed = [1]', "cpus_per_point"),
])
def test_bad_sweep_files_are_named(tmp_path, text, match):
    with pytest.raises(ValueError, match=match):
        load_sweep(write(tmp_path, text))


@pytest.mark.parametrize("text, match", [
    ('experiment = "snn"\n[grid]\nneurons = [10]', "snn points do not accept 'neurons'"),
    ('experiment = "soup_transition"\n[grid]\nsize = [64, -5]', r"grid.size\[1\] must be an even number in \[2, "),
    ('experiment = "soup_transition"\n[fixed]\nmutation_rate = 2\n[grid]\nseed = [1]', r"fixed.mutation_rate must be in \[0, 1\]"),
    ('experiment = "snn"\n[[points]]\nn_neurons = 1', r"points\[0\].n_neurons must be in \[2, "),
    ('experiment = "abiogenesis"\n[grid]\nseed = [1.5]\narm = ["none"]', r"grid.seed\[0\] must be an integer"),
])
def test_bad_points_are_refused_before_ray_starts(tmp_path, text, match, capsys):
    """The sweep's points are checked where the file writes them, before any Ray task (#23)."""
    from neurosys.errors import ParameterError

    with pytest.raises(ParameterError, match=match):
        load_sweep(write(tmp_path, text))
    out = tmp_path / "o"
    assert main(["sweep", str(write(tmp_path, f'out_dir = "{out}"\n' + text)), "--no-progress"]) == 2
    assert not out.exists()  # nothing ran
