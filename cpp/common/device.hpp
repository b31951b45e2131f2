// One kernel source for CUDA and OpenMP (the cubff pattern): a host/device qualifier, a launch
// helper that runs a per-index body on the GPU or over an OpenMP loop, and a device query that
// works in CPU-only builds.
#pragma once
#include <cstddef>
#include <cstdint>

#if defined(__CUDACC__)
#define NS_HD __host__ __device__
#define NS_DEVICE __device__
#else
#define NS_HD
#define NS_DEVICE
#endif

namespace neurosys {

// True when the module was compiled with the CUDA kernels.
constexpr bool kBuiltWithCuda =
#if defined(NEUROSYS_HAS_CUDA)
    true;
#else
    false;
#endif

// Number of usable CUDA devices; 0 in a CPU-only build or on a machine without a driver/GPU.
int cuda_device_count() noexcept;

// Which backend an engine runs on.
enum class Device { CPU, CUDA };

// The names resolve_device accepts: the one list of them (Python reads it as _core.DEVICES).
inline constexpr const char* kDeviceNames[] = {"auto", "cpu", "cuda"};

// Resolves "auto" | "cpu" | "cuda"; throws std::invalid_argument naming `argument` for anything
// else, and for "cuda" when no device is present.
Device resolve_device(const char* name, const char* argument = "device");

// Runs body(i) for i in [0, n) on the host with OpenMP (static schedule keeps work-to-thread
// assignment independent of timing; results never depend on it because bodies are index-pure).
template <typename Body>
inline void parallel_for_host(std::int64_t n, int threads, Body body) {
#if defined(_OPENMP)
#pragma omp parallel for schedule(dynamic, 64) num_threads(threads > 0 ? threads : 1) if (threads != 1)
#endif
  for (std::int64_t i = 0; i < n; ++i) body(i);
}

}  // namespace neurosys
