"""The seed's network as a component: workspace keys, modulation, run-store logging."""

import threading

import numpy as np
import pytest

from neurosys.snn import NeuromorphicNetwork
from neurosys.units import nA


def test_step_publishes_the_documented_keys(workspace, store):
    nn = NeuromorphicNetwork(workspace, store, seed=1)
    summary = nn.step(0.3)
    acts = workspace.read("neural_activations")
    assert isinstance(acts, np.ndarray) and acts.shape == (1000,) and acts.dtype == np.float64
    assert workspace.read("snn/mean_rate") == pytest.approx(acts.mean()) == pytest.approx(summary["mean_rate"])
    assert 1.0 < summary["mean_rate"] < 100.0
    assert 0.0 <= workspace.read("snn/synchrony") <= 1.0
    v = workspace.read("snn/voltage_sample")
    assert v.dtype == np.float64 and np.all((v > -0.1) & (v < 0.0))
    raster = workspace.read("snn/raster")
    assert len(raster["times"]) == len(raster["indices"]) == min(summary["spikes"], 5000)
    assert raster["indices"].dtype == np.int32
    assert workspace.read("snn/time") == pytest.approx(0.3)
    assert workspace.read("snn/i_inj") == pytest.approx(nn.i_inj)
    nn.step(0.2)
    assert len(workspace.read("snn/rate_history")) == 2


def test_spikes_and_voltages_are_logged_to_the_run_store(workspace, store):
    nn = NeuromorphicNetwork(workspace, store, seed=2, voltage_neurons=4)
    summary = nn.step(0.2)
    (n_spikes,) = store.query("SELECT COUNT(*) FROM neural_activity WHERE variable='spike'")[0]
    assert n_spikes == summary["spikes"] > 0
    rows = store.query("SELECT time, neuron_id, value FROM neural_activity WHERE variable='v' "
                       "ORDER BY time, neuron_id")
    assert len(rows) == 4 * 200  # 4 neurons every 1 ms for 200 ms
    assert {r[1] for r in rows} == set(nn.voltage_ids.tolist())
    assert all(-0.1 < r[2] < 0.0 for r in rows)


def test_modulation_from_the_workspace_changes_the_current_once_per_write(workspace):
    nn = NeuromorphicNetwork(workspace, seed=3)
    base = nn.i_inj
    workspace.write("modulation", "increase")
    nn.step(0.05)
    assert nn.i_inj == pytest.approx(base + nn.modulation_step)
    nn.step(0.05)  # the same write is not applied twice
    assert nn.i_inj == pytest.approx(base + nn.modulation_step)
    workspace.write("modulation", -0.05)  # a number is a step in nA
    nn.step(0.05)
    assert nn.i_inj == pytest.approx(base + nn.modulation_step - 0.05 * nA)
    workspace.write("modulation", "nonsense")
    nn.step(0.05)  # ignored
    assert nn.i_inj == pytest.approx(base + nn.modulation_step - 0.05 * nA)


def test_more_current_means_more_activity():
    low = NeuromorphicNetwork(seed=4)
    high = NeuromorphicNetwork(seed=4)
    high.set_target_current(low.i_inj + 0.1 * nA)
    assert high.step(0.5)["mean_rate"] > low.step(0.5)["mean_rate"] * 1.3


def test_apply_modulation_rejects_bad_values():
    nn = NeuromorphicNetwork(seed=5, n_neurons=50)
    for bad in ("louder", float("nan"), None, [1]):
        with pytest.raises(ValueError, match="modulation"):
            nn.apply_modulation(bad)
    with pytest.raises(ValueError, match="n_neurons"):
        NeuromorphicNetwork(n_neurons=0)


def test_step_runs_without_the_gil_and_can_be_stopped():
    nn = NeuromorphicNetwork(seed=6)
    result = {}
    th = threading.Thread(target=lambda: result.update(nn.step(100.0)))
    th.start()
    counter = 0
    # this loop only advances if step() released the GIL; 0.5 s of simulated time (tens of
    # ms of work) so that a busy machine still lets it run at least once
    while nn.net.t < 0.5:
        counter += 1
        threading.Event().wait(0.001)
    nn.stop()
    th.join(timeout=30)
    assert not th.is_alive() and 0.5 <= result["time"] < 100.0 and counter > 0
