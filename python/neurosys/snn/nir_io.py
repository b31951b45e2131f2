"""Import and export of spiking networks in NIR, the Neuromorphic Intermediate Representation
(package ``nir``). Values are read as SI units (seconds, volts, ohms, amperes).

The mapping, neurosys -> NIR (``to_nir``):

* a neuron population ``P`` -> an ``LIF`` node ``P`` (tau = tau_m, r = R_m, v_leak = v_rest,
  v_threshold, v_reset), fed by one ``LI`` node ``P.<channel>`` per synaptic channel (the
  channel's exponential decay: tau = tau_syn, r = 1, v_leak = 0). A current channel is exactly
  NIR's current-based synapse, so such a population means the same to any NIR tool. A
  conductance channel has no NIR equivalent (its effect g (E - v) depends on v): its reversal
  potential is kept in the LI node's metadata, so neurosys reads it back losslessly, and other
  tools see a current-based approximation. A delta channel (``Channel(tau=0, current=True)``,
  the current lasts one step) is a direct edge into the LIF node.
* a Poisson group -> an ``Input`` node (its rates in the metadata);
* a projection -> an ``Affine`` node (dense weight matrix, shape (n_post, n_pre), zero bias;
  the weights of several synapses of one pair add up), then a ``Delay`` node when the delay is
  more than one step, into the channel's LI node. A projection with a delay per synapse
  (``rule="fixed_total_number"`` with ``delay_std > 0``) has no NIR form: ``to_nir`` raises
  ``ValueError`` naming it (one delay for all its synapses exports as above).
  Weights are scaled so one spike has the same effect: an LI node of time constant tau jumps by
  w / tau per unit of NIR weight w, a neurosys channel by its weight;
* each population also feeds an ``Output`` node ``P.out``.

Kept only in the metadata (``metadata["neurosys"]`` of the nodes and graph): t_ref, the
integrator, channel names and reversal potentials, Poisson rates, Poisson drives
(``Network.poisson_drive``), a constant injected current, STDP rules, and dt. The round
trip neurosys -> NIR -> neurosys keeps every parameter and every synapse (weights are float32
in neurosys). Not kept: the state (v, g, traces) and the seed.

NIR -> neurosys (``from_nir``) reads the graphs above and those of other NIR tools built from
``Input``, ``Output``, ``Affine``/``Linear``, ``Delay``, ``LIF``, ``CubaLIF`` and ``LI``
(as a synaptic filter in front of a LIF). A ``CubaLIF`` becomes a population with one current
channel ``syn`` (tau_syn; weights times w_in / tau_syn); an Affine straight into a ``LIF`` uses
a delta channel ``in`` (weight / dt, the same voltage jump r w / tau under ``method="euler"``).
An Affine bias b becomes a constant injected current (``I_inj``; times w_in for a CubaLIF).
Every parameter must be uniform within a node (neurosys populations share parameters).
Zero entries of a weight matrix are no synapse (except for projections that were complete).
Any other node type raises ``ValueError`` naming the node and its type.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from neurosys.errors import ParameterError
from neurosys.limits import engine_default
from neurosys.snn.channels import Channel
from neurosys.snn.stdp import STDP

if TYPE_CHECKING:
    import nir

    from neurosys.snn.network import Network

SUPPORTED = ("Input", "Output", "Affine", "Linear", "Delay", "LIF", "CubaLIF", "LI")
_META = "neurosys"


def _nir():
    try:
        import nir
    except ImportError as exc:  # pragma: no cover - nir is a dependency
        raise ImportError("NIR import/export needs the 'nir' package (pip install nir)") from exc
    return nir


def _full(n: int, value: float) -> np.ndarray:
    return np.full(n, float(value))


# -- export ----------------------------------------------------------------------------------


def to_nir(net: "Network") -> "nir.NIRGraph":
    """The network as a NIR graph (see the module docstring for the mapping)."""
    nir = _nir()
    nodes: dict[str, Any] = {}
    edges: list[tuple[str, str]] = []
    dt = net.dt
    for name, g in net.groups.items():
        if not hasattr(g, "params"):  # a Poisson group: populations carry neuron parameters
            nodes[name] = nir.Input(input_type={"input": np.array([g.n])},
                                    metadata={_META: {"rate": g.rate.tolist()}})
            continue
        p = g.params
        meta = {"t_ref": p["t_ref"], "method": g.method, "channels": list(g.channels)}
        if g.drives:  # no NIR node is a Poisson drive: neurosys reads it back from here
            meta["drives"] = list(g.drives)
        i_inj = np.asarray(g.I_inj)
        if np.any(i_inj != 0):  # a constant current (e.g. the microcircuit's DC)
            meta["i_inj"] = float(i_inj[0]) if np.all(i_inj == i_inj[0]) else i_inj.tolist()
        nodes[name] = nir.LIF(tau=_full(g.n, p["tau_m"]), r=_full(g.n, p["R_m"]),
                              v_leak=_full(g.n, p["v_rest"]),
                              v_threshold=_full(g.n, p["v_thresh"]),
                              v_reset=_full(g.n, p["v_reset"]), metadata={_META: meta})
        for cname, c in g.channels.items():
            if c.tau == 0:
                continue  # a delta channel: projections feed the LIF node directly
            meta = {"channel": cname} if c.current else {"channel": cname, "E": c.E}
            nodes[f"{name}.{cname}"] = nir.LI(tau=_full(g.n, c.tau), r=_full(g.n, 1.0),
                                              v_leak=_full(g.n, 0.0), metadata={_META: meta})
            edges.append((f"{name}.{cname}", name))
        nodes[f"{name}.out"] = nir.Output(output_type={"output": np.array([g.n])})
        edges.append((name, f"{name}.out"))
    for k, proj in enumerate(net.projections):
        pre, post, c = proj.pre, proj.post, proj.post.channels[proj.channel]
        # one spike moves a channel by its neurosys weight, an LI node by w / tau
        scale = dt if c.tau == 0 else c.tau
        delay_steps = _uniform_delay(proj, pre.name, post.name, k)
        weight = np.zeros((post.n, pre.n), dtype=np.float64)
        # multapses (several synapses of one pair, e.g. fixed_total_number) add up
        np.add.at(weight, (proj.targets, proj.sources), proj.weights.astype(np.float64) * scale)
        meta: dict[str, Any] = {"channel": proj.channel, "dense": len(proj) == pre.n * post.n,
                                "index": k}
        if proj.stdp is not None:
            meta["stdp"] = {f: getattr(proj.stdp, f) for f in
                            ("w_max", "tau_pre", "tau_post", "A_plus", "A_minus", "w_min", "rule")}
        aff = f"{pre.name}->{post.name}.{proj.channel}#{k}"
        nodes[aff] = nir.Affine(weight=weight, bias=np.zeros(post.n), metadata={_META: meta})
        edges.append((pre.name, aff))
        last = aff
        if delay_steps > 1:
            nodes[f"{aff}.delay"] = nir.Delay(delay=_full(post.n, delay_steps * dt))
            edges.append((aff, f"{aff}.delay"))
            last = f"{aff}.delay"
        edges.append((last, post.name if c.tau == 0 else f"{post.name}.{proj.channel}"))
    # nir infers and checks shapes from the Input nodes; a network without inputs (COBA is
    # driven by its own initial state) has none to start from
    has_input = any(isinstance(node, nir.Input) for node in nodes.values())
    # a NIR file stores nodes by name: the metadata keeps the order of groups and projections
    return nir.NIRGraph(nodes=nodes, edges=edges, type_check=has_input,
                        metadata={_META: {"dt": dt, "groups": list(net.groups)}})


def _uniform_delay(proj: Any, pre: str, post: str, k: int) -> int:
    """The projection's one delay in steps; NIR's Delay node holds a delay per target neuron,
    so a projection whose synapses have different delays cannot be exported."""
    delays = proj.delays
    if delays.size and delays.min() != delays.max():
        raise ValueError(f"to_nir: projection {k} ({pre} -> {post}.{proj.channel}) has a delay per "
                         f"synapse ({int(delays.min())} to {int(delays.max())} steps), which NIR "
                         "cannot hold (its Delay node has one delay per target neuron); export a "
                         "model with one delay per projection (microcircuit(..., delay_rel_std=0))")
    return int(delays[0]) if delays.size else int(proj.delay_steps)


# -- import ----------------------------------------------------------------------------------


def _uniform(node_name: str, field: str, value: Any) -> float:
    arr = np.asarray(value, dtype=float).ravel()
    if arr.size == 0:
        raise ValueError(f"NIR node {node_name!r}: {field} is empty")
    if not np.all(arr == arr[0]):
        raise ValueError(f"NIR node {node_name!r}: {field} must be the same for every neuron "
                         f"(a neurosys population shares its parameters), got {arr.min()}..{arr.max()}")
    return float(arr[0])


def _meta(node: Any) -> dict:
    """The neurosys metadata of a node, with text and numbers as Python values (a NIR file
    gives them back as bytes and numpy scalars)."""
    def plain(x: Any) -> Any:
        if isinstance(x, bytes):
            return x.decode()
        if isinstance(x, np.ndarray) and x.dtype.kind in "SO":
            return [plain(v) for v in x.tolist()]
        if isinstance(x, dict):
            return {k: plain(v) for k, v in x.items()}
        if isinstance(x, np.generic):
            return x.item()
        return x
    return plain(dict((getattr(node, "metadata", None) or {}).get(_META, {})))


def _read(nir: Any, path: Path) -> Any:
    """The graph in a NIR file; a file that is missing or is not NIR's HDF5 is reported as
    the ``graph`` argument, not by h5py."""
    if not path.is_file():
        raise FileNotFoundError(f"graph: no NIR file {str(path)!r}")
    with open(path, "rb") as f:
        if f.read(8) != b"\x89HDF\r\n\x1a\n":  # every HDF5 file starts with this signature
            raise ParameterError(f"graph: {str(path)!r} is not a NIR file (NIR files are HDF5)")
    try:  # from_nir checks the shapes it uses; a graph without Input nodes fails nir's check
        return nir.read(str(path), type_check=False)
    except TypeError:  # nir releases without the type_check argument
        return nir.read(str(path))
    except (KeyError, ValueError, OSError) as exc:  # HDF5, but not a NIR graph
        raise ParameterError(f"graph: {str(path)!r} is not a NIR graph ({exc})") from None


def from_nir(graph: "nir.NIRGraph | str | Path", *, network: "type[Network]", dt: float | None = None,
             seed: int = 0, threads: int | None = None, method: str | None = None) -> "Network":
    """A network built from a NIR graph (or a NIR file path); see the module docstring.
    ``dt`` defaults to the graph's own (neurosys export) or 0.1 ms; ``method`` overrides the
    integrator of every population. Populations that feed an ``Output`` node get a spike
    monitor, in ``net.nir_outputs`` by Output node name."""
    nir = _nir()
    if isinstance(graph, (str, Path)):
        graph = _read(nir, Path(graph))
    if not isinstance(graph, nir.NIRGraph):
        raise ParameterError(f"graph must be a nir.NIRGraph or a path to a NIR file, got {type(graph).__name__}")
    for name, node in graph.nodes.items():
        kind = type(node).__name__
        if kind not in SUPPORTED:
            raise ParameterError(f"NIR node {name!r} has type {kind}, which neurosys.snn does not "
                             f"support (supported: {', '.join(SUPPORTED)})")
    nodes = graph.nodes
    preds: dict[str, list[str]] = defaultdict(list)
    succs: dict[str, list[str]] = defaultdict(list)
    for a, b in graph.edges:
        preds[b].append(a)
        succs[a].append(b)
    if dt is None:
        dt = float(_meta(graph).get("dt", engine_default("snn", "dt")))
    net = network(dt=dt, seed=seed, threads=threads)
    order = _meta(graph).get("groups", [])
    nodes = dict(sorted(nodes.items(), key=lambda kv: (
        order.index(kv[0]) if kv[0] in order else len(order),
        _meta(kv[1]).get("index", 0), kv[0])))
    kind = {name: type(node).__name__ for name, node in nodes.items()}

    def channel_of(li: str) -> str:
        return _meta(nodes[li]).get("channel", li.rsplit(".", 1)[-1])

    # populations, with their channels in the order the export listed them
    bias: dict[str, np.ndarray] = {}
    for name, node in nodes.items():
        if kind[name] == "Input":
            rate = _meta(node).get("rate", 0.0)
            n = int(np.prod(node.input_type["input"]))
            net.poisson(name, n, rate=np.asarray(rate, dtype=float) if np.ndim(rate) else float(rate))
        elif kind[name] in ("LIF", "CubaLIF"):
            meta = _meta(node)
            u = lambda field: _uniform(name, field, getattr(node, field))  # noqa: E731
            channels: dict[str, Channel] = {}
            if kind[name] == "CubaLIF":
                channels["syn"] = Channel(tau=u("tau_syn"), current=True)
                tau = u("tau_mem")
            else:
                tau = u("tau")
                for src in preds[name]:
                    if kind[src] == "LI":
                        li = nodes[src]
                        if _uniform(src, "v_leak", li.v_leak) != 0.0:
                            raise ValueError(f"NIR node {src!r}: an LI synapse needs v_leak = 0")
                        E = _meta(li).get("E")
                        channels[channel_of(src)] = Channel(tau=_uniform(src, "tau", li.tau),
                                                            E=0.0 if E is None else float(E),
                                                            current=E is None)
                    elif kind[src] in ("Affine", "Linear", "Delay"):
                        channels.setdefault("in", Channel(tau=0.0, current=True))
                    else:
                        raise ValueError(f"NIR edge {src!r} -> {name!r}: a LIF node takes input "
                                         f"from Affine, Linear, Delay or LI nodes, not {kind[src]}")
                named = meta.get("channels", [])
                channels = dict(sorted(channels.items(), key=lambda kv: named.index(kv[0])
                                       if kv[0] in named else len(named)))
            if not channels:  # a neuron nothing projects onto still needs a channel
                channels["in"] = Channel(tau=0.0, current=True)
            pop = net.population(
                name, int(np.asarray(node.v_threshold).size), tau_m=tau, v_rest=u("v_leak"),
                v_thresh=u("v_threshold"), v_reset=u("v_reset"), R_m=u("r"),
                t_ref=float(meta.get("t_ref", 0.0)), channels=channels,
                **({"method": method or meta["method"]} if method or "method" in meta else {}))
            pop.v = u("v_leak")
            bias[name] = np.zeros(pop.n) + np.asarray(meta.get("i_inj", 0.0), dtype=float)
            for drive in meta.get("drives", []):
                net.poisson_drive(pop, drive["rate"], drive["weight"], channel=drive["channel"])

    def spike_source(aff: str) -> str:
        src = preds[aff]
        if len(src) != 1 or kind[src[0]] not in ("Input", "LIF", "CubaLIF"):
            raise ValueError(f"NIR node {aff!r}: an Affine/Linear node must have exactly one "
                             f"spiking input (Input, LIF or CubaLIF), got {src}")
        return src[0]

    def target_of(aff: str) -> tuple[str, str, float, float]:
        """(population, channel, delay in seconds, weight factor) reached from a weight node."""
        delay, cur = 0.0, aff
        while True:
            nxt = succs[cur]
            if len(nxt) != 1:
                raise ValueError(f"NIR node {cur!r}: expected exactly one successor, got {nxt}")
            cur = nxt[0]
            if kind[cur] == "Delay":
                delay += _uniform(cur, "delay", nodes[cur].delay)
                continue
            break
        node = nodes[cur]
        if kind[cur] == "LI":
            post = [s for s in succs[cur] if kind[s] == "LIF"]
            if len(post) != 1:
                raise ValueError(f"NIR node {cur!r}: an LI synapse must feed exactly one LIF node")
            r = _uniform(cur, "r", node.r)
            return post[0], channel_of(cur), delay, r / _uniform(cur, "tau", node.tau)
        if kind[cur] == "CubaLIF":
            return cur, "syn", delay, _uniform(cur, "w_in", node.w_in) / _uniform(cur, "tau_syn", node.tau_syn)
        if kind[cur] == "LIF":
            return cur, "in", delay, 1.0 / dt
        raise ValueError(f"NIR node {aff!r}: its output must reach an LI, LIF or CubaLIF node, "
                         f"not {kind[cur]} {cur!r}")

    for aff, node in nodes.items():
        if kind[aff] not in ("Affine", "Linear"):
            continue
        pre, (post, chan, delay, factor) = spike_source(aff), target_of(aff)
        meta = _meta(node)
        W = np.asarray(node.weight, dtype=np.float64)
        pre_g, post_g = net.groups[pre], net.groups[post]
        if W.shape != (post_g.n, pre_g.n):
            raise ValueError(f"NIR node {aff!r}: weight has shape {W.shape}, expected "
                             f"({post_g.n}, {pre_g.n}) from {pre!r} to {post!r}")
        if kind[aff] == "Affine" and np.any(np.asarray(node.bias) != 0):
            # a constant input: the synaptic filter passes it through scaled by r (LI) or w_in
            bias[post] += np.asarray(node.bias, dtype=float).ravel() * factor * (
                dt if chan == "in" else _channel_tau(post_g, chan))
        if meta.get("dense"):
            j, i = np.indices(W.shape).reshape(2, -1)
        else:
            j, i = np.nonzero(W)
        stdp = meta.get("stdp")
        net.connect(pre_g, post_g, i=i, j=j, weight=(W[j, i] * factor).astype(np.float32),
                    channel=chan, delay=delay if delay > 0 else None,
                    stdp=None if stdp is None else STDP(**stdp))
    for name, b in bias.items():
        if np.any(b != 0):
            net.groups[name].I_inj = b
    net.nir_outputs = {}
    for name, node in nodes.items():
        if kind[name] == "Output":
            src = preds[name]
            if len(src) == 1 and src[0] in net.groups:
                net.nir_outputs[name] = net.monitor_spikes(net.groups[src[0]])
    return net


def _channel_tau(pop: Any, channel: str) -> float:
    return float(pop.channels[channel].tau)
