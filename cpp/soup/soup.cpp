// The soup engine: its configuration check (soup/limits.hpp), seeding, pairing and epochs.
#include "soup/soup.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <stdexcept>
#include <string>
#include <utility>

#include "soup/limits.hpp"

namespace neurosys::soup {

void validate(const SoupConfig& c) {
  check(limits::size, static_cast<std::int64_t>(std::min<std::uint64_t>(c.size, INT64_MAX)));
  check(limits::program_length, std::int64_t{c.program_length});
  check(limits::mutation_rate, c.mutation_rate);
  check(limits::max_steps, c.max_steps);
  check(limits::threads, std::int64_t{c.threads});
}

Soup::Soup(const SoupConfig& config) : config_(config) {
  validate(config_);
  const std::uint64_t n = config_.size, L = std::uint64_t(config_.program_length);
  programs_.resize(n * L);
  if (config_.provenance) origins_.assign(n * L, kOriginPrimordial);
  perm_.resize(n);
  ops_.assign(n / 2, 0);
  std::iota(perm_.begin(), perm_.end(), 0u);
  apply_mutation_rate(config_.mutation_rate);
  std::uint8_t* p = programs_.data();
  if (config_.rng == RngMode::Cubff) {
    const std::uint64_t s0 = cubff_seed(config_.seed, 0);
    parallel_for_host(std::int64_t(n * L), config_.threads,
                      [&](std::int64_t k) { p[k] = std::uint8_t(splitmix64(L * n * s0 + std::uint64_t(k)) % 256); });
  } else {
    const std::uint64_t words = (n * L + 7) / 8;
    parallel_for_host(std::int64_t(words), config_.threads, [&](std::int64_t w) {
      std::uint64_t r = counter_hash(config_.seed, kStreamInit, std::uint64_t(w));
      for (std::uint64_t b = 0; b < 8 && std::uint64_t(w) * 8 + b < n * L; ++b, r >>= 8)
        p[std::uint64_t(w) * 8 + b] = std::uint8_t(r);
    });
  }
}

void Soup::set_mutation_rate(double rate) { apply_mutation_rate(check(limits::mutation_rate, rate)); }

void Soup::apply_mutation_rate(double rate) {
  config_.mutation_rate = rate;
  const int len = 2 * config_.program_length;
  no_mut_.assign(std::size_t(len) + 1, 0);
  for (int j = 0; j <= len; ++j) {
    const long double x = std::pow(1.0L - (long double)rate, (long double)j) * 18446744073709551616.0L;
    no_mut_[j] = x >= 18446744073709551615.0L ? ~0ULL : std::uint64_t(x);
  }
  cubff_threshold_ = std::uint32_t(std::llround(rate * double(1u << 30)));
}

void Soup::set_threads(int threads) {
  config_.threads = static_cast<int>(check(limits::threads, std::int64_t{threads}));
}

// Fisher-Yates for i = N-1 .. 0, from the identity every epoch, so an epoch's pairing depends on
// (seed, epoch) only. cubff mode follows the reference (j = SM(seed(e*N + i)) mod (i+1)); the
// default mode draws j from the counter-based generator without modulo bias.
void Soup::next_permutation(std::uint64_t e) {
  const std::uint64_t n = config_.size;
  std::uint32_t* s = perm_.data();
  std::iota(perm_.begin(), perm_.end(), 0u);
  if (config_.rng == RngMode::Cubff) {
    for (std::uint64_t i = n; i-- > 0;) {
      const std::uint64_t j = splitmix64(cubff_seed(config_.seed, e * n + i)) % (i + 1);
      std::swap(s[i], s[j]);
    }
    return;
  }
  const std::uint64_t stream = epoch_stream(e, kStreamShuffle);
  for (std::uint64_t i = n; i-- > 1;) {
    const std::uint64_t r = counter_hash(config_.seed, stream, i);
    const std::uint64_t j = std::uint64_t((static_cast<unsigned __int128>(r) * (i + 1)) >> 64);
    std::swap(s[i], s[j]);
  }
}

EpochArgs Soup::epoch_args(std::uint64_t e) {
  EpochArgs a{};
  a.programs = programs_.data();
  a.origins = config_.provenance ? origins_.data() : nullptr;
  a.perm = perm_.data();
  a.ops = ops_.data();
  a.no_mut = no_mut_.data();
  a.size = config_.size;
  a.seed = config_.seed;
  a.epoch = e;
  a.cubff_epoch_seed = cubff_seed(config_.seed, e);
  a.max_steps = config_.max_steps;
  a.cubff_threshold = cubff_threshold_;
  a.length = config_.program_length;
  a.lang = config_.language;
  a.rng = config_.rng;
  a.heads_from_tape = config_.heads_from_tape;
  a.mutate = config_.rng == RngMode::Cubff ? cubff_threshold_ > 0 : config_.mutation_rate > 0.0;
  return a;
}

std::uint64_t Soup::run_cpu(std::uint64_t epochs) {
  std::uint64_t ops = 0;
  const std::int64_t pairs = std::int64_t(config_.size / 2);
  for (std::uint64_t i = 0; i < epochs; ++i) {
    next_permutation(epoch_);
    const EpochArgs a = epoch_args(epoch_);
    parallel_for_host(pairs, config_.threads, [&a](std::int64_t k) { run_pair(a, std::uint64_t(k)); });
    for (std::int64_t k = 0; k < pairs; ++k) ops += ops_[std::size_t(k)];
    ++epoch_;
  }
  return ops;
}

std::uint64_t Soup::run(std::uint64_t epochs) {
  std::uint64_t ops = 0;
#if defined(NEUROSYS_HAS_CUDA)
  if (config_.device == Device::CUDA) {
    auto next = [](void* self, std::uint64_t e) { static_cast<Soup*>(self)->next_permutation(e); };
    ops = run_epochs_cuda(epoch_args(epoch_), epoch_, epochs, perm_.data(), next, this);
    epoch_ += epochs;
    total_ops_ += ops;
    return ops;
  }
#endif
  ops = run_cpu(epochs);
  total_ops_ += ops;
  return ops;
}

}  // namespace neurosys::soup
