// Soup analysis on the host: distinct programs with counts, replicator detection, and running
// standalone tapes (the GA's fitness evaluation and tests use it).
#pragma once
#include <cstdint>
#include <vector>

#include "soup/language.hpp"

namespace neurosys::soup {

struct ProgramCounts {
  std::vector<std::uint64_t> index;  // one representative program index per distinct program
  std::vector<std::uint64_t> count;  // its number of copies; most common first
};

// Groups identical programs (exactly, by bytes); ties keep the lowest index first.
ProgramCounts count_programs(const std::uint8_t* programs, std::uint64_t n, int length, int threads);

struct ReplicatorTest {
  Language language = Language::BFF;
  std::int64_t max_steps = 8192;
  bool heads_from_tape = false;
  int trials = 16;
  double min_similarity = 0.9;  // fraction of bytes that must match the program
  std::uint64_t seed = 0;
};

// For each program A: the fraction of trials in which A, run as the first half of a tape
// A || R with a random partner R, leaves a copy of itself in the partner half either directly
// or after one more interaction of that copy with a fresh partner (a copier that writes A
// reversed makes A again on the second pass).
std::vector<double> replicator_scores(const std::uint8_t* programs, std::uint64_t n, int length,
                                      const ReplicatorTest& test, int threads);

// A graded fitness that predicts winning in the soup, not only copying in isolation. For each
// program A and each trial's partner Q (random bytes, or a row of `pool` on odd trials when a
// pool is given, e.g. the current soup), A runs as the first half (A || Q) and as the second
// (Q || A); per program, averaged over trials, 4 components in [0, 1]:
//   copy_first   the partner half equal to A afterwards (A first),
//   intact_first A's own half still equal to A (A first),
//   copy_second  the partner half equal to A (A second),
//   intact_second A's own half still equal to A (A second).
// A copy counts A's bytes equal in the other half, over all bytes and over A's non-zero bytes
// alone, the lower of the two (an eraser matches a mostly-zero A's zeros, not its code).
// copy_first also counts a copy written reversed that the child turns back into A on its own
// turn with a fresh partner (the published replicator copies so). The cheap part: a program
// whose first trial copies at most `cheap_cut` of the partner half (A first) stops there, its
// second-order components 0, so a random string costs one tape run.
struct FitnessTest {
  Language language = Language::BFF;
  std::int64_t max_steps = 8192;
  bool heads_from_tape = false;
  int trials = 8;
  double cheap_cut = 0.5;
  std::uint64_t seed = 0;
};
std::vector<double> fitness_components(const std::uint8_t* programs, std::uint64_t n, int length,
                                       const std::uint8_t* pool, std::uint64_t pool_n,
                                       const FitnessTest& test, int threads);

// Byte histogram of n bytes (256 counts), in parallel.
std::vector<std::uint64_t> byte_histogram(const std::uint8_t* data, std::uint64_t n, int threads);

// Runs each of n tapes of `length` bytes in place; returns executed instructions per tape.
std::vector<std::uint32_t> run_tapes(std::uint8_t* tapes, std::uint64_t n, int length, Language lang,
                                     std::int64_t max_steps, bool heads_from_tape, int threads);

}  // namespace neurosys::soup
