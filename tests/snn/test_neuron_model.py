"""The neuron model against closed-form results."""

import math

import numpy as np
import pytest

from neurosys import snn
from neurosys.units import mV, ms, nA, nS


def analytic_rate(I, tau_m=20 * ms, v_rest=-60 * mV, v_thresh=-50 * mV, v_reset=-60 * mV,
                  t_ref=5 * ms, R_m=100e6):
    v_inf = v_rest + R_m * I
    return 1.0 / (t_ref + tau_m * math.log((v_inf - v_reset) / (v_inf - v_thresh)))


@pytest.mark.parametrize("I", [0.12 * nA, 0.15 * nA, 0.3 * nA, 1.0 * nA])
def test_constant_input_rate_matches_the_analytic_lif_rate(I):
    net = snn.Network(dt=0.1 * ms)
    P = net.population("P", 1, method="exact")
    P.I_inj = I
    m = net.monitor_spikes(P)
    net.run(2.0)
    isi = np.diff(m.times)
    rate = 1.0 / isi.mean()
    assert rate == pytest.approx(analytic_rate(I), rel=0.01)


def test_forward_euler_option_also_matches_at_small_dt():
    net = snn.Network(dt=0.01 * ms)
    P = net.population("P", 1, method="euler")
    P.I_inj = 0.15 * nA
    m = net.monitor_spikes(P)
    net.run(1.0)
    assert 1.0 / np.diff(m.times).mean() == pytest.approx(analytic_rate(0.15 * nA), rel=0.01)


def test_subthreshold_relaxation_is_exact():
    net = snn.Network(dt=0.1 * ms)
    P = net.population("P", 1, method="exact")
    P.I_inj = 0.05 * nA  # v_inf = -55 mV, below threshold
    v = net.monitor_state(P, "v", indices=[0])
    net.run(50 * ms)
    expected = -55 * mV + (-60 * mV + 55 * mV) * np.exp(-v.times / (20 * ms))
    np.testing.assert_allclose(v.values[:, 0], expected, rtol=1e-12, atol=0)


def test_conductance_decays_exactly_exponentially():
    net = snn.Network(dt=0.1 * ms)
    pre = net.population("pre", 1, t_ref=1.0)
    post = net.population("post", 1)
    net.connect(pre, post, i=[0], j=[0], weight=2 * nS, channel="inh")
    g = net.monitor_state(post, "inh", indices=[0])
    pre.v = -49 * mV  # fires in the first step; the jump is in g at the end of that step
    net.run(30 * ms)
    values = g.values[:, 0]
    k0 = int(np.argmax(values > 0))
    t = g.times[k0:] - g.times[k0]
    np.testing.assert_allclose(values[k0:], values[k0] * np.exp(-t / (10 * ms)), rtol=1e-12)
    assert k0 == 0 and values[k0] == pytest.approx(np.float32(2 * nS), rel=1e-12)


def test_refractory_period_clamps_at_reset():
    net = snn.Network(dt=0.1 * ms)
    P = net.population("P", 1, t_ref=5 * ms)
    P.I_inj = 5 * nA  # very strong: fires as soon as it is allowed
    m = net.monitor_spikes(P)
    net.run(0.1)
    isi = np.diff(m.times)
    assert np.all(isi >= 5 * ms - 1e-12) and np.all(isi < 6 * ms)


def test_conductance_channel_drives_v_towards_its_reversal_potential():
    net = snn.Network(dt=0.1 * ms)
    P = net.population("P", 2, v_thresh=100 * mV, v_reset=-70 * mV)
    P.g("exc")[0] = 50 * nS
    P.g("inh")[1] = 50 * nS
    net.run(1 * ms)
    assert P.v[0] > -60 * mV > P.v[1] > -80 * mV
