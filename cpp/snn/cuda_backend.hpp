// The CUDA path of the step loop (built only when CUDA is found). Neuron updates, spike
// propagation with delays, and STDP run as kernels on the per-neuron/per-synapse functions of
// snn/kernels.hpp that the CPU loops use too;
// monitors are filled on the host from the spikes copied back each step. Conductance sums use
// atomics, so results are statistically (not bitwise) identical to the CPU path.
#pragma once
#include <cstdint>

namespace neurosys::snn {

class Network;

// Throws std::invalid_argument naming what the CUDA path cannot run in `net` (more than 8
// channels in a population), when no device is present, or when this build has no CUDA kernels.
void check_cuda_support(const Network& net);

// Runs `steps` steps on the GPU: uploads the state, steps, downloads it. Returns steps run.
std::int64_t run_on_cuda(Network& net, std::int64_t steps);

}  // namespace neurosys::snn
