"""The seed's network as a system component: ``NeuromorphicNetwork(workspace, store)``.

1000 conductance-based LIF neurons (80 % excitatory, 20 % inhibitory), random connectivity
p = 0.1, excitatory weights starting at 0.5 nS with STDP on the E->E synapses, dt = 0.1 ms. The
orchestrator calls ``step(duration)`` from its own thread; the simulation runs with the GIL
released. After each chunk the network publishes its ``snn/*`` keys and ``neural_activations``
(see docs/workspace-keys.md), applies a new ``modulation`` value from the workspace to the
injected current, and logs every spike and sampled voltages to the run store's
``neural_activity(time, neuron_id, variable, value)`` table."""

from __future__ import annotations

import math
import threading
from collections import deque
from itertools import repeat
from typing import Any

import numpy as np

from neurosys.arguments import integer, real
from neurosys.limits import check_range, engine_default, engine_limit
from neurosys.snn.network import Network
from neurosys.snn.stdp import STDP
from neurosys.units import Hz, mV, ms, nA, nS
from neurosys.workspace import keys

TABLE = "neural_activity"
SCHEMA = "time REAL, neuron_id INTEGER, variable TEXT, value REAL"
RASTER_MAX = 5000
HISTORY = 200
# The preset's size and step: their rules and defaults are the engine's (cpp/snn/limits.hpp).
N_NEURONS: int = engine_default("snn", "n_neurons", int)
DT: float = engine_default("snn", "dt")


def synchrony(steps: np.ndarray, indices: np.ndarray, n: int, n_steps: int, bin_steps: int) -> float:
    """Golomb's chi^2: variance of the population-averaged binned activity over the mean
    variance of single neurons' binned activity (1: fully synchronous, ~0: asynchronous)."""
    bins = max(1, n_steps // bin_steps)
    if n == 0 or len(indices) == 0 or bins < 2:
        return 0.0
    counts = np.zeros((n, bins))
    np.add.at(counts, (indices, np.minimum(steps // bin_steps, bins - 1)), 1.0)
    single = counts.var(axis=1).mean()
    if single <= 0:
        return 0.0
    return float(min(1.0, counts.mean(axis=0).var() / single))


class NeuromorphicNetwork:
    """The seed's spiking network wired to a workspace and a run store (both optional)."""

    def __init__(self, workspace: Any = None, store: Any = None, *, n_neurons: int = N_NEURONS,
                 connection_prob: float = 0.1, weight: float = 0.5 * nS,
                 inh_weight: float = 4 * nS, i_inj: float = 0.17 * nA, dt: float = DT,
                 device: str = "auto", seed: int = 0, stdp: bool = True,
                 modulation_step: float = 0.01 * nA, i_inj_range: tuple[float, float] = (0.0, 1 * nA),
                 voltage_neurons: int = 10, voltage_every: float = 1 * ms,
                 log_spikes: bool = True, threads: int | None = None) -> None:
        n_neurons = integer("n_neurons", n_neurons)
        check_range("n_neurons", n_neurons, engine_limit("snn", "n_neurons"))
        # the engine's rule for p, under the name the caller wrote
        check_range("connection_prob", real("connection_prob", connection_prob), engine_limit("snn", "p"))
        for name, value in (("weight", weight), ("inh_weight", inh_weight), ("i_inj", i_inj),
                            ("modulation_step", modulation_step)):
            if not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ValueError(f"{name} must be a finite number, got {value!r}")
        lo, hi = i_inj_range
        if not (math.isfinite(lo) and math.isfinite(hi) and lo <= hi):
            raise ValueError("i_inj_range must be (low, high) with low <= high")
        self.workspace, self.store = workspace, store
        self.modulation_step, self.i_inj_range = modulation_step, (lo, hi)
        self.net = Network(dt=dt, seed=seed, device=device, threads=threads)
        n_exc = max(1, int(round(0.8 * n_neurons)))
        params = dict(tau_m=20 * ms, v_rest=-65 * mV, v_thresh=-50 * mV, v_reset=-65 * mV,
                      t_ref=5 * ms, R_m=100e6)
        self.E = self.net.population("E", n_exc, **params)
        self.I = self.net.population("I", n_neurons - n_exc, **params)
        rng = np.random.default_rng(seed)
        # heterogeneous excitability keeps the network from locking into synchrony
        self._gain = {pop.name: 1.0 + 0.1 * rng.standard_normal(pop.n) for pop in (self.E, self.I)}
        for pop in (self.E, self.I):
            pop.v = -65 * mV + rng.random(pop.n) * 15 * mV
        self.noise = self.net.poisson("noise", 200, rate=10 * Hz)
        rule = STDP(w_max=2 * weight) if stdp else None
        self.plastic = self.net.connect(self.E, self.E, p=connection_prob, weight=weight,
                                        stdp=rule)
        self.net.connect(self.E, self.I, p=connection_prob, weight=weight)
        for post in (self.E, self.I):
            self.net.connect(self.I, post, p=connection_prob, weight=inh_weight, channel="inh")
            self.net.connect(self.noise, post, p=0.1, weight=1 * nS)
        self._spikes = {pop.name: self.net.monitor_spikes(pop) for pop in (self.E, self.I)}
        k = min(voltage_neurons, n_exc)
        self.voltage_ids = np.linspace(0, n_exc - 1, k).astype(np.int64) if k > 0 else np.zeros(0, np.int64)
        self._voltages = (self.net.monitor_state(self.E, "v", self.voltage_ids, every=voltage_every)
                          if k > 0 else None)
        self.log_spikes = log_spikes
        self.rate_history: deque[float] = deque(maxlen=HISTORY)
        self.activations = np.zeros(n_neurons)
        self.mean_rate = 0.0
        self._lock = threading.Lock()
        self._modulation_version: int | None = None
        self._i_inj = 0.0
        self.set_target_current(i_inj)
        if store is not None:
            store.create_table(TABLE, SCHEMA, component="snn", version=1, indexes=("time",))

    # -- control hooks ---------------------------------------------------------------------------
    @property
    def n(self) -> int:
        return self.E.n + self.I.n

    @property
    def i_inj(self) -> float:
        """The current injected into every neuron (A), before per-neuron heterogeneity."""
        return self._i_inj

    def set_target_current(self, amps: float) -> float:
        """Set the injected current (A), clipped to ``i_inj_range``; returns the value used.
        Takes effect at the next chunk if called while ``step`` is running."""
        amps = float(amps)
        if not math.isfinite(amps):
            raise ValueError(f"amps must be finite, got {amps!r}")
        with self._lock:
            self._i_inj = min(max(amps, self.i_inj_range[0]), self.i_inj_range[1])
            if not self.net._core.running:
                self._push_current()
        return self._i_inj

    def apply_modulation(self, value: Any) -> float:
        """The seed's modulation: "increase" / "decrease" / "maintain", or a number (a step in
        nA). Returns the new injected current (A)."""
        if isinstance(value, str):
            step = {"increase": 1.0, "decrease": -1.0, "maintain": 0.0}.get(value.strip().lower())
            if step is None:
                raise ValueError(f"modulation must be 'increase', 'decrease', 'maintain' or a "
                                 f"number, got {value!r}")
            return self.set_target_current(self._i_inj + step * self.modulation_step)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
            return self.set_target_current(self._i_inj + float(value) * nA)
        raise ValueError(f"modulation must be 'increase', 'decrease', 'maintain' or a number, "
                         f"got {value!r}")

    def _push_current(self) -> None:
        for pop in (self.E, self.I):
            pop.I_inj = self._i_inj * self._gain[pop.name]

    def _read_modulation(self) -> None:
        if self.workspace is None:
            return
        try:
            meta = self.workspace.read_meta(keys.MODULATION)
        except KeyError:
            return
        if meta.version == self._modulation_version:
            return  # each write is applied once
        self._modulation_version = meta.version
        try:
            self.apply_modulation(meta.value)
        except ValueError:
            pass  # a malformed command from another component is ignored, not fatal

    # -- the step the orchestrator calls -------------------------------------------------------------
    def step(self, duration: float = 1.0) -> dict[str, Any]:
        """Simulate ``duration`` seconds (GIL released), then publish and log. Returns the
        summary it published."""
        self._read_modulation()
        with self._lock:
            self._push_current()
        t0 = self.net.t
        ran = self.net.run(duration)
        return self._publish(t0, ran)

    def stop(self) -> None:
        """Interrupt a running ``step`` (thread-safe); it returns after the current dt."""
        self.net.stop()

    def _publish(self, t0: float, ran: float) -> dict[str, Any]:
        dt = self.net.dt
        e_t, e_i = self._spikes["E"].take()
        i_t, i_i = self._spikes["I"].take()
        times = np.concatenate([e_t, i_t])
        ids = np.concatenate([e_i, i_i + self.E.n]).astype(np.int32)
        order = np.argsort(times, kind="stable")
        times, ids = times[order], ids[order]
        span = max(ran, dt)
        self.activations = np.bincount(ids, minlength=self.n) / span
        self.mean_rate = float(self.activations.mean())
        self.rate_history.append(self.mean_rate)
        n_steps = int(round(ran / dt))
        steps = np.rint((times - t0) / dt).astype(np.int64)
        sync = synchrony(steps, ids, self.n, n_steps, max(1, int(round(5 * ms / dt))))
        v_times, v_values = (self._voltages.take() if self._voltages is not None
                             else (np.zeros(0), np.zeros((0, 0))))
        voltage_now = self.E.v[self.voltage_ids].astype(np.float64)
        summary = {"mean_rate": self.mean_rate, "synchrony": sync, "time": self.net.t,
                   "i_inj": self._i_inj, "spikes": int(len(ids))}
        ws = self.workspace
        if ws is not None:
            ws.write(keys.NEURAL_ACTIVATIONS, self.activations.astype(np.float64))
            ws.write(keys.SNN_MEAN_RATE, self.mean_rate)
            ws.write(keys.SNN_RATE_HISTORY, np.asarray(self.rate_history, dtype=np.float64))
            ws.write(keys.SNN_SYNCHRONY, sync)
            ws.write(keys.SNN_VOLTAGE_SAMPLE, voltage_now)
            keep = slice(max(0, len(ids) - RASTER_MAX), None)
            ws.write(keys.SNN_RASTER, {"times": times[keep].astype(np.float64),
                                    "indices": ids[keep].astype(np.int32)})
            ws.write(keys.SNN_TIME, self.net.t)
            ws.write(keys.SNN_I_INJ, self._i_inj)
        if self.store is not None:
            if self.log_spikes and len(ids):
                self.store.insert_many(TABLE, zip(times.tolist(), ids.tolist(), repeat("spike"),
                                                  repeat(1.0)))
            if len(v_times):
                rows = [(t, int(nid), "v", float(v)) for t, row in zip(v_times.tolist(), v_values)
                        for nid, v in zip(self.voltage_ids.tolist(), row.tolist())]
                self.store.insert_many(TABLE, rows)
        return summary

    def close(self) -> None:
        """Stop a running step and flush nothing further (the store belongs to the caller)."""
        self.net.stop()
