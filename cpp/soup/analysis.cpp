// Soup analysis in C++: counts of distinct programs (hashing), byte histograms, replicator
// scores and batch runs of single tapes, multi-threaded with OpenMP.
#include "soup/analysis.hpp"

#include <algorithm>
#include <cstring>
#include <numeric>

#include "common/device.hpp"
#include "common/rng.hpp"
#include "soup/interpreter.hpp"

namespace neurosys::soup {

namespace {

std::uint64_t hash_bytes(const std::uint8_t* p, int len) {
  std::uint64_t h = 0x243f6a8885a308d3ULL;
  int i = 0;
  for (; i + 8 <= len; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, p + i, 8);
    h = splitmix64(h ^ w);
  }
  std::uint64_t tail = 0;
  for (int b = 0; i < len; ++i, b += 8) tail |= std::uint64_t(p[i]) << b;
  return splitmix64(h ^ tail ^ std::uint64_t(len));
}

constexpr std::uint64_t kStreamPartner = 4;

}  // namespace

ProgramCounts count_programs(const std::uint8_t* programs, std::uint64_t n, int length, int threads) {
  std::vector<std::uint64_t> hash(n);
  parallel_for_host(std::int64_t(n), threads, [&](std::int64_t i) {
    hash[std::size_t(i)] = hash_bytes(programs + std::uint64_t(i) * length, length);
  });
  std::vector<std::uint64_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  // Hash first for speed, bytes next so colliding programs never merge, index last for ties.
  std::sort(order.begin(), order.end(), [&](std::uint64_t a, std::uint64_t b) {
    if (hash[a] != hash[b]) return hash[a] < hash[b];
    const int c = std::memcmp(programs + a * length, programs + b * length, std::size_t(length));
    return c != 0 ? c < 0 : a < b;
  });
  ProgramCounts out;
  for (std::uint64_t i = 0; i < n;) {
    std::uint64_t j = i + 1;
    while (j < n && hash[order[j]] == hash[order[i]] &&
           std::memcmp(programs + order[j] * length, programs + order[i] * length, std::size_t(length)) == 0)
      ++j;
    out.index.push_back(order[i]);
    out.count.push_back(j - i);
    i = j;
  }
  std::vector<std::size_t> rank(out.index.size());
  std::iota(rank.begin(), rank.end(), 0);
  std::sort(rank.begin(), rank.end(), [&](std::size_t a, std::size_t b) {
    return out.count[a] != out.count[b] ? out.count[a] > out.count[b] : out.index[a] < out.index[b];
  });
  ProgramCounts sorted;
  sorted.index.reserve(rank.size());
  sorted.count.reserve(rank.size());
  for (std::size_t r : rank) {
    sorted.index.push_back(out.index[r]);
    sorted.count.push_back(out.count[r]);
  }
  return sorted;
}

std::vector<double> replicator_scores(const std::uint8_t* programs, std::uint64_t n, int length,
                                      const ReplicatorTest& test, int threads) {
  std::vector<double> score(n, 0.0);
  const int len = 2 * length;
  parallel_for_host(std::int64_t(n), threads, [&](std::int64_t idx) {
    const std::uint8_t* prog = programs + std::uint64_t(idx) * length;
    std::uint8_t tape[kMaxTape];
    int successes = 0;
    for (int t = 0; t < test.trials; ++t) {
      auto similarity = [&]() {
        int same = 0;
        for (int i = 0; i < length; ++i) same += tape[length + i] == prog[i];
        return double(same) / double(length);
      };
      auto fill_partner = [&](std::uint64_t counter) {
        StreamRng rng(test.seed, kStreamPartner, counter);
        for (int i = 0; i < length; ++i) tape[length + i] = std::uint8_t(rng.next());
      };
      std::memcpy(tape, prog, std::size_t(length));
      fill_partner(2 * std::uint64_t(t));
      run_tape(tape, len, test.language, test.max_steps, test.heads_from_tape);
      double best = similarity();
      std::memmove(tape, tape + length, std::size_t(length));  // the child meets a new partner
      fill_partner(2 * std::uint64_t(t) + 1);
      run_tape(tape, len, test.language, test.max_steps, test.heads_from_tape);
      best = std::max(best, similarity());
      successes += best >= test.min_similarity;
    }
    score[std::size_t(idx)] = test.trials > 0 ? double(successes) / test.trials : 0.0;
  });
  return score;
}

std::vector<double> fitness_components(const std::uint8_t* programs, std::uint64_t n, int length,
                                       const std::uint8_t* pool, std::uint64_t pool_n,
                                       const FitnessTest& test, int threads) {
  std::vector<double> out(n * 4, 0.0);
  const int len = 2 * length;
  parallel_for_host(std::int64_t(n), threads, [&](std::int64_t idx) {
    const std::uint8_t* prog = programs + std::uint64_t(idx) * length;
    std::uint8_t tape[kMaxTape];
    std::uint8_t partner[kMaxTape / 2];
    int instructions = 0;  // A's non-zero bytes
    for (int i = 0; i < length; ++i) instructions += prog[i] != 0;
    auto same = [&](int offset) {
      int k = 0;
      for (int i = 0; i < length; ++i) k += tape[offset + i] == prog[i];
      return double(k) / double(length);
    };
    // A copy is judged on all bytes and on A's non-zero bytes alone, the lower of the two: a
    // mostly-zero program that only erases its partner matches A's zeros, not its code.
    auto copied = [&](int offset) {
      int k = 0;
      for (int i = 0; i < length; ++i) k += prog[i] != 0 && tape[offset + i] == prog[i];
      return std::min(same(offset), instructions > 0 ? double(k) / double(instructions) : 0.0);
    };
    double sum[4] = {0, 0, 0, 0};
    int done = 0;
    for (int t = 0; t < test.trials; ++t) {
      StreamRng rng(test.seed, kStreamPartner, std::uint64_t(idx) * 65536 + std::uint64_t(t));
      if (pool_n > 0 && (t & 1)) {
        std::memcpy(partner, pool + (rng.next() % pool_n) * std::uint64_t(length), std::size_t(length));
      } else {
        for (int i = 0; i < length; ++i) partner[i] = std::uint8_t(rng.next());
      }
      std::memcpy(tape, prog, std::size_t(length));  // A first
      std::memcpy(tape + length, partner, std::size_t(length));
      run_tape(tape, len, test.language, test.max_steps, test.heads_from_tape);
      double copy_first = copied(length);
      const double intact_first = same(0);
      ++done;
      if (t == 0 && copy_first <= test.cheap_cut) {  // copies nothing: one run is enough
        sum[0] += copy_first;
        sum[1] += intact_first;
        break;
      }
      if (copy_first < 1.0) {  // a copier that writes A reversed makes A on the child's turn
        std::memmove(tape, tape + length, std::size_t(length));
        for (int i = 0; i < length; ++i) tape[length + i] = std::uint8_t(rng.next());
        run_tape(tape, len, test.language, test.max_steps, test.heads_from_tape);
        copy_first = std::max(copy_first, copied(length));
      }
      std::memcpy(tape, partner, std::size_t(length));  // A second
      std::memcpy(tape + length, prog, std::size_t(length));
      run_tape(tape, len, test.language, test.max_steps, test.heads_from_tape);
      sum[0] += copy_first;
      sum[1] += intact_first;
      sum[2] += copied(0);
      sum[3] += same(length);
    }
    for (int c = 0; c < 4; ++c) out[std::uint64_t(idx) * 4 + c] = sum[c] / done;
  });
  return out;
}

std::vector<std::uint64_t> byte_histogram(const std::uint8_t* data, std::uint64_t n, int threads) {
  constexpr std::uint64_t kChunk = 1 << 16;
  const std::uint64_t chunks = (n + kChunk - 1) / kChunk;
  std::vector<std::uint64_t> partial(chunks * 256, 0);
  parallel_for_host(std::int64_t(chunks), threads, [&](std::int64_t c) {
    std::uint32_t h[4][256] = {};  // four interleaved tables break store-to-load dependencies
    const std::uint64_t begin = std::uint64_t(c) * kChunk, end = std::min(n, begin + kChunk);
    std::uint64_t i = begin;
    for (; i + 4 <= end; i += 4) {
      ++h[0][data[i]];
      ++h[1][data[i + 1]];
      ++h[2][data[i + 2]];
      ++h[3][data[i + 3]];
    }
    for (; i < end; ++i) ++h[0][data[i]];
    for (int b = 0; b < 256; ++b) partial[std::uint64_t(c) * 256 + b] = h[0][b] + h[1][b] + h[2][b] + h[3][b];
  });
  std::vector<std::uint64_t> hist(256, 0);
  for (std::uint64_t c = 0; c < chunks; ++c)
    for (int b = 0; b < 256; ++b) hist[b] += partial[c * 256 + b];
  return hist;
}

std::vector<std::uint32_t> run_tapes(std::uint8_t* tapes, std::uint64_t n, int length, Language lang,
                                     std::int64_t max_steps, bool heads_from_tape, int threads) {
  std::vector<std::uint32_t> ops(n);
  parallel_for_host(std::int64_t(n), threads, [&](std::int64_t i) {
    ops[std::size_t(i)] = run_tape(tapes + std::uint64_t(i) * length, length, lang, max_steps, heads_from_tape);
  });
  return ops;
}

}  // namespace neurosys::soup
