"""NIR import and export: round trips of the reference models keep every parameter and synapse
(and, given the same state, the same spikes), graphs written with nir's own API import and run,
and unsupported nodes are named in the error."""

import numpy as np
import pytest

from neurosys.snn import Network, models
from neurosys.units import ms

nir = pytest.importorskip("nir")


def synapses(proj):
    order = np.lexsort((proj.targets, proj.sources))
    return proj.sources[order], proj.targets[order], proj.weights[order]


def assert_same_model(a: Network, b: Network) -> None:
    assert a.dt == b.dt
    assert list(a.groups) == list(b.groups)
    for name, g in a.groups.items():
        h = b.groups[name]
        assert type(g) is type(h) and g.n == h.n
        if hasattr(g, "params"):
            assert g.params == h.params
            assert g.channels == h.channels
            assert g.method == h.method
        else:
            np.testing.assert_array_equal(g.rate, h.rate)
    assert len(a.projections) == len(b.projections)
    for p, q in zip(a.projections, b.projections):
        assert (p.pre.name, p.post.name, p.channel, p.delay_steps) == \
               (q.pre.name, q.post.name, q.channel, q.delay_steps)
        assert p.stdp == q.stdp
        for x, y in zip(synapses(p), synapses(q)):
            np.testing.assert_array_equal(x, y)


def roundtrips(net: Network, tmp_path):
    graph = net.to_nir()
    yield Network.from_nir(graph)
    path = tmp_path / "model.nir"
    nir.write(str(path), graph)
    yield Network.from_nir(path)


def test_coba_round_trip_keeps_every_parameter_and_the_spikes(tmp_path):
    net, E, I = models.coba(n=1000, seed=3)
    for back in roundtrips(net, tmp_path):
        assert_same_model(net, back)
        # the state is not part of NIR: copy it, then both run the same spikes
        for name in ("E", "I"):
            back.groups[name].v[:] = net.groups[name].v
            for c in ("exc", "inh"):
                back.groups[name].g(c)[:] = net.groups[name].g(c)
    spikes = []
    for n in (net, back):
        mon = n.monitor_spikes(n.groups["E"])
        n.run(0.1)
        spikes.append((mon.times.copy(), mon.indices.copy()))
    assert len(spikes[0][0]) > 0
    np.testing.assert_array_equal(spikes[0][0], spikes[1][0])
    np.testing.assert_array_equal(spikes[0][1], spikes[1][1])


def test_song_abbott_round_trip_keeps_stdp_rates_and_weights(tmp_path):
    net, post, proj = models.song_abbott(seed=2)
    for back in roundtrips(net, tmp_path):
        assert_same_model(net, back)
        assert back.projections[0].stdp.w_max == proj.stdp.w_max
        assert back.groups["post"].channels["exc"].current


def test_delay_and_method_survive_the_round_trip():
    net = Network(dt=0.1 * ms, seed=1)
    a = net.population("a", 5, method="euler")
    net.connect(a, a, p=1.0, weight=1e-9, delay=2 * ms)
    back = Network.from_nir(net.to_nir())
    assert back.projections[0].delay_steps == 20
    assert back.groups["a"].method == "euler"


def lif_graph(w: float, bias: float = 0.0) -> "nir.NIRGraph":
    # the shape of nir's documented examples: Input -> Affine -> LIF -> Output
    return nir.NIRGraph(
        nodes={
            "input": nir.Input(input_type={"input": np.array([2])}),
            "affine": nir.Affine(weight=np.array([[w, 0.0], [0.0, w]]), bias=np.array([bias, bias])),
            "lif": nir.LIF(tau=np.array([0.01, 0.01]), r=np.array([1.0, 1.0]),
                           v_leak=np.array([0.0, 0.0]), v_threshold=np.array([1.0, 1.0]),
                           v_reset=np.array([0.0, 0.0])),
            "output": nir.Output(output_type={"output": np.array([2])}),
        },
        edges=[("input", "affine"), ("affine", "lif"), ("lif", "output")],
    )


def test_lif_graph_from_nir_api_gives_the_nir_voltage_jump(tmp_path):
    w = 0.002
    path = tmp_path / "lif.nir"
    nir.write(str(path), lif_graph(w))
    net = Network.from_nir(path, method="euler")
    inp, lif = net.groups["input"], net.groups["lif"]
    inp.rate = [1.0 / net.dt, 0.0]  # neuron 0 spikes every step, neuron 1 never
    vm = net.monitor_state(lif, "v", indices=[0, 1])
    net.run(2 * net.dt)
    # the spike of step 0 reaches v in step 1: r w / tau, NIR's LIF jump
    np.testing.assert_allclose(vm.values[1, 0], 1.0 * w / 0.01, rtol=1e-6)
    assert vm.values[1, 1] == 0.0
    # a strong drive makes it fire, seen through the Output node's monitor
    inp.rate = [1.0 / net.dt, 1.0 / net.dt]
    net.run(0.05)
    assert len(net.nir_outputs["output"].times) > 0


def test_affine_bias_is_a_constant_current():
    net = Network.from_nir(lif_graph(0.0, bias=2.0))
    np.testing.assert_allclose(net.groups["lif"].I_inj, [2.0, 2.0])
    net.run(0.05)  # r * bias = 2 > threshold 1: the neurons fire without input spikes
    assert len(net.nir_outputs["output"].times) > 0


def test_cuba_lif_graph_runs_and_scales_weights_by_w_in_over_tau_syn():
    graph = nir.NIRGraph.from_list(
        nir.Input(input_type={"input": np.array([3])}),
        nir.Linear(weight=np.full((4, 3), 0.5)),
        nir.CubaLIF(tau_syn=np.full(4, 0.005), tau_mem=np.full(4, 0.02), r=np.full(4, 2.0),
                    v_leak=np.zeros(4), v_threshold=np.full(4, 0.1), w_in=np.full(4, 3.0)),
        nir.Output(output_type={"output": np.array([4])}),
    )
    net = Network.from_nir(graph)
    pop = net.groups[next(n for n, g in net.groups.items() if hasattr(g, "channels"))]
    assert pop.channels["syn"].tau == 0.005 and pop.channels["syn"].current
    np.testing.assert_allclose(net.projections[0].weights, 0.5 * 3.0 / 0.005, rtol=1e-6)
    next(g for g in net.groups.values() if not hasattr(g, "channels")).rate = 200.0
    net.run(0.05)
    assert sum(len(m.times) for m in net.nir_outputs.values()) > 0


def test_unsupported_node_is_named():
    graph = nir.NIRGraph(
        nodes={"input": nir.Input(input_type={"input": np.array([2])}),
               "thr": nir.Threshold(threshold=np.array([1.0, 1.0])),
               "output": nir.Output(output_type={"output": np.array([2])})},
        edges=[("input", "thr"), ("thr", "output")],
    )
    with pytest.raises(ValueError, match=r"'thr' has type Threshold"):
        Network.from_nir(graph)


def test_non_uniform_parameters_are_refused():
    graph = lif_graph(0.1)
    graph.nodes["lif"].tau = np.array([0.01, 0.02])
    with pytest.raises(ValueError, match="tau must be the same for every neuron"):
        Network.from_nir(graph)


def test_graph_argument_is_checked():
    with pytest.raises(ValueError, match="graph must be a nir.NIRGraph"):
        Network.from_nir(42)


def test_only_current_channels_may_be_delta_channels():
    from neurosys.snn import Channel

    net = Network()
    net.population("a", 2, channels={"in": Channel(tau=0.0, current=True)})
    with pytest.raises(ValueError, match="tau_syn"):
        net.population("b", 2, channels={"g": Channel(tau=0.0, E=0.0)})
