// Per-neuron and per-synapse arithmetic shared by the CPU loops and the CUDA kernels (the
// cubff pattern: one source, NS_HD functions). Everything here is pure and index-local.
#pragma once
#include <cmath>
#include <cstdint>

#include "common/device.hpp"
#include "common/rng.hpp"
#include "snn/math.hpp"

namespace neurosys::snn {

// One step of tau_m dv/dt = (v_rest - v) + R_m (gsum_E - gsum v + I), with the conductances
// frozen over the step. `G` = 1 + R_m * sum g, `A` = v_rest + R_m (sum g E + I); k = dt/tau_m.
NS_HD inline double membrane_exact(double v, double G, double A, double k) {
  const double v_inf = A / G;
  return v_inf + (v - v_inf) * exp_fast(-G * k);
}
NS_HD inline double membrane_euler(double v, double G, double A, double k) {
  return v + k * (A - G * v);
}

// Steps until the next spike of a Bernoulli(prob)-per-step (Poisson) source: 1, 2, ...
NS_HD inline std::int64_t geometric_steps(double prob, std::uint64_t bits) {
  if (prob >= 1.0) return 1;
  if (prob <= 0.0) return INT64_MAX / 4;
  const double u = 1.0 - to_unit(bits);  // (0, 1]
  const double k = std::floor(std::log(u) / std::log1p(-prob));
  return k > 4e18 ? INT64_MAX / 4 : static_cast<std::int64_t>(k) + 1;
}

// Counter-based draw for Poisson neuron i of a group (its k-th draw).
NS_HD inline std::uint64_t poisson_bits(std::uint64_t seed, std::uint64_t stream, std::int64_t i,
                                        std::uint64_t k) {
  return counter_hash(seed, stream + static_cast<std::uint64_t>(i) * 0x10001ULL, k);
}

// min/max form: compiles to branch-free minsd/maxsd (weights near the bounds would make a
// branch unpredictable)
NS_HD inline double clip(double w, double lo, double hi) {
  const double a = w < hi ? w : hi;
  return a > lo ? a : lo;
}

// The end of a neuron's step: refractory neurons keep v, the others take vn; crossing the
// threshold resets v and starts the refractory count. Branch-free, so CPU loops vectorise.
struct Threshold {
  double v_thresh, v_reset;
  std::int32_t ref_steps;
};
NS_HD inline std::int32_t finish_neuron(double vn, double& v, std::int32_t& ref,
                                        std::int32_t& spiked, const Threshold& t) {
  const std::int32_t r = ref;
  const double vv = r > 0 ? v : vn;
  const bool fire = vv > t.v_thresh;
  v = fire ? t.v_reset : vv;
  ref = fire ? t.ref_steps : (r > 0 ? r - 1 : 0);
  spiked = fire;
  return fire;
}

// Pair-based STDP (Song, Miller & Abbott 2000) with event-driven traces.
struct StdpParams {
  double tau_pre = 20e-3, tau_post = 20e-3;
  double A_plus = 0.01, A_minus = 0.0105;  // fractions of w_max (additive) per pairing
  double w_min = 0.0, w_max = 1.0;
  bool multiplicative = false;  // soft bounds: dw+ ~ (w_max - w), dw- ~ (w - w_min)
};

// A trace that jumps by 1 at each spike, stored as (value just after the last spike, its step)
// and decayed when read with table[k] = exp(-k dt / tau); zero beyond the table (< 1e-30).
NS_HD inline double trace_at(const double* value, const std::int64_t* last, const double* table,
                             std::int64_t table_len, std::int64_t i, std::int64_t step) {
  const std::int64_t k = step - last[i];
  return k < table_len ? value[i] * table[k] : 0.0;
}
// The trace as it was before a spike at `step` itself (Brian2's pre-then-post order: a
// presynaptic spike is depressed by the post trace without this step's post spike).
NS_HD inline double trace_before(const double* value, const std::int64_t* last, const double* table,
                                 std::int64_t table_len, std::int64_t i, std::int64_t step) {
  return trace_at(value, last, table, table_len, i, step) - (last[i] == step ? 1.0 : 0.0);
}

// A presynaptic spike depresses by the post trace x; a postsynaptic one potentiates by the pre
// trace x. Weights stay in [w_min, w_max].
NS_HD inline float stdp_depress(float w, double x, const StdpParams& p) {
  const double step = p.multiplicative ? p.A_minus * (w - p.w_min) : p.A_minus * (p.w_max - p.w_min);
  return static_cast<float>(clip(w - step * x, p.w_min, p.w_max));
}
NS_HD inline float stdp_potentiate(float w, double x, const StdpParams& p) {
  const double step = p.multiplicative ? p.A_plus * (p.w_max - w) : p.A_plus * (p.w_max - p.w_min);
  return static_cast<float>(clip(w + step * x, p.w_min, p.w_max));
}

}  // namespace neurosys::snn
