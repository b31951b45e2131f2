// The spiking network's CUDA step: the same neuron update, delivery and STDP traces as the CPU
// loops (kernels.hpp), one thread per neuron or per spike's row.
#include <cuda_runtime.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "snn/cuda_backend.hpp"
#include "snn/kernels.hpp"
#include "snn/network.hpp"

namespace neurosys::snn {
namespace {

constexpr int kMaxChannels = 8;

void check(cudaError_t err, const char* what) {
  if (err != cudaSuccess) throw std::runtime_error(std::string("CUDA ") + what + ": " + cudaGetErrorString(err));
}

template <typename T>
struct DeviceArray {
  T* ptr = nullptr;
  std::size_t size = 0;
  DeviceArray() = default;
  DeviceArray(const DeviceArray&) = delete;
  DeviceArray& operator=(const DeviceArray&) = delete;
  ~DeviceArray() { if (ptr) cudaFree(ptr); }
  void alloc(std::size_t n) {
    size = n;
    if (n) check(cudaMalloc(&ptr, n * sizeof(T)), "malloc");
  }
  void upload(const T* host, std::size_t n, std::size_t offset = 0) {
    if (n) check(cudaMemcpy(ptr + offset, host, n * sizeof(T), cudaMemcpyHostToDevice), "upload");
  }
  void download(T* host, std::size_t n, std::size_t offset = 0) const {
    if (n) check(cudaMemcpy(host, ptr + offset, n * sizeof(T), cudaMemcpyDeviceToHost), "download");
  }
};

template <typename F>
__global__ void for_each_kernel(std::int64_t n, F f) {
  const std::int64_t i = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x;
  if (i < n) f(i);
}

template <typename F>
void launch(std::int64_t n, const F& f) {
  if (n > 0) for_each_kernel<<<static_cast<unsigned>((n + 255) / 256), 256>>>(n, f);
}

// The neuron update: channels decay exactly, v by membrane_exact / membrane_euler, then the
// threshold, reset and refractory clamp of finish_neuron (the CPU loops' code); spikes are
// appended to a list (in no particular order).
struct LifUpdate {
  double *v, *g;
  const double* iinj;
  std::int32_t* ref;
  std::int64_t n;
  int nch;
  double E[kMaxChannels], decay[kMaxChannels], scale[kMaxChannels];
  bool current[kMaxChannels];
  double k, R, v_rest;
  Threshold threshold;
  bool exact;
  std::uint32_t* spikes;
  unsigned* count;
  __device__ void operator()(std::int64_t i) const {
    double gsum = 0.0, drive = 0.0;
    for (int c = 0; c < nch; ++c) {
      const double gc = g[c * n + i];
      if (current[c]) {
        drive += scale[c] * gc;
      } else {
        gsum += gc;
        drive += gc * E[c];
      }
      g[c * n + i] = gc * decay[c];
    }
    const double G = 1.0 + R * gsum, A = v_rest + R * (drive + iinj[i]);
    const double vn = exact ? membrane_exact(v[i], G, A, k) : membrane_euler(v[i], G, A, k);
    std::int32_t spiked;
    if (finish_neuron(vn, v[i], ref[i], spiked, threshold))
      spikes[atomicAdd(count, 1u)] = static_cast<std::uint32_t>(i);
  }
};

struct PoissonUpdate {
  const double* rate;
  std::int64_t* next;
  std::uint64_t* draws;
  std::int64_t step;
  double dt;
  std::uint64_t seed, stream;
  std::uint32_t* spikes;
  unsigned* count;
  __device__ void operator()(std::int64_t i) const {
    if (next[i] != step) return;
    spikes[atomicAdd(count, 1u)] = static_cast<std::uint32_t>(i);
    next[i] = step + geometric_steps(rate[i] * dt, poisson_bits(seed, stream, i, draws[i]++));
  }
};

// Event-driven traces of one side of a plastic projection (see trace_at).
struct DeviceTraces {
  double* value;
  std::int64_t* last;
  const double* table;
  std::int64_t table_len;
  __device__ double at(std::int64_t i, std::int64_t step) const {
    return trace_at(value, last, table, table_len, i, step);
  }
  __device__ double before(std::int64_t i, std::int64_t step) const {
    return trace_before(value, last, table, table_len, i, step);
  }
};

// A trace jumps at each listed spike (neurons are distinct within a step: no races).
__global__ void trace_spike_kernel(DeviceTraces tr, const std::uint32_t* spikes,
                                   const unsigned* count, std::int64_t step) {
  const unsigned n_spikes = *count;
  for (unsigned s = blockIdx.x * blockDim.x + threadIdx.x; s < n_spikes; s += gridDim.x * blockDim.x) {
    const std::uint32_t i = spikes[s];
    tr.value[i] = tr.at(i, step) + 1.0;
    tr.last[i] = step;
  }
}

// Increments that were in flight for delay - 1 steps reach the conductance now.
struct DeliverDue {
  double *g, *due;
  __device__ void operator()(std::int64_t j) const {
    g[j] += due[j];
    due[j] = 0.0;
  }
};

struct StdpKernelArgs {
  bool on;
  StdpParams params;
  DeviceTraces pre, post;
  std::int64_t step;
};

// One block per spike (grid-stride over the spike count, which stays on the device): each
// synapse of the row adds its weight to its target's slot, then, for plastic projections, is
// depressed by the post trace as it was before this step's post spike (the CPU's order). A row
// belongs to one presynaptic neuron, so its weights have a single writer.
__global__ void propagate_kernel(const std::uint64_t* row, const std::uint32_t* target,
                                 float* weight, const std::uint32_t* spikes,
                                 const unsigned* count, double* slot, StdpKernelArgs stdp) {
  const unsigned n_spikes = *count;
  for (unsigned s = blockIdx.x; s < n_spikes; s += gridDim.x) {
    const std::uint32_t i = spikes[s];
    for (std::uint64_t k = row[i] + threadIdx.x; k < row[i + 1]; k += blockDim.x) {
      const std::uint32_t j = target[k];
      atomicAdd(&slot[j], static_cast<double>(weight[k]));
      if (stdp.on) weight[k] = stdp_depress(weight[k], stdp.post.before(j, stdp.step), stdp.params);
    }
  }
}

// One block per postsynaptic spike: its incoming synapses (a CSC column, disjoint between
// neurons) are potentiated by the pre traces.
__global__ void potentiate_kernel(const std::uint64_t* col, const std::uint32_t* col_syn,
                                  const std::uint32_t* col_pre, float* weight,
                                  const std::uint32_t* spikes, const unsigned* count,
                                  StdpKernelArgs stdp) {
  const unsigned n_spikes = *count;
  for (unsigned s = blockIdx.x; s < n_spikes; s += gridDim.x) {
    const std::uint32_t j = spikes[s];
    for (std::uint64_t k = col[j] + threadIdx.x; k < col[j + 1]; k += blockDim.x) {
      const std::uint32_t syn = col_syn[k];
      weight[syn] = stdp_potentiate(weight[syn], stdp.pre.at(col_pre[k], stdp.step), stdp.params);
    }
  }
}

struct DevicePop {
  DeviceArray<double> v, g, iinj, rate;
  DeviceArray<std::int32_t> ref;
  DeviceArray<std::int64_t> next;
  DeviceArray<std::uint64_t> draws;
  DeviceArray<std::uint32_t> spikes;
  DeviceArray<unsigned> count;
};

struct DeviceSide {
  DeviceArray<double> value, table;
  DeviceArray<std::int64_t> last;
  void upload(const EventTraces& t) {
    value.alloc(t.value.size()); value.upload(t.value.data(), t.value.size());
    last.alloc(t.last.size()); last.upload(t.last.data(), t.last.size());
    table.alloc(t.table.size()); table.upload(t.table.data(), t.table.size());
  }
  void download(EventTraces& t) const {
    value.download(t.value.data(), t.value.size());
    last.download(t.last.data(), t.last.size());
  }
  DeviceTraces view() {
    return DeviceTraces{value.ptr, last.ptr, table.ptr, static_cast<std::int64_t>(table.size)};
  }
};

struct DeviceProj {
  DeviceArray<std::uint64_t> row, col;
  DeviceArray<std::uint32_t> target, col_syn, col_pre;
  DeviceArray<float> weight;
  DeviceArray<double> ring;  // delay slots x n_post, for delays above one step
  DeviceSide pre, post;       // STDP traces
};

template <typename T>
void upload_vector(DeviceArray<T>& d, const std::vector<T>& h) {
  d.alloc(h.size());
  d.upload(h.data(), h.size());
}

unsigned spike_blocks(std::int64_t n) {
  return static_cast<unsigned>(std::min<std::int64_t>(std::max<std::int64_t>(n, 1), 4096));
}

}  // namespace

void check_cuda_support(const Network& net) {
  if (cuda_device_count() == 0) throw std::invalid_argument("device='cuda': no CUDA device is available");
  for (const auto& P : net.pops) {
    if (P->channels.size() > kMaxChannels)
      throw std::invalid_argument("device='cuda': at most 8 channels per population");
    if (!P->drives.empty())
      throw std::invalid_argument("device='cuda': Poisson drives run on the CPU only");
  }
  for (const auto& R : net.projs)
    if (!R->delays.empty())
      throw std::invalid_argument("device='cuda': delays per synapse run on the CPU only");
}

std::int64_t run_on_cuda(Network& net, std::int64_t steps) {
  check_cuda_support(net);
  const std::size_t np = net.pops.size();
  std::vector<DevicePop> dp(np);
  for (std::size_t p = 0; p < np; ++p) {
    Population& P = *net.pops[p];
    DevicePop& D = dp[p];
    D.spikes.alloc(std::max<std::int64_t>(P.n, 1));
    D.count.alloc(1);
    if (P.poisson) {
      D.rate.alloc(P.n); D.rate.upload(P.rate.data(), P.n);
      D.next.alloc(P.n); D.next.upload(P.next_spike.data(), P.n);
      D.draws.alloc(P.n); D.draws.upload(P.draws.data(), P.n);
    } else {
      D.v.alloc(P.n); D.v.upload(P.v.data(), P.n);
      D.iinj.alloc(P.n); D.iinj.upload(P.i_inj.data(), P.n);
      D.ref.alloc(P.n); D.ref.upload(P.refractory.data(), P.n);
      D.g.alloc(P.channels.size() * P.n);
      for (std::size_t c = 0; c < P.channels.size(); ++c) D.g.upload(P.g[c].data(), P.n, c * P.n);
    }
    P.reset_spike_lists(1);
  }
  std::vector<DeviceProj> dr(net.projs.size());
  for (std::size_t r = 0; r < net.projs.size(); ++r) {
    const Projection& R = *net.projs[r];
    upload_vector(dr[r].row, R.row);
    upload_vector(dr[r].target, R.target);
    upload_vector(dr[r].weight, R.weight);
    if (R.delay > 1) upload_vector(dr[r].ring, R.ring);
    if (R.plastic) {
      upload_vector(dr[r].col, R.col);
      upload_vector(dr[r].col_syn, R.col_syn);
      upload_vector(dr[r].col_pre, R.col_pre);
      dr[r].pre.upload(R.pre_trace);
      dr[r].post.upload(R.post_trace);
    }
  }
  const std::int64_t start = net.step_.load(), end = start + steps;
  std::vector<unsigned> counts(np);
  std::int64_t s = start;
  for (; s < end; ++s) {
    for (std::size_t p = 0; p < np; ++p) {
      Population& P = *net.pops[p];
      DevicePop& D = dp[p];
      check(cudaMemset(D.count.ptr, 0, sizeof(unsigned)), "memset");
      if (P.poisson) {
        launch(P.n, PoissonUpdate{D.rate.ptr, D.next.ptr, D.draws.ptr, s, net.dt(), net.seed(),
                                  P.stream, D.spikes.ptr, D.count.ptr});
      } else {
        LifUpdate f{};
        f.v = D.v.ptr; f.g = D.g.ptr; f.iinj = D.iinj.ptr; f.ref = D.ref.ptr; f.n = P.n;
        f.nch = static_cast<int>(P.channels.size());
        for (int c = 0; c < f.nch; ++c) {
          f.E[c] = P.channels[c].E; f.decay[c] = P.channels[c].decay; f.scale[c] = P.channels[c].drive_scale; f.current[c] = P.channels[c].current;
        }
        f.k = net.dt() / P.p.tau_m; f.R = P.p.R_m; f.v_rest = P.p.v_rest;
        f.threshold = Threshold{P.p.v_thresh, P.p.v_reset, P.ref_steps};
        f.exact = P.p.method == Integrator::Exact;
        f.spikes = D.spikes.ptr; f.count = D.count.ptr;
        launch(P.n, f);
      }
    }
    // the CPU's phase order: traces jump after every population has updated, then each
    // projection delivers (due increments, new spikes, depression) and potentiates
    for (std::size_t r = 0; r < net.projs.size(); ++r) {
      const Projection& R = *net.projs[r];
      if (!R.plastic) continue;
      trace_spike_kernel<<<32, 128>>>(dr[r].pre.view(), dp[R.pre].spikes.ptr, dp[R.pre].count.ptr, s);
      trace_spike_kernel<<<32, 128>>>(dr[r].post.view(), dp[R.post].spikes.ptr, dp[R.post].count.ptr, s);
    }
    for (std::size_t r = 0; r < net.projs.size(); ++r) {
      const Projection& R = *net.projs[r];
      const std::int64_t n_post = net.pops[R.post]->n;
      double* g = dp[R.post].g.ptr + static_cast<std::size_t>(R.channel) * n_post;
      double* slot = g;
      if (R.delay > 1) {
        launch(n_post, DeliverDue{g, dr[r].ring.ptr + (s % R.delay) * n_post});
        slot = dr[r].ring.ptr + ((s + R.delay - 1) % R.delay) * n_post;
      }
      StdpKernelArgs stdp{R.plastic, R.stdp, {}, {}, s};
      if (R.plastic) {
        stdp.pre = dr[r].pre.view();
        stdp.post = dr[r].post.view();
      }
      propagate_kernel<<<spike_blocks(net.pops[R.pre]->n), 128>>>(
          dr[r].row.ptr, dr[r].target.ptr, dr[r].weight.ptr, dp[R.pre].spikes.ptr,
          dp[R.pre].count.ptr, slot, stdp);
      if (R.plastic)
        potentiate_kernel<<<spike_blocks(n_post), 128>>>(
            dr[r].col.ptr, dr[r].col_syn.ptr, dr[r].col_pre.ptr, dr[r].weight.ptr,
            dp[R.post].spikes.ptr, dp[R.post].count.ptr, stdp);
    }
    check(cudaGetLastError(), "launch");
    // spikes back to the host for the monitors, sorted as the CPU path lists them
    for (std::size_t p = 0; p < np; ++p) {
      dp[p].count.download(&counts[p], 1);
      auto& list = net.pops[p]->spike_lists(s)[0];
      list.resize(counts[p]);
      dp[p].spikes.download(list.data(), counts[p]);
      std::sort(list.begin(), list.end());
    }
    net.record_spikes(s);
    bool sampled = false;
    for (const auto& m : net.state_mons) sampled |= (s + 1) % m.every == 0;
    if (sampled) {
      for (std::size_t p = 0; p < np; ++p) {
        Population& P = *net.pops[p];
        if (P.poisson) continue;
        dp[p].v.download(P.v.data(), P.n);
        for (std::size_t c = 0; c < P.channels.size(); ++c) dp[p].g.download(P.g[c].data(), P.n, c * P.n);
      }
      net.record_states(s);
    }
    net.step_.store(s + 1);
    if (net.stop_.load(std::memory_order_relaxed)) { ++s; break; }
  }
  check(cudaDeviceSynchronize(), "synchronize");
  for (std::size_t p = 0; p < np; ++p) {
    Population& P = *net.pops[p];
    DevicePop& D = dp[p];
    if (P.poisson) {
      D.next.download(P.next_spike.data(), P.n);
      D.draws.download(P.draws.data(), P.n);
    } else {
      D.v.download(P.v.data(), P.n);
      D.ref.download(P.refractory.data(), P.n);
      for (std::size_t c = 0; c < P.channels.size(); ++c) D.g.download(P.g[c].data(), P.n, c * P.n);
    }
  }
  for (std::size_t r = 0; r < net.projs.size(); ++r) {
    Projection& R = *net.projs[r];
    if (R.delay > 1) dr[r].ring.download(R.ring.data(), R.ring.size());
    if (R.plastic) {
      dr[r].weight.download(R.weight.data(), R.weight.size());
      dr[r].pre.download(R.pre_trace);
      dr[r].post.download(R.post_trace);
    }
  }
  return s - start;
}

}  // namespace neurosys::snn
