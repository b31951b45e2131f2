// The BFF/BF interpreter for one self-modifying tape, shared by the OpenMP and CUDA paths.
//
// Semantics (identical to the paper's reference code): the pointer and both heads start at 0
// (or head0 = T[0], head1 = T[1], pointer = 2 with heads_from_tape); at most max_steps
// iterations, no-ops included; heads wrap modulo the tape length; the run halts when the pointer
// passes the end or a bracket has no match. Returns the executed instructions (no-ops excluded;
// an instruction that halts on an unmatched bracket counts).
//
// Speed: bitmasks of instruction and bracket positions are kept in step with every write, so
// runs of no-ops and bracket searches skip over bytes with count-trailing-zeros instead of
// decoding them one by one; the iteration count still advances by the bytes skipped.
#pragma once
#include <cstdint>

#include "common/device.hpp"
#include "soup/language.hpp"

#if defined(__SSE2__) && !defined(__CUDA_ARCH__)
#include <emmintrin.h>
#define NS_SOUP_SSE2 1
#endif

namespace neurosys::soup {

constexpr int kMaxTape = 1024;  // 2 * the longest program (512 bytes)
constexpr int kMaskWords = kMaxTape / 64;

NS_HD inline int ctz64(std::uint64_t x) {
#if defined(__CUDA_ARCH__)
  return __ffsll(static_cast<long long>(x)) - 1;
#else
  return __builtin_ctzll(x);
#endif
}
NS_HD inline int clz64(std::uint64_t x) {
#if defined(__CUDA_ARCH__)
  return __clzll(static_cast<long long>(x));
#else
  return __builtin_clzll(x);
#endif
}

struct TapeMasks {
  std::uint64_t code[kMaskWords];     // bit set: the byte decodes to an instruction
  std::uint64_t bracket[kMaskWords];  // bit set: the byte is '[' or ']'
};

// First set bit at index >= from, or len when none.
NS_HD inline int next_set(const std::uint64_t* m, int from, int len) {
  if (from >= len) return len;
  int w = from >> 6;
  const int words = (len + 63) >> 6;
  std::uint64_t bits = m[w] & (~0ULL << (from & 63));
  for (;;) {
    if (bits) return (w << 6) + ctz64(bits);
    if (++w >= words) return len;
    bits = m[w];
  }
}

// Last set bit at index <= from, or -1 when none.
NS_HD inline int prev_set(const std::uint64_t* m, int from) {
  if (from < 0) return -1;
  int w = from >> 6;
  std::uint64_t bits = m[w] & (~0ULL >> (63 - (from & 63)));
  for (;;) {
    if (bits) return (w << 6) + 63 - clz64(bits);
    if (--w < 0) return -1;
    bits = m[w];
  }
}

NS_HD inline void mark(TapeMasks& m, Language lang, int pos, std::uint8_t byte) {
  const Op op = decode(lang, byte);
  const std::uint64_t bit = 1ULL << (pos & 63);
  const int w = pos >> 6;
  m.code[w] = op != kNop ? (m.code[w] | bit) : (m.code[w] & ~bit);
  m.bracket[w] = (op == kLoopOpen || op == kLoopClose) ? (m.bracket[w] | bit) : (m.bracket[w] & ~bit);
}

#if defined(NS_SOUP_SSE2)
// 16 bytes at a time: compare against each instruction byte of the language (host only).
inline void build_masks_sse2(TapeMasks& m, Language lang, const std::uint8_t* t, int len) {
  const char* ops = alphabet(lang);
  __m128i code_bytes[10];
  int n_ops = 0;
  for (; ops[n_ops]; ++n_ops) code_bytes[n_ops] = _mm_set1_epi8(ops[n_ops]);
  const __m128i open = _mm_set1_epi8('['), close = _mm_set1_epi8(']');
  const int words = len >> 6;
  for (int w = 0; w < words; ++w) {
    std::uint64_t code = 0, br = 0;
    for (int c = 0; c < 4; ++c) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(t + (w << 6) + (c << 4)));
      const __m128i b = _mm_or_si128(_mm_cmpeq_epi8(v, open), _mm_cmpeq_epi8(v, close));
      __m128i any = b;
      for (int i = 0; i < n_ops; ++i) any = _mm_or_si128(any, _mm_cmpeq_epi8(v, code_bytes[i]));
      code |= std::uint64_t(std::uint32_t(_mm_movemask_epi8(any))) << (c << 4);
      br |= std::uint64_t(std::uint32_t(_mm_movemask_epi8(b))) << (c << 4);
    }
    m.code[w] = code;
    m.bracket[w] = br;
  }
}
#endif

NS_HD inline void build_masks(TapeMasks& m, Language lang, const std::uint8_t* t, int len) {
  int w = 0;
#if defined(NS_SOUP_SSE2)
  build_masks_sse2(m, lang, t, len);
  w = len >> 6;  // whole 64-byte words done; the tail below
#endif
  const int words = (len + 63) >> 6;
  for (; w < words; ++w) {
    std::uint64_t code = 0, br = 0;
    const int end = (w << 6) + 64 < len ? 64 : len - (w << 6);
    for (int i = 0; i < end; ++i) {
      const Op op = decode(lang, t[(w << 6) + i]);
      code |= std::uint64_t(op != kNop) << i;
      br |= std::uint64_t(op == kLoopOpen || op == kLoopClose) << i;
    }
    m.code[w] = code;
    m.bracket[w] = br;
  }
}

// The origin tags of a tape under provenance, read from the two programs' rows only when the
// first byte is written (most pairs of an early soup copy nothing: their tags stay untouched).
struct TagTape {
  std::uint32_t tags[kMaxTape];
  const std::uint32_t* first;   // the tags of the tape's first half ...
  const std::uint32_t* second;  // ... and of its second
  int half = 0;
  bool loaded = false;
  NS_HD std::uint32_t* get() {
    if (!loaded) {
      for (int i = 0; i < half; ++i) {
        tags[i] = first[i];
        tags[half + i] = second[i];
      }
      loaded = true;
    }
    return tags;
  }
};

// Runs tape t (len bytes, 2 <= len <= kMaxTape) in place; returns executed instructions. With
// kTrace, `org` holds an origin tag per byte, and every instruction that copies a byte copies
// its tag too (the paper's tracer); + and - change a byte in place and keep its tag.
template <bool kTrace>
NS_HD inline std::uint32_t run_tape_impl(std::uint8_t* t, TagTape* org, int len, Language lang,
                                         std::int64_t max_steps, bool heads_from_tape) {
  TapeMasks m;
  build_masks(m, lang, t, len);
  int pc = 0, h0 = 0, h1 = 0;
  if (heads_from_tape) {
    h0 = t[0] % len;
    h1 = t[1] % len;
    pc = 2;
  }
  std::int64_t steps = 0;
  std::uint32_t ops = 0;
  while (pc < len && steps < max_steps) {
    const int q = next_set(m.code, pc, len);
    if (q >= len) break;           // only no-ops left: the pointer runs off the end
    steps += q - pc;               // the skipped no-ops are iterations too
    if (steps >= max_steps) break;
    pc = q;
    ++steps;
    ++ops;
    switch (decode(lang, t[pc])) {
      case kHead0Dec: h0 = h0 == 0 ? len - 1 : h0 - 1; break;
      case kHead0Inc: h0 = h0 + 1 == len ? 0 : h0 + 1; break;
      case kHead1Dec: h1 = h1 == 0 ? len - 1 : h1 - 1; break;
      case kHead1Inc: h1 = h1 + 1 == len ? 0 : h1 + 1; break;
      case kInc: ++t[h0]; mark(m, lang, h0, t[h0]); break;
      case kDec: --t[h0]; mark(m, lang, h0, t[h0]); break;
      case kCopy01:
        t[h1] = t[h0];
        if constexpr (kTrace) { std::uint32_t* g = org->get(); g[h1] = g[h0]; }
        mark(m, lang, h1, t[h1]);
        break;
      case kCopy10:
        t[h0] = t[h1];
        if constexpr (kTrace) { std::uint32_t* g = org->get(); g[h0] = g[h1]; }
        mark(m, lang, h0, t[h0]);
        break;
      case kOut:
        t[h1] = t[h0];
        if constexpr (kTrace) { std::uint32_t* g = org->get(); g[h1] = g[h0]; }
        mark(m, lang, h1, t[h1]);
        h1 = h1 + 1 == len ? 0 : h1 + 1;
        break;
      case kIn:
        t[h0] = t[h1];
        if constexpr (kTrace) { std::uint32_t* g = org->get(); g[h0] = g[h1]; }
        mark(m, lang, h0, t[h0]);
        h1 = h1 + 1 == len ? 0 : h1 + 1;
        break;
      case kLoopOpen:
        if (t[h0] == 0) {  // jump forward past the matching ']'
          int depth = 1, pos = pc;
          while (depth > 0) {
            pos = next_set(m.bracket, pos + 1, len);
            if (pos >= len) return ops;  // unmatched: halt
            depth += decode(lang, t[pos]) == kLoopClose ? -1 : 1;
          }
          pc = pos;
        }
        break;
      case kLoopClose:
        if (t[h0] != 0) {  // jump back to just after the matching '['
          int depth = 1, pos = pc;
          while (depth > 0) {
            pos = prev_set(m.bracket, pos - 1);
            if (pos < 0) return ops;  // unmatched: halt
            depth += decode(lang, t[pos]) == kLoopOpen ? -1 : 1;
          }
          pc = pos;
        }
        break;
      default: break;
    }
    ++pc;
  }
  return ops;
}

NS_HD inline std::uint32_t run_tape(std::uint8_t* t, int len, Language lang, std::int64_t max_steps,
                                    bool heads_from_tape) {
  return run_tape_impl<false>(t, nullptr, len, lang, max_steps, heads_from_tape);
}

}  // namespace neurosys::soup
