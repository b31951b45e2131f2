"""The cortical microcircuit of Potjans & Diesmann (2014), the benchmark of spiking simulators:
77,169 current-based LIF neurons (NEST's ``iaf_psc_exp``, exact integration) in 8 populations
(L2/3, L4, L5, L6, each excitatory and inhibitory), about 0.3 billion synapses drawn by
NEST's ``fixed_total_number`` rule, normally distributed weights and delays, and Poisson or DC
background. The tables are the published ones, as the reference implementation
(INM-6/microcircuit-PD14-model, PyPI ``microcircuit``) holds them; ``scale`` and ``k_scale``
mean its ``N_scaling`` and ``K_scaling``, with its compensation of a reduced in-degree (weights
x 1/sqrt(k_scale), the missing mean input as DC).

Two conventions differ between NEST and this engine and are translated here, so that the model
is NEST's: NEST adds an input arriving at a step after that step's membrane update, this engine
before it, so NEST's delay of D steps is this engine's D + 1; NEST keeps a neuron clamped for
t_ref / dt steps after its spike step, this engine for round(t_ref / dt) - 1, so t_ref gains a dt.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from neurosys.arguments import integer, real, seed as seed_value, text
from neurosys.snn.network import Channel, Network, Population
from neurosys.units import Hz, mV, ms

__all__ = ["POPULATIONS", "Microcircuit", "microcircuit", "derived_parameters"]

POPULATIONS = ("L23E", "L23I", "L4E", "L4I", "L5E", "L5I", "L6E", "L6I")
FULL_NEURONS = np.array([20683, 5834, 21915, 5479, 4850, 1065, 14395, 2948])
# Connection probabilities, [target, source], in POPULATIONS order (Potjans & Diesmann 2014, Table 5)
CONN_PROBS = np.array([
    [0.1009, 0.1689, 0.0437, 0.0818, 0.0323, 0.0, 0.0076, 0.0],
    [0.1346, 0.1371, 0.0316, 0.0515, 0.0755, 0.0, 0.0042, 0.0],
    [0.0077, 0.0059, 0.0497, 0.135, 0.0067, 0.0003, 0.0453, 0.0],
    [0.0691, 0.0029, 0.0794, 0.1597, 0.0033, 0.0, 0.1057, 0.0],
    [0.1004, 0.0622, 0.0505, 0.0057, 0.0831, 0.3726, 0.0204, 0.0],
    [0.0548, 0.0269, 0.0257, 0.0022, 0.06, 0.3158, 0.0086, 0.0],
    [0.0156, 0.0066, 0.0211, 0.0166, 0.0572, 0.0197, 0.0396, 0.2252],
    [0.0364, 0.001, 0.0034, 0.0005, 0.0277, 0.008, 0.0658, 0.1443]])
K_EXT = np.array([1600, 1500, 2100, 1900, 2000, 1900, 2900, 2100])  # external in-degrees
# Rates of the full model (Hz), used only to compensate a reduced in-degree (k_scale < 1).
FULL_MEAN_RATES = np.array([0.903, 2.965, 4.414, 5.876, 7.569, 8.633, 1.105, 7.829])
PSP_EXC = 0.15 * mV           # mean excitatory PSP amplitude (L4E -> L23E: twice that)
G_REL = -4.0                  # inhibitory PSP relative to excitatory
WEIGHT_REL_STD = 0.1
DELAY_EXC, DELAY_INH, DELAY_REL_STD = 1.5 * ms, 0.75 * ms, 0.5
BG_RATE = 8.0 * Hz
NEURON = dict(E_L=-65.0 * mV, V_th=-50.0 * mV, V_reset=-65.0 * mV, C_m=250e-12, tau_m=10.0 * ms,
              tau_syn=0.5 * ms, t_ref=2.0 * ms)
# Initial membrane potentials ("optimized": per population, reducing the initial burst)
V0_MEAN = np.array([-68.28, -63.16, -63.33, -63.45, -63.11, -61.66, -66.72, -61.43]) * mV
V0_STD = np.array([5.36, 4.57, 4.74, 4.94, 4.94, 4.55, 5.46, 4.48]) * mV
BACKGROUNDS = ("poisson", "dc")


def psc_per_psp(C_m: float, tau_m: float, tau_syn: float) -> float:
    """The PSC amplitude (A) per volt of PSP peak for an exponential current into a leaky
    membrane: the PSP of a current J e^(-t/tau_s) peaks at t* = ln(tau_m/tau_s) tau_m tau_s /
    (tau_m - tau_s) with height J tau_m tau_s (e^(-t*/tau_m) - e^(-t*/tau_s)) / (C_m (tau_m - tau_s))."""
    t_peak = math.log(tau_m / tau_syn) * tau_m * tau_syn / (tau_m - tau_syn)
    height = tau_m * tau_syn * (math.exp(-t_peak / tau_m) - math.exp(-t_peak / tau_syn)) / (
        C_m * (tau_m - tau_syn))
    return 1.0 / height


def full_synapse_counts() -> np.ndarray:
    """Synapses [target, source] of the full model: the count K for which a pair is connected
    at least once with the table's probability, K = ln(1 - p) / ln(1 - 1 / (N_post N_pre))."""
    pairs = np.outer(FULL_NEURONS, FULL_NEURONS).astype(np.float64)
    return np.log(1.0 - CONN_PROBS) / np.log((pairs - 1.0) / pairs)


def derived_parameters(scale: float = 1.0, k_scale: float = 1.0,
                       background: str = "poisson") -> dict[str, Any]:
    """Sizes, synapse counts, weights (A), the external in-degrees and weight, and the DC (A)
    of the scaled model, as the reference implementation derives them."""
    n = np.round(FULL_NEURONS * scale).astype(np.int64)
    full_syn = full_synapse_counts()
    synapses = np.round(full_syn * scale * k_scale).astype(np.int64)
    per_psp = psc_per_psp(NEURON["C_m"], NEURON["tau_m"], NEURON["tau_syn"])
    psp = np.zeros((8, 8))
    psp[:, 0::2], psp[:, 1::2] = PSP_EXC, PSP_EXC * G_REL
    psp[0, 2] = 2.0 * PSP_EXC  # L4E -> L23E
    weights = psp * per_psp
    w_ext = PSP_EXC * per_psp
    tau_s = NEURON["tau_syn"]
    dc = BG_RATE * K_EXT * w_ext * tau_s if background == "dc" else np.zeros(8)
    if k_scale != 1.0:
        # the mean input a reduced in-degree with weights x 1/sqrt(k) no longer brings, as DC
        missing = 1.0 - math.sqrt(k_scale)
        indegree = full_syn / FULL_NEURONS[:, None]
        dc = dc + tau_s * missing * (weights * indegree * FULL_MEAN_RATES).sum(axis=1)
        if background == "poisson":
            dc = dc + tau_s * missing * w_ext * K_EXT * BG_RATE
        weights, w_ext = weights / math.sqrt(k_scale), w_ext / math.sqrt(k_scale)
    return {"n": n, "synapses": synapses, "weights": weights, "w_ext": w_ext,
            "k_ext": np.round(K_EXT * k_scale).astype(np.int64), "dc": dc}


@dataclass
class Microcircuit:
    """The built model: ``network``, its 8 ``populations`` by name, and a spike monitor per
    population in ``spikes`` (when recorded). Unpacks as ``net, pops = microcircuit(...)``."""

    network: Network
    populations: dict[str, Population]
    spikes: dict[str, Any] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)

    def __iter__(self) -> Iterator[Any]:
        return iter((self.network, self.populations))


def microcircuit(scale: float = 1.0, k_scale: float = 1.0, background: str = "poisson",
                 seed: int = 55, *, dt: float = 0.1 * ms, threads: int | None = None,
                 record: bool = True, delay_rel_std: float = DELAY_REL_STD) -> Microcircuit:
    """Build the Potjans & Diesmann (2014) microcircuit.

    ``scale``: the fraction of neurons (the reference's N_scaling; in-degrees stay those of the
    full model); ``k_scale``: the fraction of in-degrees (K_scaling; weights x 1/sqrt(k_scale)
    and DC make up the mean input); ``background``: ``"poisson"`` (each neuron its own Poisson
    input of K_ext x 8 Hz) or ``"dc"`` (its mean as a constant current); ``record``: a spike
    monitor per population; ``delay_rel_std``: the delays' relative spread (the reference's
    parameter; 0 gives one delay per projection, which NIR can hold). Runs on the CPU (delays
    per synapse and Poisson drives have no CUDA path yet)."""
    scale, k_scale = real("scale", scale), real("k_scale", k_scale)
    delay_rel_std = real("delay_rel_std", delay_rel_std)
    if delay_rel_std < 0:
        raise ValueError(f"delay_rel_std must be >= 0, got {delay_rel_std!r}")
    if not 0.0 < scale <= 1.0:
        raise ValueError(f"scale must be in (0, 1], got {scale!r}")
    if not 0.0 < k_scale <= 1.0:
        raise ValueError(f"k_scale must be in (0, 1], got {k_scale!r}")
    background = text("background", background)
    if background not in BACKGROUNDS:
        raise ValueError(f"background must be one of {BACKGROUNDS}, got {background!r}")
    seed = seed_value(seed)
    par = derived_parameters(scale, k_scale, background)
    if (par["n"] < 1).any():
        raise ValueError(f"scale={scale} leaves a population without neurons")
    net = Network(dt=dt, seed=seed, device="cpu", threads=threads)
    channels = {"exc": Channel(tau=NEURON["tau_syn"], current=True),
                "inh": Channel(tau=NEURON["tau_syn"], current=True)}
    rng = np.random.default_rng(integer("seed", seed) ^ 0x5D14)
    pops: dict[str, Population] = {}
    for k, name in enumerate(POPULATIONS):
        pop = net.population(
            name, int(par["n"][k]), tau_m=NEURON["tau_m"], v_rest=NEURON["E_L"],
            v_thresh=NEURON["V_th"], v_reset=NEURON["V_reset"], t_ref=NEURON["t_ref"] + dt,
            R_m=NEURON["tau_m"] / NEURON["C_m"], channels=channels, method="exact",
            v_init=rng.normal(V0_MEAN[k], V0_STD[k], int(par["n"][k])))
        pop.I_inj = par["dc"][k]
        pops[name] = pop
    for i, target in enumerate(POPULATIONS):
        for j, source in enumerate(POPULATIONS):
            count = int(par["synapses"][i, j])
            if count == 0:
                continue
            w = float(par["weights"][i, j])
            mean = DELAY_EXC if j % 2 == 0 else DELAY_INH
            net.connect(pops[source], pops[target], rule="fixed_total_number", n=count,
                        channel="exc" if w > 0 else "inh", weight=w,
                        weight_std=abs(w) * WEIGHT_REL_STD, delay=mean + dt,
                        delay_std=mean * delay_rel_std, delay_min=0.5 * dt + dt)
    if background == "poisson":
        for k, name in enumerate(POPULATIONS):
            net.poisson_drive(pops[name], rate=float(par["k_ext"][k]) * BG_RATE,
                              weight=float(par["w_ext"]), channel="exc")
    spikes = {name: net.monitor_spikes(pop) for name, pop in pops.items()} if record else {}
    return Microcircuit(net, pops, spikes, par)
