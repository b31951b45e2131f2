"""Pair-based STDP: the rule itself, then Song, Miller & Abbott's weight distribution."""

import numpy as np
import pytest

from neurosys import snn
from neurosys.snn import models
from neurosys.units import mV, ms, nA, nS


def reference_weight(pre_steps, post_steps, w0, rule, dt):
    """Independent event-by-event evaluation of all-to-all pair STDP with exponential traces,
    in the engine's order within a step: traces jump, pre spikes depress (using the post trace
    before this step's post spike), post spikes potentiate."""
    span = rule.w_max - rule.w_min
    x_pre = x_post = 0.0
    last_pre = last_post = 0
    w = w0
    for s in sorted(set(pre_steps) | set(post_steps)):
        x_pre *= np.exp(-(s - last_pre) * dt / rule.tau_pre)
        x_post *= np.exp(-(s - last_post) * dt / rule.tau_post)
        last_pre = last_post = s
        pre, post = s in pre_steps, s in post_steps
        if pre:
            x_pre += 1.0
            w = np.clip(w - rule.A_minus * span * x_post, rule.w_min, rule.w_max)
        if post:
            x_post += 1.0
            w = np.clip(w + rule.A_plus * span * x_pre, rule.w_min, rule.w_max)
    return w


@pytest.mark.parametrize("i_pre, i_post", [(0.6 * nA, 0.45 * nA), (0.45 * nA, 0.6 * nA),
                                           (0.5 * nA, 0.5 * nA)])
def test_weight_change_matches_the_pair_rule(i_pre, i_post):
    dt = 0.1 * ms
    net = snn.Network(dt=dt)
    pre = net.population("pre", 1)
    post = net.population("post", 1)
    pre.I_inj, post.I_inj = i_pre, i_post
    post.v = -55 * mV
    rule = snn.STDP(w_max=1 * nS, A_plus=0.01, A_minus=0.012)
    proj = net.connect(pre, post, i=[0], j=[0], weight=0.5 * nS, stdp=rule)
    m_pre, m_post = net.monitor_spikes(pre), net.monitor_spikes(post)
    net.run(0.5)
    expected = reference_weight(set(m_pre.steps.tolist()), set(m_post.steps.tolist()),
                                np.float32(0.5 * nS), rule, dt)
    assert len(m_pre) > 10 and len(m_post) > 10
    assert proj.weights[0] == pytest.approx(expected, rel=1e-5)


def test_multiplicative_rule_keeps_weights_inside_soft_bounds():
    net = snn.Network(seed=2)
    inp = net.poisson("in", 200, rate=30.0)
    post = net.population("post", 5)
    post.I_inj = 0.12 * nA
    rule = snn.STDP(w_max=2 * nS, rule="multiplicative", A_plus=0.05, A_minus=0.05)
    proj = net.connect(inp, post, p=0.5, weight=1 * nS, stdp=rule)
    net.run(1.0)
    w = proj.weights
    assert np.all((w > 0) & (w < 2 * nS)) and np.std(w) > 0


def test_plasticity_can_be_switched_off_per_projection():
    net = snn.Network(seed=2)
    inp = net.poisson("in", 100, rate=30.0)
    post = net.population("post", 2)
    proj = net.connect(inp, post, p=0.5, weight=1 * nS, stdp=snn.STDP(w_max=2 * nS))
    proj.plastic = False
    before = proj.weights.copy()
    net.run(0.5)
    assert np.array_equal(before, proj.weights)
    proj.plastic = True
    net.run(0.5)
    assert not np.array_equal(before, proj.weights)


def test_song_miller_abbott_weight_distribution_is_u_shaped():
    """Brian2's examples/synapses/STDP.py, 100 s. Brian2 here: 26-27 % of weights below
    0.1 gmax, 15-17 % above 0.9 gmax, mean 0.43-0.44 gmax, output 60-72 Hz in the first 10 s
    and ~25 Hz in the last 10 s. Tolerances: with 1000 synapses the binomial spread of a
    fraction near 0.25 is 1.4 %, and seed-to-seed drift of the learned distribution adds about
    as much; we allow +-5 % for the fractions and +-0.05 gmax for the mean (about 2.5 sigma of
    the combined spread), and Poisson spread of ~250-700 output spikes for the rates."""
    net, post, proj = models.song_abbott(seed=11)
    spikes = net.monitor_spikes(post)
    net.run(100.0)
    w = proj.weights / proj.stdp.w_max
    assert abs((w < 0.1).mean() - 0.265) < 0.05
    assert abs((w > 0.9).mean() - 0.16) < 0.05
    assert abs(w.mean() - 0.435) < 0.05
    first = (spikes.times < 10).sum() / 10
    last = (spikes.times >= 90).sum() / 10
    assert 50 < first < 85
    assert 17 < last < 33


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


def test_stdp_and_delays_on_every_device_match_the_cpu(device):
    runs = {}
    for on in ("cpu", device):
        net, P, ff = _plastic_delayed_network(on)
        assert net.device == on
        mon = net.monitor_spikes(P)
        net.run(0.3)
        net.run(0.2)  # state (weights, traces, spikes in flight) carries over between runs
        runs[on] = (mon.times.copy(), mon.indices.copy(), np.array(ff.weights))
    (t0, i0, w0), (t1, i1, w1) = runs["cpu"], runs[device]
    assert len(i0) > 100
    np.testing.assert_array_equal(i0, i1)
    np.testing.assert_allclose(t0, t1)
    np.testing.assert_allclose(w0, w1, rtol=1e-6, atol=1e-15)
