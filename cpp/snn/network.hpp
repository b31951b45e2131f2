// The network: populations, projections and monitors, and the step loop that advances them.
// Every thread owns a fixed contiguous range of each population; spikes are delivered by the
// thread that owns the target neuron, in presynaptic order, so every floating-point sum happens
// in the same order whatever the thread count (bitwise reproducible for a seed).
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/device.hpp"
#include "snn/math.hpp"
#include "snn/monitors.hpp"
#include "snn/population.hpp"
#include "snn/projection.hpp"

namespace neurosys::snn {

// Throw std::invalid_argument naming the first value outside snn/limits.hpp, or the pair that
// disagrees (v_reset >= v_thresh, w_max <= w_min).
void validate(const NeuronParams& p);
void validate(const StdpParams& s);

class Network {
 public:
  Network(double dt, std::uint64_t seed, int threads, Device device = Device::CPU);
  Device device() const { return device_; }
  // device="auto" chose CUDA: networks the CUDA path cannot run fall back to the CPU.
  void set_auto_device(bool on) { auto_device_ = on; }

  int add_population(const std::string& name, std::int64_t n, const NeuronParams& params,
                     std::vector<Channel> channels);
  int add_poisson(const std::string& name, std::int64_t n, const std::vector<double>& rates);
  void set_rates(int pop, const std::vector<double>& rates);

  int connect_random(int pre, int post, const std::string& channel, double p, double weight,
                     std::int32_t delay, bool allow_self);
  int connect_pairs(int pre, int post, const std::string& channel,
                    const std::vector<std::uint32_t>& i, const std::vector<std::uint32_t>& j,
                    const std::vector<float>& w, std::int32_t delay);
  // NEST's fixed_total_number with normal weights and delays (Projection::build_total); the
  // delays go through the target channel's shared ring.
  int connect_total(int pre, int post, const std::string& channel, std::int64_t count,
                    double w_mean, double w_std, double delay_mean, double delay_std,
                    double delay_min);
  // Independent Poisson input of `rate` Hz per neuron into `channel`, `weight` per spike.
  void add_poisson_drive(int pop, const std::string& channel, double rate, double weight);
  void enable_stdp(int proj, const StdpParams& params);

  int add_spike_monitor(int pop, const std::vector<std::uint32_t>& indices, bool all);
  int add_state_monitor(int pop, int variable, const std::vector<std::uint32_t>& indices,
                        std::int64_t every);
  int add_rate_monitor(int pop);

  // Advances `steps` steps (returns how many ran: fewer when stop() was called).
  std::int64_t run(std::int64_t steps);
  void stop() { stop_.store(true, std::memory_order_relaxed); }
  bool running() const { return running_.load(); }

  double dt() const { return dt_; }
  std::int64_t step() const { return step_.load(std::memory_order_relaxed); }
  int threads() const { return threads_; }
  void set_threads(int threads);
  std::uint64_t seed() const { return seed_; }

  std::vector<std::unique_ptr<Population>> pops;
  std::vector<std::unique_ptr<Projection>> projs;
  std::vector<SpikeMonitor> spike_mons;
  std::vector<StateMonitor> state_mons;
  std::vector<RateMonitor> rate_mons;

  Population& pop(int index, const char* argument);
  Projection& proj(int index);
  void check_idle(const char* what) const;

 private:
  friend std::int64_t run_on_cuda(Network& net, std::int64_t steps);
  // What both connection rules share: the endpoint and delay checks and the new projection's
  // bookkeeping; build(R, pre, post) checks the rule's own inputs and fills the synapses.
  template <typename Build>
  int add_projection(int pre, int post, const std::string& channel, std::int32_t delay, Build build);
  // What the threads of a step loop share: the per-step barrier and the stop flag per step
  // parity (written by thread 0 before the barrier).
  struct StepSync {
    StepSync(int T, bool plastic_, bool sampled_) : barrier(T), plastic(plastic_), sampled(sampled_) {}
    StepBarrier barrier;
    std::atomic<bool> halt[2] = {false, false};
    bool plastic, sampled;
    // thread 0 ends a chunk early past this time (a thread count that turned out slower)
    std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  };
  void step_range(int tid, int T, std::int64_t start, std::int64_t end, StepSync& sync);
  void run_pooled(std::int64_t end);
  static constexpr std::int64_t kChunkSteps = 256;  // steps between thread-count choices
  void phase_update(int tid, int T, std::int64_t step);
  void phase_deliver(int tid, int T, std::int64_t step);
  void record_spikes(std::int64_t step);
  void record_states(std::int64_t step);  // the state at the end of `step`
  static std::int64_t bound(std::int64_t n, int tid, int T) { return n * tid / T; }

  double dt_;
  std::uint64_t seed_;
  int threads_;
  Device device_;
  bool auto_device_ = false;
  std::atomic<bool> stop_{false};
  std::atomic<bool> running_{false};
  // written by thread 0 every step: on a cache line of its own (last member, so the object's
  // alignment pads it), away from the fields every thread reads each step
  alignas(64) std::atomic<std::int64_t> step_{0};
};

}  // namespace neurosys::snn
