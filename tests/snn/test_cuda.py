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


@pytest.mark.cuda
@pytest.mark.skipif(not has_gpu, reason="needs a CUDA device")
def test_cuda_refuses_stdp_with_a_clear_error():
    net = snn.Network(device="cuda")
    P = net.population("P", 10)
    net.connect(P, P, p=0.5, weight=1 * nS, stdp=snn.STDP(w_max=2 * nS))
    with pytest.raises(ValueError, match="STDP"):
        net.run(0.01)
