// The key table and the value protocol of a segment: lock-free lookups, inserts and removals
// under a table lock, per-slot writer locks that survive a dead owner, the three-cell seqlock
// write, and futex wake-ups on the change counter.
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "common/futex.hpp"
#include "workspace/segment.hpp"

namespace neurosys::ws {
namespace {

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

std::int64_t mono_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return std::int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// Lock words carry the owner's pid, so a lock left by a killed process can be taken over.
// getpid() is a real syscall in modern glibc: cache it, and refresh it in fork children.
std::atomic<std::uint32_t> g_pid{0};
std::atomic<std::uint32_t> g_fork_epoch{0};
void after_fork_child() {
  g_pid.store(std::uint32_t(getpid()));
  g_fork_epoch.fetch_add(1);
}

std::uint64_t self_lock_word() {
  thread_local std::uint64_t word = 0;
  thread_local std::uint32_t epoch = ~0u;
  std::uint32_t now_epoch = g_fork_epoch.load(std::memory_order_relaxed);
  if (epoch != now_epoch || word == 0) {
    static const bool registered = [] {
      g_pid.store(std::uint32_t(getpid()));
      pthread_atfork(nullptr, nullptr, after_fork_child);
      return true;
    }();
    (void)registered;
    epoch = now_epoch;
    word = (std::uint64_t(g_pid.load()) << 32) | std::uint32_t(syscall(SYS_gettid));
  }
  return word;
}

bool pid_alive(std::uint32_t pid) {
  if (pid == 0) return false;
  return kill(pid_t(pid), 0) == 0 || errno == EPERM;
}

constexpr std::int64_t kLockTimeoutNs = 10'000'000'000;

void lock_acquire(std::atomic<std::uint64_t>& lock) {
  const std::uint64_t me = self_lock_word();
  std::uint64_t seen = 0;
  if (lock.compare_exchange_strong(seen, me, std::memory_order_acquire)) return;
  std::uint64_t held_by = 0;
  std::int64_t since = 0;
  for (std::uint64_t spins = 1;; ++spins) {
    seen = lock.load(std::memory_order_relaxed);
    if (seen == 0) {
      if (lock.compare_exchange_weak(seen, me, std::memory_order_acquire)) return;
      continue;
    }
    if (spins < 2000) {
      cpu_relax();
      continue;
    }
    sched_yield();
    // The owner may have been killed mid-write: take the lock over from a dead process.
    if ((spins & 63) == 0) {
      if (!pid_alive(std::uint32_t(seen >> 32)) &&
          lock.compare_exchange_strong(seen, me, std::memory_order_acquire))
        return;
      if (seen != held_by) {
        held_by = seen;
        since = mono_ns();
      } else if (mono_ns() - since > kLockTimeoutNs) {
        throw SegmentError("workspace lock held for over 10 s by live pid " +
                           std::to_string(seen >> 32) + " (stuck writer or corrupted segment)");
      }
    }
  }
}

void lock_release(std::atomic<std::uint64_t>& lock) { lock.store(0, std::memory_order_release); }

}  // namespace

std::int64_t Segment::find(const char* key, std::uint32_t len, std::uint64_t hash,
                           std::uint32_t* gen) const {
  const std::uint64_t mask = header_->slot_count - 1;
  for (std::uint64_t i = 0, idx = hash & mask; i <= mask; ++i, idx = (idx + 1) & mask) {
    SlotHeader* s = slot(idx);
    std::uint32_t state = s->state.load(std::memory_order_acquire);
    if (state == kEmpty) return -1;
    if (state != kOccupied) continue;
    std::uint32_t g = s->keygen.load(std::memory_order_acquire);
    if (g & 1) continue;  // key being replaced
    if (s->hash == hash && s->key_len == len && std::memcmp(s->key, key, len) == 0) {
      std::atomic_thread_fence(std::memory_order_acquire);
      if (s->keygen.load(std::memory_order_relaxed) != g) continue;
      *gen = g;
      return std::int64_t(idx);
    }
  }
  return -1;
}

std::int64_t Segment::find_or_claim(const char* key, std::uint32_t len, std::uint64_t hash,
                                    std::uint32_t* gen) {
  if (len > kMaxKeyBytes)
    throw std::invalid_argument("key: at most " + std::to_string(kMaxKeyBytes) +
                                " bytes of UTF-8 are accepted, got " + std::to_string(len));
  std::int64_t found = find(key, len, hash, gen);
  if (found >= 0) return found;
  lock_acquire(header_->table_lock);
  struct Unlock {
    std::atomic<std::uint64_t>& l;
    ~Unlock() { lock_release(l); }
  } unlock{header_->table_lock};
  found = find(key, len, hash, gen);  // someone may have inserted it meanwhile
  if (found >= 0) return found;
  if (header_->used.load(std::memory_order_relaxed) >= header_->capacity)
    throw TableFull("workspace '" + name_ + "' is full (capacity=" +
                    std::to_string(header_->capacity) + " keys); delete keys or create it larger");
  const std::uint64_t mask = header_->slot_count - 1;
  for (std::uint64_t i = 0, idx = hash & mask; i <= mask; ++i, idx = (idx + 1) & mask) {
    SlotHeader* s = slot(idx);
    std::uint32_t state = s->state.load(std::memory_order_acquire);
    if (state == kOccupied) continue;
    // Empty or tombstone: take it. A writer killed while holding the table lock may have left
    // keygen odd; bump it to the next odd value in every case.
    std::uint32_t g = s->keygen.load(std::memory_order_relaxed);
    std::uint32_t odd = (g + 1) | 1u;
    s->keygen.store(odd, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_release);
    s->hash = hash;
    s->key_len = len;
    std::memcpy(s->key, key, len);
    s->key[len] = 0;
    s->head.store(0, std::memory_order_relaxed);
    s->keygen.store(odd + 1, std::memory_order_release);
    s->state.store(kOccupied, std::memory_order_release);
    header_->used.fetch_add(1, std::memory_order_relaxed);
    *gen = odd + 1;
    return std::int64_t(idx);
  }
  throw TableFull("workspace '" + name_ + "' has no free slot");
}

bool Segment::erase(std::uint64_t index, std::uint32_t gen) {
  if (index >= header_->slot_count) throw CorruptSegment("slot index out of range");
  lock_acquire(header_->table_lock);
  struct Unlock {
    std::atomic<std::uint64_t>& l;
    ~Unlock() { lock_release(l); }
  } unlock{header_->table_lock};
  SlotHeader* s = slot(index);
  bool present = s->state.load(std::memory_order_acquire) == kOccupied &&
                 s->keygen.load(std::memory_order_acquire) == gen;
  if (present) {
    lock_acquire(s->lock);  // no writer may be half way through this slot
    s->keygen.store(gen + 2, std::memory_order_release);  // invalidates cached lookups
    s->head.store(0, std::memory_order_release);
    s->state.store(kTombstone, std::memory_order_release);
    header_->used.fetch_sub(1, std::memory_order_relaxed);
    lock_release(s->lock);
  }
  if (present) notify();
  return present;
}

WriteTicket Segment::begin_write(std::uint64_t index, std::uint32_t gen) {
  WriteTicket t;
  if (index >= header_->slot_count) throw CorruptSegment("slot index out of range");
  t.slot = slot(index);
  lock_acquire(t.slot->lock);
  if (t.slot->keygen.load(std::memory_order_acquire) != gen ||
      t.slot->state.load(std::memory_order_acquire) != kOccupied) {
    lock_release(t.slot->lock);
    t.slot = nullptr;
    return t;
  }
  std::uint64_t head = t.slot->head.load(std::memory_order_relaxed);
  unsigned current = head ? unsigned(head & 3) : kCells - 1;
  if (current >= kCells) current = kCells - 1;  // corrupted head: start over
  t.cell_index = (current + 1) % kCells;
  t.version = (head >> 2) + 1;
  t.cell = cell(t.slot, t.cell_index);
  std::uint64_t s = t.cell->seq.load(std::memory_order_relaxed);
  t.seq = (s + 1) | 1;  // odd; also right when a dead writer left it odd
  t.cell->seq.store(t.seq, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release);
  t.payload = payload(t.cell);
  return t;
}

void Segment::commit_write(WriteTicket& t, std::uint32_t length, double timestamp, double expires) {
  t.cell->version = t.version;
  t.cell->timestamp = timestamp;
  t.cell->expires = expires;
  t.cell->length = length;
  t.cell->seq.store(t.seq + 1, std::memory_order_release);
  t.slot->head.store((t.version << 2) | t.cell_index, std::memory_order_release);
  lock_release(t.slot->lock);
  notify();
}

void Segment::abort_write(WriteTicket& t) {
  t.cell->seq.store(t.seq + 1, std::memory_order_release);  // unpublished: head never saw it
  lock_release(t.slot->lock);
}

void Segment::notify() {
  header_->change_counter.fetch_add(1, std::memory_order_seq_cst);
  if (header_->waiters.load(std::memory_order_seq_cst) != 0)
    futex_wake_all(&header_->change_counter);
}

void Segment::wake_all() {
  header_->change_counter.fetch_add(1, std::memory_order_seq_cst);
  futex_wake_all(&header_->change_counter);
}

std::uint32_t Segment::change_counter() const {
  return header_->change_counter.load(std::memory_order_acquire);
}

std::uint32_t Segment::wait_change(std::uint32_t seen, std::int64_t deadline_ns,
                                   std::int64_t spin_ns) {
  std::int64_t start = mono_ns();
  // Spin briefly: a wake-up from futex sleep costs several microseconds.
  for (std::int64_t t = start; t - start < spin_ns; t = mono_ns()) {
    for (int i = 0; i < 64; ++i) {
      std::uint32_t c = header_->change_counter.load(std::memory_order_acquire);
      if (c != seen) return c;
      cpu_relax();
    }
  }
  std::int64_t now = mono_ns();
  std::int64_t end = deadline_ns > 0 ? deadline_ns : now + 100000000;  // 100 ms slice
  if (end > now + 100000000) end = now + 100000000;  // callers re-check signals every slice
  header_->waiters.fetch_add(1, std::memory_order_seq_cst);
  while (header_->change_counter.load(std::memory_order_seq_cst) == seen) {
    now = mono_ns();
    if (now >= end) break;
    timespec ts{time_t((end - now) / 1000000000), long((end - now) % 1000000000)};
    futex_wait(&header_->change_counter, seen, &ts);
  }
  header_->waiters.fetch_sub(1, std::memory_order_seq_cst);
  return header_->change_counter.load(std::memory_order_acquire);
}

}  // namespace neurosys::ws
