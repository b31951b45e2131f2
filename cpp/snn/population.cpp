// The neuron loops must vectorise; IEEE trap flags are never inspected in neurosys, so comparisons
// may become branch-free selects.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-trapping-math")
#endif
#include "snn/population.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "common/rng.hpp"
#include "snn/kernels.hpp"

namespace neurosys::snn {

int Population::channel_index(const std::string& channel) const {
  for (std::size_t k = 0; k < channels.size(); ++k)
    if (channels[k].name == channel) return static_cast<int>(k);
  std::string names;
  for (const auto& c : channels) names += (names.empty() ? "'" : ", '") + c.name + "'";
  throw std::invalid_argument("channel must be one of " + names + " of population '" + name +
                              "', got '" + channel + "'");
}

void Population::update(std::int64_t lo, std::int64_t hi, double dt, std::int64_t step,
                        std::uint64_t seed, std::vector<std::uint32_t>& out) {
  out.clear();
  if (poisson)
    update_poisson(lo, hi, dt, step, seed, out);
  else
    update_lif(lo, hi, dt, out);
}

// Membrane: tau_m dv/dt = (v_rest - v) + R_m (sum_k g_k (E_k - v) + sum_c I_c + I_inj).
// "exact": conductances frozen over the step (they are updated exactly from their start-of-step
// values), so v relaxes exponentially to its momentary equilibrium (Brian2's exponential_euler,
// exact for current-based input). "euler": the seed's forward Euler step.
// Each kernel below is one straight loop over a block of neurons that integrates, applies the
// refractory clamp and the threshold, and writes a spike flag per neuron, all branch-free, so it
// vectorises; the x86-64-v3 clone adds AVX2 with FMA, the x86-64-v4 one AVX-512 (8 neurons per
// instruction and mask registers for the refractory/threshold selects: 1.3-1.5x on Zen 4).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__CUDACC__)
#define NS_VECTOR_CLONES \
  __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define NS_VECTOR_CLONES
#endif

namespace {

// Any mix of channels, their sums precomputed: G - 1 = R sum g, drive = sum g E + sum I.
template <bool kExact>
inline std::int32_t summed_loop(std::int64_t m, double* __restrict v, const double* __restrict iinj,
                                std::int32_t* __restrict ref, std::int32_t* __restrict spiked,
                                const double* __restrict gsum, const double* __restrict drive,
                                const NeuronParams& p, const Threshold t, double dt) {
  const double k = dt / p.tau_m, R = p.R_m, vr = p.v_rest;
  std::int32_t fired = 0;
  for (std::int64_t b = 0; b < m; ++b) {
    const double G = 1.0 + R * gsum[b], A = vr + R * (drive[b] + iinj[b]);
    const double vn = kExact ? membrane_exact(v[b], G, A, k) : membrane_euler(v[b], G, A, k);
    fired += finish_neuron(vn, v[b], ref[b], spiked[b], t);
  }
  return fired;
}

// The common case, two conductance channels (excitatory and inhibitory), fused in one pass so
// each neuron's state is loaded and stored once per step.
template <bool kExact>
inline std::int32_t two_conductance_loop(std::int64_t m, double* __restrict v,
                                         const double* __restrict iinj, double* __restrict g0,
                                         double* __restrict g1, std::int32_t* __restrict ref,
                                         std::int32_t* __restrict spiked, const Channel& c0,
                                         const Channel& c1, const NeuronParams& p,
                                         const Threshold t, double dt) {
  const double k = dt / p.tau_m, R = p.R_m, vr = p.v_rest;
  const double E0 = c0.E, E1 = c1.E, d0 = c0.decay, d1 = c1.decay;
  std::int32_t fired = 0;
  for (std::int64_t b = 0; b < m; ++b) {
    const double a = g0[b], c = g1[b];
    const double G = 1.0 + R * (a + c), A = vr + R * (a * E0 + c * E1 + iinj[b]);
    const double vn = kExact ? membrane_exact(v[b], G, A, k) : membrane_euler(v[b], G, A, k);
    g0[b] = a * d0;
    g1[b] = c * d1;
    fired += finish_neuron(vn, v[b], ref[b], spiked[b], t);
  }
  return fired;
}

// The vectorised entry points (one clone per ISA level); each returns the block's spike count.
NS_VECTOR_CLONES
std::int32_t integrate_block(std::int64_t m, double* v, const double* iinj, std::int32_t* ref,
                             std::int32_t* spiked, const double* gsum, const double* drive,
                             const NeuronParams& p, const Threshold t, double dt) {
  return p.method == Integrator::Exact
             ? summed_loop<true>(m, v, iinj, ref, spiked, gsum, drive, p, t, dt)
             : summed_loop<false>(m, v, iinj, ref, spiked, gsum, drive, p, t, dt);
}

NS_VECTOR_CLONES
std::int32_t integrate_two_conductances(std::int64_t m, double* v, const double* iinj, double* g0,
                                        double* g1, std::int32_t* ref, std::int32_t* spiked,
                                        const Channel& c0, const Channel& c1,
                                        const NeuronParams& p, const Threshold t, double dt) {
  return p.method == Integrator::Exact
             ? two_conductance_loop<true>(m, v, iinj, g0, g1, ref, spiked, c0, c1, p, t, dt)
             : two_conductance_loop<false>(m, v, iinj, g0, g1, ref, spiked, c0, c1, p, t, dt);
}

}  // namespace

void Population::update_lif(std::int64_t lo, std::int64_t hi, double dt, std::vector<std::uint32_t>& out) {
  // small blocks: at typical rates most of them have no spike, and their flags are not scanned
  constexpr std::int64_t kBlock = 128;
  alignas(64) double gsum[kBlock], drive[kBlock];
  alignas(64) std::int32_t spiked[kBlock];
  const Threshold t{p.v_thresh, p.v_reset, ref_steps};
  const bool fused = channels.size() == 2 && !channels[0].current && !channels[1].current;
  for (std::int64_t b0 = lo; b0 < hi; b0 += kBlock) {
    const std::int64_t m = std::min(kBlock, hi - b0);
    std::int32_t fired;
    if (fused) {
      fired = integrate_two_conductances(m, v.data() + b0, i_inj.data() + b0, g[0].data() + b0,
                                         g[1].data() + b0, refractory.data() + b0, spiked,
                                         channels[0], channels[1], p, t, dt);
    } else {
      sum_channels(b0, m, gsum, drive);
      fired = integrate_block(m, v.data() + b0, i_inj.data() + b0, refractory.data() + b0, spiked,
                              gsum, drive, p, t, dt);
    }
    for (std::int64_t b = 0; fired > 0; ++b)
      if (spiked[b]) {
        out.push_back(static_cast<std::uint32_t>(b0 + b));
        --fired;
      }
  }
}

void Population::sum_channels(std::int64_t b0, std::int64_t m, double* gsum, double* drive) {
  std::fill(gsum, gsum + m, 0.0);
  std::fill(drive, drive + m, 0.0);
  for (std::size_t k = 0; k < channels.size(); ++k) {
    double* __restrict gk = g[k].data() + b0;
    const Channel& c = channels[k];
    if (c.current) {
      const double scale = c.drive_scale;
      for (std::int64_t b = 0; b < m; ++b) drive[b] += scale * gk[b];
    } else {
      // g (E - v) split as g E - g v: gsum carries the v-dependent part
      for (std::int64_t b = 0; b < m; ++b) {
        gsum[b] += gk[b];
        drive[b] += gk[b] * c.E;
      }
    }
    for (std::int64_t b = 0; b < m; ++b) gk[b] *= c.decay;
  }
}

void Population::reserve_ring(int c, std::int32_t slots, std::int64_t step) {
  if (ring.size() < channels.size()) {
    ring.resize(channels.size());
    ring_slots.resize(channels.size(), 0);
  }
  const std::int32_t old = ring_slots[c];
  if (slots <= old) return;
  // What is in flight is due at steps [step, step + old): slot t % old moves to t % slots.
  std::vector<float> grown(static_cast<std::size_t>(slots) * n, 0.0f);
  for (std::int64_t t = step; t < step + old; ++t)
    std::copy_n(ring[c].begin() + (t % old) * n, n, grown.begin() + (t % slots) * n);
  ring[c] = std::move(grown);
  ring_slots[c] = slots;
}

void Population::drain_rings(std::int64_t lo, std::int64_t hi, std::int64_t step) {
  for (std::size_t c = 0; c < ring.size(); ++c) {
    if (ring_slots[c] == 0) continue;
    float* __restrict due = ring[c].data() + (step % ring_slots[c]) * n;
    double* __restrict gc = g[c].data();
    for (std::int64_t j = lo; j < hi; ++j) {
      gc[j] += static_cast<double>(due[j]);
      due[j] = 0.0f;
    }
  }
}

void PoissonDrive::set_rate(double lambda) {
  // P(k) by the recurrence P(k) = P(k - 1) lambda / k, until the tail is below 1e-16
  cdf.clear();
  double pk = std::exp(-lambda), cum = pk;
  cdf.push_back(cum);
  for (int k = 1; k < 4096 && 1.0 - cum > 1e-16; ++k) {
    pk *= lambda / k;
    cum += pk;
    cdf.push_back(cum);
  }
  cdf.back() = 1.0;
  constexpr int kSlices = 1 << 16;
  bucket.assign(kSlices, kAmbiguous);
  std::size_t k = 0;
  for (int b = 0; b < kSlices; ++b) {
    const double lo = static_cast<double>(b) / kSlices, hi = static_cast<double>(b + 1) / kSlices;
    while (k + 1 < cdf.size() && lo >= cdf[k]) ++k;  // the k of u = lo
    if ((k + 1 == cdf.size() || hi <= cdf[k]) && k < kAmbiguous) bucket[b] = static_cast<std::uint16_t>(k);
  }
}

void Population::apply_drives(std::int64_t lo, std::int64_t hi, std::int64_t step,
                              std::uint64_t seed) {
  for (const PoissonDrive& d : drives) {
    // One keyed hash a step, then one SplitMix64 finaliser per neuron (its counter is the
    // neuron's index), so a neuron's draw is the same whatever thread draws it.
    const std::uint64_t key = counter_hash(seed, d.stream, static_cast<std::uint64_t>(step));
    const double* cdf = d.cdf.data();
    const std::uint16_t* bucket = d.bucket.data();
    const std::int64_t last = static_cast<std::int64_t>(d.cdf.size()) - 1;
    double* __restrict gc = g[d.channel].data();
    for (std::int64_t j = lo; j < hi; ++j) {
      const std::uint64_t bits = splitmix64(key + static_cast<std::uint64_t>(j) * 0x9e3779b97f4a7c15ULL);
      std::int64_t k = bucket[bits >> 48];  // u's top 16 bits pick its slice
      if (k == PoissonDrive::kAmbiguous) {
        const double u = to_unit(bits);
        k = 0;
        while (k < last && u >= cdf[k]) ++k;
      }
      gc[j] += d.weight * static_cast<double>(k);
    }
  }
}

void Population::update_poisson(std::int64_t lo, std::int64_t hi, double dt, std::int64_t step,
                                std::uint64_t seed, std::vector<std::uint32_t>& out) {
  for (std::int64_t i = lo; i < hi; ++i) {
    if (next_spike[i] != step) continue;
    out.push_back(static_cast<std::uint32_t>(i));
    next_spike[i] = step + geometric_steps(rate[i] * dt, poisson_bits(seed, stream, i, draws[i]++));
  }
}

void Population::redraw_poisson(std::int64_t step, double dt, std::uint64_t seed) {
  for (std::int64_t i = 0; i < n; ++i) {
    if (rate[i] <= 0.0) {
      next_spike[i] = INT64_MAX;
      continue;
    }
    next_spike[i] = step - 1 + geometric_steps(rate[i] * dt, poisson_bits(seed, stream, i, draws[i]++));
  }
}

}  // namespace neurosys::snn
