// Recorders filled by the step loop (by one thread, after the spikes of a step are known).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace neurosys::snn {

struct SpikeMonitor {
  int pop = 0;
  std::vector<std::uint8_t> mask;  // empty: every neuron
  std::vector<std::int64_t> steps;
  std::vector<std::int32_t> indices;
};

struct StateMonitor {
  int pop = 0;
  int variable = -1;  // -1: v, -2: i_inj, k >= 0: conductance/current of channel k
  std::vector<std::uint32_t> indices;
  std::int64_t every = 1;
  std::vector<std::int64_t> steps;
  std::vector<double> values;  // row per sample, column per index
};

struct RateMonitor {
  int pop = 0;
  std::vector<std::int32_t> counts;  // spikes per step
  std::int64_t first_step = 0;
};

}  // namespace neurosys::snn
