#pragma once
// A mapped workspace segment: creation, attachment, validation and the lock-free key table.
// Plain C++ (no Python); the bindings add value encoding on top.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "workspace/layout.hpp"

namespace neurosys::ws {

struct SegmentError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct CorruptSegment : SegmentError {  // a length or field in shared memory is out of range
  using SegmentError::SegmentError;
};
struct TableFull : SegmentError {
  using SegmentError::SegmentError;
};
struct PermissionDenied : SegmentError {
  using SegmentError::SegmentError;
};
struct NotFound : SegmentError {
  using SegmentError::SegmentError;
};

// Seconds since the epoch, as time.time() gives them.
double wall_time();
std::uint64_t key_hash(const char* key, std::uint32_t len);
// The name under /dev/shm: a per-user prefix plus the validated workspace name.
std::string shm_name_for(const std::string& name);

// The slot a write fills: taken with begin_write, finished with commit_write or abort_write.
struct WriteTicket {
  SlotHeader* slot = nullptr;
  CellHeader* cell = nullptr;
  std::uint8_t* payload = nullptr;
  std::uint64_t seq = 0;      // odd value written into cell->seq
  std::uint64_t version = 0;  // version the commit publishes
  unsigned cell_index = 0;
};

// The header fields `neurosys info` shows, read without attaching (no owner entry, no flock).
struct SegmentInfo {
  std::uint32_t layout_version = 0;
  std::uint32_t creator_pid = 0;
  double created = 0.0;  // seconds since the epoch
  std::uint64_t total_bytes = 0;  // the file's size
  std::uint64_t capacity = 0, max_value_bytes = 0;
  std::vector<std::uint32_t> owners;  // empty unless layout_version == kLayoutVersion
};
// Throws NotFound, PermissionDenied or SegmentError.
SegmentInfo inspect_segment(const std::string& name);

class Segment {
 public:
  enum class Mode { CreateOrOpen, Attach };
  // Throws std::invalid_argument on a bad name or geometry, NotFound, PermissionDenied,
  // CorruptSegment or SegmentError (with errno text) otherwise.
  Segment(const std::string& name, Mode mode, std::uint64_t capacity,
          std::uint64_t max_value_bytes);
  ~Segment();
  Segment(const Segment&) = delete;
  Segment& operator=(const Segment&) = delete;

  const std::string& name() const { return name_; }
  const std::string& shm_name() const { return shm_name_; }
  bool created() const { return created_; }   // this handle made a fresh segment
  bool reclaimed() const { return reclaimed_; }  // ... after removing a stale one
  bool unlink();                               // remove the name; mappings stay valid

  Header* header() const { return header_; }
  std::uint64_t capacity() const { return header_->capacity; }
  std::uint64_t slot_count() const { return header_->slot_count; }
  std::uint64_t max_value_bytes() const { return header_->max_value_bytes; }
  SlotHeader* slot(std::uint64_t i) const {
    return reinterpret_cast<SlotHeader*>(base_ + header_->header_bytes +
                                         i * header_->slot_stride);
  }
  CellHeader* cell(SlotHeader* s, unsigned c) const {
    return reinterpret_cast<CellHeader*>(reinterpret_cast<std::uint8_t*>(s) + sizeof(SlotHeader) +
                                         c * header_->cell_stride);
  }
  static std::uint8_t* payload(CellHeader* c) { return reinterpret_cast<std::uint8_t*>(c + 1); }

  // Lock-free lookup: the slot index holding `key` and its key generation, or -1.
  std::int64_t find(const char* key, std::uint32_t len, std::uint64_t hash,
                    std::uint32_t* gen) const;
  // Lookup, inserting the key under the table lock when absent. Throws TableFull.
  std::int64_t find_or_claim(const char* key, std::uint32_t len, std::uint64_t hash,
                             std::uint32_t* gen);
  // Removes the key; true when it was present.
  bool erase(std::uint64_t index, std::uint32_t gen);

  // Takes the slot's writer lock and opens a cell. slot == nullptr in the ticket when the slot
  // no longer holds key generation `gen` (deleted meanwhile).
  WriteTicket begin_write(std::uint64_t index, std::uint32_t gen);
  void commit_write(WriteTicket& t, std::uint32_t length, double timestamp, double expires);
  void abort_write(WriteTicket& t);

  // Bumps the change counter and wakes sleepers (no syscall when nobody sleeps).
  void notify();
  std::uint32_t change_counter() const;
  // Waits until the counter differs from `seen` or the deadline (CLOCK_MONOTONIC ns, 0 = 100 ms
  // slice) passes; spins for `spin_ns` first. Returns the counter.
  std::uint32_t wait_change(std::uint32_t seen, std::int64_t deadline_ns, std::int64_t spin_ns);
  // Wakes every sleeper of this segment (used on close).
  void wake_all();

 private:
  void create_fresh(int fd, std::uint64_t capacity, std::uint64_t max_value_bytes);
  bool open_existing(int fd, bool reclaim_stale);  // false when stale and removed
  void map_all(int fd, std::uint64_t total);
  void register_owner();    // claims a free owner_pids entry for this process
  void unregister_owner();  // clears it

  int owner_entry_ = -1;
  std::string name_, shm_name_;
  int fd_ = -1;
  std::uint8_t* base_ = nullptr;
  std::uint64_t mapped_ = 0;
  Header* header_ = nullptr;
  bool created_ = false, reclaimed_ = false;
};

}  // namespace neurosys::ws
