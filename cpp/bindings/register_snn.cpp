// Bindings of the spiking network engine (neurosys._core.snn). Arguments are converted under the
// GIL; run() releases it. State arrays are returned as numpy views that keep the network alive.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "bindings/register.hpp"
#include "snn/limits.hpp"
#include "snn/network.hpp"

namespace py = pybind11;
using neurosys::snn::Network;

namespace {

template <typename T>
py::array_t<T> view(py::handle owner, std::vector<T>& data) {
  return py::array_t<T>({static_cast<py::ssize_t>(data.size())}, {static_cast<py::ssize_t>(sizeof(T))},
                        data.data(), owner);
}

template <typename T>
std::vector<T> to_vector(const py::array& a, const char* name) {
  if (a.ndim() > 1) throw std::invalid_argument(std::string(name) + " must be one-dimensional");
  auto c = py::array_t<T, py::array::c_style | py::array::forcecast>::ensure(a);
  if (!c) throw std::invalid_argument(std::string(name) + " must be a numeric array");
  return std::vector<T>(c.data(), c.data() + c.size());
}

std::vector<std::uint32_t> to_indices(const py::array& a, const char* name) {
  auto c = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>::ensure(a);
  if (!c || a.ndim() > 1) throw std::invalid_argument(std::string(name) + " must be a 1-D integer array");
  std::vector<std::uint32_t> out(c.size());
  for (py::ssize_t k = 0; k < c.size(); ++k) {
    const std::int64_t x = c.data()[k];
    if (x < 0 || x > 0xffffffffLL) throw std::invalid_argument(std::string(name) + " must hold indices >= 0");
    out[k] = static_cast<std::uint32_t>(x);
  }
  return out;
}

// A numpy copy of a monitor buffer (shape: its length, unless given).
template <typename T>
py::array_t<T> copy_of(const std::vector<T>& data, std::vector<py::ssize_t> shape = {}) {
  if (shape.empty()) shape = {static_cast<py::ssize_t>(data.size())};
  return py::array_t<T>(shape, data.data());
}

// The method name(k, clear=False) of one monitor kind: copy(monitor) as numpy arrays, then
// empty(monitor) when clear is asked (refused while the network runs).
template <typename Monitor, typename Copy, typename Empty>
auto monitor_reader(std::vector<Monitor> Network::*monitors, Copy copy, Empty empty) {
  return [=](Network& net, int k, bool clear) {
    auto& mon = (net.*monitors).at(k);
    auto data = copy(mon);
    if (clear) {
      net.check_idle("clear");
      empty(mon);
    }
    return data;
  };
}

neurosys::snn::Population& lif(Network& net, int pop) {
  auto& P = net.pop(pop, "group");
  if (P.poisson) throw std::invalid_argument("group: '" + P.name + "' is a Poisson group, not neurons");
  return P;
}

}  // namespace

void register_snn(py::module_& m) {
  auto s = m.def_submodule("snn", "Spiking network engine: conductance LIF, CSR synapses, STDP");
  s.def("limits", [] { return neurosys::as_table(neurosys::snn::limits::kAll); },
        "The engine's accepted ranges: {name: (lo, hi, lo_open, hi_open, multiple_of)}.");
  s.def("check_stdp", [](double tau_pre, double tau_post, double A_plus, double A_minus, double w_min,
                         double w_max) {
    neurosys::snn::validate(neurosys::snn::StdpParams{tau_pre, tau_post, A_plus, A_minus, w_min, w_max});
  }, py::arg("tau_pre"), py::arg("tau_post"), py::arg("A_plus"), py::arg("A_minus"), py::arg("w_min"),
        py::arg("w_max"), "Raise ValueError naming the first STDP parameter the engine would refuse.");
  py::class_<Network>(s, "Network")
      .def(py::init([](double dt, std::uint64_t seed, std::int64_t threads, const std::string& device) {
             auto net = std::make_unique<Network>(dt, seed, neurosys::narrow<int>(neurosys::snn::limits::threads, threads),
                                                  neurosys::resolve_device(device.c_str(), "device"));
             net->set_auto_device(device == "auto");
             return net;
           }),
           py::arg("dt"), py::arg("seed"), py::arg("threads"), py::arg("device") = "cpu")
      .def_property_readonly("device", [](const Network& net) {
        return net.device() == neurosys::Device::CUDA ? "cuda" : "cpu";
      })
      .def_property_readonly("dt", &Network::dt)
      .def_property_readonly("step", &Network::step)
      .def_property_readonly("seed", &Network::seed)
      .def_property("threads", &Network::threads, &Network::set_threads)
      .def_property_readonly("running", &Network::running)
      .def("add_population",
           [](Network& net, const std::string& name, std::int64_t n, double tau_m, double v_rest,
              double v_thresh, double v_reset, double t_ref, double R_m, const std::string& method,
              const std::vector<std::tuple<std::string, double, double, bool>>& channels) {
             neurosys::snn::NeuronParams p{tau_m, v_rest, v_thresh, v_reset, t_ref, R_m};
             if (method == "exact") p.method = neurosys::snn::Integrator::Exact;
             else if (method == "euler") p.method = neurosys::snn::Integrator::Euler;
             else throw std::invalid_argument("method must be 'exact' or 'euler', got '" + method + "'");
             std::vector<neurosys::snn::Channel> ch;
             for (const auto& [cname, tau, E, current] : channels) {
               neurosys::snn::Channel c;
               c.name = cname; c.tau = tau; c.E = E; c.current = current;
               ch.push_back(c);
             }
             return net.add_population(name, n, p, std::move(ch));
           },
           py::arg("name"), py::arg("n"), py::arg("tau_m"), py::arg("v_rest"), py::arg("v_thresh"),
           py::arg("v_reset"), py::arg("t_ref"), py::arg("R_m"), py::arg("method"), py::arg("channels"))
      .def("add_poisson", [](Network& net, const std::string& name, std::int64_t n, const py::array& rates) {
        return net.add_poisson(name, n, to_vector<double>(rates, "rate"));
      }, py::arg("name"), py::arg("n"), py::arg("rates"))
      .def("set_rates", [](Network& net, int pop, const py::array& rates) {
        net.set_rates(pop, to_vector<double>(rates, "rate"));
      }, py::arg("pop"), py::arg("rates"))
      .def("connect_random",
           [](Network& net, int pre, int post, const std::string& channel, double p, double w,
              std::int32_t delay, bool allow_self) {
             py::gil_scoped_release release;
             return net.connect_random(pre, post, channel, p, w, delay, allow_self);
           },
           py::arg("pre"), py::arg("post"), py::arg("channel"), py::arg("p"), py::arg("weight"),
           py::arg("delay"), py::arg("allow_self"))
      .def("connect_pairs",
           [](Network& net, int pre, int post, const std::string& channel, const py::array& i,
              const py::array& j, const py::array& w, std::int32_t delay) {
             auto iv = to_indices(i, "i");
             auto jv = to_indices(j, "j");
             auto wv = to_vector<float>(w, "weight");
             if (wv.size() == 1 && iv.size() != 1) wv.assign(iv.size(), wv[0]);
             py::gil_scoped_release release;
             return net.connect_pairs(pre, post, channel, iv, jv, wv, delay);
           },
           py::arg("pre"), py::arg("post"), py::arg("channel"), py::arg("i"), py::arg("j"), py::arg("w"),
           py::arg("delay"))
      .def("connect_total",
           [](Network& net, int pre, int post, const std::string& channel, std::int64_t count,
              double w_mean, double w_std, double delay_mean, double delay_std, double delay_min) {
             py::gil_scoped_release release;
             return net.connect_total(pre, post, channel, count, w_mean, w_std, delay_mean,
                                      delay_std, delay_min);
           },
           py::arg("pre"), py::arg("post"), py::arg("channel"), py::arg("n_synapses"),
           py::arg("weight"), py::arg("weight_std"), py::arg("delay_mean"), py::arg("delay_std"),
           py::arg("delay_min"))
      .def("add_poisson_drive", &Network::add_poisson_drive, py::arg("pop"), py::arg("channel"),
           py::arg("rate"), py::arg("weight"))
      .def("delays", [](py::object self, int k) { return view(self, self.cast<Network&>().proj(k).delays); },
           py::arg("proj"))
      .def("enable_stdp",
           [](Network& net, int proj, double tau_pre, double tau_post, double A_plus, double A_minus,
              double w_min, double w_max, bool multiplicative) {
             net.enable_stdp(proj, {tau_pre, tau_post, A_plus, A_minus, w_min, w_max, multiplicative});
           },
           py::arg("proj"), py::arg("tau_pre"), py::arg("tau_post"), py::arg("A_plus"), py::arg("A_minus"),
           py::arg("w_min"), py::arg("w_max"), py::arg("multiplicative"))
      .def("add_spike_monitor",
           [](Network& net, int pop, py::object indices) {
             if (indices.is_none()) return net.add_spike_monitor(pop, {}, true);
             return net.add_spike_monitor(pop, to_indices(py::array::ensure(indices), "indices"), false);
           },
           py::arg("pop"), py::arg("indices"))
      .def("add_state_monitor",
           [](Network& net, int pop, int variable, const py::array& indices, std::int64_t every) {
             return net.add_state_monitor(pop, variable, to_indices(indices, "indices"), every);
           },
           py::arg("pop"), py::arg("variable"), py::arg("indices"), py::arg("every"))
      .def("add_rate_monitor", &Network::add_rate_monitor, py::arg("pop"))
      .def("spike_data",
           monitor_reader(
               &Network::spike_mons, [](auto& m) { return py::make_tuple(copy_of(m.steps), copy_of(m.indices)); },
               [](auto& m) { m.steps.clear(); m.indices.clear(); }),
           py::arg("k"), py::arg("clear") = false)
      .def("state_data",
           monitor_reader(
               &Network::state_mons,
               [](auto& m) {
                 const py::ssize_t rows = m.steps.size(), cols = m.indices.size();
                 return py::make_tuple(copy_of(m.steps), copy_of(m.values, {rows, cols}));
               },
               [](auto& m) { m.steps.clear(); m.values.clear(); }),
           py::arg("k"), py::arg("clear") = false)
      .def("rate_data",
           monitor_reader(
               &Network::rate_mons, [](auto& m) { return py::make_tuple(m.first_step, copy_of(m.counts)); },
               [](auto& m) { m.first_step += m.counts.size(); m.counts.clear(); }),
           py::arg("k"), py::arg("clear") = false)
      .def("run",
           [](Network& net, std::int64_t steps) {
             py::gil_scoped_release release;
             return net.run(steps);
           },
           py::arg("steps"))
      .def("stop", &Network::stop)
      // zero-copy state views (numpy arrays whose base keeps the network alive)
      .def("v", [](py::object self, int pop) { return view(self, lif(self.cast<Network&>(), pop).v); }, py::arg("pop"))
      .def("i_inj", [](py::object self, int pop) { return view(self, lif(self.cast<Network&>(), pop).i_inj); }, py::arg("pop"))
      .def("refractory", [](py::object self, int pop) { return view(self, lif(self.cast<Network&>(), pop).refractory); }, py::arg("pop"))
      .def("g", [](py::object self, int pop, int k) {
        auto& P = lif(self.cast<Network&>(), pop);
        if (k < 0 || k >= static_cast<int>(P.g.size())) throw std::invalid_argument("channel out of range");
        return view(self, P.g[k]);
      }, py::arg("pop"), py::arg("channel"))
      .def("rate", [](py::object self, int pop) {
        auto& P = self.cast<Network&>().pop(pop, "group");
        if (!P.poisson) throw std::invalid_argument("group is not a Poisson group");
        return view(self, P.rate);
      }, py::arg("pop"))
      .def("weights", [](py::object self, int k) { return view(self, self.cast<Network&>().proj(k).weight); }, py::arg("proj"))
      .def("targets", [](py::object self, int k) { return view(self, self.cast<Network&>().proj(k).target); }, py::arg("proj"))
      .def("row_ptr", [](py::object self, int k) { return view(self, self.cast<Network&>().proj(k).row); }, py::arg("proj"))
      .def("pop_size", [](Network& net, int pop) { return net.pop(pop, "group").n; }, py::arg("pop"))
      .def("n_synapses", [](Network& net, int k) { return net.proj(k).size(); }, py::arg("proj"))
      .def("plastic", [](Network& net, int k) { return net.proj(k).plastic; }, py::arg("proj"))
      .def("set_plastic", [](Network& net, int k, bool on) {
        net.check_idle("stdp");
        auto& R = net.proj(k);
        if (on && R.col.empty()) throw std::invalid_argument("stdp was never configured on this projection");
        R.plastic = on;
      }, py::arg("proj"), py::arg("on"))
      .def("static_bytes_per_synapse", [](Network& net, int k) {
        auto& R = net.proj(k);
        return static_cast<double>(sizeof(R.weight[0]) + sizeof(R.target[0]) +
                                   (R.delays.empty() ? 0 : sizeof(R.delays[0])));
      }, py::arg("proj"))
      .def("memory_bytes", [](Network& net, int k) {
        auto& R = net.proj(k);
        return static_cast<std::int64_t>(R.weight.size() * sizeof(float) + R.target.size() * 4 +
                                         R.delays.size() +
                                         R.row.size() * 8 + R.ring.size() * 8 +
                                         R.col.size() * 8 + R.col_syn.size() * 8);
      }, py::arg("proj"));
}
