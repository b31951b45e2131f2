// Linux futex wait/wake on a 32-bit atomic word: the sleep used by the workspace's cross-process
// change notification and by the SNN step barrier. Not FUTEX_PRIVATE, so the word may live in
// shared memory with sleepers and wakers in different processes.
#pragma once
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <climits>
#include <cstdint>
#include <ctime>

namespace neurosys {

// Sleeps while *word == expected, until woken, `timeout` (nullptr: none) or a signal.
inline void futex_wait(std::atomic<std::uint32_t>* word, std::uint32_t expected,
                       const timespec* timeout = nullptr) {
  syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(word), FUTEX_WAIT, expected, timeout, nullptr, 0);
}

inline void futex_wake_all(std::atomic<std::uint32_t>* word) {
  syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(word), FUTEX_WAKE, INT_MAX, nullptr, nullptr, 0);
}

}  // namespace neurosys
