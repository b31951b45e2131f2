"""The Potjans & Diesmann (2014) microcircuit and what it needs from the engine: NEST's
fixed_total_number rule with normal weights and delays per synapse, Poisson drives, and the
exact integration of exponential currents (iaf_psc_exp). The validation against NEST itself is
tests/snn/test_microcircuit_nest.py."""

from __future__ import annotations

import math

import numpy as np
import pytest

from neurosys.snn import Channel, Network
from neurosys.snn.microcircuit import (FULL_NEURONS, POPULATIONS, derived_parameters,
                                       full_synapse_counts, microcircuit, psc_per_psp)
from neurosys.snn.nir_io import to_nir
from neurosys.units import mV, ms, pA


def test_published_tables_and_derived_values():
    par = derived_parameters(1.0)
    assert par["n"].sum() == 77169
    total = full_synapse_counts().sum()
    assert 2.9e8 < total < 3.1e8  # "about 0.3 billion synapses"
    # the published PSC of a 0.15 mV PSP for C_m 250 pF, tau_m 10 ms, tau_syn 0.5 ms: 87.8 pA
    assert 0.15 * mV * psc_per_psp(250e-12, 10 * ms, 0.5 * ms) == pytest.approx(87.81 * pA, rel=1e-3)
    assert par["weights"][0, 2] == pytest.approx(2 * par["weights"][0, 0])  # L4E -> L23E doubled
    assert par["weights"][0, 1] == pytest.approx(-4 * par["weights"][0, 0])
    assert (par["dc"] == 0).all()
    # a reduced in-degree: weights x 1/sqrt(k), in-degree x k, the missing mean input as DC
    low = derived_parameters(0.1, 0.5)
    assert low["weights"][0, 0] == pytest.approx(par["weights"][0, 0] / math.sqrt(0.5))
    assert (low["synapses"] == np.round(full_synapse_counts() * 0.05)).all()
    assert (low["dc"] > 0).all()
    dc = derived_parameters(1.0, background="dc")["dc"]
    assert dc[0] == pytest.approx(8.0 * 1600 * par["w_ext"] * 0.5 * ms)


def test_small_microcircuit_matches_its_tables():
    mc = microcircuit(scale=0.02, seed=3, threads=1)
    net, pops = mc
    assert list(pops) == list(POPULATIONS)
    assert [len(p) for p in pops.values()] == list(np.round(FULL_NEURONS * 0.02).astype(int))
    counts = {(p.pre.name, p.post.name): len(p) for p in net.projections}
    par = mc.parameters
    for i, target in enumerate(POPULATIONS):
        for j, source in enumerate(POPULATIONS):
            assert counts.get((source, target), 0) == par["synapses"][i, j]
    proj = next(p for p in net.projections if (p.pre.name, p.post.name) == ("L4E", "L4E"))
    w = proj.weights
    assert w.mean() == pytest.approx(par["weights"][2, 2], rel=0.01)
    assert w.std() == pytest.approx(0.1 * par["weights"][2, 2], rel=0.05)
    assert (w > 0).all()
    inh = next(p for p in net.projections if (p.pre.name, p.post.name) == ("L4I", "L4E"))
    assert (inh.weights < 0).all() and inh.channel == "inh"
    # NEST's 1.5 +- 0.75 ms redrawn below 0.05 ms, rounded, plus this engine's one step
    d = proj.delays.astype(float)
    # the mean of N(15, 7.5) steps truncated below 0.5: 15 + 7.5 phi(a) / (1 - Phi(a))
    a = (0.5 - 15) / 7.5
    shift = 7.5 * math.exp(-a * a / 2) / math.sqrt(2 * math.pi) / (0.5 * math.erfc(a / math.sqrt(2)))
    assert d.min() >= 2 and d.mean() == pytest.approx(15 + shift + 1, abs=0.05)
    assert d.std() == pytest.approx(7.5, rel=0.1)
    assert (inh.delays >= 2).all() and inh.delays.mean() == pytest.approx(7.5 + 1 + 0.25, abs=0.5)
    assert proj.bytes_per_synapse == 9.0


def test_the_same_seed_gives_the_same_spikes_whatever_the_thread_count():
    def spikes(threads: int) -> list[np.ndarray]:
        mc = microcircuit(scale=0.02, seed=7, threads=threads)
        mc.network.run(0.2)
        return [np.concatenate(m.take()) for m in mc.spikes.values()]

    one, two = spikes(1), spikes(2)
    assert sum(a.size for a in one) > 100
    for a, b in zip(one, two):
        assert np.array_equal(a, b)
    other = microcircuit(scale=0.02, seed=8, threads=1)
    other.network.run(0.2)
    assert not all(np.array_equal(a, np.concatenate(m.take())) for a, m in zip(one, other.spikes.values()))


def test_exponential_current_is_integrated_exactly():
    """One input spike into a current channel under method="exact": v follows NEST's
    iaf_psc_exp propagators to rounding, J tau_m tau_s / (C (tau_m - tau_s)) (e^-t/tau_m - e^-t/tau_s)."""
    dt, tau_m, tau_s, C = 0.1 * ms, 10 * ms, 0.5 * ms, 250e-12
    net = Network(dt=dt, seed=0, threads=1, device="cpu")
    src = net.poisson("src", 1, rate=0.0)
    pop = net.population("n", 1, tau_m=tau_m, v_rest=0.0, v_thresh=1.0, v_reset=0.0, t_ref=2 * ms,
                         R_m=tau_m / C, method="exact",
                         channels={"exc": Channel(tau=tau_s, current=True)})
    net.connect(src, pop, i=[0], j=[0], weight=100 * pA, channel="exc")
    trace = net.monitor_state(pop, "v")
    pop.g("exc")[:] = 100 * pA  # the current at t = 0, as if a spike just arrived
    net.run(5 * ms)
    t = (np.arange(1, 51)) * dt
    J = 100 * pA
    expected = J * tau_m * tau_s / (C * (tau_m - tau_s)) * (np.exp(-t / tau_m) - np.exp(-t / tau_s))
    assert np.asarray(trace.values).ravel()[:50] == pytest.approx(expected, rel=1e-9, abs=1e-15)


def test_poisson_drive_counts_and_rates():
    net = Network(dt=0.1 * ms, seed=2, threads=1, device="cpu")
    pop = net.population("p", 2000, v_thresh=1.0, v_rest=0.0, v_reset=0.0, method="exact",
                         channels={"exc": Channel(tau=0.5 * ms, current=True)})
    net.poisson_drive(pop, rate=12800.0, weight=1.0, channel="exc")  # 1.28 spikes a step
    g = pop.g("exc")
    draws = []
    for _ in range(20):
        g[:] = 0.0
        net.run(0.1 * ms)
        draws.append(g.copy())  # this step's counts (the update decays them only next step)
    k = np.concatenate(draws)
    assert k.mean() == pytest.approx(1.28, rel=0.03) and k.var() == pytest.approx(1.28, rel=0.06)
    assert k.max() >= 5  # several spikes a step, as NEST's poisson_generator sends
    with pytest.raises(ValueError, match="rate"):
        net.poisson_drive(pop, rate=-1.0, weight=1.0)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="scale"):
        microcircuit(scale=0)
    with pytest.raises(ValueError, match="k_scale"):
        microcircuit(scale=0.01, k_scale=2)
    with pytest.raises(ValueError, match="background"):
        microcircuit(scale=0.01, background="noise")
    with pytest.raises(ValueError, match="delay_rel_std"):
        microcircuit(scale=0.01, delay_rel_std=-1)
    net = Network(dt=0.1 * ms, seed=0, device="cpu")
    a = net.population("a", 10)
    with pytest.raises(ValueError, match="needs n"):
        net.connect(a, a, rule="fixed_total_number", weight=1e-9)
    with pytest.raises(ValueError, match="n_synapses"):
        net.connect(a, a, rule="fixed_total_number", n=-3, weight=1e-9)
    with pytest.raises(ValueError, match="delay_mean"):
        net.connect(a, a, rule="fixed_total_number", n=10, weight=1e-9, delay=1.0)
    with pytest.raises(ValueError, match="255 steps"):
        net.connect(a, a, rule="fixed_total_number", n=1000, weight=1e-9, delay=20 * ms,
                    delay_std=5 * ms)


def test_nir_export_names_the_per_synapse_delays_and_round_trips_uniform_ones(tmp_path):
    mc = microcircuit(scale=0.01, seed=1, threads=1)
    with pytest.raises(ValueError, match=r"L23E -> L23E.exc\) has a delay per synapse"):
        to_nir(mc.network)
    mc = microcircuit(scale=0.01, seed=1, threads=1, delay_rel_std=0.0, background="dc",
                      k_scale=0.5)
    import nir

    path = tmp_path / "mc.nir"
    nir.write(str(path), to_nir(mc.network))
    back = Network.from_nir(path, seed=1, threads=1)
    assert list(back.groups) == list(POPULATIONS)
    for name in POPULATIONS:
        assert np.allclose(back.groups[name].I_inj, mc.populations[name].I_inj)
    net = mc.network

    def summed(network: Network) -> dict[tuple[str, str], tuple[float, int]]:
        out = {}
        for p in network.projections:
            out[(p.pre.name, p.post.name, p.channel)] = (float(p.weights.astype(float).sum()),
                                                         int(p.delays[0]))
        return out

    a, b = summed(net), summed(back)
    assert a.keys() == b.keys()
    for key in a:
        assert b[key][0] == pytest.approx(a[key][0], rel=1e-5) and b[key][1] == a[key][1]
    poisson = microcircuit(scale=0.01, seed=1, threads=1, delay_rel_std=0.0)
    again = Network.from_nir(poisson.network.to_nir(), seed=1, threads=1)
    assert again.groups["L4E"].drives == poisson.populations["L4E"].drives
