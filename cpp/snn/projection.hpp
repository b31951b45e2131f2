// A projection: synapses from one population onto one channel of another, stored as CSR by
// presynaptic neuron (float weight + uint32 target = 8 bytes per static synapse), one delay in
// steps per projection with a ring buffer of conductance increments per delay slot, or a delay
// per synapse (one more byte each) into the target channel's shared ring (Population::ring).
// Optional pair-based STDP with event-driven per-neuron traces (Song, Miller & Abbott 2000).
#pragma once
#include <cstdint>
#include <vector>

#include "snn/kernels.hpp"
#include "snn/population.hpp"

namespace neurosys::snn {

// A per-neuron trace (see trace_at in snn/kernels.hpp).
struct EventTraces {
  std::vector<double> value;
  std::vector<std::int64_t> last;
  std::vector<double> table;  // exp(-k dt / tau) for k < table.size()
  double tau_steps = 1.0;
  void init(std::int64_t n, double tau, double dt);
  double at(std::int64_t i, std::int64_t step) const {
    return trace_at(value.data(), last.data(), table.data(),
                    static_cast<std::int64_t>(table.size()), i, step);
  }
  double before(std::int64_t i, std::int64_t step) const {
    return trace_before(value.data(), last.data(), table.data(),
                        static_cast<std::int64_t>(table.size()), i, step);
  }
  void spike(std::int64_t i, std::int64_t step) {
    value[i] = at(i, step) + 1.0;
    last[i] = step;
  }
};

struct Projection {
  int pre = 0, post = 0, channel = 0;
  std::int32_t delay = 1;  // steps, >= 1 (one step = seen by the next update)
  // Increments of spikes in flight, delay slots x n_post; empty for delay 1, where spikes are
  // added straight into the target conductance (nothing else touches it between updates).
  std::vector<std::uint64_t> row;      // CSR row pointers, size n_pre + 1
  std::vector<std::uint32_t> target;   // sorted within each row
  std::vector<float> weight;
  std::vector<double> ring;
  std::vector<std::uint8_t> delays;    // per synapse, steps >= 1; empty: `delay` for all

  bool plastic = false;
  StdpParams stdp;
  EventTraces pre_trace, post_trace;
  std::vector<std::uint64_t> col;      // incoming synapses per post neuron (CSC pointers)
  std::vector<std::uint32_t> col_syn, col_pre;

  std::int64_t size() const { return static_cast<std::int64_t>(target.size()); }
  // Builds CSR from (i, j, w) triples; rows sorted by target, weights follow their synapse.
  void build_from_pairs(std::int64_t n_pre, const std::vector<std::uint32_t>& i,
                        const std::vector<std::uint32_t>& j, const std::vector<float>& w);
  // Fixed-probability connectivity: each row drawn from its own counter-based stream by
  // geometric skipping, so the result depends on the seed only (not on threads).
  void build_random(std::int64_t n_pre, std::int64_t n_post, double p, bool allow_self,
                    bool same_population, float w, std::uint64_t seed, std::uint64_t stream,
                    int threads);
  // Fixed total number (NEST's "fixed_total_number", autapses and multapses allowed): `count`
  // synapses, each with a uniform source and target, a weight ~ N(w_mean, w_std) redrawn until
  // it has w_mean's sign (or is 0 when w_mean is), and a delay ~ N(d_mean, d_std) seconds
  // redrawn until >= d_min, then rounded to steps of dt. Each synapse's draws come from its
  // own counter-based stream: the result depends on the seed only. Rows end sorted by target.
  void build_total(std::int64_t n_pre, std::int64_t n_post, std::int64_t count, double w_mean,
                   double w_std, double d_mean, double d_std, double d_min, double dt,
                   std::uint64_t seed, std::uint64_t stream, int threads);
  std::int32_t max_delay() const;
  void enable_stdp(const StdpParams& params, std::int64_t n_pre, std::int64_t n_post, double dt);
  void build_columns(std::int64_t n_post);

  // Delivers the spikes of presynaptic neurons (`lists` lists) onto targets in [lo, hi) (into `g`,
  // the target channel, directly or through the delay ring), and applies depression for
  // plastic projections. `step` is the current step.
  void propagate(const SpikeList* spikes, int lists, std::int64_t lo,
                 std::int64_t hi, std::int64_t step, double* g, std::int64_t n_post, bool search);
  // The same with a delay per synapse: into slot (step + d - 1) % slots of `ring` (the target
  // channel's, `slots` x n_post), which the population drains after this step's deliveries.
  void propagate_delayed(const SpikeList* spikes, int lists, std::int64_t lo, std::int64_t hi,
                         std::int64_t step, float* ring, std::int32_t slots, std::int64_t n_post,
                         bool search);
  // Potentiation of the synapses onto post neurons that spiked this step (all in [lo, hi)).
  void potentiate(const std::vector<std::uint32_t>& post_spikes, std::int64_t step);
};

}  // namespace neurosys::snn
