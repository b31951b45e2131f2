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
py::array view(py::handle owner, std::vector<T>& data) {
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
  }, "Raise ValueError naming the first STDP parameter the engine would refuse.");
  py::class_<Network>(s, "Network")
      .def(py::init([](double dt, std::uint64_t seed, int threads, const std::string& device) {
             auto net = std::make_unique<Network>(dt, seed, threads,
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
           })
      .def("add_poisson", [](Network& net, const std::string& name, std::int64_t n, const py::array& rates) {
        return net.add_poisson(name, n, to_vector<double>(rates, "rate"));
      })
      .def("set_rates", [](Network& net, int pop, const py::array& rates) {
        net.set_rates(pop, to_vector<double>(rates, "rate"));
      })
      .def("connect_random",
           [](Network& net, int pre, int post, const std::string& channel, double p, double w,
              std::int32_t delay, bool allow_self) {
             py::gil_scoped_release release;
             return net.connect_random(pre, post, channel, p, w, delay, allow_self);
           })
      .def("connect_pairs",
           [](Network& net, int pre, int post, const std::string& channel, const py::array& i,
              const py::array& j, const py::array& w, std::int32_t delay) {
             auto iv = to_indices(i, "i");
             auto jv = to_indices(j, "j");
             auto wv = to_vector<float>(w, "weight");
             if (wv.size() == 1 && iv.size() != 1) wv.assign(iv.size(), wv[0]);
             py::gil_scoped_release release;
             return net.connect_pairs(pre, post, channel, iv, jv, wv, delay);
           })
      .def("enable_stdp",
           [](Network& net, int proj, double tau_pre, double tau_post, double A_plus, double A_minus,
              double w_min, double w_max, bool multiplicative) {
             net.enable_stdp(proj, {tau_pre, tau_post, A_plus, A_minus, w_min, w_max, multiplicative});
           })
      .def("add_spike_monitor",
           [](Network& net, int pop, py::object indices) {
             if (indices.is_none()) return net.add_spike_monitor(pop, {}, true);
             return net.add_spike_monitor(pop, to_indices(py::array::ensure(indices), "indices"), false);
           })
      .def("add_state_monitor",
           [](Network& net, int pop, int variable, const py::array& indices, std::int64_t every) {
             return net.add_state_monitor(pop, variable, to_indices(indices, "indices"), every);
           })
      .def("add_rate_monitor", &Network::add_rate_monitor)
      .def("spike_data",
           [](Network& net, int k, bool clear) {
             auto& mon = net.spike_mons.at(k);
             py::array_t<std::int64_t> steps(mon.steps.size());
             py::array_t<std::int32_t> idx(mon.indices.size());
             std::copy(mon.steps.begin(), mon.steps.end(), steps.mutable_data());
             std::copy(mon.indices.begin(), mon.indices.end(), idx.mutable_data());
             if (clear) { net.check_idle("clear"); mon.steps.clear(); mon.indices.clear(); }
             return py::make_tuple(steps, idx);
           }, py::arg("k"), py::arg("clear") = false)
      .def("state_data",
           [](Network& net, int k, bool clear) {
             auto& mon = net.state_mons.at(k);
             const py::ssize_t rows = mon.steps.size(), cols = mon.indices.size();
             py::array_t<std::int64_t> steps(rows);
             py::array_t<double> vals({rows, cols});
             std::copy(mon.steps.begin(), mon.steps.end(), steps.mutable_data());
             std::copy(mon.values.begin(), mon.values.end(), vals.mutable_data());
             if (clear) { net.check_idle("clear"); mon.steps.clear(); mon.values.clear(); }
             return py::make_tuple(steps, vals);
           }, py::arg("k"), py::arg("clear") = false)
      .def("rate_data",
           [](Network& net, int k, bool clear) {
             auto& mon = net.rate_mons.at(k);
             py::array_t<std::int32_t> counts(mon.counts.size());
             std::copy(mon.counts.begin(), mon.counts.end(), counts.mutable_data());
             const std::int64_t first = mon.first_step;
             if (clear) { net.check_idle("clear"); mon.first_step += mon.counts.size(); mon.counts.clear(); }
             return py::make_tuple(first, counts);
           }, py::arg("k"), py::arg("clear") = false)
      .def("run",
           [](Network& net, std::int64_t steps) {
             py::gil_scoped_release release;
             return net.run(steps);
           })
      .def("stop", &Network::stop)
      // zero-copy state views (numpy arrays whose base keeps the network alive)
      .def("v", [](py::object self, int pop) { return view(self, lif(self.cast<Network&>(), pop).v); })
      .def("i_inj", [](py::object self, int pop) { return view(self, lif(self.cast<Network&>(), pop).i_inj); })
      .def("refractory", [](py::object self, int pop) { return view(self, lif(self.cast<Network&>(), pop).refractory); })
      .def("g", [](py::object self, int pop, int k) {
        auto& P = lif(self.cast<Network&>(), pop);
        if (k < 0 || k >= static_cast<int>(P.g.size())) throw std::invalid_argument("channel out of range");
        return view(self, P.g[k]);
      })
      .def("rate", [](py::object self, int pop) {
        auto& P = self.cast<Network&>().pop(pop, "group");
        if (!P.poisson) throw std::invalid_argument("group is not a Poisson group");
        return view(self, P.rate);
      })
      .def("weights", [](py::object self, int k) { return view(self, self.cast<Network&>().proj(k).weight); })
      .def("targets", [](py::object self, int k) { return view(self, self.cast<Network&>().proj(k).target); })
      .def("row_ptr", [](py::object self, int k) { return view(self, self.cast<Network&>().proj(k).row); })
      .def("pop_size", [](Network& net, int pop) { return net.pop(pop, "group").n; })
      .def("n_synapses", [](Network& net, int k) { return net.proj(k).size(); })
      .def("plastic", [](Network& net, int k) { return net.proj(k).plastic; })
      .def("set_plastic", [](Network& net, int k, bool on) {
        net.check_idle("stdp");
        auto& R = net.proj(k);
        if (on && R.col.empty()) throw std::invalid_argument("stdp was never configured on this projection");
        R.plastic = on;
      })
      .def("static_bytes_per_synapse", [](Network& net, int k) {
        auto& R = net.proj(k);
        return static_cast<double>(sizeof(R.weight[0]) + sizeof(R.target[0]));
      })
      .def("memory_bytes", [](Network& net, int k) {
        auto& R = net.proj(k);
        return static_cast<std::int64_t>(R.weight.size() * sizeof(float) + R.target.size() * 4 +
                                         R.row.size() * 8 + R.ring.size() * 8 +
                                         R.col.size() * 8 + R.col_syn.size() * 8);
      });
}
