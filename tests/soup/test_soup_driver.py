"""SoupDriver and EvolutionaryDynamics against a real workspace and run store, and the CLI."""

import numpy as np
import pytest

from neurosys.cli import main
from neurosys.soup import KNOWN_REPLICATOR, EvolutionaryDynamics, Soup, SoupDriver


def test_driver_publishes_keys_and_logs_rows(workspace, store):
    soup = Soup(size=512, seed=1, device="cpu")
    driver = SoupDriver(soup, workspace, store, metrics_every=4)
    assert workspace.read("soup/mutation_rate") == pytest.approx(2**-12)
    start = driver.step(3)      # the starting soup is sampled first: the series begins at 0
    assert start is not None and start.epoch == 0 and workspace.read("soup/epoch") == 3
    assert driver.step(0) is None
    m = driver.step(6)          # crosses epoch 4 and 8
    assert m is not None and m.epoch == 8 and soup.epoch == 9
    assert workspace.read("soup/epoch") == 9
    assert workspace.read("avg_entropy") == pytest.approx(m.high_order_entropy)
    assert workspace.read("diversity_index") == pytest.approx(m.distinct / 512)
    metrics = workspace.read("soup/metrics")
    assert metrics["epoch"] == 8 and metrics["distinct"] == m.distinct
    assert list(workspace.read("soup/hoe_history")) == pytest.approx(list(driver.hoe_history))
    assert len(workspace.read("soup/hoe_history")) == 3
    top = workspace.read("soup/top_programs")
    assert 1 <= len(top) <= 10 and isinstance(top[0]["program"], bytes) and top[0]["count"] >= 1
    assert workspace.read("soup/replicators") == []
    rows = store.query("SELECT epoch, high_order_entropy, distinct_programs FROM soup_epochs ORDER BY epoch")
    assert [r[0] for r in rows] == [0, 4, 8]
    assert rows[2][1] == pytest.approx(m.high_order_entropy) and rows[2][2] == m.distinct


def test_a_run_stopped_before_its_first_boundary_keeps_its_starting_row(workspace, store):
    """What a SIGTERM 2 s into a run leaves (tests/system/test_signals.py): the soup at epoch 2
    of metrics_every 4 has published its starting metrics, and the store has that row."""
    soup = Soup(size=256, seed=5, device="cpu")
    driver = SoupDriver(soup, workspace, store, metrics_every=4)
    driver.step(2)
    assert workspace.read("soup/epoch") == 2 and workspace.read("soup/metrics")["epoch"] == 0
    rows = store.query("SELECT epoch, high_order_entropy FROM soup_epochs")
    assert rows == [(0, pytest.approx(workspace.read("avg_entropy")))]


def test_driver_controls_mutation_and_injection(workspace):
    soup = Soup(size=256, seed=2, device="cpu")
    driver = SoupDriver(soup, workspace, None, metrics_every=2)
    driver.set_mutation_rate(0.001)
    assert soup.mutation_rate == 0.001 and workspace.read("soup/mutation_rate") == 0.001
    with pytest.raises(ValueError):
        driver.set_mutation_rate(2.0)
    driver.inject(KNOWN_REPLICATOR, 40)
    driver.step(2)
    assert KNOWN_REPLICATOR in workspace.read("soup/replicators") or \
        KNOWN_REPLICATOR[::-1] in workspace.read("soup/replicators")
    assert driver.known_replicators
    with pytest.raises(ValueError, match="metrics_every"):
        SoupDriver(soup, metrics_every=0)


def test_evolutionary_dynamics_seed_preset(workspace, store):
    ga = EvolutionaryDynamics(workspace, store, soup_size=200, seed=3)
    assert ga.population.shape == (200, 100)
    assert set(np.unique(ga.population).tobytes()) <= set(b"><+-.,[]")
    history = ga.run(8)
    assert [h["epoch"] for h in history] == list(range(8))
    assert workspace.read("avg_entropy") == pytest.approx(history[-1]["avg_entropy"])
    assert workspace.read("diversity_index") == pytest.approx(history[-1]["diversity_index"])
    assert store.query("SELECT COUNT(*) FROM soup_ga_epochs")[0][0] == 8
    # selection pushes fitness up: the best never gets worse with elitism
    bests = [h["best_entropy"] for h in history]
    assert all(b2 >= b1 - 1e-12 for b1, b2 in zip(bests, bests[1:]))
    assert history[-1]["avg_entropy"] > history[0]["avg_entropy"]


def test_evolutionary_dynamics_is_reproducible_and_checks_arguments():
    a = EvolutionaryDynamics(soup_size=50, seed=4)
    b = EvolutionaryDynamics(soup_size=50, seed=4)
    assert a.run(3) == b.run(3)
    assert (a.population == b.population).all()
    with pytest.raises(ValueError, match="crossover_rate"):
        EvolutionaryDynamics(crossover_rate=1.5)
    with pytest.raises(ValueError, match="language"):
        EvolutionaryDynamics(language="x")
    with pytest.raises(ValueError, match="soup_size"):
        EvolutionaryDynamics(soup_size=1)


def test_cli_soup_prints_metrics_lines(capsys, tmp_path):
    ckpt = tmp_path / "s.npz"
    rc = main(["soup", "--size", "256", "--epochs", "8", "--metrics-every", "4", "--seed", "3",
               "--device", "cpu", "--save", str(ckpt)])
    out = capsys.readouterr().out
    assert rc == 0
    lines = [line for line in out.splitlines() if line and line.split()[0].isdigit()]
    assert [int(line.split()[0]) for line in lines] == [4, 8]
    assert ckpt.exists() and Soup.load(ckpt).epoch == 8
    rc = main(["soup", "--load", str(ckpt), "--epochs", "4", "--metrics-every", "4", "--device", "cpu"])
    assert rc == 0 and capsys.readouterr().out.splitlines()[-1].split()[0] == "12"
    rc = main(["soup", "--mode", "ga", "--size", "20", "--epochs", "2", "--language", "bf"])
    assert rc == 0 and len(capsys.readouterr().out.splitlines()) == 3


def test_cli_soup_rejects_bad_arguments(capsys):
    assert main(["soup", "--size", "3", "--epochs", "1"]) == 2
    assert "size" in capsys.readouterr().err
