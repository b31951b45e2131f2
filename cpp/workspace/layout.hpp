#pragma once
// Byte layout of a workspace segment in POSIX shared memory. Every process that maps the
// segment sees these structs at the same offsets; nothing here holds a pointer.
//
//   Header | slot 0 | slot 1 | ... | slot N-1        (N = slot_count, a power of two)
//   slot   = SlotHeader | cell 0 | cell 1 | cell 2
//   cell   = CellHeader | payload (max_value_bytes, rounded up to 64)
//
// A value lives in one of three cells per slot. A writer fills a cell that is not the current
// one, then publishes it by storing `head`; a reader copies the current cell and validates its
// sequence number afterwards (seqlock). Readers never block, and a writer killed mid-write
// leaves `head` on the last complete cell, so nobody ever sees its half-written bytes.
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace neurosys::ws {

constexpr std::uint64_t kMagic = 0x4543415053574E53ULL;  // the bytes "NSWSPACE"
// 2: owner pids in the header. A segment of another version is refused with both numbers.
constexpr std::uint32_t kLayoutVersion = 2;
// Processes recorded as having the segment open. Liveness itself is the flock (segment.cpp);
// the pids say who holds it, so that `neurosys info` can name a dead owner. A process past the
// 16th still works, it is only not listed.
constexpr std::uint32_t kMaxOwners = 16;
constexpr std::uint32_t kMaxKeyBytes = 255;
constexpr std::uint32_t kCells = 3;
constexpr std::uint64_t kMaxCapacity = 1u << 20;
constexpr std::uint64_t kMaxValueBytesLimit = 1ull << 30;

enum SlotState : std::uint32_t { kEmpty = 0, kOccupied = 1, kTombstone = 2 };

struct alignas(64) Header {
  std::uint64_t magic;  // stored last (release) once the creator has initialised everything
  std::uint32_t layout_version;
  std::uint32_t header_bytes;
  std::uint64_t capacity;         // most keys the table holds
  std::uint64_t slot_count;       // power of two >= capacity * 5 / 4
  std::uint64_t max_value_bytes;  // largest encoded value
  std::uint64_t cell_stride;
  std::uint64_t slot_stride;
  std::uint64_t total_bytes;
  std::uint32_t owner_uid;
  std::uint32_t creator_pid;
  std::uint64_t created_ns;
  // Futex word: bumped on every write and delete; waiters sleep on it.
  alignas(64) std::atomic<std::uint32_t> change_counter;
  std::atomic<std::uint32_t> waiters;  // sleepers on change_counter: no syscall when zero
  alignas(64) std::atomic<std::uint64_t> table_lock;  // guards key insertion and removal
  std::atomic<std::uint32_t> used;                    // occupied slots
  // One pid per open handle (0 = free entry), claimed by CAS on open, cleared on close.
  alignas(64) std::atomic<std::uint32_t> owner_pids[kMaxOwners];
};

struct alignas(64) SlotHeader {
  std::atomic<std::uint64_t> lock;  // writer lock: pid << 32 | tid, 0 when free
  std::atomic<std::uint64_t> head;  // version << 2 | current cell; 0 = no value yet
  std::atomic<std::uint32_t> keygen;  // odd while the key bytes change
  std::atomic<std::uint32_t> state;   // SlotState
  std::uint64_t hash;
  std::uint32_t key_len;
  std::uint32_t reserved;
  char key[kMaxKeyBytes + 1];
};

struct alignas(64) CellHeader {
  std::atomic<std::uint64_t> seq;  // odd while a writer fills the cell
  std::uint64_t version;
  double timestamp;  // seconds since the epoch (CLOCK_REALTIME)
  double expires;    // seconds since the epoch, 0 = never
  std::uint32_t length;  // payload bytes
  std::uint32_t reserved;
};

static_assert(std::atomic<std::uint32_t>::is_always_lock_free);
static_assert(std::atomic<std::uint64_t>::is_always_lock_free);
static_assert(sizeof(CellHeader) == 64);

inline std::uint64_t round_up64(std::uint64_t n) { return (n + 63) & ~std::uint64_t(63); }

}  // namespace neurosys::ws
