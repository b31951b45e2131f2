// One pair of one epoch: gather the two programs into a tape, mutate, run, scatter back. The same
// body runs in the OpenMP loop (soup.cpp) and in the CUDA kernel (soup_cuda.cu).
#pragma once
#include <cstdint>
#include <type_traits>

#include "common/device.hpp"
#include "common/rng.hpp"
#include "soup/interpreter.hpp"

namespace neurosys::soup {

enum class RngMode : std::uint8_t { Default = 0, Cubff = 1 };

// Origin tags of bytes (provenance): the initial soup, a mutation, else an injection's id.
constexpr std::uint32_t kOriginPrimordial = 0;
constexpr std::uint32_t kOriginMutation = 0xFFFFFFFFu;

// Random streams of the default generator: every draw is counter_hash(seed, stream, counter).
enum Stream : std::uint64_t { kStreamInit = 1, kStreamShuffle = 2, kStreamMutate = 3 };
NS_HD inline std::uint64_t epoch_stream(std::uint64_t epoch, Stream s) { return (epoch << 3) | s; }

// The reference implementation's seeding: seed(x) = SM(SM(user_seed) ^ SM(x)).
NS_HD inline std::uint64_t cubff_seed(std::uint64_t user_seed, std::uint64_t x) {
  return splitmix64(splitmix64(user_seed) ^ splitmix64(x));
}

struct EpochArgs {
  std::uint8_t* programs;        // size x length
  std::uint32_t* origins;        // size x length origin tags, or null: no provenance
  const std::uint32_t* perm;     // pair k = (perm[2k], perm[2k+1])
  std::uint32_t* ops;            // per pair
  const std::uint64_t* no_mut;   // default mode: P(no mutation in the next j bytes) * 2^64
  std::uint64_t size;
  std::uint64_t seed;
  std::uint64_t epoch;
  std::uint64_t cubff_epoch_seed;  // cubff_seed(seed, epoch)
  std::int64_t max_steps;
  std::uint32_t cubff_threshold;   // cubff mode: mutate when 30 random bits < threshold
  int length;
  Language lang;
  RngMode rng;
  bool heads_from_tape;
  bool mutate;
};

// Default mode: gaps between mutated bytes are geometric; each gap is one 64-bit draw compared
// against a host-computed integer table, so CPU and GPU agree bit for bit and the common case
// (no mutation in the tape, ~97% at 2^-12) costs one draw instead of one per byte.
NS_HD inline void mutate_default(std::uint8_t* tape, TagTape* org, int len, const EpochArgs& a,
                                 std::uint64_t k) {
  StreamRng rng(a.seed, epoch_stream(a.epoch, kStreamMutate), k);
  int pos = 0;
  while (pos < len) {
    const std::uint64_t u = rng.next();
    const int remaining = len - pos;
    if (u < a.no_mut[remaining]) return;
    int lo = 0, hi = remaining - 1;  // gap g: u < no_mut[g] and u >= no_mut[g + 1]
    while (lo < hi) {
      const int mid = (lo + hi + 1) >> 1;
      if (u < a.no_mut[mid]) lo = mid; else hi = mid - 1;
    }
    pos += lo;
    tape[pos] = static_cast<std::uint8_t>(rng.next() & 255);
    if (org) org->get()[pos] = kOriginMutation;
    ++pos;
  }
}

// cubff mode: r = SM((N * seed(e) + k) * 2L + i); byte i takes r & 255 when its 30 probability
// bits fall under the threshold (2^18 for the default 2^-12).
NS_HD inline void mutate_cubff(std::uint8_t* tape, TagTape* org, int len, const EpochArgs& a,
                               std::uint64_t k) {
  const std::uint64_t base = (a.size * a.cubff_epoch_seed + k) * std::uint64_t(len);
  for (int i = 0; i < len; ++i) {
    const std::uint64_t r = splitmix64(base + std::uint64_t(i));
    if (((r >> 8) & ((1ULL << 30) - 1)) < a.cubff_threshold) {
      tape[i] = static_cast<std::uint8_t>(r & 255);
      if (org) org->get()[i] = kOriginMutation;
    }
  }
}

// With provenance (kTrace) the pair's origin tags travel with its bytes: read when the first
// byte is written (mutated or copied), written back if they were. Without it nothing of them
// is touched.
template <bool kTrace>
NS_HD inline void run_pair_impl(const EpochArgs& a, std::uint64_t k) {
  std::uint8_t tape[kMaxTape];
  const int L = a.length;
  const std::uint64_t r1 = std::uint64_t(a.perm[2 * k]) * L, r2 = std::uint64_t(a.perm[2 * k + 1]) * L;
  std::uint8_t* p1 = a.programs + r1;
  std::uint8_t* p2 = a.programs + r2;
  for (int i = 0; i < L; ++i) {
    tape[i] = p1[i];
    tape[L + i] = p2[i];
  }
  TagTape* org = nullptr;
  [[maybe_unused]] std::conditional_t<kTrace, TagTape, char> tags;  // no 4 KiB frame without it
  if constexpr (kTrace) {
    tags.first = a.origins + r1;
    tags.second = a.origins + r2;
    tags.half = L;
    org = &tags;
  }
  if (a.mutate) {
    if (a.rng == RngMode::Cubff) mutate_cubff(tape, org, 2 * L, a, k);
    else mutate_default(tape, org, 2 * L, a, k);
  }
  a.ops[k] = run_tape_impl<kTrace>(tape, org, 2 * L, a.lang, a.max_steps, a.heads_from_tape);
  for (int i = 0; i < L; ++i) {
    p1[i] = tape[i];
    p2[i] = tape[L + i];
  }
  if constexpr (kTrace) {
    if (tags.loaded) {
      for (int i = 0; i < L; ++i) {
        a.origins[r1 + i] = tags.tags[i];
        a.origins[r2 + i] = tags.tags[L + i];
      }
    }
  }
}

NS_HD inline void run_pair(const EpochArgs& a, std::uint64_t k) {
  if (a.origins) run_pair_impl<true>(a, k);
  else run_pair_impl<false>(a, k);
}

}  // namespace neurosys::soup
