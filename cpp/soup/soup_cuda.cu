// The soup's CUDA path: the pair body of epoch_kernel.hpp, one thread per pair. The host shuffles
// (the permutation is serial and cheap) while the previous epoch runs; programs stay on the GPU
// for the whole run() call and come back to the host array at the end.
#include <cuda_runtime.h>

#include <stdexcept>
#include <string>

#include "soup/soup.hpp"

namespace neurosys::soup {

namespace {

__global__ void epoch_kernel(EpochArgs a) {
  const std::uint64_t k = std::uint64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (k < a.size / 2) run_pair(a, k);
}

__global__ void sum_ops(const std::uint32_t* ops, std::uint64_t pairs, unsigned long long* total) {
  unsigned long long local = 0;
  for (std::uint64_t i = std::uint64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < pairs;
       i += std::uint64_t(gridDim.x) * blockDim.x)
    local += ops[i];
  atomicAdd(total, local);
}

void check(cudaError_t err, const char* what) {
  if (err != cudaSuccess)
    throw std::runtime_error(std::string("soup CUDA: ") + what + ": " + cudaGetErrorString(err));
}

template <typename T>
struct DeviceBuffer {
  T* ptr = nullptr;
  explicit DeviceBuffer(std::size_t n) { check(cudaMalloc(&ptr, n * sizeof(T) + 1), "cudaMalloc"); }
  ~DeviceBuffer() { cudaFree(ptr); }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
};

}  // namespace

std::uint64_t run_epochs_cuda(EpochArgs base, std::uint64_t first_epoch, std::uint64_t epochs,
                              std::uint32_t* host_perm, void (*next_perm)(void*, std::uint64_t),
                              void* ctx) {
  const std::uint64_t n = base.size, pairs = n / 2, bytes = n * std::uint64_t(base.length);
  const int table = 2 * base.length + 1;
  std::uint8_t* host_programs = base.programs;
  std::uint32_t* host_ops = base.ops;
  DeviceBuffer<std::uint8_t> programs(bytes);
  std::uint32_t* host_origins = base.origins;  // provenance: the tags travel with the bytes
  DeviceBuffer<std::uint32_t> origins(host_origins ? bytes : 0);
  DeviceBuffer<std::uint32_t> perm(n), ops(pairs);
  DeviceBuffer<std::uint64_t> no_mut(table);
  DeviceBuffer<unsigned long long> total(1);
  check(cudaMemcpy(programs.ptr, host_programs, bytes, cudaMemcpyHostToDevice), "copy programs");
  check(cudaMemcpy(no_mut.ptr, base.no_mut, table * sizeof(std::uint64_t), cudaMemcpyHostToDevice), "copy table");
  if (host_origins)
    check(cudaMemcpy(origins.ptr, host_origins, bytes * sizeof(std::uint32_t), cudaMemcpyHostToDevice),
          "copy origins");
  check(cudaMemset(total.ptr, 0, sizeof(unsigned long long)), "memset");
  const unsigned threads = 128;
  const unsigned blocks = unsigned((pairs + threads - 1) / threads);
  for (std::uint64_t i = 0; i < epochs; ++i) {
    const std::uint64_t e = first_epoch + i;
    next_perm(ctx, e);
    check(cudaMemcpy(perm.ptr, host_perm, n * sizeof(std::uint32_t), cudaMemcpyHostToDevice), "copy perm");
    EpochArgs a = base;
    a.programs = programs.ptr;
    a.origins = host_origins ? origins.ptr : nullptr;
    a.perm = perm.ptr;
    a.ops = ops.ptr;
    a.no_mut = no_mut.ptr;
    a.epoch = e;
    a.cubff_epoch_seed = cubff_seed(base.seed, e);
    epoch_kernel<<<blocks, threads>>>(a);
    sum_ops<<<64, 256>>>(ops.ptr, pairs, total.ptr);
    check(cudaGetLastError(), "launch");
  }
  unsigned long long ops_total = 0;
  check(cudaMemcpy(&ops_total, total.ptr, sizeof ops_total, cudaMemcpyDeviceToHost), "copy total");
  check(cudaMemcpy(host_programs, programs.ptr, bytes, cudaMemcpyDeviceToHost), "copy programs back");
  if (host_origins)
    check(cudaMemcpy(host_origins, origins.ptr, bytes * sizeof(std::uint32_t), cudaMemcpyDeviceToHost),
          "copy origins back");
  check(cudaMemcpy(host_ops, ops.ptr, pairs * sizeof(std::uint32_t), cudaMemcpyDeviceToHost), "copy ops back");
  return ops_total;
}

}  // namespace neurosys::soup
