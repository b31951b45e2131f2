// Small numeric helpers for the step loop: an exp that the compiler can vectorise (the exact
// membrane update needs one per neuron per step) and a spin-then-yield barrier that stays fast
// on idle cores and degrades gracefully when threads outnumber free cores.
#pragma once
#include <atomic>
#include <cmath>
#include <cstdint>
#include <thread>

#include "common/device.hpp"

namespace neurosys::snn {

// exp(x) to ~1e-13 relative error for x in [-90, 88] (clamped outside: e^-90 ~ 1e-39 is zero
// for every use here). e^x = (e^(x/256))^256 with a degree-13 Taylor polynomial: pure
// floating-point arithmetic, so loops over neurons vectorise (libm's exp does not without
// -ffast-math; the including file must allow it with no-trapping-math).
NS_HD inline double exp_fast(double x) {
  x = x < -90.0 ? -90.0 : x;
  x = x > 88.0 ? 88.0 : x;
  const double y = x * (1.0 / 256.0);
  double p = 1.0 / 6227020800.0;
  p = p * y + 1.0 / 479001600.0;
  p = p * y + 1.0 / 39916800.0;
  p = p * y + 1.0 / 3628800.0;
  p = p * y + 1.0 / 362880.0;
  p = p * y + 1.0 / 40320.0;
  p = p * y + 1.0 / 5040.0;
  p = p * y + 1.0 / 720.0;
  p = p * y + 1.0 / 120.0;
  p = p * y + 1.0 / 24.0;
  p = p * y + 1.0 / 6.0;
  p = p * y + 0.5;
  p = p * y + 1.0;
  p = p * y + 1.0;
  for (int k = 0; k < 8; ++k) p *= p;
  return p;
}

// Sense-counting barrier. Spins briefly (cheap when every thread has a core), then yields the
// core, so an oversubscribed machine runs the straggler instead of burning its time slice.
class StepBarrier {
 public:
  explicit StepBarrier(int threads) : threads_(threads) {}
  void wait() {
    const int gen = generation_.load(std::memory_order_acquire);
    if (arrived_.fetch_add(1, std::memory_order_acq_rel) == threads_ - 1) {
      arrived_.store(0, std::memory_order_relaxed);
      generation_.fetch_add(1, std::memory_order_acq_rel);
      return;
    }
    for (int spins = 0; generation_.load(std::memory_order_acquire) == gen; ++spins) {
      if (spins < 4000) {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
      } else {
        std::this_thread::yield();
      }
    }
  }

 private:
  int threads_;
  std::atomic<int> arrived_{0};
  std::atomic<int> generation_{0};
};

}  // namespace neurosys::snn
