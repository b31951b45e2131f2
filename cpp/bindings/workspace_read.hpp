#pragma once
// Seqlock reads of one slot into Python objects (header-only; bindings only).
// Scalars and top-level arrays are decoded straight from the cell and validated afterwards;
// anything else is copied out, validated, then decoded from the stable copy.
#include <sched.h>

#include <vector>

#include "bindings/workspace_codec.hpp"
#include "workspace/segment.hpp"

namespace neurosys::ws::pyapi {

struct Meta {
  std::uint64_t version = 0;
  double timestamp = 0, expires = 0;
};

enum class ReadStatus { Ok, Absent, Error };

inline bool cell_stable(const CellHeader* c, std::uint64_t s1) {
  std::atomic_thread_fence(std::memory_order_acquire);
  return c->seq.load(std::memory_order_relaxed) == s1;
}

constexpr unsigned kMaxReadAttempts = 1u << 20;

inline void backoff(unsigned attempt) {
  if (attempt > 64) sched_yield();
}

// Visits a stable snapshot of the slot's current cell: fn(cell, payload, length, s1) returns
// 1 when done, 0 to retry (torn), -1 on a Python error. Returns Absent when there is no live
// value (none written, deleted, key replaced, or expired).
template <class Fn>
ReadStatus visit_cell(Segment& seg, SlotHeader* s, std::uint32_t gen, Meta& meta, Fn&& fn) {
  const std::uint64_t limit = seg.max_value_bytes();
  for (unsigned attempt = 0;; ++attempt) {
    backoff(attempt);
    if (attempt > kMaxReadAttempts) {  // only a corrupted segment keeps a cell unstable this long
      PyErr_SetString(bindings::g_corrupt_error, "corrupted workspace slot: value never stable");
      return ReadStatus::Error;
    }
    std::uint64_t head = s->head.load(std::memory_order_acquire);
    if (head == 0) return ReadStatus::Absent;
    unsigned c = unsigned(head & 3);
    if (c >= kCells) {
      PyErr_SetString(bindings::g_corrupt_error, "corrupted workspace slot: bad cell index");
      return ReadStatus::Error;
    }
    CellHeader* cell = seg.cell(s, c);
    std::uint64_t s1 = cell->seq.load(std::memory_order_acquire);
    if (s1 & 1) continue;
    std::uint32_t len = cell->length;
    meta.version = cell->version;
    meta.timestamp = cell->timestamp;
    meta.expires = cell->expires;
    if (len == 0 || len > limit) {
      if (!cell_stable(cell, s1)) continue;
      PyErr_Format(bindings::g_corrupt_error, "corrupted workspace slot: value length %u out of range",
                   unsigned(len));
      return ReadStatus::Error;
    }
    int r = fn(cell, Segment::payload(cell), len, s1);
    if (r < 0) return ReadStatus::Error;
    if (r == 0) continue;
    if (s->keygen.load(std::memory_order_acquire) != gen) return ReadStatus::Absent;
    if (meta.expires != 0 && wall_time() >= meta.expires) return ReadStatus::Absent;
    return ReadStatus::Ok;
  }
}

inline std::vector<std::uint8_t>& scratch() {
  thread_local std::vector<std::uint8_t> buf;
  return buf;
}

// The raw encoded payload (for persistence and the C++-level benchmark).
inline ReadStatus read_payload(Segment& seg, SlotHeader* s, std::uint32_t gen, Meta& meta,
                               std::vector<std::uint8_t>& out) {
  return visit_cell(seg, s, gen, meta, [&](CellHeader* cell, const std::uint8_t* p,
                                           std::uint32_t len, std::uint64_t s1) {
    out.resize(len);
    std::memcpy(out.data(), p, len);
    return cell_stable(cell, s1) ? 1 : 0;
  });
}

// The value as a new Python object in *out.
inline ReadStatus read_object(Segment& seg, SlotHeader* s, std::uint32_t gen, Meta& meta,
                              PyObject** out) {
  *out = nullptr;
  ReadStatus st = visit_cell(seg, s, gen, meta, [&](CellHeader* cell, const std::uint8_t* p,
                                                    std::uint32_t len, std::uint64_t s1) -> int {
    Py_CLEAR(*out);
    std::uint8_t tag = p[0];
    if ((tag == kFloat || tag == kInt) && len == 9) {
      union {
        double d;
        long long i;
      } x;
      std::memcpy(&x, p + 1, 8);
      if (!cell_stable(cell, s1)) return 0;
      *out = tag == kFloat ? PyFloat_FromDouble(x.d) : PyLong_FromLongLong(x.i);
      return *out ? 1 : -1;
    }
    if (tag <= kTrue && len == 1) {
      if (!cell_stable(cell, s1)) return 0;
      *out = tag == kNone ? Py_None : tag == kTrue ? Py_True : Py_False;
      Py_INCREF(*out);
      return 1;
    }
    if (tag == kArray) {
      int type_num, ndim;
      Py_intptr_t dims[kMaxDims];
      std::size_t data_bytes;
      std::size_t h = parse_array_header(p, len, type_num, ndim, dims, data_bytes);
      bool sane = h != 0 && h + data_bytes == len;
      if (!cell_stable(cell, s1)) return 0;
      if (!sane) {
        corrupt("bad array header");
        return -1;
      }
      *out = new_array(type_num, ndim, dims);
      if (!*out) return -1;
      std::memcpy(array_data(*out), p + h, data_bytes);
      return cell_stable(cell, s1) ? 1 : 0;
    }
    auto& buf = scratch();
    buf.resize(len);
    std::memcpy(buf.data(), p, len);
    if (!cell_stable(cell, s1)) return 0;
    *out = decode_payload(buf.data(), len);
    return *out ? 1 : -1;
  });
  if (st != ReadStatus::Ok) Py_CLEAR(*out);
  return st;
}

}  // namespace neurosys::ws::pyapi
