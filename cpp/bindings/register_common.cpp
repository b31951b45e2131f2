// neurosys._core's top level: the version, the build's capabilities (OpenMP, CUDA), device
// resolution shared by every engine, and the range check (common/limits.hpp) for Python's own
// parameters, so the check and its message are written once.
#include <pybind11/pybind11.h>

#include <cstdint>
#include <string>

#include "bindings/register.hpp"
#include "common/device.hpp"
#include "common/limits.hpp"

namespace py = pybind11;

namespace {

// A limit from its fields as Python keeps them (neurosys.limits.Limit); the strings must outlive it.
neurosys::Limit limit_of(const std::string& name, double lo, double hi, bool lo_open, bool hi_open,
                         double multiple_of, const std::string& unit, const std::string& note) {
  neurosys::Limit l(name.c_str());
  l.lo = lo;
  l.hi = hi;
  l.lo_open = lo_open;
  l.hi_open = hi_open;
  l.multiple_of = multiple_of;
  l.unit = unit.c_str();
  l.note = note.c_str();
  return l;
}

// Checks an int or a float; an int too large for 64 bits is out of every range, and is reported
// as Python prints it.
void check_value(const neurosys::Limit& l, py::handle value) {
  if (PyLong_Check(value.ptr())) {
    int overflow = 0;
    const long long x = PyLong_AsLongLongAndOverflow(value.ptr(), &overflow);
    if (overflow) neurosys::out_of_range(l, true, py::str(value).cast<std::string>());
    neurosys::check(l, std::int64_t(x));
  } else {
    neurosys::check(l, value.cast<double>());
  }
}

}  // namespace

void register_common(py::module_& m) {
  m.attr("__version__") = NEUROSYS_VERSION;
  m.attr("has_cuda") = neurosys::kBuiltWithCuda;
#if defined(_OPENMP)
  m.attr("has_openmp") = true;
#else
  m.attr("has_openmp") = false;
#endif
  m.attr("DEVICES") = name_tuple(neurosys::kDeviceNames);
  m.def("cuda_device_count", &neurosys::cuda_device_count,
        "Number of usable CUDA devices (0 in a CPU-only build or without a GPU).");
  m.def(
      "resolve_device",
      [](const std::string& name) {
        return neurosys::resolve_device(name.c_str()) == neurosys::Device::CUDA ? "cuda" : "cpu";
      },
      py::arg("device"), "Resolve 'auto' | 'cpu' | 'cuda' to the backend that will run.");
  m.def(
      "check_range",
      [](const std::string& name, py::handle value, double lo, double hi, bool lo_open, bool hi_open,
         double multiple_of, const std::string& unit, const std::string& note) {
        check_value(limit_of(name, lo, hi, lo_open, hi_open, multiple_of, unit, note), value);
      },
      py::arg("name"), py::arg("value"), py::arg("lo"), py::arg("hi"), py::arg("lo_open"), py::arg("hi_open"),
      py::arg("multiple_of"), py::arg("unit") = "", py::arg("note") = "",
      "Raise ParameterError '<name> must be <range>, got <value>' when an int or float is outside the range.");
  m.def(
      "range_text",
      [](double lo, double hi, bool lo_open, bool hi_open, double multiple_of, const std::string& unit,
         const std::string& note, bool integer) {
        return neurosys::range_text(limit_of("", lo, hi, lo_open, hi_open, multiple_of, unit, note), integer);
      },
      py::arg("lo"), py::arg("hi"), py::arg("lo_open"), py::arg("hi_open"), py::arg("multiple_of"),
      py::arg("unit") = "", py::arg("note") = "", py::arg("integer") = false,
      "The range as check_range's message writes it: 'in (0, 0.01] s', 'finite and >= 0'.");
}
