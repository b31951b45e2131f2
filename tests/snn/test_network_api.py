"""Construction, connectivity, state access, monitors and run semantics of neurosys.snn."""

import threading

import numpy as np
import pytest

from neurosys import snn
from neurosys.snn import models
from neurosys.units import Hz, mV, ms, nA, nS


def small_net(seed=1, threads=1):
    net = snn.Network(dt=0.1 * ms, seed=seed, threads=threads)
    E = net.population("E", 400)
    inp = net.poisson("in", 200, rate=20 * Hz)
    net.connect(inp, E, p=0.1, weight=3 * nS)
    net.connect(E, E, p=0.05, weight=0.5 * nS, delay=2 * ms)
    return net, E


def test_issue_api_sketch_runs():
    net = snn.Network(dt=0.1 * ms, seed=1, device="auto")
    E = net.population("E", 320, tau_m=20 * ms, v_rest=-60 * mV, v_thresh=-50 * mV,
                       v_reset=-60 * mV, t_ref=5 * ms, R_m=100e6)
    E.I_inj = 0.2 * nA
    proj = net.connect(E, E, p=0.02, weight=0.4 * nS, channel="exc",
                       stdp=snn.STDP(w_max=1 * nS))
    net.poisson("in", 100, rate=15 * Hz)
    spikes = net.monitor_spikes(E)
    v = net.monitor_state(E, "v", indices=[0, 1], every=1 * ms)
    net.run(0.2)
    assert net.t == pytest.approx(0.2)
    assert len(spikes) > 0 and spikes.times.dtype == np.float64 and spikes.indices.dtype == np.int32
    assert np.all(np.diff(spikes.times) >= 0)
    assert v.values.shape == (200, 2) and np.allclose(np.diff(v.times), 1 * ms)
    assert proj.plastic and np.all((proj.weights >= 0) & (proj.weights <= 1 * nS))


def test_fixed_probability_statistics_and_no_self_connections():
    net = snn.Network(seed=3)
    A = net.population("A", 2000)
    proj = net.connect(A, A, p=0.02, weight=1 * nS)
    n = len(proj)
    expected = 2000 * 1999 * 0.02
    assert abs(n - expected) < 5 * np.sqrt(expected * 0.98)  # binomial, 5 sigma
    assert not np.any(proj.sources == proj.targets)
    per_target = np.bincount(proj.targets, minlength=2000)
    assert 0.5 * 40 < per_target.mean() < 1.5 * 40
    with_self = net.connect(A, A, p=1.0, allow_self=True, channel="inh")
    assert len(with_self) == 2000 * 2000


def test_explicit_one_to_one_and_all_to_all():
    net = snn.Network()
    A, B = net.population("A", 5), net.population("B", 5)
    p = net.connect(A, B, i=[4, 0, 0, 2], j=[1, 3, 1, 2], weight=[1.0, 2.0, 3.0, 4.0])
    pairs = {(int(s), int(t)): float(w) for s, t, w in zip(p.sources, p.targets, p.weights)}
    assert pairs == {(4, 1): 1.0, (0, 3): 2.0, (0, 1): 3.0, (2, 2): 4.0}
    o = net.connect(A, B, rule="one_to_one", weight=1e-9)
    assert np.array_equal(o.sources, o.targets) and len(o) == 5
    a = net.connect(A, A, rule="all_to_all", weight=1e-9)
    assert len(a) == 20 and not np.any(a.sources == a.targets)


def test_weights_are_zero_copy_and_writable():
    net, E = small_net()
    proj = net.projections[0]
    w = proj.weights
    assert w.dtype == np.float32 and not w.flags.owndata
    w[:] = 0.0
    assert np.all(proj.weights == 0.0)
    proj.weights = np.full(len(proj), 2e-9)
    assert np.allclose(w, 2e-9)
    assert proj.bytes_per_synapse == 8.0
    with pytest.raises(ValueError, match="weights"):
        proj.weights = np.zeros(len(proj) + 1)


def test_state_views_and_injected_current():
    net = snn.Network()
    P = net.population("P", 3)
    P.I_inj = [0.0, 0.03 * nA, 0.06 * nA]  # below threshold
    P.v[:] = -55 * mV
    net.run(0.05)
    v = P.v.copy()
    assert v[0] < v[1] < v[2]  # more current, more depolarised
    with pytest.raises(ValueError, match="I_inj"):
        P.I_inj = np.zeros(4)
    with pytest.raises(ValueError, match="I_inj"):
        P.I_inj = np.nan


def test_runs_continue_where_they_stopped():
    one, E1 = small_net(seed=5)
    m1 = one.monitor_spikes(E1)
    one.run(0.2)
    two, E2 = small_net(seed=5)
    m2 = two.monitor_spikes(E2)
    two.run(0.05)
    two.run(0.1)
    two.run(0.05)
    assert np.array_equal(m1.steps, m2.steps) and np.array_equal(m1.indices, m2.indices)
    assert np.array_equal(E1.v, E2.v)


def test_reproducible_whatever_the_thread_count():
    results = []
    for threads in (1, 2, 3):
        net, E, I = models.coba(n=1000, seed=7, threads=threads, stdp=True)
        m = net.monitor_spikes(E)
        net.run(0.1)
        results.append((m.steps.copy(), m.indices.copy(), E.v.copy(),
                        net.projections[0].weights.copy()))
    for other in results[1:]:
        for a, b in zip(results[0], other):
            assert np.array_equal(a, b)
    assert len(results[0][0]) > 0


def test_different_seeds_differ():
    a, Ea = small_net(seed=1)
    b, Eb = small_net(seed=2)
    ma, mb = a.monitor_spikes(Ea), b.monitor_spikes(Eb)
    a.run(0.1)
    b.run(0.1)
    assert not np.array_equal(ma.indices, mb.indices)


def test_delay_shifts_the_postsynaptic_response():
    # one presynaptic spike, read the conductance onset on the target
    onsets = []
    for delay in (0.1 * ms, 1.5 * ms):
        net = snn.Network(dt=0.1 * ms)
        pre = net.population("pre", 1, t_ref=50 * ms)
        post = net.population("post", 1)
        net.connect(pre, post, i=[0], j=[0], weight=1 * nS, delay=delay)
        g = net.monitor_state(post, "exc", indices=[0])
        pre.v = -49 * mV  # above threshold: spikes in the first step
        net.run(3 * ms)
        onsets.append(np.argmax(g.values[:, 0] > 0))
    assert onsets[1] - onsets[0] == 14


def test_poisson_rate_and_rate_change():
    net = snn.Network(seed=4)
    src = net.poisson("src", 1000, rate=10 * Hz)
    m = net.monitor_spikes(src)
    rates = net.monitor_rate(src)
    net.run(1.0)
    assert abs(len(m) - 10000) < 5 * 100  # Poisson count, 5 sigma
    src.rate = 40 * Hz
    net.run(0.5)
    later = (m.times >= 1.0).sum()
    assert abs(later - 20000) < 5 * np.sqrt(20000)
    assert rates.rate.shape == (15000,) and rates.rate.mean() == pytest.approx(len(m) / 1000 / 1.5)
    src.rate = np.zeros(1000)
    before = len(m)
    net.run(0.1)
    assert len(m) == before


def test_spike_monitor_subset_and_take():
    net, E = small_net()
    sub = net.monitor_spikes(E, indices=[0, 1, 2])
    full = net.monitor_spikes(E)
    net.run(0.3)
    assert set(np.unique(sub.indices)) <= {0, 1, 2}
    mask = np.isin(full.indices, [0, 1, 2])
    assert np.array_equal(sub.times, full.times[mask])
    t, i = full.take()
    assert len(full) == 0 and len(t) == len(i) > 0


def test_stop_from_another_thread_releases_the_gil():
    net, E = small_net()
    ticks = []
    done = threading.Event()

    def other():
        while not done.is_set():  # keeps running only if the GIL is released by run()
            ticks.append(1)
            if len(ticks) == 200:
                net.stop()
            threading.Event().wait(0.001)

    th = threading.Thread(target=other)
    th.start()
    ran = net.run(1000.0)
    done.set()
    th.join()
    assert 0 < ran < 1000.0 and net.t == pytest.approx(ran)
    assert len(ticks) >= 200


def _sampled_every(every):
    net = snn.Network()
    return net.monitor_state(net.population("P", 1), every=every)


@pytest.mark.parametrize("call, arg", [
    (lambda: snn.Network(dt=0), "dt"),
    (lambda: snn.Network(dt=float("nan")), "dt"),
    (lambda: snn.Network(device="tpu"), "device"),
    (lambda: snn.Network(seed=-1), "seed"),
    (lambda: snn.Network().population("P", -3), "n"),
    (lambda: snn.Network().population("P", 3, tau_m=-1.0), "tau_m"),
    (lambda: snn.Network().population("P", 3, v_thresh=float("inf")), "v_thresh"),
    (lambda: snn.Network().population("P", 3, method="rk4"), "method"),
    (lambda: snn.Network().population("P", 3, v_reset=-40 * mV), "v_reset"),
    (lambda: snn.Network().poisson("S", 3, rate=-1.0), "rate"),
    (lambda: snn.Network().poisson("S", 3, rate=[1.0, 2.0]), "rate"),
    (lambda: snn.STDP(w_max=-1.0), "w_max"),
    (lambda: snn.STDP(w_max=1.0, rule="triplet"), "rule"),
    (lambda: snn.STDP(w_max=1.0, tau_pre=0.0), "tau_pre"),
    (lambda: snn.Network(threads=0), "threads"),
    (lambda: snn.Network().population("P", 1.5), "n"),
    (lambda: _sampled_every(0.0), "every"),
])
def test_bad_input_raises_value_error_naming_the_argument(call, arg):
    with pytest.raises(ValueError, match=arg):
        call()


def test_bad_connect_arguments():
    net = snn.Network()
    A, B = net.population("A", 3), net.population("B", 4)
    S = net.poisson("S", 2, rate=1.0)
    for kwargs, arg in [(dict(p=1.5), "p"), (dict(p=-0.1), "p"), (dict(p=float("nan")), "p"),
                        (dict(p=0.1, channel="nmda"), "channel"), (dict(p=0.1, delay=-1.0), "delay"),
                        (dict(i=[0, 1], j=[0]), "i and j"), (dict(i=[0, 5], j=[0, 1]), "i"),
                        (dict(i=[0, 1], j=[0, 1], weight=[1.0, 2.0, 3.0]), "weight"),
                        (dict(rule="one_to_one"), "one_to_one"), (dict(), "exactly one")]:
        with pytest.raises(ValueError, match=arg):
            net.connect(A, B, **kwargs)
    with pytest.raises(ValueError, match="post"):
        net.connect(A, S, p=0.1)
    with pytest.raises(ValueError, match="name"):
        net.population("A", 2)
    with pytest.raises(ValueError, match="duration"):
        net.run(-1.0)
    with pytest.raises(ValueError, match="variable"):
        net.monitor_state(A, "w")
