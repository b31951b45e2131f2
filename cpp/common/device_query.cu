// CUDA side of the device query; compiled only in CUDA builds.
#include <cuda_runtime.h>

#include "common/device.hpp"

namespace neurosys {

int cuda_device_count() noexcept {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess) {
    cudaGetLastError();  // clear the sticky "no driver" error
    return 0;
  }
  return n;
}

}  // namespace neurosys
