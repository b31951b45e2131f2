// Device choice shared by the engines: resolve "auto" / "cpu" / "cuda" against what this build
// and this machine have, with an error naming the argument when CUDA is asked for and absent.
#include "common/device.hpp"

#include <stdexcept>
#include <string>

namespace neurosys {

#if !defined(NEUROSYS_HAS_CUDA)
int cuda_device_count() noexcept { return 0; }
#endif

Device resolve_device(const char* name, const char* argument) {
  const std::string s = name ? name : "";
  if (s == "cpu") return Device::CPU;
  if (s == "auto") return cuda_device_count() > 0 ? Device::CUDA : Device::CPU;
  if (s == "cuda") {
    if (!kBuiltWithCuda)
      throw std::invalid_argument(std::string(argument) +
                                  "='cuda': this build of neurosys has no CUDA kernels");
    if (cuda_device_count() == 0)
      throw std::invalid_argument(std::string(argument) + "='cuda': no CUDA device is available");
    return Device::CUDA;
  }
  std::string accepted;
  for (const char* known : kDeviceNames) accepted += std::string(accepted.empty() ? "'" : ", '") + known + "'";
  throw std::invalid_argument(std::string(argument) + " must be one of " + accepted + ", got '" + s + "'");
}

}  // namespace neurosys
