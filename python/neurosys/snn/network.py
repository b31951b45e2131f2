"""The user-facing spiking network: populations, Poisson groups, projections, monitors and
``run``. Quantities are SI floats (use ``neurosys.units``); the work happens in the native core
(``neurosys._core.snn``), which releases the GIL while it simulates. The core checks every
parameter's range (its table, ``_core.snn.limits()``); this module converts arguments to its
types (``neurosys.arguments``) and turns seconds into steps."""

from __future__ import annotations

import math
import os
from typing import Any, Sequence

import numpy as np

from neurosys import _core
from neurosys.arguments import integer, real, seed as seed_value, text
from neurosys.limits import engine_default
from neurosys.snn.channels import DEFAULT_CHANNELS, Channel
from neurosys.snn.monitors import RateMonitor, SpikeMonitor, StateMonitor
from neurosys.snn.stdp import STDP
from neurosys.units import mV, ms

DT: float = engine_default("snn", "dt")  # the engine's default step (0.1 ms)

ArrayLike = Any


def _state_values(name: str, value: ArrayLike, n: int, dtype: type) -> np.ndarray:
    """``value`` checked for a write into an engine array of ``n`` entries: a scalar or one
    finite value per entry (the write goes straight to the array, past the engine's checks)."""
    arr = np.asarray(value, dtype=dtype)
    if arr.ndim > 1 or (arr.ndim == 1 and arr.shape[0] != n):
        raise ValueError(f"{name} must be a scalar or an array of shape ({n},), got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite")
    return arr


class _EngineArray:
    """An engine array of a population or projection, as a zero-copy numpy view
    (``core_name``: the ``_core.snn.Network`` method that returns it); assigning writes into
    it (a scalar or one finite value per entry)."""

    def __init__(self, core_name: str, dtype: type = float) -> None:
        self.core_name, self.dtype = core_name, dtype

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, owner: type | None = None) -> np.ndarray:
        return getattr(obj.net._core, self.core_name)(obj.index)

    def __set__(self, obj: Any, value: ArrayLike) -> None:
        self.__get__(obj)[:] = _state_values(self.name, value, len(obj), self.dtype)


class Group:
    """Common part of neuron populations and Poisson groups."""

    def __init__(self, net: "Network", index: int, name: str, n: int) -> None:
        self.net, self.index, self.name, self.n = net, index, name, n

    def __len__(self) -> int:
        return self.n

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r} n={self.n}>"


class Population(Group):
    """Conductance-based LIF neurons. ``v``, ``I_inj`` and ``g(channel)`` are zero-copy numpy
    views of the native state: write into them (``pop.v[:] = ...``) or assign them to set state."""

    v = _EngineArray("v")
    I_inj = _EngineArray("i_inj")

    def __init__(self, net: "Network", index: int, name: str, n: int,
                 channels: dict[str, Channel], params: dict[str, float], method: str) -> None:
        super().__init__(net, index, name, n)
        self.channels = dict(channels)
        self.params = params
        self.method = method
        self.drives: list[dict[str, Any]] = []  # Network.poisson_drive: channel, rate, weight

    def g(self, channel: str) -> np.ndarray:
        """Conductance (S) or current (A) of ``channel``, one entry per neuron (a view)."""
        names = list(self.channels)
        if channel not in names:
            raise ValueError(f"channel must be one of {names}, got {channel!r}")
        return self.net._core.g(self.index, names.index(channel))


class PoissonGroup(Group):
    """Independent Poisson spike sources; ``rate`` (Hz, per neuron) may change between runs."""

    @property
    def rate(self) -> np.ndarray:
        return self.net._core.rate(self.index).copy()

    @rate.setter
    def rate(self, value: ArrayLike) -> None:
        self.net._core.set_rates(self.index, np.atleast_1d(np.asarray(value, dtype=float)))


class Projection:
    """Synapses from ``pre`` onto one channel of ``post`` (CSR by presynaptic neuron).
    ``weights`` is a zero-copy float32 view in CSR order; ``sources``/``targets`` give the
    (pre, post) index of each entry."""

    weights = _EngineArray("weights", np.float32)

    def __init__(self, net: "Network", index: int, pre: Group, post: Population, channel: str,
                 delay_steps: int, stdp: STDP | None) -> None:
        self.net, self.index, self.pre, self.post = net, index, pre, post
        self.channel, self.delay_steps, self.stdp = channel, delay_steps, stdp

    def __len__(self) -> int:
        return int(self.net._core.n_synapses(self.index))

    @property
    def targets(self) -> np.ndarray:
        return self.net._core.targets(self.index)

    @property
    def sources(self) -> np.ndarray:
        row = self.net._core.row_ptr(self.index)
        return np.repeat(np.arange(self.pre.n, dtype=np.uint32), np.diff(row).astype(np.int64))

    @property
    def plastic(self) -> bool:
        return bool(self.net._core.plastic(self.index))

    @plastic.setter
    def plastic(self, on: bool) -> None:
        self.net._core.set_plastic(self.index, bool(on))

    @property
    def delays(self) -> np.ndarray:
        """Each synapse's delay in steps, in CSR order (a view when they are per synapse)."""
        per_synapse = self.net._core.delays(self.index)
        if per_synapse.size or len(self) == 0:
            return per_synapse
        return np.full(len(self), self.delay_steps, dtype=np.uint8 if self.delay_steps < 256 else np.int32)

    @property
    def bytes_per_synapse(self) -> float:
        """Storage per static synapse: float32 weight + uint32 target (+ a uint8 delay when
        delays are per synapse)."""
        return float(self.net._core.static_bytes_per_synapse(self.index))

    @property
    def memory_bytes(self) -> int:
        """All storage of the projection: synapses, row pointers, delay ring, STDP index."""
        return int(self.net._core.memory_bytes(self.index))


class Network:
    """A spiking network advanced in fixed steps of ``dt`` seconds.

    ``threads=None`` picks one thread for small networks and the CPU count for large ones;
    results are bitwise identical for a seed whatever the thread count. With several threads,
    each run measures whether they beat one thread (a busy machine makes threads wait for each
    other at every step) and uses whichever is faster, re-checking as it goes."""

    def __init__(self, dt: float = DT, seed: int = 0, device: str = "auto",
                 threads: int | None = None) -> None:
        self._threads = None if threads is None else integer("threads", threads)
        self._core = _core.snn.Network(real("dt", dt), seed_value(seed),
                                       1 if threads is None else self._threads,
                                       text("device", device))
        #: "cpu" or "cuda" (the same model, delays and STDP on both)
        self.device: str = self._core.device
        self.groups: dict[str, Group] = {}
        self.projections: list[Projection] = []

    # -- construction -------------------------------------------------------------------------
    @property
    def dt(self) -> float:
        return self._core.dt

    @property
    def t(self) -> float:
        """Simulated time in seconds."""
        return self._core.step * self._core.dt

    def _name(self, name: str) -> str:
        if not isinstance(name, str) or not name:
            raise ValueError(f"name must be a non-empty string, got {name!r}")
        if name in self.groups:
            raise ValueError(f"name {name!r} is already used in this network")
        return name

    def population(self, name: str, n: int, *, tau_m: float = 20 * ms, v_rest: float = -60 * mV,
                   v_thresh: float = -50 * mV, v_reset: float = -60 * mV, t_ref: float = 5 * ms,
                   R_m: float = 100e6, channels: dict[str, Channel] | None = None,
                   method: str = "euler", v_init: ArrayLike | None = None) -> Population:
        """Add ``n`` LIF neurons: ``tau_m dv/dt = (v_rest - v) + R_m (I_syn + I_inj)``.
        ``method``: ``"euler"`` (forward Euler, default: the COBA benchmark's and Brian's
        integrator, stable while dt * (1 + R_m * sum g) / tau_m < 2) or ``"exact"``
        (exponential Euler: conductances frozen over a step, exact for current input, stable
        at any dt, about twice the cost of a neuron update)."""
        name = self._name(name)
        n = integer("n", n)
        params = {k: real(k, val) for k, val in dict(tau_m=tau_m, v_rest=v_rest,
                  v_thresh=v_thresh, v_reset=v_reset, t_ref=t_ref, R_m=R_m).items()}
        channels = dict(DEFAULT_CHANNELS if channels is None else channels)
        if not channels:
            raise ValueError("channels must name at least one synaptic channel")
        spec = []
        for cname, c in channels.items():
            if not isinstance(c, Channel):
                raise ValueError(f"channels[{cname!r}] must be a snn.Channel")
            spec.append((str(cname), real("tau_syn", c.tau), real("E_syn", c.E), bool(c.current)))
        index = self._core.add_population(name, n, params["tau_m"], params["v_rest"],
                                          params["v_thresh"], params["v_reset"], params["t_ref"],
                                          params["R_m"], method, spec)
        pop = Population(self, index, name, n, channels, params, method)
        if v_init is not None:
            pop.v = v_init
        self.groups[name] = pop
        return pop

    def poisson(self, name: str, n: int, rate: ArrayLike) -> PoissonGroup:
        """Add ``n`` independent Poisson sources firing at ``rate`` Hz (scalar or per neuron)."""
        name = self._name(name)
        n = integer("n", n)
        arr = np.atleast_1d(np.asarray(rate, dtype=float))
        index = self._core.add_poisson(name, n, arr)
        group = PoissonGroup(self, index, name, n)
        self.groups[name] = group
        return group

    def _group(self, name: str, g: Any) -> Group:
        if not isinstance(g, Group) or g.net is not self:
            raise ValueError(f"{name} must be a population or Poisson group of this network")
        return g

    def connect(self, pre: Group, post: Population, p: float | None = None, *,
                weight: ArrayLike = 0.0, channel: str = "exc", delay: float | None = None,
                stdp: STDP | None = None, rule: str | None = None, i: ArrayLike | None = None,
                j: ArrayLike | None = None, allow_self: bool = False, n: int | None = None,
                weight_std: float = 0.0, delay_std: float = 0.0,
                delay_min: float | None = None) -> Projection:
        """Connect ``pre`` to ``post``'s ``channel``.

        Rules: ``p=`` fixed probability (no self-connections within a population unless
        ``allow_self``); ``i=, j=`` explicit index arrays; ``rule="one_to_one"`` or
        ``"all_to_all"``; ``rule="fixed_total_number", n=N`` (NEST's rule: N synapses, each
        between a uniformly drawn source and target, autapses and multapses allowed).
        ``weight`` in S (A for current channels): a scalar, or an array per synapse for
        explicit indices. ``delay`` in seconds, rounded to whole steps, at least one step
        (default: one step, the conductance jump is seen by the next update).

        With ``fixed_total_number``, each synapse draws its weight from N(weight, weight_std),
        redrawn until it has the sign of ``weight``, and its delay from N(delay, delay_std),
        redrawn until at least ``delay_min`` (default: dt), then rounded to steps (1 to 255,
        one byte per synapse): NEST's ``nest.math.redraw`` of normal weights and delays."""
        pre = self._group("pre", pre)
        post = self._group("post", post)
        if not isinstance(post, Population):
            raise ValueError("post must be a neuron population (Poisson groups have no inputs)")
        if channel not in post.channels:
            raise ValueError(f"channel must be one of {list(post.channels)}, got {channel!r}")
        if rule == "fixed_total_number":
            return self._connect_total(pre, post, channel, n, weight, weight_std, delay,
                                       delay_std, delay_min)
        if n is not None:
            raise ValueError("n is the synapse count of rule='fixed_total_number' only")
        steps = 1 if delay is None else max(1, self._steps("delay", delay))
        if stdp is not None and not isinstance(stdp, STDP):
            raise ValueError("stdp must be a snn.STDP or None")
        given = [p is not None, i is not None or j is not None, rule is not None]
        if sum(given) != 1:
            raise ValueError("give exactly one of p=, i=/j= or rule=")
        if p is not None:
            index = self._core.connect_random(pre.index, post.index, channel, real("p", p),
                                              real("weight", weight), steps, bool(allow_self))
        else:
            if rule is not None:
                if rule == "one_to_one":
                    if pre.n != post.n:
                        raise ValueError("rule='one_to_one' needs pre and post of the same size")
                    i = j = np.arange(pre.n)
                elif rule == "all_to_all":
                    i = np.repeat(np.arange(pre.n), post.n)
                    j = np.tile(np.arange(post.n), pre.n)
                    if pre is post and not allow_self:
                        keep = i != j
                        i, j = i[keep], j[keep]
                else:
                    raise ValueError(f"rule must be 'one_to_one' or 'all_to_all', got {rule!r}")
            if i is None or j is None:
                raise ValueError("i and j must both be given")
            i_arr, j_arr = np.asarray(i), np.asarray(j)
            if i_arr.shape != j_arr.shape or i_arr.ndim != 1:
                raise ValueError(f"i and j must be 1-D arrays of the same shape, got {i_arr.shape} "
                                 f"and {j_arr.shape}")
            w_arr = np.asarray(weight, dtype=np.float32)
            if w_arr.ndim > 1 or (w_arr.ndim == 1 and w_arr.shape != i_arr.shape):
                raise ValueError(f"weight must be a scalar or have shape {i_arr.shape}, got {w_arr.shape}")
            index = self._core.connect_pairs(pre.index, post.index, channel, i_arr.astype(np.int64),
                                             j_arr.astype(np.int64), np.atleast_1d(w_arr), steps)
        if stdp is not None:
            self._core.enable_stdp(index, stdp.tau_pre, stdp.tau_post, stdp.A_plus, stdp.A_minus,
                                   stdp.w_min, stdp.w_max, stdp.rule == "multiplicative")
        proj = Projection(self, index, pre, post, channel, steps, stdp)
        self.projections.append(proj)
        return proj

    def _connect_total(self, pre: Group, post: Population, channel: str, n: int | None,
                       weight: ArrayLike, weight_std: float, delay: float | None,
                       delay_std: float, delay_min: float | None) -> Projection:
        if n is None:
            raise ValueError("rule='fixed_total_number' needs n, the number of synapses")
        mean = self.dt if delay is None else real("delay", delay)
        index = self._core.connect_total(
            pre.index, post.index, channel, integer("n", n), real("weight", weight),
            real("weight_std", weight_std), mean, real("delay_std", delay_std),
            self.dt if delay_min is None else real("delay_min", delay_min))
        proj = Projection(self, index, pre, post, channel, max(1, round(mean / self.dt)), None)
        self.projections.append(proj)
        return proj

    def poisson_drive(self, post: Population, rate: float, weight: float, *,
                      channel: str = "exc") -> None:
        """Independent Poisson input into every neuron of ``post``: ``rate`` Hz each, ``weight``
        (S, or A for a current channel) per input spike, any number of spikes a step (NEST's
        ``poisson_generator`` connected all-to-all). Counter-based: the same for a seed
        whatever the thread count."""
        post = self._group("post", post)
        if not isinstance(post, Population):
            raise ValueError("post must be a neuron population (Poisson groups have no inputs)")
        if channel not in post.channels:
            raise ValueError(f"channel must be one of {list(post.channels)}, got {channel!r}")
        rate, weight = real("rate", rate), real("weight", weight)
        self._core.add_poisson_drive(post.index, channel, rate, weight)
        post.drives.append({"channel": channel, "rate": rate, "weight": weight})

    # -- monitors -----------------------------------------------------------------------------
    def monitor_spikes(self, group: Group, indices: ArrayLike | None = None) -> SpikeMonitor:
        group = self._group("group", group)
        k = self._core.add_spike_monitor(group.index, None if indices is None else np.asarray(indices))
        return SpikeMonitor(self, group, k)

    def monitor_state(self, group: Population, variable: str = "v",
                      indices: Sequence[int] | np.ndarray = (0,), every: float | None = None) -> StateMonitor:
        """Sample ``variable`` ("v", "I_inj" or a channel name) of ``indices`` every ``every``
        seconds (default: every step)."""
        group = self._group("group", group)
        if not isinstance(group, Population):
            raise ValueError("group must be a neuron population")
        if variable == "v":
            var = -1
        elif variable == "I_inj":
            var = -2
        elif variable in group.channels:
            var = list(group.channels).index(variable)
        else:
            raise ValueError(f"variable must be 'v', 'I_inj' or one of {list(group.channels)}, "
                             f"got {variable!r}")
        every_steps = 1 if every is None else self._steps("every", every)
        idx = np.atleast_1d(np.asarray(indices, dtype=np.int64))
        k = self._core.add_state_monitor(group.index, var, idx, every_steps)
        return StateMonitor(self, group, k, variable, idx)

    def monitor_rate(self, group: Group) -> RateMonitor:
        group = self._group("group", group)
        return RateMonitor(self, group, self._core.add_rate_monitor(group.index))

    # -- running ------------------------------------------------------------------------------
    @property
    def threads(self) -> int:
        return int(self._core.threads)

    @threads.setter
    def threads(self, value: int) -> None:
        self._core.threads = integer("threads", value)
        self._threads = self._core.threads

    def _auto_threads(self) -> int:
        synapses = sum(len(p) for p in self.projections)
        neurons = sum(g.n for g in self.groups.values())
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        return 1 if synapses < 1_000_000 and neurons < 20_000 else max(1, min(cpus, 16))

    def run(self, duration: float) -> float:
        """Advance ``duration`` seconds (rounded to steps); returns the simulated time advanced
        (shorter if ``stop()`` was called from another thread). The GIL is released."""
        steps = self._steps("duration", duration)
        if self._threads is None:
            self._core.threads = self._auto_threads()
        return self._core.run(steps) * self.dt

    def _steps(self, name: str, seconds: Any) -> int:
        """``seconds`` (a time >= 0) rounded to whole steps; the engine checks the step count.
        A negative time is refused here, in seconds: it could round to an accepted 0 steps."""
        value = real(name, seconds)
        if not (math.isfinite(value) and value >= 0):
            raise ValueError(f"{name} must be a finite time >= 0 seconds, got {value}")
        return int(round(value / self.dt))

    def stop(self) -> None:
        """Ask a running ``run()`` to return after the current step (thread-safe)."""
        self._core.stop()

    # -- NIR ----------------------------------------------------------------------------------
    @classmethod
    def from_nir(cls, graph: Any, *, dt: float | None = None, seed: int = 0,
                 threads: int | None = None, method: str | None = None) -> "Network":
        """A network from a NIR graph or file (``neurosys.snn.nir_io`` documents the mapping)."""
        from neurosys.snn.nir_io import from_nir

        return from_nir(graph, network=cls, dt=dt, seed=seed, threads=threads, method=method)

    def to_nir(self) -> Any:
        """This network as a ``nir.NIRGraph`` (write it with ``nir.write(path, graph)``)."""
        from neurosys.snn.nir_io import to_nir

        return to_nir(self)
