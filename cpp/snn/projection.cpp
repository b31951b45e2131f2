// A projection's synapses in CSR form (and its column index for STDP): building, spike delivery
// into the target channel, and the pair-based STDP updates with event-driven traces.
#include "snn/projection.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "common/device.hpp"
#include "common/rng.hpp"

namespace neurosys::snn {

void EventTraces::init(std::int64_t n, double tau, double dt) {
  value.assign(n, 0.0);
  last.assign(n, 0);
  tau_steps = tau / dt;
  // until exp(-k/tau_steps) < 1e-30 (~69 tau), capped so the table stays in cache
  const std::int64_t len = std::min<std::int64_t>(1 << 16, static_cast<std::int64_t>(69.1 * tau_steps) + 2);
  table.resize(len);
  for (std::int64_t k = 0; k < len; ++k) table[k] = std::exp(-static_cast<double>(k) / tau_steps);
}

void Projection::build_from_pairs(std::int64_t n_pre, const std::vector<std::uint32_t>& i,
                                  const std::vector<std::uint32_t>& j, const std::vector<float>& w) {
  const std::size_t m = i.size();
  row.assign(n_pre + 1, 0);
  for (std::size_t s = 0; s < m; ++s) ++row[i[s] + 1];
  for (std::int64_t r = 0; r < n_pre; ++r) row[r + 1] += row[r];
  std::vector<std::uint64_t> fill(row.begin(), row.end() - 1);
  std::vector<std::uint32_t> order(m);
  for (std::size_t s = 0; s < m; ++s) order[fill[i[s]]++] = static_cast<std::uint32_t>(s);
  target.resize(m);
  weight.resize(m);
  for (std::int64_t r = 0; r < n_pre; ++r) {
    auto b = order.begin() + row[r], e = order.begin() + row[r + 1];
    std::stable_sort(b, e, [&](std::uint32_t a, std::uint32_t c) { return j[a] < j[c]; });
    for (auto it = b; it != e; ++it) {
      target[it - order.begin()] = j[*it];
      weight[it - order.begin()] = w[*it];
    }
  }
}

void Projection::build_random(std::int64_t n_pre, std::int64_t n_post, double p, bool allow_self,
                              bool same_population, float w, std::uint64_t seed,
                              std::uint64_t stream, int threads) {
  row.assign(n_pre + 1, 0);
  if (p <= 0.0 || n_post == 0) {
    target.clear();
    weight.clear();
    return;
  }
  const double log_q = std::log1p(-std::min(p, 1.0 - 1e-16));
  // visit(r, f) calls f(target) for each target of row r, in increasing order
  auto visit = [&](std::int64_t r, auto&& f) {
    const bool skip_self = same_population && !allow_self;
    if (p >= 1.0) {
      for (std::int64_t t = 0; t < n_post; ++t)
        if (!(skip_self && t == r)) f(static_cast<std::uint32_t>(t));
      return;
    }
    StreamRng rng(seed, stream, static_cast<std::uint64_t>(r));
    std::int64_t t = -1;
    for (;;) {
      const double u = 1.0 - rng.uniform();
      t += 1 + static_cast<std::int64_t>(std::floor(std::log(u) / log_q));
      if (t >= n_post || t < 0) break;
      if (!(skip_self && t == r)) f(static_cast<std::uint32_t>(t));
    }
  };
  parallel_for_host(n_pre, threads, [&](std::int64_t r) {
    std::uint64_t c = 0;
    visit(r, [&](std::uint32_t) { ++c; });
    row[r + 1] = c;
  });
  for (std::int64_t r = 0; r < n_pre; ++r) row[r + 1] += row[r];
  target.resize(row[n_pre]);
  weight.assign(row[n_pre], w);
  parallel_for_host(n_pre, threads, [&](std::int64_t r) {
    std::uint64_t s = row[r];
    visit(r, [&](std::uint32_t t) { target[s++] = t; });
  });
}

namespace {

// Two independent standard normal draws (Marsaglia's polar method: no trigonometry).
inline void normal_pair(StreamRng& rng, double& z0, double& z1) {
  double u, v, q;
  do {
    u = 2.0 * rng.uniform() - 1.0;
    v = 2.0 * rng.uniform() - 1.0;
    q = u * u + v * v;
  } while (q >= 1.0 || q == 0.0);
  const double f = std::sqrt(-2.0 * std::log(q) / q);
  z0 = u * f;
  z1 = v * f;
}

}  // namespace

void Projection::build_total(std::int64_t n_pre, std::int64_t n_post, std::int64_t count,
                             double w_mean, double w_std, double d_mean, double d_std,
                             double d_min, double dt, std::uint64_t seed, std::uint64_t stream,
                             int threads) {
  if (count >= (std::int64_t{1} << 32))
    throw std::invalid_argument("n_synapses must be below 2^32 per projection");
  if (count > 0 && (n_pre == 0 || n_post == 0))
    throw std::invalid_argument("n_synapses must be 0 when pre or post is empty");
  // Each synapse's source is uniform, so the row lengths are multinomial: draw the sources
  // (counting only), then fill each row from its own stream. A row's targets are uniform and
  // its weights and delays independent of them, so the targets are drawn and sorted first and
  // the weights and delays drawn after, in row order: the same joint law as drawing each
  // synapse whole, with no global sort and no temporary arrays.
  row.assign(n_pre + 1, 0);
  {
    constexpr std::int64_t kBlock = 1 << 20;  // sources per counter-based stream
    const std::int64_t blocks = (count + kBlock - 1) / kBlock;
    std::vector<std::vector<std::uint32_t>> per_block(static_cast<std::size_t>(blocks));
    parallel_for_host(blocks, threads, [&](std::int64_t b) {
      StreamRng rng(seed, stream, static_cast<std::uint64_t>(b));
      std::vector<std::uint32_t> hist(n_pre, 0);
      const std::int64_t end = std::min(count, (b + 1) * kBlock);
      for (std::int64_t k = b * kBlock; k < end; ++k)
        ++hist[static_cast<std::size_t>(std::min<double>(rng.uniform() * n_pre, n_pre - 1))];
      per_block[b] = std::move(hist);
    });
    for (const auto& hist : per_block)
      for (std::int64_t r = 0; r < n_pre; ++r) row[r + 1] += hist[r];
  }
  for (std::int64_t r = 0; r < n_pre; ++r) row[r + 1] += row[r];
  const std::size_t m = static_cast<std::size_t>(count);
  target.resize(m);
  weight.resize(m);
  delays.resize(m);
  std::atomic<bool> too_long{false};
  const std::uint64_t row_stream = stream ^ 0x5eedf00dULL;
  parallel_for_host(n_pre, threads, [&](std::int64_t r) {
    StreamRng rng(seed, row_stream, static_cast<std::uint64_t>(r));
    const std::uint64_t s = row[r], e = row[r + 1];
    for (std::uint64_t k = s; k < e; ++k)
      target[k] = static_cast<std::uint32_t>(std::min<double>(rng.uniform() * n_post, n_post - 1));
    std::sort(target.begin() + s, target.begin() + e);
    double z0, z1;
    for (std::uint64_t k = s; k < e; ++k) {
      normal_pair(rng, z0, z1);
      double x = w_mean + w_std * z0;
      while ((w_mean > 0 && x < 0) || (w_mean < 0 && x > 0)) {
        normal_pair(rng, z0, z0);
        x = w_mean + w_std * z0;
      }
      double y = d_mean + d_std * z1;
      while (y < d_min) {
        normal_pair(rng, z1, z1);
        y = d_mean + d_std * z1;
      }
      weight[k] = static_cast<float>(x);
      const double steps = std::max(1.0, std::nearbyint(y / dt));
      if (steps > 255.0) too_long.store(true, std::memory_order_relaxed);
      delays[k] = static_cast<std::uint8_t>(std::min(steps, 255.0));
    }
  });
  if (too_long.load())
    throw std::invalid_argument("delay: a drawn delay exceeds 255 steps; lower delay_mean or "
                                "delay_std, or use a coarser dt");
}

std::int32_t Projection::max_delay() const {
  if (delays.empty()) return delay;
  std::uint8_t most = 1;
  for (std::uint8_t x : delays) most = std::max(most, x);
  return most;
}

void Projection::enable_stdp(const StdpParams& params, std::int64_t n_pre, std::int64_t n_post,
                             double dt) {
  stdp = params;
  plastic = true;
  pre_trace.init(n_pre, params.tau_pre, dt);
  post_trace.init(n_post, params.tau_post, dt);
  build_columns(n_post);
}

void Projection::build_columns(std::int64_t n_post) {
  col.assign(n_post + 1, 0);
  for (std::uint32_t t : target) ++col[t + 1];
  for (std::int64_t j = 0; j < n_post; ++j) col[j + 1] += col[j];
  std::vector<std::uint64_t> fill(col.begin(), col.end() - 1);
  col_syn.resize(target.size());
  col_pre.resize(target.size());
  const std::int64_t n_pre = static_cast<std::int64_t>(row.size()) - 1;
  for (std::int64_t r = 0; r < n_pre; ++r)
    for (std::uint64_t s = row[r]; s < row[r + 1]; ++s) {
      const std::uint64_t k = fill[target[s]]++;
      col_syn[k] = static_cast<std::uint32_t>(s);
      col_pre[k] = static_cast<std::uint32_t>(r);
    }
}

// On x86 an asm statement: GCC's dead-code elimination drops __builtin_prefetch in these loops.
static inline void prefetch(const void* p) {
#if defined(__x86_64__) && defined(__GNUC__)
  asm volatile("prefetcht0 (%0)" : : "r"(p));
#else
  __builtin_prefetch(p);
#endif
}

// Prefetches entries [a, b] of a projection's target and weight arrays (4-byte entries, 16 per
// 64-byte line).
static inline void prefetch_range(const std::uint32_t* target, const float* weight, std::uint64_t a,
                                  std::uint64_t b) {
  for (std::uint64_t k = a; k <= b; k += 16) {
    prefetch(target + k);
    prefetch(weight + k);
  }
}

namespace {

// Calls body(s, e) with each spike's synapses onto targets [lo, hi) (its whole row unless
// `search`), in spike order. A spike's synapses are a short run (tens to hundreds of entries)
// that is rarely in cache: the part of a row this thread will read is fetched two spikes ahead
// (`extra(a, b)` fetches a projection's further per-synapse arrays).
template <typename Extra, typename Body>
void for_each_spike_run(const std::uint64_t* row, const std::uint32_t* tgt, const float* w,
                        const SpikeList* spikes, int lists, std::int64_t lo, std::int64_t hi,
                        std::int64_t n_post, bool search, Extra extra, Body body) {
  const double lo_frac = n_post > 0 ? static_cast<double>(lo) / static_cast<double>(n_post) : 0.0;
  const double hi_frac = n_post > 0 ? static_cast<double>(hi) / static_cast<double>(n_post) : 0.0;
  auto prefetch_row = [&](std::uint32_t i) {
    const std::uint64_t s = row[i];
    const double len = static_cast<double>(row[i + 1] - s);
    const std::uint64_t a = s + static_cast<std::uint64_t>(len * lo_frac);
    const std::uint64_t b = s + static_cast<std::uint64_t>(len * hi_frac);
    prefetch_range(tgt, w, a, b);
    extra(a, b);
  };
  for (int l = 0; l < lists; ++l) {
    const std::vector<std::uint32_t>& list = spikes[l];
    const std::size_t count = list.size();
    for (std::size_t q = 0; q < count && q < 2; ++q) prefetch_row(list[q]);
    for (std::size_t q = 0; q < count; ++q) {
      const std::uint32_t i = list[q];
      if (q + 2 < count) prefetch_row(list[q + 2]);
      std::uint64_t s = row[i], e = row[i + 1];
      if (search) {
        s = std::lower_bound(tgt + s, tgt + e, static_cast<std::uint32_t>(lo)) - tgt;
        e = std::lower_bound(tgt + s, tgt + e, static_cast<std::uint32_t>(hi)) - tgt;
      }
      body(s, e);
    }
  }
}

}  // namespace

void Projection::propagate(const SpikeList* spikes, int lists, std::int64_t lo,
                           std::int64_t hi, std::int64_t step, double* g, std::int64_t n_post,
                           bool search) {
  double* __restrict slot = g;
  if (delay > 1) {
    // the slot of this step holds spikes from delay - 1 steps ago: they reach g now
    double* __restrict due = ring.data() + (step % delay) * n_post;
    for (std::int64_t j = lo; j < hi; ++j) {
      g[j] += due[j];
      due[j] = 0.0;
    }
    slot = ring.data() + ((step + delay - 1) % delay) * n_post;
  }
  const std::uint32_t* __restrict tgt = target.data();
  float* __restrict w = weight.data();
  for_each_spike_run(row.data(), tgt, w, spikes, lists, lo, hi, n_post, search,
                     [](std::uint64_t, std::uint64_t) {}, [&](std::uint64_t s, std::uint64_t e) {
    if (!plastic) {
      for (std::uint64_t k = s; k < e; ++k) slot[tgt[k]] += w[k];
      return;
    }
    for (std::uint64_t k = s; k < e; ++k) {
      const std::uint32_t j = tgt[k];
      slot[j] += w[k];
      w[k] = stdp_depress(w[k], post_trace.before(j, step), stdp);
    }
  });
}

void Projection::propagate_delayed(const SpikeList* spikes, int lists, std::int64_t lo,
                                   std::int64_t hi, std::int64_t step, float* ring,
                                   std::int32_t slots, std::int64_t n_post, bool search) {
  // Where a synapse of each delay writes this step: the slot drained at the end of step
  // step + d - 1, so the next update sees it (delay 1: this step's own slot).
  float* dest[256];
  for (std::int32_t d = 1; d <= slots && d < 256; ++d)
    dest[d] = ring + ((step + d - 1) % slots) * n_post;
  const std::uint32_t* __restrict tgt = target.data();
  const float* __restrict w = weight.data();
  const std::uint8_t* __restrict del = delays.data();
  for_each_spike_run(row.data(), tgt, w, spikes, lists, lo, hi, n_post, search,
                     [&](std::uint64_t a, std::uint64_t b) {
                       for (std::uint64_t k = a; k <= b; k += 64) prefetch(del + k);
                     },
                     [&](std::uint64_t s, std::uint64_t e) {
                       for (std::uint64_t k = s; k < e; ++k) dest[del[k]][tgt[k]] += w[k];
                     });
}

void Projection::potentiate(const std::vector<std::uint32_t>& post_spikes, std::int64_t step) {
  float* __restrict w = weight.data();
  // a column's weights are scattered over the projection: request them a few synapses ahead,
  // the start of the next spike's column while this one is processed
  constexpr std::uint64_t kAhead = 16;
  const std::size_t count = post_spikes.size();
  auto prefetch_head = [&](std::size_t q) {
    const std::uint64_t s = col[post_spikes[q]], e = std::min(col[post_spikes[q] + 1], s + kAhead);
    for (std::uint64_t k = s; k < e; ++k) prefetch(w + col_syn[k]);
  };
  if (count > 0) prefetch_head(0);
  for (std::size_t q = 0; q < count; ++q) {
    if (q + 1 < count) prefetch_head(q + 1);
    const std::uint32_t j = post_spikes[q];
    const std::uint64_t s = col[j], e = col[j + 1];
    for (std::uint64_t k = s; k < e; ++k) {
      if (k + kAhead < e) prefetch(w + col_syn[k + kAhead]);
      w[col_syn[k]] = stdp_potentiate(w[col_syn[k]], pre_trace.at(col_pre[k], step), stdp);
    }
  }
}

}  // namespace neurosys::snn
