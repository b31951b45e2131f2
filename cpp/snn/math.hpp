// Small numeric helpers for the step loop: an exp that the compiler can vectorise (the exact
// membrane update needs one per neuron per step) and a spin-then-sleep barrier that stays fast
// on idle cores and degrades gracefully when threads outnumber free cores.
#pragma once
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "common/device.hpp"
#include "common/futex.hpp"

namespace neurosys::snn {

// exp(x) to ~1e-15 relative error for x in [-700, 700] (clamped outside). Cody-Waite range
// reduction x = n ln2 + r, |r| <= ln2/2, the degree-11 Taylor polynomial in r, and 2^n assembled
// from its exponent bits: pure arithmetic and bit moves, so loops over neurons vectorise (libm's
// exp does not without -ffast-math; the including file must allow it with no-trapping-math).
NS_HD inline double exp_fast(double x) {
#if defined(__CUDA_ARCH__)
  return ::exp(x);
#else
  x = x < -700.0 ? -700.0 : x;
  x = x > 700.0 ? 700.0 : x;
  constexpr double kShift = 6755399441055744.0;  // 1.5 * 2^52: adding it rounds to an integer
  const double t = x * 1.4426950408889634 + kShift;
  const double n = t - kShift;
  const double r = (x - n * 0.6931471803691238) - n * 1.9082149292705877e-10;  // ln2 hi + lo
  // the Taylor coefficients 1/k!, evaluated by Estrin's scheme: a dependency chain of 4
  // multiply-adds instead of Horner's 11, so successive neurons overlap in the pipeline
  const double r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
  const double p01 = 1.0 + r, p23 = 0.5 + r * (1.0 / 6.0), p45 = 1.0 / 24.0 + r * (1.0 / 120.0);
  const double p67 = 1.0 / 720.0 + r * (1.0 / 5040.0), p89 = 1.0 / 40320.0 + r * (1.0 / 362880.0);
  const double pab = 1.0 / 3628800.0 + r * (1.0 / 39916800.0);
  const double q0 = p01 + r2 * p23, q1 = p45 + r2 * p67, q2 = p89 + r2 * pab;
  const double p = (q0 + r4 * q1) + r8 * q2;
  std::int64_t bits_t, bits_shift;
  std::memcpy(&bits_t, &t, sizeof t);
  std::memcpy(&bits_shift, &kShift, sizeof kShift);
  const std::int64_t scale_bits = (bits_t - bits_shift + 1023) << 52;  // the exponent field of 2^n
  double scale;
  std::memcpy(&scale, &scale_bits, sizeof scale);
  return p * scale;
#endif
}

// Sense-counting barrier. Spins briefly (cheap when every thread has a core), then sleeps in the
// kernel until the last thread arrives. Sleeping, not yielding: on an oversubscribed machine a
// yield can hand the core to another process for a whole scheduler slice, while a futex wake-up
// lets the woken thread preempt it at once.
class StepBarrier {
 public:
  explicit StepBarrier(int threads) : threads_(threads) {}
  // A new participant count; only while no thread is waiting.
  void reset(int threads) { threads_ = threads; }
  void wait() {
    const std::uint32_t gen = generation_.load(std::memory_order_acquire);
    if (arrived_.fetch_add(1, std::memory_order_acq_rel) == threads_ - 1) {
      arrived_.store(0, std::memory_order_relaxed);
      generation_.fetch_add(1, std::memory_order_seq_cst);
      if (sleepers_.load(std::memory_order_seq_cst) != 0) futex_wake_all(&generation_);
      return;
    }
    for (int spins = 0; spins < 2000; ++spins) {
      if (generation_.load(std::memory_order_acquire) != gen) return;
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
    }
    sleepers_.fetch_add(1, std::memory_order_seq_cst);
    while (generation_.load(std::memory_order_seq_cst) == gen) futex_wait(&generation_, gen);
    sleepers_.fetch_sub(1, std::memory_order_seq_cst);
  }

 private:
  int threads_;
  std::atomic<int> arrived_{0};
  std::atomic<std::uint32_t> generation_{0};
  std::atomic<int> sleepers_{0};
};

}  // namespace neurosys::snn
