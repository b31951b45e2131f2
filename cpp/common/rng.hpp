// Counter-based random numbers: every draw is a pure function of (seed, stream, counter), so
// results do not depend on thread count, scheduling or backend (CPU or CUDA).
#pragma once
#include <cstdint>

#include "common/device.hpp"

namespace neurosys {

// SplitMix64 finaliser (Steele, Lea & Flood 2014): a bijective 64-bit mixer.
NS_HD inline std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// A 64-bit draw keyed by (seed, stream, counter); streams separate independent uses.
NS_HD inline std::uint64_t counter_hash(std::uint64_t seed, std::uint64_t stream,
                                        std::uint64_t counter) {
  return splitmix64(splitmix64(seed ^ splitmix64(stream)) ^ splitmix64(counter + 0x632be59bd9b4e019ULL));
}

// Uniform double in [0, 1) from the top 53 bits.
NS_HD inline double to_unit(std::uint64_t bits) { return (bits >> 11) * (1.0 / 9007199254740992.0); }

// A small sequential generator for one logical stream (one neuron, one pair): cheap to carry
// in registers, still reproducible because its start is counter-derived.
struct StreamRng {
  std::uint64_t state;
  NS_HD StreamRng(std::uint64_t seed, std::uint64_t stream, std::uint64_t counter)
      : state(counter_hash(seed, stream, counter)) {}
  NS_HD std::uint64_t next() {
    state += 0x9e3779b97f4a7c15ULL;
    std::uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  NS_HD double uniform() { return to_unit(next()); }
};

}  // namespace neurosys
