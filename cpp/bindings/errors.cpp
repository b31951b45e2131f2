// neurosys.CoreError and its subclasses in the native module: loads them from neurosys.errors,
// exposes them on neurosys._core, and turns the engines' std::invalid_argument into
// ParameterError (a ValueError, as pybind11's default translation was).
#include <pybind11/pybind11.h>

#include <stdexcept>

#include "bindings/errors.hpp"
#include "bindings/register.hpp"

namespace py = pybind11;
using namespace neurosys::bindings;

void register_errors(py::module_& m) {
  if (!load_errors()) throw py::error_already_set();
  py::module_ errors = py::module_::import("neurosys.errors");
  for (const char* name : {"CoreError", "ParameterError", "WorkspaceFullError", "WorkspaceClosedError",
                           "CorruptWorkspaceError"})
    m.attr(name) = errors.attr(name);
  py::register_local_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const std::invalid_argument& e) {
      PyErr_SetString(g_parameter_error, e.what());
    }
  });
}
