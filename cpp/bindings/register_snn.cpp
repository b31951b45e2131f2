#include "bindings/register.hpp"

namespace py = pybind11;

// Filled in by the snn engine.
void register_snn(py::module_& m) { m.def_submodule("snn"); }
