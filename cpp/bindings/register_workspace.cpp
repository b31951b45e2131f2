#include "bindings/register.hpp"

namespace py = pybind11;

// Filled in by the workspace engine.
void register_workspace(py::module_& m) { m.def_submodule("workspace"); }
