"""The CUDA path: refused clearly without a device; statistically identical to the CPU path
(atomics make conductance sums order-dependent, so not bitwise) when a GPU is present."""

import numpy as np
import pytest

from brian2_reference import spike_statistics
from neurosys import _core, snn
from neurosys.snn import models
from neurosys.units import nS

has_gpu = _core.has_cuda and _core.cuda_device_count() > 0


@pytest.mark.skipif(has_gpu, reason="this machine has a CUDA device")
def test_cuda_request_without_a_device_names_the_argument():
    with pytest.raises(ValueError, match="device"):
        snn.Network(device="cuda")
    assert snn.Network(device="auto").device == "cpu"


@pytest.mark.cuda
@pytest.mark.skipif(not has_gpu, reason="needs a CUDA device")
def test_coba_on_cuda_matches_cpu_statistics():
    stats = {}
    for device in ("cpu", "cuda"):
        rows = []
        for seed in (1, 2, 3):
            net, E, I = models.coba(seed=seed, device=device)
            assert net.device == device
            se, si = net.monitor_spikes(E), net.monitor_spikes(I)
            net.run(1.0)
            rows.append(spike_statistics(np.r_[se.times, si.times],
                                         np.r_[se.indices, si.indices + E.n], 4000, 1.0))
        stats[device] = rows
    for key, floor in (("rate", 1.0), ("silent", 0.04), ("cv", 0.1)):
        a = np.mean([r[key] for r in stats["cpu"]])
        b = np.mean([r[key] for r in stats["cuda"]])
        assert abs(a - b) <= floor


def _plastic_delayed_network(device: str) -> tuple[snn.Network, object, object]:
    """Poisson inputs one-to-one onto LIF neurons through plastic synapses with a 2 ms delay,
    plus recurrent plastic synapses: every conductance sum has one term per step or is summed
    in any order to the same rounding, so CPU and GPU give the same spikes."""
    net = snn.Network(seed=7, device=device)
    inp = net.poisson("in", 200, rate=40.0)
    P = net.population("P", 200, v_thresh=-55e-3)
    ff = net.connect(inp, P, rule="one_to_one", weight=30 * nS, delay=2e-3,
                     stdp=snn.STDP(w_max=60 * nS))
    net.connect(P, P, i=np.arange(199), j=np.arange(1, 200), weight=5 * nS, delay=1e-3,
                stdp=snn.STDP(w_max=20 * nS, rule="multiplicative"))
    return net, P, ff


@pytest.mark.cuda
@pytest.mark.skipif(not has_gpu, reason="needs a CUDA device")
def test_stdp_and_delays_on_cuda_match_the_cpu():
    runs = {}
    for device in ("cpu", "cuda"):
        net, P, ff = _plastic_delayed_network(device)
        mon = net.monitor_spikes(P)
        net.run(0.3)
        net.run(0.2)  # state (weights, traces, spikes in flight) carries over between runs
        runs[device] = (mon.times.copy(), mon.indices.copy(), np.array(ff.weights))
    (t0, i0, w0), (t1, i1, w1) = runs["cpu"], runs["cuda"]
    assert len(i0) > 100
    np.testing.assert_array_equal(i0, i1)
    np.testing.assert_allclose(t0, t1)
    np.testing.assert_allclose(w0, w1, rtol=1e-6, atol=1e-15)
