// CPU-only builds: the CUDA entry points exist and say why they cannot run.
#include <stdexcept>

#include "snn/cuda_backend.hpp"

#if !defined(NEUROSYS_HAS_CUDA)
namespace neurosys::snn {

void check_cuda_support(const Network&) {
  throw std::invalid_argument("device='cuda': this build of neurosys has no CUDA kernels");
}

std::int64_t run_on_cuda(Network& net, std::int64_t) {
  check_cuda_support(net);
  return 0;
}

}  // namespace neurosys::snn
#endif
