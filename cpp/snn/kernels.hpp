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

NS_HD inline double clip(double w, double lo, double hi) { return w < lo ? lo : (w > hi ? hi : w); }

}  // namespace neurosys::snn
