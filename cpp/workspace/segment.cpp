// Segment lifetime: exclusive 0600 creation under a per-user prefix, validated attachment, and
// reclaiming segments whose every user has died. Liveness is an flock(LOCK_SH) that each open
// handle holds on the segment file: the kernel drops it when a process dies, so a segment is
// stale exactly when LOCK_EX can be taken (no pid bookkeeping, no pid-reuse confusion).
#include "workspace/segment.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <thread>

namespace neurosys::ws {
namespace {

[[noreturn]] void throw_errno(const std::string& what) {
  throw SegmentError(what + ": " + std::strerror(errno));
}

std::int64_t now_ns(clockid_t clock) {
  timespec ts;
  clock_gettime(clock, &ts);
  return std::int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

void validate_name(const std::string& name) {
  if (name.empty() || name.size() > 200)
    throw std::invalid_argument("name: expected 1 to 200 characters, got " +
                                std::to_string(name.size()));
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'))
      throw std::invalid_argument("name: only letters, digits, '_', '-' and '.' are accepted, got '" +
                                  name + "'");
}

struct Geometry {
  std::uint64_t slot_count, cell_stride, slot_stride, total_bytes;
};

Geometry geometry(std::uint64_t capacity, std::uint64_t max_value_bytes) {
  Geometry g{};
  std::uint64_t want = capacity + capacity / 4 + 1;
  g.slot_count = 8;
  while (g.slot_count < want) g.slot_count <<= 1;
  g.cell_stride = sizeof(CellHeader) + round_up64(max_value_bytes);
  g.slot_stride = sizeof(SlotHeader) + kCells * g.cell_stride;
  g.total_bytes = sizeof(Header) + g.slot_count * g.slot_stride;
  return g;
}

}  // namespace

double wall_time() { return double(now_ns(CLOCK_REALTIME)) * 1e-9; }

std::uint64_t key_hash(const char* key, std::uint32_t len) {
  std::uint64_t h = 1469598103934665603ull;  // FNV-1a, then a final mix so low bits spread
  for (std::uint32_t i = 0; i < len; ++i) h = (h ^ static_cast<unsigned char>(key[i])) * 1099511628211ull;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  return h | 1;  // never 0
}

std::string shm_name_for(const std::string& name) {
  validate_name(name);
  return "/neurosys-" + std::to_string(geteuid()) + "-" + name;
}

Segment::Segment(const std::string& name, Mode mode, std::uint64_t capacity,
                 std::uint64_t max_value_bytes)
    : name_(name), shm_name_(shm_name_for(name)) {
  if (mode == Mode::CreateOrOpen) {
    if (capacity < 1 || capacity > kMaxCapacity)
      throw std::invalid_argument("capacity: expected 1.." + std::to_string(kMaxCapacity) +
                                  ", got " + std::to_string(capacity));
    if (max_value_bytes < 64 || max_value_bytes > kMaxValueBytesLimit)
      throw std::invalid_argument("max_value_bytes: expected 64.." +
                                  std::to_string(kMaxValueBytesLimit) + ", got " +
                                  std::to_string(max_value_bytes));
  }
  for (int attempt = 0; attempt < 8; ++attempt) {
    if (mode == Mode::CreateOrOpen) {
      int fd = shm_open(shm_name_.c_str(), O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
      if (fd >= 0) {
        create_fresh(fd, capacity, max_value_bytes);
        return;
      }
      if (errno != EEXIST) throw_errno("cannot create workspace segment " + shm_name_);
    }
    int fd = shm_open(shm_name_.c_str(), O_RDWR | O_CLOEXEC, 0);
    if (fd < 0) {
      if (errno == ENOENT && mode == Mode::CreateOrOpen) continue;  // removed meanwhile
      if (errno == ENOENT) throw NotFound("no workspace named '" + name_ + "' (" + shm_name_ + ")");
      if (errno == EACCES) throw PermissionDenied("workspace '" + name_ + "': permission denied");
      throw_errno("cannot open workspace segment " + shm_name_);
    }
    if (open_existing(fd, mode == Mode::CreateOrOpen)) return;
    reclaimed_ = true;  // stale segment removed: create a fresh one on the next pass
  }
  throw SegmentError("workspace '" + name_ + "': could not create or open the segment");
}

void Segment::create_fresh(int fd, std::uint64_t capacity, std::uint64_t max_value_bytes) {
  fd_ = fd;
  flock(fd_, LOCK_SH);  // at once, so nobody takes the new segment for a stale one
  fchmod(fd_, 0600);    // whatever the umask
  Geometry g = geometry(capacity, max_value_bytes);
  if (ftruncate(fd_, off_t(g.total_bytes)) != 0) {
    int e = errno;
    shm_unlink(shm_name_.c_str());
    errno = e;
    throw_errno("cannot size workspace segment");
  }
  map_all(fd_, g.total_bytes);
  Header* h = header_;
  h->layout_version = kLayoutVersion;
  h->header_bytes = sizeof(Header);
  h->capacity = capacity;
  h->slot_count = g.slot_count;
  h->max_value_bytes = max_value_bytes;
  h->cell_stride = g.cell_stride;
  h->slot_stride = g.slot_stride;
  h->total_bytes = g.total_bytes;
  h->owner_uid = geteuid();
  h->creator_pid = getpid();
  h->created_ns = std::uint64_t(now_ns(CLOCK_REALTIME));
  std::atomic_thread_fence(std::memory_order_release);
  reinterpret_cast<std::atomic<std::uint64_t>*>(&h->magic)->store(kMagic, std::memory_order_release);
  created_ = true;
  register_owner();
}

void Segment::register_owner() {
  auto pid = std::uint32_t(getpid());
  for (std::uint32_t i = 0; i < kMaxOwners; ++i) {
    std::uint32_t expected = 0;
    if (header_->owner_pids[i].compare_exchange_strong(expected, pid)) {
      owner_entry_ = int(i);
      return;
    }
  }
}

void Segment::unregister_owner() {
  if (owner_entry_ < 0) return;
  auto pid = std::uint32_t(getpid());  // a forked child does not clear its parent's entry
  header_->owner_pids[owner_entry_].compare_exchange_strong(pid, 0);
  owner_entry_ = -1;
}

SegmentInfo inspect_segment(const std::string& name) {
  std::string shm = shm_name_for(name);
  int fd = shm_open(shm.c_str(), O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0) {
    if (errno == ENOENT) throw NotFound("no workspace named '" + name + "' (" + shm + ")");
    if (errno == EACCES) throw PermissionDenied("workspace '" + name + "': permission denied");
    throw_errno("cannot open workspace segment " + shm);
  }
  SegmentInfo info;
  struct stat st;
  if (fstat(fd, &st) != 0) {
    close(fd);
    throw_errno("cannot stat workspace segment");
  }
  info.total_bytes = std::uint64_t(st.st_size);
  if (info.total_bytes >= sizeof(Header)) {
    void* p = mmap(nullptr, sizeof(Header), PROT_READ, MAP_SHARED, fd, 0);
    if (p != MAP_FAILED) {
      const Header* h = static_cast<const Header*>(p);
      if (reinterpret_cast<const std::atomic<std::uint64_t>*>(&h->magic)->load(
              std::memory_order_acquire) == kMagic) {
        info.layout_version = h->layout_version;
        info.creator_pid = h->creator_pid;
        info.created = double(h->created_ns) * 1e-9;
        info.capacity = h->capacity;
        info.max_value_bytes = h->max_value_bytes;
        if (h->layout_version == kLayoutVersion)
          for (std::uint32_t i = 0; i < kMaxOwners; ++i)
            if (auto pid = h->owner_pids[i].load(std::memory_order_acquire)) info.owners.push_back(pid);
      }
      munmap(p, sizeof(Header));
    }
  }
  close(fd);
  return info;
}

bool Segment::open_existing(int fd, bool reclaim_stale) {
  struct Closer {
    int& fd;
    bool keep = false;
    ~Closer() {
      if (!keep) close(fd);
    }
  } closer{fd};
  struct stat st;
  if (fstat(fd, &st) != 0) throw_errno("cannot stat workspace segment");
  if (st.st_uid != geteuid())
    throw PermissionDenied("workspace '" + name_ + "' is owned by uid " +
                           std::to_string(st.st_uid) + ", not by this user (uid " +
                           std::to_string(geteuid()) + "); refusing to attach");
  if (st.st_mode & 077)
    throw PermissionDenied("workspace '" + name_ + "' has mode 0" +
                           std::to_string((st.st_mode >> 6 & 7) * 100 + (st.st_mode >> 3 & 7) * 10 +
                                          (st.st_mode & 7)) +
                           ", expected 0600; refusing to attach");
  bool nobody_holds_it = flock(fd, LOCK_EX | LOCK_NB) == 0;
  bool young = std::time(nullptr) - st.st_ctime < 2;
  // A creator sizes and initialises right after creating: give it a moment.
  std::uint64_t magic = 0;
  for (int wait = 0; wait < 200; ++wait) {
    if (fstat(fd, &st) != 0) throw_errno("cannot stat workspace segment");
    if (std::uint64_t(st.st_size) >= sizeof(Header)) {
      void* p = mmap(nullptr, sizeof(Header), PROT_READ, MAP_SHARED, fd, 0);
      if (p == MAP_FAILED) throw_errno("cannot map workspace header");
      magic = reinterpret_cast<std::atomic<std::uint64_t>*>(p)->load(std::memory_order_acquire);
      munmap(p, sizeof(Header));
      if (magic != 0) break;
    }
    if (nobody_holds_it && !young) break;  // an abandoned, never initialised segment
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (nobody_holds_it && reclaim_stale && (magic != 0 || !young)) {
    // Every user died. Remove the name only if it still names this very file.
    struct stat now;
    int fd2 = shm_open(shm_name_.c_str(), O_RDONLY | O_CLOEXEC, 0);
    if (fd2 >= 0) {
      if (fstat(fd2, &now) == 0 && now.st_ino == st.st_ino && now.st_dev == st.st_dev)
        shm_unlink(shm_name_.c_str());
      close(fd2);
    }
    return false;
  }
  if (magic != kMagic)
    throw CorruptSegment("workspace '" + name_ + "' is not a neurosys workspace (bad magic number" +
                         std::string(magic == 0 ? ", never initialised" : "") + ")");
  void* p = mmap(nullptr, sizeof(Header), PROT_READ, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) throw_errno("cannot map workspace header");
  Header h;
  std::memcpy(static_cast<void*>(&h), p, sizeof(Header));
  munmap(p, sizeof(Header));
  if (h.layout_version != kLayoutVersion)
    throw CorruptSegment("workspace '" + name_ + "' has layout version " +
                         std::to_string(h.layout_version) + ", this build reads version " +
                         std::to_string(kLayoutVersion) +
                         " (it was made by another neurosys build; stop that process, or remove "
                         "the segment with `neurosys clean` once its owners have exited)");
  if (h.owner_uid != geteuid())
    throw PermissionDenied("workspace '" + name_ + "' records owner uid " +
                           std::to_string(h.owner_uid) + "; refusing to attach");
  bool ok = h.header_bytes == sizeof(Header) && h.capacity >= 1 && h.capacity <= kMaxCapacity &&
            h.max_value_bytes >= 64 && h.max_value_bytes <= kMaxValueBytesLimit;
  if (ok) {
    Geometry g = geometry(h.capacity, h.max_value_bytes);
    ok = g.slot_count == h.slot_count && g.cell_stride == h.cell_stride &&
         g.slot_stride == h.slot_stride && g.total_bytes == h.total_bytes &&
         h.total_bytes == std::uint64_t(st.st_size);
  }
  if (!ok) throw CorruptSegment("workspace '" + name_ + "' has an inconsistent header");
  flock(fd, LOCK_SH);  // (downgrades the exclusive probe lock, if we took it)
  map_all(fd, h.total_bytes);
  closer.keep = true;
  fd_ = fd;
  register_owner();
  return true;
}

void Segment::map_all(int fd, std::uint64_t total) {
  void* p = mmap(nullptr, total, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) throw_errno("cannot map workspace segment");
  base_ = static_cast<std::uint8_t*>(p);
  mapped_ = total;
  header_ = reinterpret_cast<Header*>(base_);
}

Segment::~Segment() {
  if (base_) unregister_owner();
  if (base_) munmap(base_, mapped_);
  if (fd_ >= 0) close(fd_);  // drops our flock
}

bool Segment::unlink() { return shm_unlink(shm_name_.c_str()) == 0; }

}  // namespace neurosys::ws
