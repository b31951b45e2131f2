"""Reference networks built with the public API, shared by the tests, the benchmark and the
``neurosys snn`` command: COBA, Song & Abbott's STDP network, and the Potjans & Diesmann
cortical microcircuit (its own module, ``microcircuit.py``)."""

from __future__ import annotations

import numpy as np

from neurosys.arguments import integer
from neurosys.limits import check_range, engine_limit
from neurosys.snn.microcircuit import microcircuit
from neurosys.snn.network import Channel, Network, Population
from neurosys.snn.stdp import STDP
from neurosys.units import Hz, mV, ms, nS


def coba(n: int = 4000, inputs: int = 80, seed: int = 1, dt: float = 0.1 * ms,
         threads: int | None = None, stdp: bool = False,
         device: str = "auto", method: str | None = None) -> tuple[Network, Population, Population]:
    """Vogels & Abbott (2005) / Brette et al. (2007) benchmark 1 (COBA): 80 % excitatory (E),
    20 % inhibitory (I), each neuron receiving ``inputs`` connections on average (p = 0.02 at
    n = 4000); g_leak 10 nS (R_m 100 MOhm), tau_m 20 ms, E_exc 0 mV, E_inh -80 mV,
    tau_exc 5 ms, tau_inh 10 ms, w_exc 6 nS, w_inh 67 nS, refractory 5 ms; v uniform in
    [v_reset, v_thresh], conductances started at N(40, 15) nS and N(200, 120) nS.
    ``stdp=True`` makes the E->E synapses plastic (for the STDP cost benchmark); ``method``
    is the membrane integrator (None: the population default)."""
    # n, not the populations' sizes derived from it, is what a bad value must be reported as
    check_range("n", integer("n", n), engine_limit("snn", "n_neurons"))
    net = Network(dt=dt, seed=seed, threads=threads, device=device)
    n_exc = int(0.8 * n)
    p = inputs / n
    rng = np.random.default_rng(seed)
    groups = []
    for name, size in (("E", n_exc), ("I", n - n_exc)):
        pop = net.population(name, size, tau_m=20 * ms, v_rest=-60 * mV, v_thresh=-50 * mV,
                             v_reset=-60 * mV, t_ref=5 * ms, R_m=100e6,
                             **({} if method is None else {"method": method}))
        pop.v = -60 * mV + rng.random(size) * 10 * mV
        pop.g("exc")[:] = (rng.standard_normal(size) * 1.5 + 4) * 10 * nS
        pop.g("inh")[:] = (rng.standard_normal(size) * 12 + 20) * 10 * nS
        groups.append(pop)
    E, I = groups
    rule = STDP(w_max=12 * nS) if stdp else None
    for post in (E, I):
        net.connect(E, post, p=p, weight=6 * nS, channel="exc", stdp=rule if post is E else None)
        net.connect(I, post, p=p, weight=67 * nS, channel="inh")
    return net, E, I


def song_abbott(seed: int = 1, n_inputs: int = 1000, rate: float = 15 * Hz,
                dt: float = 0.1 * ms) -> tuple[Network, object, object]:
    """Brian2's examples/synapses/STDP.py (Song, Miller & Abbott 2000): 1000 Poisson inputs at
    15 Hz onto one neuron, tau_m 10 ms, E_l -74 mV, threshold -54 mV, reset -60 mV, no
    refractory period, synaptic input ge (Ee - vr) with Ee = 0 and tau_e 5 ms (a current-based
    channel), gmax 0.01 (in units of the leak conductance), A+ = 0.01 gmax, A- = 1.05 A+,
    tau_pre = tau_post = 20 ms, weights uniform in [0, gmax]."""
    net = Network(dt=dt, seed=seed, threads=1)
    R_m = 1.0  # conductances in units of the leak conductance, as in the Brian2 example
    drive = 0 * mV - (-60 * mV)  # ge * (Ee - vr)
    post = net.population("post", 1, tau_m=10 * ms, v_rest=-74 * mV, v_thresh=-54 * mV,
                          v_reset=-60 * mV, t_ref=0.0, R_m=R_m,
                          channels={"exc": Channel(tau=5 * ms, current=True)})
    post.v = -74 * mV
    inp = net.poisson("input", n_inputs, rate=rate)
    gmax = 0.01 * drive / R_m
    proj = net.connect(inp, post, rule="all_to_all", weight=0.0, channel="exc",
                       stdp=STDP(w_max=gmax, A_plus=0.01, A_minus=0.0105))
    rng = np.random.default_rng(seed)
    proj.weights = rng.random(len(proj)) * gmax
    return net, post, proj
