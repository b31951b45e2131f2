// The two soup languages and their byte -> operation decoding. Both run on one interpreter
// (interpreter.hpp); a language only decides which byte means which operation.
#pragma once
#include <cstdint>

#include "common/device.hpp"

namespace neurosys::soup {

enum class Language : std::uint8_t {
  BFF = 0,  // the two-head language of Agueera y Arcas et al. 2024 (arXiv 2406.19108)
  BF = 1,   // the seed's 8 symbols ><+-.,[] with an implicit second head (see decode_bf)
};
// Their names, indexed by the enum: the one list of them (Python reads it as _core.soup.LANGUAGES).
inline constexpr const char* kLanguageNames[] = {"bff", "bf"};

enum Op : std::uint8_t {
  kNop = 0,
  kHead0Dec,   // <
  kHead0Inc,   // >
  kHead1Dec,   // {   (BFF only)
  kHead1Inc,   // }   (BFF only)
  kInc,        // +  T[head0] += 1 (mod 256)
  kDec,        // -  T[head0] -= 1 (mod 256)
  kCopy01,     // .  T[head1] = T[head0]
  kCopy10,     // ,  T[head0] = T[head1]
  kOut,        // .  BF: T[head1] = T[head0], then head1 += 1
  kIn,         // ,  BF: T[head0] = T[head1], then head1 += 1
  kLoopOpen,   // [
  kLoopClose,  // ]
};

NS_HD constexpr Op decode_bff(std::uint8_t b) {
  switch (b) {
    case '<': return kHead0Dec;
    case '>': return kHead0Inc;
    case '{': return kHead1Dec;
    case '}': return kHead1Inc;
    case '+': return kInc;
    case '-': return kDec;
    case '.': return kCopy01;
    case ',': return kCopy10;
    case '[': return kLoopOpen;
    case ']': return kLoopClose;
    default: return kNop;
  }
}

// BF on a self-modifying tape: output and input become copies through an implicit second head
// (an I/O cursor) that starts where BFF's head1 starts and advances by one after each '.' or ','.
// So '.' "prints" T[head0] onto the tape at the cursor and ',' "reads" the cursor's byte.
NS_HD constexpr Op decode_bf(std::uint8_t b) {
  switch (b) {
    case '<': return kHead0Dec;
    case '>': return kHead0Inc;
    case '+': return kInc;
    case '-': return kDec;
    case '.': return kOut;
    case ',': return kIn;
    case '[': return kLoopOpen;
    case ']': return kLoopClose;
    default: return kNop;
  }
}

// Host-side lookup tables (a switch per byte is slower on the CPU; CUDA uses the switch).
struct OpTable {
  std::uint8_t op[256];
  constexpr explicit OpTable(Language lang) : op{} {
    for (int b = 0; b < 256; ++b)
      op[b] = lang == Language::BFF ? decode_bff(std::uint8_t(b)) : decode_bf(std::uint8_t(b));
  }
};
inline constexpr OpTable kBffTable{Language::BFF};
inline constexpr OpTable kBfTable{Language::BF};

NS_HD inline Op decode(Language lang, std::uint8_t b) {
#if defined(__CUDA_ARCH__)
  return lang == Language::BFF ? decode_bff(b) : decode_bf(b);
#else
  return Op(lang == Language::BFF ? kBffTable.op[b] : kBfTable.op[b]);
#endif
}

// The instruction alphabet of a language (used to draw random programs for the GA).
inline const char* alphabet(Language lang) {
  return lang == Language::BFF ? "<>{}+-.,[]" : "><+-.,[]";
}

}  // namespace neurosys::soup
