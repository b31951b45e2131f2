// The network: construction (every value checked against snn/limits.hpp) and the step loop.
#include "snn/network.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>
#include <thread>

#include "snn/cuda_backend.hpp"
#include "snn/limits.hpp"
#include "snn/math.hpp"

namespace neurosys::snn {

void validate(const NeuronParams& p) {
  check_all({{limits::tau_m, p.tau_m}, {limits::R_m, p.R_m}, {limits::v_rest, p.v_rest},
             {limits::v_thresh, p.v_thresh}, {limits::v_reset, p.v_reset}, {limits::t_ref, p.t_ref}});
  if (!(p.v_reset < p.v_thresh)) throw std::invalid_argument("v_reset must be below v_thresh");
}

void validate(const StdpParams& s) {
  check_all({{limits::tau_pre, s.tau_pre}, {limits::tau_post, s.tau_post}, {limits::A_plus, s.A_plus},
             {limits::A_minus, s.A_minus}, {limits::w_min, s.w_min}, {limits::w_max, s.w_max}});
  if (!(s.w_max > s.w_min)) throw std::invalid_argument("w_max must be greater than w_min");
}

Network::Network(double dt, std::uint64_t seed, int threads, Device device)
    : dt_(check(limits::dt, dt)), seed_(seed), threads_(1), device_(device) {
  set_threads(threads);
}

void Network::set_threads(int threads) {
  check_idle("set_threads");
  threads_ = static_cast<int>(check(limits::threads, std::int64_t{threads}));
}

void Network::check_idle(const char* what) const {
  if (running_.load()) throw std::runtime_error(std::string(what) + ": the network is running");
}

Population& Network::pop(int index, const char* argument) {
  if (index < 0 || index >= static_cast<int>(pops.size()))
    throw std::invalid_argument(std::string(argument) + " is not a population of this network");
  return *pops[index];
}

Projection& Network::proj(int index) {
  if (index < 0 || index >= static_cast<int>(projs.size()))
    throw std::invalid_argument("projection index out of range");
  return *projs[index];
}

int Network::add_population(const std::string& name, std::int64_t n, const NeuronParams& p,
                            std::vector<Channel> channels) {
  check_idle("population");
  check(limits::n, n);
  validate(p);
  bool all_current = true;
  for (auto& c : channels) {
    // tau_syn = 0: a delta current channel (a spike's current lasts one step; NIR's LIF input)
    if (!(c.current && c.tau == 0.0)) check(limits::tau_syn, c.tau);
    check(limits::E_syn, c.E);
    c.decay = c.tau > 0.0 ? std::exp(-dt_ / c.tau) : 0.0;
    all_current = all_current && c.current;
  }
  // Current channels only, integrated exactly: v is linear in the currents, so a current
  // I e^(-t/tau_s) over the step moves v by R I tau_s (P22 - P11) / (tau_m - tau_s) (NEST's
  // P21), not by R I (1 - P22) as a current frozen over the step would: scale it so.
  if (all_current && p.method == Integrator::Exact) {
    const double P22 = std::exp(-dt_ / p.tau_m);
    for (auto& c : channels) {
      if (c.tau <= 0.0) continue;
      const double P11 = c.decay;
      const double exact = std::abs(c.tau - p.tau_m) < 1e-12 * p.tau_m
                               ? (dt_ / p.tau_m) * P22
                               : c.tau * (P22 - P11) / (p.tau_m - c.tau);
      c.drive_scale = exact / (1.0 - P22);
    }
  }
  auto P = std::make_unique<Population>();
  P->name = name;
  P->n = n;
  P->p = p;
  // The update of the step that spiked sets v to v_reset; v then stays clamped until t_ref has
  // elapsed, i.e. for round(t_ref / dt) - 1 further updates (Brian2's timestep convention).
  P->ref_steps = static_cast<std::int32_t>(std::max<long long>(0, std::llround(p.t_ref / dt_) - 1));
  P->channels = std::move(channels);
  P->v.assign(n, p.v_rest);
  P->i_inj.assign(n, 0.0);
  P->g.assign(P->channels.size(), std::vector<double>(n, 0.0));
  P->refractory.assign(n, 0);
  P->stream = 0x5eed0000ULL + pops.size();
  pops.push_back(std::move(P));
  return static_cast<int>(pops.size()) - 1;
}

int Network::add_poisson(const std::string& name, std::int64_t n, const std::vector<double>& rates) {
  check_idle("poisson");
  check(limits::n, n);
  auto P = std::make_unique<Population>();
  P->name = name;
  P->n = n;
  P->poisson = true;
  P->stream = (0x9015500000ULL + pops.size()) << 20;
  P->rate.assign(n, 0.0);
  P->next_spike.assign(n, INT64_MAX);
  P->draws.assign(n, 0);
  pops.push_back(std::move(P));
  const int index = static_cast<int>(pops.size()) - 1;
  set_rates(index, rates);
  return index;
}

void Network::set_rates(int index, const std::vector<double>& rates) {
  check_idle("rate");
  Population& P = pop(index, "group");
  if (!P.poisson) throw std::invalid_argument("rate: population '" + P.name + "' is not a Poisson group");
  if (static_cast<std::int64_t>(rates.size()) != P.n && rates.size() != 1)
    throw std::invalid_argument("rate must be a scalar or have one entry per neuron (" +
                                std::to_string(P.n) + ")");
  for (double r : rates) check(limits::rate, r);
  for (std::int64_t i = 0; i < P.n; ++i) P.rate[i] = rates.size() == 1 ? rates[0] : rates[i];
  P.redraw_poisson(step_, dt_, seed_);
}

template <typename Build>
int Network::add_projection(int pre, int post, const std::string& channel, std::int32_t delay, Build build) {
  check_idle("connect");
  Population& A = pop(pre, "pre");
  Population& B = pop(post, "post");
  if (B.poisson) throw std::invalid_argument("post must be a neuron population, not a Poisson group");
  check(limits::delay, std::int64_t{delay});
  auto R = std::make_unique<Projection>();
  R->pre = pre;
  R->post = post;
  R->channel = B.channel_index(channel);
  R->delay = delay;
  build(*R, A, B);
  if (delay > 1) R->ring.assign(static_cast<std::size_t>(delay) * B.n, 0.0);
  projs.push_back(std::move(R));
  return static_cast<int>(projs.size()) - 1;
}

int Network::connect_random(int pre, int post, const std::string& channel, double p, double weight,
                            std::int32_t delay, bool allow_self) {
  check_all({{limits::p, p}, {limits::weight, weight}});
  return add_projection(pre, post, channel, delay, [&](Projection& R, const Population& A, const Population& B) {
    const std::uint64_t stream = 0xc0ec7000ULL + projs.size();
    R.build_random(A.n, B.n, p, allow_self, pre == post, static_cast<float>(weight), seed_, stream,
                   threads_);
  });
}

int Network::connect_pairs(int pre, int post, const std::string& channel,
                           const std::vector<std::uint32_t>& i, const std::vector<std::uint32_t>& j,
                           const std::vector<float>& w, std::int32_t delay) {
  if (i.size() != j.size() || w.size() != i.size())
    throw std::invalid_argument("i, j and weight must have the same length");
  for (float x : w) check(limits::weight, x);
  return add_projection(pre, post, channel, delay, [&](Projection& R, const Population& A, const Population& B) {
    for (auto x : i)
      if (x >= A.n) throw std::invalid_argument("i: presynaptic index out of range [0, " + std::to_string(A.n) + ")");
    for (auto x : j)
      if (x >= B.n) throw std::invalid_argument("j: postsynaptic index out of range [0, " + std::to_string(B.n) + ")");
    R.build_from_pairs(A.n, i, j, w);
  });
}

int Network::connect_total(int pre, int post, const std::string& channel, std::int64_t count,
                           double w_mean, double w_std, double delay_mean, double delay_std,
                           double delay_min) {
  check_all({{limits::n_synapses, static_cast<double>(count)}, {limits::weight, w_mean},
             {limits::weight_std, w_std}, {limits::delay_mean, delay_mean},
             {limits::delay_std, delay_std}, {limits::delay_min, delay_min}});
  const int index = add_projection(pre, post, channel, 1, [&](Projection& R, const Population& A, const Population& B) {
    const std::uint64_t stream = 0x707a1000ULL + projs.size();
    R.build_total(A.n, B.n, count, w_mean, w_std, delay_mean, delay_std, delay_min, dt_, seed_,
                  stream, threads_);
  });
  Projection& R = *projs[index];
  if (!R.delays.empty())  // an empty projection delivers nothing: no ring to drain each step
    pops[post]->reserve_ring(R.channel, R.max_delay(), step_);
  return index;
}

void Network::add_poisson_drive(int index, const std::string& channel, double rate, double weight) {
  check_idle("poisson_drive");
  Population& P = pop(index, "post");
  if (P.poisson) throw std::invalid_argument("post must be a neuron population, not a Poisson group");
  check_all({{limits::rate, rate}, {limits::weight, weight}});
  const double lambda = rate * dt_;
  if (lambda > 100.0)
    throw std::invalid_argument("rate * dt must be at most 100 spikes a step, got " + std::to_string(lambda));
  PoissonDrive d;
  d.channel = P.channel_index(channel);
  d.weight = weight;
  d.stream = 0xd41e0000ULL + (static_cast<std::uint64_t>(index) << 8) + P.drives.size();
  d.set_rate(lambda);
  P.drives.push_back(std::move(d));
}

void Network::enable_stdp(int index, const StdpParams& s) {
  check_idle("stdp");
  Projection& R = proj(index);
  validate(s);
  R.enable_stdp(s, pops[R.pre]->n, pops[R.post]->n, dt_);
  for (float& w : R.weight) w = std::clamp<float>(w, s.w_min, s.w_max);
}

int Network::add_spike_monitor(int index, const std::vector<std::uint32_t>& indices, bool all) {
  check_idle("monitor_spikes");
  Population& P = pop(index, "group");
  SpikeMonitor m;
  m.pop = index;
  if (!all) {
    m.mask.assign(P.n, 0);
    for (auto i : indices) {
      if (i >= P.n) throw std::invalid_argument("indices out of range for population '" + P.name + "'");
      m.mask[i] = 1;
    }
  }
  spike_mons.push_back(std::move(m));
  return static_cast<int>(spike_mons.size()) - 1;
}

int Network::add_state_monitor(int index, int variable, const std::vector<std::uint32_t>& indices,
                               std::int64_t every) {
  check_idle("monitor_state");
  Population& P = pop(index, "group");
  if (P.poisson) throw std::invalid_argument("group: a Poisson group has no state variables");
  check(limits::every, every);
  if (variable < -2 || variable >= static_cast<int>(P.channels.size()))
    throw std::invalid_argument("variable out of range");
  for (auto i : indices)
    if (i >= P.n) throw std::invalid_argument("indices out of range for population '" + P.name + "'");
  StateMonitor m;
  m.pop = index;
  m.variable = variable;
  m.indices = indices;
  m.every = every;
  state_mons.push_back(std::move(m));
  return static_cast<int>(state_mons.size()) - 1;
}

int Network::add_rate_monitor(int index) {
  check_idle("monitor_rate");
  pop(index, "group");
  RateMonitor m;
  m.pop = index;
  m.first_step = step_;
  rate_mons.push_back(std::move(m));
  return static_cast<int>(rate_mons.size()) - 1;
}

void Network::phase_update(int tid, int T, std::int64_t step) {
  for (auto& Pp : pops) {
    Population& P = *Pp;
    const std::int64_t lo = bound(P.n, tid, T), hi = bound(P.n, tid + 1, T);
    P.update(lo, hi, dt_, step, seed_, P.spike_lists(step)[tid]);
  }
  for (auto& Rp : projs) {
    Projection& R = *Rp;
    if (!R.plastic) continue;
    for (std::uint32_t i : pops[R.pre]->spike_lists(step)[tid]) R.pre_trace.spike(i, step);
    for (std::uint32_t j : pops[R.post]->spike_lists(step)[tid]) R.post_trace.spike(j, step);
  }
}

void Network::phase_deliver(int tid, int T, std::int64_t step) {
  for (auto& Rp : projs) {
    Projection& R = *Rp;
    Population& B = *pops[R.post];
    const std::int64_t lo = bound(B.n, tid, T), hi = bound(B.n, tid + 1, T);
    if (!R.delays.empty()) {
      R.propagate_delayed(pops[R.pre]->spike_lists(step), T, lo, hi, step,
                          B.ring[R.channel].data(), B.ring_slots[R.channel], B.n, T > 1);
      continue;
    }
    R.propagate(pops[R.pre]->spike_lists(step), T, lo, hi, step, B.g[R.channel].data(), B.n, T > 1);
    if (R.plastic) R.potentiate(B.spike_lists(step)[tid], step);
  }
  // What the shared rings hold for this step (this thread's neurons only, which only it writes)
  // and the Poisson drives, both seen by the next update as a one-step delay is.
  for (auto& Pp : pops) {
    Population& P = *Pp;
    if (P.ring.empty() && P.drives.empty()) continue;
    const std::int64_t lo = bound(P.n, tid, T), hi = bound(P.n, tid + 1, T);
    P.drain_rings(lo, hi, step);
    P.apply_drives(lo, hi, step, seed_);
  }
}

void Network::record_spikes(std::int64_t step) {
  for (auto& m : spike_mons) {
    Population& P = *pops[m.pop];
    for (int l = 0; l < P.spike_threads; ++l)
      for (std::uint32_t i : P.spike_lists(step)[l])
        if (m.mask.empty() || m.mask[i]) {
          m.steps.push_back(step);
          m.indices.push_back(static_cast<std::int32_t>(i));
        }
  }
  for (auto& m : rate_mons) {
    std::int64_t c = 0;
    Population& P = *pops[m.pop];
    for (int l = 0; l < P.spike_threads; ++l) c += static_cast<std::int64_t>(P.spike_lists(step)[l].size());
    m.counts.push_back(static_cast<std::int32_t>(c));
  }
}

void Network::record_states(std::int64_t step) {
  for (auto& m : state_mons) {
    if ((step + 1) % m.every != 0) continue;
    const Population& P = *pops[m.pop];
    const std::vector<double>& src = m.variable == -1 ? P.v : (m.variable == -2 ? P.i_inj : P.g[m.variable]);
    m.steps.push_back(step + 1);  // the state at the end of this step
    for (std::uint32_t i : m.indices) m.values.push_back(src[i]);
  }
}

namespace {

// Picks the thread count for the next chunk of steps: the configured count or 1, whichever ran
// faster per step when last measured. The other is re-measured now and then (more rarely while
// measurements keep confirming the choice). On a machine that gets busy, threads would wait at
// every step's barrier for a peer the scheduler has put aside, so the loop drops to one thread;
// when cores free up it returns to all. Results never depend on it: every thread count gives
// the same bits.
class ThreadChooser {
 public:
  explicit ThreadChooser(int threads) : threads_(threads) {}
  int next() {
    // measure both first, one thread first: it gives the budget that bounds the first probe
    if (cost_one_ < 0) return 1;
    if (cost_all_ < 0) return threads_;
    if (++since_probe_ >= interval_) {
      since_probe_ = 0;
      probing_ = true;
      return best() == 1 ? threads_ : 1;
    }
    return best();
  }
  // Seconds after which a chunk of `steps` steps with `threads` threads has cost more than one
  // thread would have (so it can stop early): a probe on a busy machine then costs at most
  // about twice the one-thread time of its chunk, instead of many times it.
  double budget(int threads, std::int64_t steps) const {
    return threads == 1 || cost_one_ < 0 ? 1e6 : cost_one_ * static_cast<double>(steps);
  }
  void report(int threads, double seconds_per_step) {
    const int before = best();
    (threads == 1 ? cost_one_ : cost_all_) = seconds_per_step;
    if (probing_) {
      probing_ = false;
      interval_ = best() == before ? std::min(interval_ * 2, 64) : 4;
    }
  }

 private:
  int best() const { return cost_one_ >= 0 && cost_one_ < cost_all_ ? 1 : threads_; }
  int threads_;
  double cost_all_ = -1.0, cost_one_ = -1.0;  // seconds per step, last measured
  int interval_ = 4, since_probe_ = 0;
  bool probing_ = false;
};

}  // namespace

// Steps [start, end) on thread `tid` of T (stops early after a step that saw stop()). One
// barrier per step: after it every spike list of the step is complete, and every thread has
// finished the previous step. A thread then delivers onto its own neurons only and may go on to
// update them while others deliver (spike lists are double-buffered). A second barrier is
// needed when others' state is read after delivery: by STDP potentiation (pre traces) and by
// state monitors (which need a third, so nobody updates while they read).
void Network::step_range(int tid, int T, std::int64_t start, std::int64_t end, StepSync& sync) {
  if (T == 1) {
    for (std::int64_t s = start; s < end; ++s) {
      phase_update(0, 1, s);
      phase_deliver(0, 1, s);
      record_spikes(s);
      record_states(s);
      step_ = s + 1;
      if (stop_.load(std::memory_order_relaxed)) break;
    }
    return;
  }
  for (std::int64_t s = start; s < end; ++s) {
    phase_update(tid, T, s);
    if (tid == 0) {
      const bool late = s > start && std::chrono::steady_clock::now() > sync.deadline;
      sync.halt[s & 1].store(stop_.load(std::memory_order_relaxed) || late, std::memory_order_relaxed);
    }
    sync.barrier.wait();
    const bool last = sync.halt[s & 1].load(std::memory_order_relaxed);
    phase_deliver(tid, T, s);
    if (sync.plastic || sync.sampled) sync.barrier.wait();
    if (tid == 0) {
      record_spikes(s);
      record_states(s);
      step_ = s + 1;
    }
    if (sync.sampled) sync.barrier.wait();
    if (last) break;
  }
}

// The multi-thread run: threads_ - 1 helpers live for the whole call (starting threads for every
// chunk cost ~0.1 ms each time, as much as a step of COBA-4000 on 2 threads). Thread 0 picks the
// thread count of each chunk; helpers not needed for a chunk sleep at the chunk barrier.
void Network::run_pooled(std::int64_t end) {
  const int N = threads_;
  bool plastic = false;
  for (const auto& R : projs) plastic |= R->plastic;
  StepSync sync(N, plastic, !state_mons.empty());
  StepBarrier chunk(N);
  struct {
    int T = 1;
    std::int64_t from = 0, to = 0;
    bool quit = false;
  } plan;  // written by thread 0 before the chunk barrier, read by helpers after it
  auto helper = [&](int tid) {
    for (;;) {
      chunk.wait();
      if (plan.quit) return;
      if (tid < plan.T) step_range(tid, plan.T, plan.from, plan.to, sync);
      chunk.wait();
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < N; ++t) pool.emplace_back(helper, t);
  ThreadChooser chooser(N);
  while (step_ < end && !stop_.load(std::memory_order_relaxed)) {
    plan.T = chooser.next();
    plan.from = step_;
    plan.to = std::min(end, plan.from + kChunkSteps);
    for (auto& P : pops) P->reset_spike_lists(plan.T);
    sync.barrier.reset(plan.T);
    const auto t0 = std::chrono::steady_clock::now();
    sync.deadline = t0 + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                             std::chrono::duration<double>(chooser.budget(plan.T, plan.to - plan.from)));
    chunk.wait();
    step_range(0, plan.T, plan.from, plan.to, sync);
    chunk.wait();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (step_ > plan.from) chooser.report(plan.T, seconds / static_cast<double>(step_ - plan.from));
  }
  plan.quit = true;
  chunk.wait();
  for (auto& th : pool) th.join();
}

std::int64_t Network::run(std::int64_t steps) {
  check(limits::duration, steps);
  bool expected = false;
  if (!running_.compare_exchange_strong(expected, true))
    throw std::runtime_error("run: the network is already running");
  stop_.store(false);
  bool use_cuda = device_ == Device::CUDA;
  if (use_cuda && auto_device_) {
    try {
      check_cuda_support(*this);
    } catch (const std::invalid_argument&) {
      use_cuda = false;
    }
  }
  if (use_cuda) {
    try {
      const std::int64_t ran = run_on_cuda(*this, steps);
      running_.store(false);
      return ran;
    } catch (...) {
      running_.store(false);
      throw;
    }
  }
  const std::int64_t start = step_, end = start + steps;
  if (threads_ == 1) {
    for (auto& P : pops) P->reset_spike_lists(1);
    StepSync unused(1, false, false);
    step_range(0, 1, start, end, unused);
  } else {
    run_pooled(end);
  }
  running_.store(false);
  return step_ - start;
}

}  // namespace neurosys::snn
