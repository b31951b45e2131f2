"""The Brian2 peer of ``neurosys.snn.models.coba`` (same parameters) and the spike statistics
both are compared by; one home for the validation tests (tests/snn) and the benchmark
(bench/bench_snn.py). Brian2 is only in the ``test`` extra, so it is imported inside the
functions that need it (or passed in), never when this module is imported."""

from __future__ import annotations

import numpy as np

from neurosys.snn.statistics import isi_cvs


def coba_brian2_network(b2, seed: int, n: int = 4000, inputs: int = 80,
                        method: str = "exponential_euler"):
    """Brette et al. (2007) benchmark 1 built in the current Brian2 scope (runtime or
    standalone device) with the given integrator ("euler", as Brian ships the example, or
    "exponential_euler", neurosys' "exact"); returns (network, spike monitor)."""
    b2.seed(seed)
    b2.defaultclock.dt = 0.1 * b2.ms
    ns = dict(taum=20 * b2.ms, taue=5 * b2.ms, taui=10 * b2.ms, Vt=-50 * b2.mV, Vr=-60 * b2.mV,
              El=-60 * b2.mV, Ee=0 * b2.mV, Ei=-80 * b2.mV, gl=10 * b2.nS, we=6 * b2.nS,
              wi=67 * b2.nS)
    eqs = """
    dv/dt = (gl*(El - v) + ge*(Ee - v) + gi*(Ei - v)) / (gl*taum) : volt (unless refractory)
    dge/dt = -ge/taue : siemens
    dgi/dt = -gi/taui : siemens
    """
    P = b2.NeuronGroup(n, eqs, threshold="v > Vt", reset="v = Vr", refractory=5 * b2.ms,
                       method=method, namespace=ns)
    P.v = "Vr + rand() * (Vt - Vr)"
    P.ge = "(randn() * 1.5 + 4) * 10 * nS"
    P.gi = "(randn() * 12 + 20) * 10 * nS"
    n_exc = int(0.8 * n)
    Ce = b2.Synapses(P, P, on_pre="ge += we", namespace=ns)
    Ci = b2.Synapses(P, P, on_pre="gi += wi", namespace=ns)
    Ce.connect(f"i < {n_exc}", p=inputs / n)
    Ci.connect(f"i >= {n_exc}", p=inputs / n)
    mon = b2.SpikeMonitor(P)
    return b2.Network(P, Ce, Ci, mon), mon


def coba_brian2(seed: int, n: int = 4000, inputs: int = 80, duration: float = 1.0,
                target: str = "numpy", method: str = "exponential_euler") -> tuple[np.ndarray, np.ndarray]:
    """The COBA network run in Brian2's runtime mode; returns (spike times s, indices)."""
    import brian2 as b2

    b2.start_scope()
    b2.prefs.codegen.target = target
    net, mon = coba_brian2_network(b2, seed, n, inputs, method)
    net.run(duration * b2.second)
    return np.asarray(mon.t / b2.second), np.asarray(mon.i)


def spike_statistics(times: np.ndarray, indices: np.ndarray, n: int,
                     duration: float) -> dict[str, float]:
    """Mean rate (Hz), fraction of silent neurons and mean ISI CV (neurons with >= 3 spikes)."""
    counts = np.bincount(indices, minlength=n)
    cvs = isi_cvs(times, indices, n)
    return {"rate": counts.mean() / duration, "silent": float((counts == 0).mean()),
            "cv": float(np.mean(cvs)) if cvs.size else float("nan")}
