// The primordial soup: N programs of L bytes in one contiguous array, evolved in epochs of
// random pairwise interactions (pair, mutate, execute, split back).
#pragma once
#include <cstdint>
#include <vector>

#include "common/device.hpp"
#include "soup/epoch_kernel.hpp"
#include "soup/limits.hpp"

namespace neurosys::soup {

struct SoupConfig {
  Language language = Language::BFF;
  std::uint64_t size = std::uint64_t(limits::size.fallback);
  int program_length = int(limits::program_length.fallback);
  std::uint64_t seed = 0;
  double mutation_rate = limits::mutation_rate.fallback;
  std::int64_t max_steps = std::int64_t(limits::max_steps.fallback);
  RngMode rng = RngMode::Default;
  bool heads_from_tape = false;
  Device device = Device::CPU;
  int threads = int(limits::threads.fallback);  // 0: OpenMP's default
  bool provenance = false;  // an origin tag per byte (kOriginPrimordial at the start)
};

// Throws std::invalid_argument naming the first bad field.
void validate(const SoupConfig& c);

class Soup {
 public:
  explicit Soup(const SoupConfig& config);  // fills the programs with the seed's random bytes

  // Runs `epochs` epochs; returns the instructions executed.
  std::uint64_t run(std::uint64_t epochs);

  const SoupConfig& config() const { return config_; }
  std::uint8_t* programs() { return programs_.data(); }
  // size x program_length origin tags; empty without provenance
  std::vector<std::uint32_t>& origins() { return origins_; }
  std::uint32_t* last_ops() { return ops_.data(); }
  std::uint32_t* permutation() { return perm_.data(); }
  std::uint64_t epoch() const { return epoch_; }
  void set_epoch(std::uint64_t e) { epoch_ = e; }
  std::uint64_t total_ops() const { return total_ops_; }
  void set_total_ops(std::uint64_t v) { total_ops_ = v; }
  void set_mutation_rate(double rate);
  void set_threads(int threads);

 private:
  void apply_mutation_rate(double rate);  // the tables of a checked rate
  void next_permutation(std::uint64_t epoch);
  EpochArgs epoch_args(std::uint64_t epoch);
  std::uint64_t run_cpu(std::uint64_t epochs);

  SoupConfig config_;
  std::vector<std::uint8_t> programs_;
  std::vector<std::uint32_t> origins_;
  std::vector<std::uint32_t> perm_;  // cubff mode keeps shuffling the previous permutation
  std::vector<std::uint32_t> ops_;
  std::vector<std::uint64_t> no_mut_;
  std::uint32_t cubff_threshold_ = 0;
  std::uint64_t epoch_ = 0;
  std::uint64_t total_ops_ = 0;
};

#if defined(NEUROSYS_HAS_CUDA)
// soup_cuda.cu: runs epochs on the GPU; next_perm(e) fills the host permutation for epoch e.
std::uint64_t run_epochs_cuda(EpochArgs base, std::uint64_t first_epoch, std::uint64_t epochs,
                              std::uint32_t* host_perm, void (*next_perm)(void*, std::uint64_t),
                              void* ctx);
#endif

}  // namespace neurosys::soup
