// The private extension module neurosys._core: it only registers one submodule per area.
#include <pybind11/pybind11.h>

#include "bindings/register.hpp"

PYBIND11_MODULE(_core, m) {
  m.doc() = "neurosys native core (private; use the neurosys package)";
  register_errors(m);
  register_common(m);
  register_workspace(m);
  register_soup(m);
  register_snn(m);
}
