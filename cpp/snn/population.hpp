// A population of conductance-based LIF neurons, or of Poisson generators: parameters, state
// arrays (structure of arrays, so Python sees each one zero-copy) and the per-step update of a
// contiguous neuron range.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace neurosys::snn {

enum class Integrator { Exact, Euler };

// One thread's spikes of a step, alone on its cache line: a thread appends to its list while
// the others read theirs and last step's, and vector headers that shared a line would move it
// between cores at every append.
struct alignas(64) SpikeList : std::vector<std::uint32_t> {};

// One synaptic input channel: conductance (siemens, current g (E - v)) or current (ampere).
struct Channel {
  std::string name;
  double tau = 5e-3;        // decay time constant (s); 0 for a delta current channel
  double E = 0.0;           // reversal potential (V); unused for current channels
  bool current = false;     // true: the variable is a current, not a conductance
  double decay = 0.0;       // exp(-dt / tau), set by the network
  // The current's weight in the membrane update, set by the network: 1, except for an
  // exponential current into a population of current channels only integrated "exact", where
  // it makes the step exact for a current decaying over it (NEST's iaf_psc_exp propagator).
  double drive_scale = 1.0;
};

// Independent Poisson input straight into a channel (a NEST poisson_generator connected to
// each neuron): every step each neuron receives weight x k, k ~ Poisson(rate dt), so any rate
// works, several spikes a step included. `cdf` is P(k' <= k) for k = 0, 1, ...; k is found by
// inversion of one uniform draw u, through `bucket` (the k of each of 2^16 equal slices of
// [0, 1), or kAmbiguous for the few slices a cdf value cuts, which search `cdf`).
struct PoissonDrive {
  static constexpr std::uint16_t kAmbiguous = 0xFFFF;
  int channel = 0;
  double weight = 0.0;
  std::uint64_t stream = 0;
  std::vector<double> cdf;
  std::vector<std::uint16_t> bucket;
  void set_rate(double lambda);  // rate x dt: spikes a step on average
};

struct NeuronParams {
  double tau_m = 20e-3, v_rest = -60e-3, v_thresh = -50e-3, v_reset = -60e-3, t_ref = 5e-3;
  double R_m = 100e6;
  Integrator method = Integrator::Exact;
};

struct Population {
  std::string name;
  std::int64_t n = 0;
  bool poisson = false;
  std::uint64_t stream = 0;  // RNG stream of this population (Poisson draws)

  // LIF neurons
  NeuronParams p;
  std::int32_t ref_steps = 0;
  std::vector<Channel> channels;
  std::vector<double> v, i_inj;
  std::vector<std::vector<double>> g;  // [channel][neuron]
  std::vector<std::int32_t> refractory;  // steps left with v clamped at reset
  // Per channel, for projections with a delay per synapse: increments in flight, `ring_slots`
  // x n, slot s % slots drained into the channel at the end of step s's delivery (one ring per
  // channel, shared by its projections, so a step drains each channel once whatever the
  // number of projections onto it). float: half the cache footprint of the scattered writes,
  // which bound the delivery; a step's increments to one neuron are few.
  std::vector<std::vector<float>> ring;
  std::vector<std::int32_t> ring_slots;
  std::vector<PoissonDrive> drives;

  // Poisson generators: rate per neuron, next spike step, draws made so far
  std::vector<double> rate;
  std::vector<std::int64_t> next_spike;
  std::vector<std::uint64_t> draws;

  // Spikes of a step, one list per thread (each sorted; concatenated in thread order they are
  // sorted, whatever the thread count). Two steps are kept, so a thread may update the next
  // step while others still deliver this one's spikes.
  std::vector<SpikeList> spikes;  // 2 x spike_threads lists
  int spike_threads = 1;
  void reset_spike_lists(int threads) {
    spike_threads = threads;
    spikes.assign(2 * static_cast<std::size_t>(threads), {});
  }
  SpikeList* spike_lists(std::int64_t step) {
    return spikes.data() + (step & 1) * spike_threads;
  }

  int channel_index(const std::string& channel) const;
  // Grows channel c's ring to hold delays up to `slots` steps (keeping what is in flight at
  // `step`, the network's next step).
  void reserve_ring(int c, std::int32_t slots, std::int64_t step);
  // Moves what is due at `step` from the rings into the channels, for neurons [lo, hi), after
  // the step's deliveries (so delay 1 is seen by the next update).
  void drain_rings(std::int64_t lo, std::int64_t hi, std::int64_t step);
  // Adds this step's Poisson drive to neurons [lo, hi).
  void apply_drives(std::int64_t lo, std::int64_t hi, std::int64_t step, std::uint64_t seed);
  // Updates neurons [lo, hi) for step `step` and appends spikes to `out`.
  void update(std::int64_t lo, std::int64_t hi, double dt, std::int64_t step, std::uint64_t seed,
              std::vector<std::uint32_t>& out);
  // Re-draws the next spike of Poisson neurons from `step` on (after a rate change).
  void redraw_poisson(std::int64_t step, double dt, std::uint64_t seed);

 private:
  void update_lif(std::int64_t lo, std::int64_t hi, double dt, std::vector<std::uint32_t>& out);
  // Any number and kind of channels, for neurons [b0, b0 + m): sums the conductances (gsum)
  // and the drive (g E for conductances, I for currents), then decays the channels.
  void sum_channels(std::int64_t b0, std::int64_t m, double* gsum, double* drive);
  void update_poisson(std::int64_t lo, std::int64_t hi, double dt, std::int64_t step,
                      std::uint64_t seed, std::vector<std::uint32_t>& out);
};

}  // namespace neurosys::snn
