#include "bindings/register.hpp"

namespace py = pybind11;

// Filled in by the soup engine.
void register_soup(py::module_& m) { m.def_submodule("soup"); }
