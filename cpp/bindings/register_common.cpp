// neurosys._core's top level: the version, the build's capabilities (OpenMP, CUDA) and device
// resolution shared by every engine.
#include <pybind11/pybind11.h>

#include "bindings/register.hpp"
#include "common/device.hpp"

namespace py = pybind11;

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
}
