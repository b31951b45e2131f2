#pragma once
// neurosys._core.workspace.WorkspaceHandle: the native base class of neurosys.workspace.Workspace.
// Its hot methods (read, write, read_meta, read_into, wait_for) are METH_FASTCALL functions, so a
// Python call goes straight to C++ with no wrapper frame. This raw-CPython path pays: the same
// float read behind a pybind11 method (cpp/bindings/bench/workspace_bench.cpp) took 86 ns per
// call against 47 ns here (thread CPU time, median of 7 interleaved runs; bench_workspace.py's
// "read float, call path" row, its loop overhead included, shows 1.2-1.3x on a loaded machine).
// A per-handle dict caches key -> (slot, key generation); a cached entry is trusted only while
// the slot's generation still matches, so deletes and reuse by another key are always noticed.
#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "bindings/errors.hpp"
#include "bindings/workspace_args.hpp"
#include "bindings/workspace_read.hpp"

namespace neurosys::ws::pyapi {

struct Handle {
  PyObject_HEAD
  Segment* seg;
  PyObject* cache;                      // str -> int (slot << 32 | gen)
  std::vector<std::uint64_t>* seen;     // per-slot (gen << 40 ^ version) for poll_changes
  std::atomic<int>* busy;               // threads inside a GIL-free wait
  bool closing;
};

using bindings::g_parameter_error;
using bindings::g_workspace_closed_error;
using bindings::g_workspace_full_error;

inline PyTypeObject* g_entry_type = nullptr; // WorkspaceEntry(value, version, timestamp)
constexpr std::int64_t kWaitSpinNs = 30000;

// Engine exceptions never cross the C boundary: each becomes the matching Python exception.
inline PyObject* raise_segment_error(const std::exception& e) {
  if (dynamic_cast<const PermissionDenied*>(&e)) PyErr_SetString(PyExc_PermissionError, e.what());
  else if (dynamic_cast<const NotFound*>(&e)) PyErr_SetString(PyExc_FileNotFoundError, e.what());
  else if (dynamic_cast<const std::invalid_argument*>(&e)) PyErr_SetString(g_parameter_error, e.what());
  else if (dynamic_cast<const TableFull*>(&e)) PyErr_SetString(g_workspace_full_error, e.what());
  else if (dynamic_cast<const CorruptSegment*>(&e)) PyErr_SetString(bindings::g_corrupt_error, e.what());
  else if (dynamic_cast<const SegmentError*>(&e)) PyErr_SetString(PyExc_OSError, e.what());
  else PyErr_SetString(PyExc_RuntimeError, e.what());
  return nullptr;
}

inline Segment* live(Handle* h) {
  if (h->seg && !h->closing) return h->seg;
  PyErr_SetString(g_workspace_closed_error, "workspace is closed");
  return nullptr;
}

// Resolves key to a slot (inserting when `create`); -1 absent; -2 with a Python error.
inline std::int64_t resolve(Handle* h, PyObject* key, std::uint32_t* gen, bool create) {
  Segment* seg = h->seg;
  if (!PyUnicode_Check(key)) {
    PyErr_Format(PyExc_TypeError, "key: expected str, got %.200s", Py_TYPE(key)->tp_name);
    return -2;
  }
  PyObject* hit = PyDict_GetItemWithError(h->cache, key);
  if (hit) {
    std::uint64_t packed = PyLong_AsUnsignedLongLong(hit);
    std::uint64_t idx = packed >> 32;
    SlotHeader* s = seg->slot(idx);
    *gen = std::uint32_t(packed);
    if (s->keygen.load(std::memory_order_acquire) == *gen &&
        s->state.load(std::memory_order_acquire) == kOccupied)
      return std::int64_t(idx);
    if (PyDict_DelItem(h->cache, key) != 0) return -2;
  } else if (PyErr_Occurred()) {
    return -2;
  }
  Py_ssize_t len;
  const char* utf8 = PyUnicode_AsUTF8AndSize(key, &len);
  if (!utf8) return -2;
  if (len > Py_ssize_t(kMaxKeyBytes)) {
    PyErr_Format(bindings::g_parameter_error, "key: at most %u bytes of UTF-8 are accepted, got %zd",
                 kMaxKeyBytes, len);
    return -2;
  }
  std::uint64_t hash = key_hash(utf8, std::uint32_t(len));
  std::int64_t idx;
  try {
    idx = create ? seg->find_or_claim(utf8, std::uint32_t(len), hash, gen)
                 : seg->find(utf8, std::uint32_t(len), hash, gen);
  } catch (const std::exception& e) {
    raise_segment_error(e);
    return -2;
  }
  if (idx < 0) return -1;
  if (PyDict_GET_SIZE(h->cache) > Py_ssize_t(4 * seg->slot_count())) PyDict_Clear(h->cache);
  PyObject* packed = PyLong_FromUnsignedLongLong((std::uint64_t(idx) << 32) | *gen);
  if (!packed || PyDict_SetItem(h->cache, key, packed) != 0) {
    Py_XDECREF(packed);
    return -2;
  }
  Py_DECREF(packed);
  return idx;
}

// One write's bytes in up to two pieces, so arrays and strings are copied once, under the lock.
struct Pieces {
  std::uint8_t head[8 + 8 * kMaxDims];
  std::size_t head_len = 0;
  const void* body = nullptr;
  std::size_t body_len = 0;
  ArrayView array;
  std::unique_ptr<Encoder> encoder;
};

inline bool prepare(PyObject* v, std::size_t limit, Pieces& out) {
  auto tagged = [&](Tag t, const void* p, std::size_t n) {
    out.head[0] = t;
    std::memcpy(out.head + 1, p, n);
    out.head_len = 1 + n;
    return true;
  };
  auto sized = [&](Tag t, const char* p, Py_ssize_t n) {
    std::uint32_t c = std::uint32_t(n);
    if (std::uint64_t(n) > 0xffffffffu) c = 0xffffffffu;  // rejected by the size check below
    tagged(t, &c, 4);
    out.body = p;
    out.body_len = std::size_t(n);
    return true;
  };
  if (PyFloat_CheckExact(v)) {
    double x = PyFloat_AS_DOUBLE(v);
    return tagged(kFloat, &x, 8);
  }
  if (PyLong_CheckExact(v)) {
    int overflow = 0;
    long long x = PyLong_AsLongLongAndOverflow(v, &overflow);
    if (!overflow && !(x == -1 && PyErr_Occurred())) return tagged(kInt, &x, 8);
    PyErr_Clear();
  } else if (v == Py_None || v == Py_True || v == Py_False) {
    return tagged(v == Py_None ? kNone : v == Py_True ? kTrue : kFalse, nullptr, 0);
  } else if (PyBytes_CheckExact(v)) {
    return sized(kBytes, PyBytes_AS_STRING(v), PyBytes_GET_SIZE(v));
  } else if (PyUnicode_CheckExact(v)) {
    Py_ssize_t n;
    const char* p = PyUnicode_AsUTF8AndSize(v, &n);
    return p && sized(kStr, p, n);
  } else if (npy().PyArray_Check_(v)) {
    if (!array_view(v, out.array)) return false;
    out.head_len = array_header(out.array, out.head);
    out.body = out.array.data;
    out.body_len = out.array.nbytes;
    return true;
  }
  out.encoder = std::make_unique<Encoder>(limit);
  if (!out.encoder->encode(v)) return false;
  out.body = out.encoder->bytes().data();
  out.body_len = out.encoder->bytes().size();
  return true;
}

// Publishes prepared bytes into slot idx; returns the new version, 0 when the key was deleted
// meanwhile (caller retries), or throws nothing: all checks happen before the lock.
inline std::uint64_t publish(Segment& seg, std::uint64_t idx, std::uint32_t gen, const Pieces& p,
                             double timestamp, double expires, std::uint64_t min_version = 0) {
  WriteTicket t = seg.begin_write(idx, gen);
  if (!t.slot) return 0;
  if (min_version > t.version) t.version = min_version;
  if (p.head_len) std::memcpy(t.payload, p.head, p.head_len);
  if (p.body_len) std::memcpy(t.payload + p.head_len, p.body, p.body_len);
  seg.commit_write(t, std::uint32_t(p.head_len + p.body_len), timestamp, expires);
  return t.version;
}

inline PyObject* write_value(Handle* h, PyObject* key, PyObject* value, double expiration,
                             double timestamp = -1, std::uint64_t min_version = 0) {
  Segment* seg = live(h);
  if (!seg) return nullptr;
  Pieces pieces;
  if (!prepare(value, seg->max_value_bytes(), pieces)) return nullptr;
  std::size_t total = pieces.head_len + pieces.body_len;
  if (total > seg->max_value_bytes()) {
    PyErr_Format(bindings::g_parameter_error,
                 "value: encoded size %zu bytes exceeds max_value_bytes=%llu of this workspace",
                 total, (unsigned long long)seg->max_value_bytes());
    return nullptr;
  }
  double now = timestamp >= 0 ? timestamp : wall_time();
  double expires = expiration >= 0 ? now + expiration : 0;
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::uint32_t gen;
    std::int64_t idx = resolve(h, key, &gen, true);
    if (idx < 0) return nullptr;
    std::uint64_t version;
    try {
      version = publish(*seg, std::uint64_t(idx), gen, pieces, now, expires, min_version);
    } catch (const std::exception& e) {
      return raise_segment_error(e);
    }
    if (version) return PyLong_FromUnsignedLongLong(version);
  }
  PyErr_SetString(PyExc_RuntimeError, "write: key deleted repeatedly while writing");
  return nullptr;
}

// read / read_meta / wait_for core: the value and its metadata, or Absent.
inline ReadStatus get(Handle* h, PyObject* key, Meta& meta, PyObject** out) {
  *out = nullptr;
  if (!live(h)) return ReadStatus::Error;
  std::uint32_t gen;
  std::int64_t idx = resolve(h, key, &gen, false);
  if (idx == -2) return ReadStatus::Error;
  if (idx < 0) return ReadStatus::Absent;
  return read_object(*h->seg, h->seg->slot(std::uint64_t(idx)), gen, meta, out);
}

// Runs fn() with the GIL released, keeping the mapping alive until it returns.
template <class Fn>
auto without_gil(Handle* h, Fn&& fn) {
  h->busy->fetch_add(1);
  decltype(fn()) r;
  Py_BEGIN_ALLOW_THREADS r = fn();
  Py_END_ALLOW_THREADS h->busy->fetch_sub(1);
  return r;
}

inline PyObject* entry(PyObject* value, const Meta& m) {
  PyObject* e = PyStructSequence_New(g_entry_type);
  if (!e) {
    Py_DECREF(value);
    return nullptr;
  }
  PyStructSequence_SetItem(e, 0, value);
  PyStructSequence_SetItem(e, 1, PyLong_FromUnsignedLongLong(m.version));
  PyStructSequence_SetItem(e, 2, PyFloat_FromDouble(m.timestamp));
  return e;
}

}  // namespace neurosys::ws::pyapi
