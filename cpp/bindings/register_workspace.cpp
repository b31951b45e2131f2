// neurosys._core.workspace: the shared-memory workspace handle. The class is a plain CPython
// type (see cpp/workspace/py_handle.hpp for why); this file holds its methods and registration.
#include <pybind11/pybind11.h>

#include <sys/mman.h>

#include "bindings/register.hpp"
#include "workspace/py_handle.hpp"

namespace py = pybind11;
using namespace neurosys::ws;
using namespace neurosys::ws::pyapi;

namespace {

Handle* H(PyObject* self) { return reinterpret_cast<Handle*>(self); }

PyObject* h_open(PyObject* self, PyObject* const* args, Py_ssize_t nargs, PyObject* kw) {
  static const char* names[] = {"name", "create", "capacity", "max_value_bytes"};
  PyObject* a[4];
  if (!parse_args("_open", args, nargs, kw, names, 4, 4, a)) return nullptr;
  Handle* h = H(self);
  if (h->seg) {
    PyErr_SetString(PyExc_RuntimeError, "workspace handle is already open");
    return nullptr;
  }
  const char* name = PyUnicode_AsUTF8(a[0]);
  long long capacity = PyLong_AsLongLong(a[2]);
  long long max_bytes = PyLong_AsLongLong(a[3]);
  if (!name || PyErr_Occurred()) return nullptr;
  if (capacity < 1 || max_bytes < 1) {
    PyErr_Format(PyExc_ValueError, "%s: expected a positive integer",
                 capacity < 1 ? "capacity" : "max_value_bytes");
    return nullptr;
  }
  auto mode = PyObject_IsTrue(a[1]) ? Segment::Mode::CreateOrOpen : Segment::Mode::Attach;
  try {
    Segment* seg = nullptr;
    std::string n(name);
    Py_BEGIN_ALLOW_THREADS;  // opening may wait a little for a concurrent creator
    try {
      seg = new Segment(n, mode, std::uint64_t(capacity), std::uint64_t(max_bytes));
    } catch (...) {
      seg = nullptr;
      Py_BLOCK_THREADS;
      throw;
    }
    Py_END_ALLOW_THREADS;
    h->seg = seg;
  } catch (const std::exception& e) {
    return raise_segment_error(e);
  }
  h->cache = PyDict_New();
  h->seen = new std::vector<std::uint64_t>(h->seg->slot_count(), 0);
  h->busy = new std::atomic<int>(0);
  h->closing = false;
  if (!h->cache) return nullptr;
  Py_RETURN_NONE;
}

void release(Handle* h) {
  delete h->seg;
  delete h->seen;
  delete h->busy;
  h->seg = nullptr;
  h->seen = nullptr;
  h->busy = nullptr;
  Py_CLEAR(h->cache);
}

PyObject* h_close(PyObject* self, PyObject*) {
  Handle* h = H(self);
  if (!h->seg || h->closing) Py_RETURN_NONE;
  h->closing = true;
  // Wake our own sleepers and wait for them to leave before unmapping.
  while (h->busy->load() > 0) {
    h->seg->wake_all();
    Py_BEGIN_ALLOW_THREADS std::this_thread::sleep_for(std::chrono::microseconds(200));
    Py_END_ALLOW_THREADS
  }
  release(h);
  Py_RETURN_NONE;
}

void h_dealloc(PyObject* self) {
  PyTypeObject* tp = Py_TYPE(self);
  Handle* h = H(self);
  if (h->seg) release(h);  // no waiter can be inside: each holds a reference
  tp->tp_free(self);
  Py_DECREF(tp);
}

PyObject* h_unlink(PyObject* self, PyObject*) {
  Handle* h = H(self);
  if (!live(h)) return nullptr;
  return PyBool_FromLong(h->seg->unlink());
}

PyObject* h_read(PyObject* self, PyObject* const* args, Py_ssize_t nargs, PyObject* kw) {
  PyObject* a[2];
  if (nargs == 1 && !kw) {  // the common call, without the generic parser
    a[0] = args[0];
    a[1] = nullptr;
  } else {
    static const char* names[] = {"key", "default"};
    if (!parse_args("read", args, nargs, kw, names, 2, 1, a)) return nullptr;
  }
  Meta meta;
  PyObject* out;
  ReadStatus st = get(H(self), a[0], meta, &out);
  if (st == ReadStatus::Ok) return out;
  if (st == ReadStatus::Error) return nullptr;
  PyObject* d = a[1] ? a[1] : Py_None;
  Py_INCREF(d);
  return d;
}

PyObject* h_read_meta(PyObject* self, PyObject* const* args, Py_ssize_t nargs, PyObject* kw) {
  static const char* names[] = {"key"};
  PyObject* a[1];
  if (!parse_args("read_meta", args, nargs, kw, names, 1, 1, a)) return nullptr;
  Meta meta;
  PyObject* out;
  ReadStatus st = get(H(self), a[0], meta, &out);
  if (st == ReadStatus::Error) return nullptr;
  if (st == ReadStatus::Absent) {
    PyErr_SetObject(PyExc_KeyError, a[0]);
    return nullptr;
  }
  return entry(out, meta);
}

PyObject* h_read_into(PyObject* self, PyObject* const* args, Py_ssize_t nargs, PyObject* kw) {
  static const char* names[] = {"key", "out"};
  PyObject* a[2];
  if (!parse_args("read_into", args, nargs, kw, names, 2, 2, a)) return nullptr;
  Handle* h = H(self);
  if (!live(h)) return nullptr;
  PyObject* out = a[1];
  using namespace pybind11::detail;
  if (!npy().PyArray_Check_(out)) {
    PyErr_SetString(PyExc_TypeError, "out: expected a numpy array");
    return nullptr;
  }
  auto* arr = array_proxy(out);
  int out_type = array_descriptor_proxy(arr->descr)->type_num;
  if (!(arr->flags & npy_api::NPY_ARRAY_C_CONTIGUOUS_) || !(arr->flags & npy_api::NPY_ARRAY_WRITEABLE_)) {
    PyErr_SetString(PyExc_ValueError, "out: expected a writeable C-contiguous array");
    return nullptr;
  }
  std::size_t out_bytes = numpy_itemsize(out_type);
  for (int i = 0; i < arr->nd; ++i) out_bytes *= std::size_t(arr->dimensions[i]);
  std::uint32_t gen;
  std::int64_t idx = resolve(h, a[0], &gen, false);
  if (idx == -2) return nullptr;
  if (idx == -1) {
    PyErr_SetObject(PyExc_KeyError, a[0]);
    return nullptr;
  }
  Meta meta;
  int mismatch = 0;
  ReadStatus st = visit_cell(*h->seg, h->seg->slot(std::uint64_t(idx)), gen, meta,
      [&](CellHeader* cell, const std::uint8_t* p, std::uint32_t len, std::uint64_t s1) -> int {
        int type_num, ndim;
        Py_intptr_t dims[kMaxDims];
        std::size_t data_bytes;
        std::size_t hl = parse_array_header(p, len, type_num, ndim, dims, data_bytes);
        bool fits = hl != 0 && hl + data_bytes == len && type_num == out_type && data_bytes == out_bytes;
        if (!cell_stable(cell, s1)) return 0;
        if (!fits) {
          mismatch = hl == 0 ? 1 : 2;
          return 1;
        }
        std::memcpy(arr->data, p + hl, data_bytes);
        return cell_stable(cell, s1) ? 1 : 0;
      });
  if (st == ReadStatus::Error) return nullptr;
  if (st == ReadStatus::Absent) {
    PyErr_SetObject(PyExc_KeyError, a[0]);
    return nullptr;
  }
  if (mismatch) {
    PyErr_Format(PyExc_ValueError,
                 mismatch == 1 ? "out: the value of %R is not an array"
                               : "out: the array under %R has another dtype or element count",
                 a[0]);
    return nullptr;
  }
  return PyLong_FromUnsignedLongLong(meta.version);
}

PyObject* h_write(PyObject* self, PyObject* const* args, Py_ssize_t nargs, PyObject* kw) {
  PyObject* a[3] = {nullptr, nullptr, nullptr};
  if (nargs == 2 && !kw) {
    a[0] = args[0];
    a[1] = args[1];
  } else {
    static const char* names[] = {"key", "value", "expiration"};
    if (!parse_args("write", args, nargs, kw, names, 3, 2, a)) return nullptr;
  }
  double expiration;
  if (!parse_seconds(a[2], "expiration", &expiration)) return nullptr;
  return write_value(H(self), a[0], a[1], expiration);
}

PyObject* h_wait_for(PyObject* self, PyObject* const* args, Py_ssize_t nargs, PyObject* kw) {
  static const char* names[] = {"key", "timeout", "after_version"};
  PyObject* a[3];
  if (!parse_args("wait_for", args, nargs, kw, names, 3, 1, a)) return nullptr;
  double timeout;
  if (!parse_seconds(a[1], "timeout", &timeout)) return nullptr;
  long long after = -1;
  if (a[2] && a[2] != Py_None) {
    after = PyLong_AsLongLong(a[2]);
    if (after == -1 && PyErr_Occurred()) return nullptr;
    if (after < 0) {
      PyErr_SetString(PyExc_ValueError, "after_version: expected an int >= 0 or None");
      return nullptr;
    }
  }
  Handle* h = H(self);
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  std::int64_t start = std::int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
  std::int64_t deadline = timeout < 0 ? 0 : start + std::int64_t(timeout * 1e9) + 1;
  for (;;) {
    Segment* seg = live(h);
    if (!seg) return nullptr;
    std::uint32_t seen = seg->change_counter();
    Meta meta;
    PyObject* out;
    ReadStatus st = get(h, a[0], meta, &out);
    if (st == ReadStatus::Error) return nullptr;
    if (st == ReadStatus::Ok) {
      if (after < 0 || meta.version > std::uint64_t(after)) return out;
      Py_DECREF(out);
    }
    clock_gettime(CLOCK_MONOTONIC, &ts);
    std::int64_t now = std::int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
    if (deadline && now >= deadline) {
      char secs[32];
      std::snprintf(secs, sizeof secs, "%.6g", timeout);
      PyErr_Format(PyExc_TimeoutError, "wait_for(%R): no %s within %s s", a[0],
                   after < 0 ? "value" : "newer version", secs);
      return nullptr;
    }
    without_gil(h, [&] { return seg->wait_change(seen, deadline, kWaitSpinNs); });
    if (PyErr_CheckSignals() != 0) return nullptr;
  }
}

PyObject* h_wait_change(PyObject* self, PyObject* const* args, Py_ssize_t nargs, PyObject* kw) {
  static const char* names[] = {"seen", "timeout"};
  PyObject* a[2];
  if (!parse_args("_wait_change", args, nargs, kw, names, 2, 2, a)) return nullptr;
  Handle* h = H(self);
  Segment* seg = live(h);
  if (!seg) return nullptr;
  unsigned long seen = PyLong_AsUnsignedLong(a[0]);
  double timeout = PyFloat_AsDouble(a[1]);
  if (PyErr_Occurred()) return nullptr;
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  std::int64_t deadline = std::int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec + std::int64_t(timeout * 1e9) + 1;
  std::uint32_t c = without_gil(h, [&] { return seg->wait_change(std::uint32_t(seen), deadline, 0); });
  if (h->closing) Py_RETURN_NONE;
  return PyLong_FromUnsignedLong(c);
}

PyObject* h_change_counter(PyObject* self, PyObject*) {
  Segment* seg = live(H(self));
  return seg ? PyLong_FromUnsignedLong(seg->change_counter()) : nullptr;
}

// Calls fn(index, slot, gen, key_str) for each occupied slot; stops on a Python error.
template <class Fn>
bool for_each_key(Segment& seg, Fn&& fn) {
  for (std::uint64_t i = 0; i < seg.slot_count(); ++i) {
    SlotHeader* s = seg.slot(i);
    if (s->state.load(std::memory_order_acquire) != kOccupied) continue;
    std::uint32_t gen = s->keygen.load(std::memory_order_acquire);
    std::uint32_t len = s->key_len;
    if (gen & 1) continue;
    if (len > kMaxKeyBytes) {
      PyErr_SetString(PyExc_ValueError, "corrupted workspace slot: key length out of range");
      return false;
    }
    char key[kMaxKeyBytes + 1];
    std::memcpy(key, s->key, len);
    std::atomic_thread_fence(std::memory_order_acquire);
    if (s->keygen.load(std::memory_order_relaxed) != gen) continue;
    PyObject* k = PyUnicode_DecodeUTF8(key, len, "strict");
    if (!k) return false;
    bool ok = fn(i, s, gen, k);
    Py_DECREF(k);
    if (!ok) return false;
  }
  return true;
}

PyObject* h_keys(PyObject* self, PyObject*) {
  Segment* seg = live(H(self));
  if (!seg) return nullptr;
  PyObject* out = PyList_New(0);
  auto& buf = scratch();
  bool ok = out && for_each_key(*seg, [&](std::uint64_t, SlotHeader* s, std::uint32_t gen, PyObject* k) {
    Meta m;
    ReadStatus st = read_payload(*seg, s, gen, m, buf);
    return st == ReadStatus::Error ? false : st == ReadStatus::Absent || PyList_Append(out, k) == 0;
  });
  if (!ok) Py_CLEAR(out);
  return out;
}

PyObject* h_delete(PyObject* self, PyObject* const* args, Py_ssize_t nargs, PyObject* kw) {
  static const char* names[] = {"key"};
  PyObject* a[1];
  if (!parse_args("delete", args, nargs, kw, names, 1, 1, a)) return nullptr;
  Handle* h = H(self);
  if (!live(h)) return nullptr;
  std::uint32_t gen;
  std::int64_t idx = resolve(h, a[0], &gen, false);
  if (idx == -2) return nullptr;
  if (idx == -1) Py_RETURN_FALSE;
  PyDict_DelItem(h->cache, a[0]) == 0 ? void() : PyErr_Clear();
  try {
    return PyBool_FromLong(h->seg->erase(std::uint64_t(idx), gen));
  } catch (const std::exception& e) {
    return raise_segment_error(e);
  }
}

PyObject* h_cleanup_expired(PyObject* self, PyObject*) {
  Segment* seg = live(H(self));
  if (!seg) return nullptr;
  long removed = 0;
  double now = wall_time();
  bool ok = for_each_key(*seg, [&](std::uint64_t i, SlotHeader* s, std::uint32_t gen, PyObject*) {
    std::uint64_t head = s->head.load(std::memory_order_acquire);
    if (head == 0 || (head & 3) >= kCells) return true;
    CellHeader* c = seg->cell(s, unsigned(head & 3));
    std::uint64_t s1 = c->seq.load(std::memory_order_acquire);
    double expires = c->expires;
    if ((s1 & 1) || !cell_stable(c, s1) || s->head.load(std::memory_order_acquire) != head) return true;
    try {
      if (expires != 0 && now >= expires && seg->erase(i, gen)) ++removed;
    } catch (const std::exception& e) {
      raise_segment_error(e);
      return false;
    }
    return true;
  });
  PyDict_Clear(H(self)->cache);
  return ok ? PyLong_FromLong(removed) : nullptr;
}

// Keys whose value changed since the last call (the first call only takes a snapshot).
PyObject* h_poll_changes(PyObject* self, PyObject* const* args, Py_ssize_t nargs, PyObject* kw) {
  static const char* names[] = {"snapshot"};
  PyObject* a[1];
  if (!parse_args("_poll_changes", args, nargs, kw, names, 1, 0, a)) return nullptr;
  Handle* h = H(self);
  Segment* seg = live(h);
  if (!seg) return nullptr;
  bool snapshot_only = a[0] && PyObject_IsTrue(a[0]);
  PyObject* out = PyList_New(0);
  if (!out) return nullptr;
  auto& seen = *h->seen;
  for (std::uint64_t i = 0; i < seg->slot_count(); ++i) {
    SlotHeader* s = seg->slot(i);
    std::uint64_t head = s->head.load(std::memory_order_acquire);
    std::uint64_t mark = s->state.load(std::memory_order_acquire) == kOccupied && head
                             ? (std::uint64_t(s->keygen.load(std::memory_order_acquire)) << 40) ^ (head >> 2)
                             : 0;
    if (mark == seen[i]) continue;
    seen[i] = mark;
    if (mark == 0 || snapshot_only) continue;
    std::uint32_t len = s->key_len;
    if (len > kMaxKeyBytes) continue;
    char key[kMaxKeyBytes + 1];
    std::memcpy(key, s->key, len);
    PyObject* k = PyUnicode_DecodeUTF8(key, len, "replace");
    if (!k || PyList_Append(out, k) != 0) {
      Py_XDECREF(k);
      Py_DECREF(out);
      return nullptr;
    }
    Py_DECREF(k);
  }
  return out;
}

// [(key, version, timestamp, expires, payload bytes)] of every live value, for persistence.
PyObject* h_dump(PyObject* self, PyObject*) {
  Segment* seg = live(H(self));
  if (!seg) return nullptr;
  PyObject* out = PyList_New(0);
  std::vector<std::uint8_t> buf;
  bool ok = out && for_each_key(*seg, [&](std::uint64_t, SlotHeader* s, std::uint32_t gen, PyObject* k) {
    Meta m;
    ReadStatus st = read_payload(*seg, s, gen, m, buf);
    if (st == ReadStatus::Error) return false;
    if (st == ReadStatus::Absent) return true;
    PyObject* payload = PyBytes_FromStringAndSize(reinterpret_cast<const char*>(buf.data()),
                                                  Py_ssize_t(buf.size()));
    PyObject* row = payload ? Py_BuildValue("(OKddN)", k, (unsigned long long)m.version,
                                            m.timestamp, m.expires, payload)
                            : nullptr;
    bool appended = row && PyList_Append(out, row) == 0;
    Py_XDECREF(row);
    return appended;
  });
  if (!ok) Py_CLEAR(out);
  return out;
}

// Writes a persisted payload back (validated by decoding it first), keeping version and time.
PyObject* h_restore(PyObject* self, PyObject* const* args, Py_ssize_t nargs, PyObject* kw) {
  static const char* names[] = {"key", "payload", "version", "timestamp", "expires"};
  PyObject* a[5];
  if (!parse_args("_restore", args, nargs, kw, names, 5, 5, a)) return nullptr;
  if (!PyBytes_Check(a[1])) {
    PyErr_SetString(PyExc_TypeError, "payload: expected bytes");
    return nullptr;
  }
  const auto* p = reinterpret_cast<const std::uint8_t*>(PyBytes_AS_STRING(a[1]));
  PyObject* value = decode_payload(p, std::size_t(PyBytes_GET_SIZE(a[1])));
  if (!value) return nullptr;
  unsigned long long version = PyLong_AsUnsignedLongLong(a[2]);
  double ts = PyFloat_AsDouble(a[3]), expires = PyFloat_AsDouble(a[4]);
  if (PyErr_Occurred()) {
    Py_DECREF(value);
    return nullptr;
  }
  double expiration = expires > 0 ? (expires > ts ? expires - ts : 0) : -1;
  PyObject* r = write_value(H(self), a[0], value, expiration, ts, version);
  Py_DECREF(value);
  return r;
}

// C++-level read cost: n seqlock-validated copies of the key's payload; returns ns per read.
PyObject* h_bench_read(PyObject* self, PyObject* const* args, Py_ssize_t nargs, PyObject* kw) {
  static const char* names[] = {"key", "n"};
  PyObject* a[2];
  if (!parse_args("_bench_read", args, nargs, kw, names, 2, 2, a)) return nullptr;
  Handle* h = H(self);
  if (!live(h)) return nullptr;
  long long n = PyLong_AsLongLong(a[1]);
  if (n <= 0) {
    if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "n: expected a positive int");
    return nullptr;
  }
  std::uint32_t gen;
  std::int64_t idx = resolve(h, a[0], &gen, false);
  if (idx < 0) {
    if (idx == -1) PyErr_SetObject(PyExc_KeyError, a[0]);
    return nullptr;
  }
  SlotHeader* s = h->seg->slot(std::uint64_t(idx));
  std::uint8_t out[4096];
  volatile std::uint8_t sink = 0;
  auto t0 = std::chrono::steady_clock::now();
  for (long long i = 0; i < n; ++i) {
    Meta m;
    visit_cell(*h->seg, s, gen, m, [&](CellHeader* c, const std::uint8_t* p, std::uint32_t len, std::uint64_t s1) {
      if (len == 64) std::memcpy(out, p, 64);  // the benchmarked record size: an inlined copy
      else std::memcpy(out, p, len < sizeof out ? len : sizeof out);
      return cell_stable(c, s1) ? 1 : 0;
    });
    sink = sink + out[0];
  }
  auto t1 = std::chrono::steady_clock::now();
  return PyFloat_FromDouble(std::chrono::duration<double, std::nano>(t1 - t0).count() / double(n));
}

PyObject* get_name(PyObject* self, void*) {
  Segment* seg = live(H(self));
  return seg ? PyUnicode_FromString(seg->name().c_str()) : nullptr;
}
PyObject* get_capacity(PyObject* self, void*) {
  Segment* seg = live(H(self));
  return seg ? PyLong_FromUnsignedLongLong(seg->capacity()) : nullptr;
}
PyObject* get_max_value_bytes(PyObject* self, void*) {
  Segment* seg = live(H(self));
  return seg ? PyLong_FromUnsignedLongLong(seg->max_value_bytes()) : nullptr;
}
PyObject* get_created(PyObject* self, void*) {
  Segment* seg = live(H(self));
  return seg ? PyBool_FromLong(seg->created()) : nullptr;
}
PyObject* get_reclaimed(PyObject* self, void*) {
  Segment* seg = live(H(self));
  return seg ? PyBool_FromLong(seg->reclaimed()) : nullptr;
}
PyObject* get_closed(PyObject* self, void*) { return PyBool_FromLong(!H(self)->seg || H(self)->closing); }
PyObject* get_len(PyObject* self, void*) {
  Segment* seg = live(H(self));
  return seg ? PyLong_FromUnsignedLong(seg->header()->used.load()) : nullptr;
}

#define FAST(fn) reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)(void)>(fn)), METH_FASTCALL | METH_KEYWORDS
PyMethodDef handle_methods[] = {
    {"_open", FAST(h_open), "_open(name, create, capacity, max_value_bytes)"},
    {"read", FAST(h_read), "read(key, default=None): the current value, or default when absent or expired."},
    {"read_meta", FAST(h_read_meta), "read_meta(key) -> WorkspaceEntry(value, version, timestamp); KeyError when absent."},
    {"read_into", FAST(h_read_into), "read_into(key, out) -> version: copy an array value into the preallocated array `out` (same dtype and element count)."},
    {"write", FAST(h_write), "write(key, value, expiration=None) -> version."},
    {"wait_for", FAST(h_wait_for), "wait_for(key, timeout=None, after_version=None): the value once present (and newer than after_version); TimeoutError otherwise."},
    {"delete", FAST(h_delete), "delete(key) -> True when the key was present."},
    {"keys", h_keys, METH_NOARGS, "keys() -> list of keys with a live value."},
    {"cleanup_expired", h_cleanup_expired, METH_NOARGS, "cleanup_expired() -> number of expired keys removed."},
    {"unlink", h_unlink, METH_NOARGS, "unlink(): remove the segment's name; attached handles keep working."},
    {"_close", h_close, METH_NOARGS, "_close(): unmap the segment."},
    {"_wait_change", FAST(h_wait_change), "_wait_change(seen, timeout) -> change counter (None once closed)."},
    {"_change_counter", h_change_counter, METH_NOARGS, "_change_counter() -> int"},
    {"_poll_changes", FAST(h_poll_changes), "_poll_changes(snapshot=False) -> keys changed since the last poll."},
    {"_dump", h_dump, METH_NOARGS, "_dump() -> [(key, version, timestamp, expires, payload)]"},
    {"_restore", FAST(h_restore), "_restore(key, payload, version, timestamp, expires) -> version"},
    {"_bench_read", FAST(h_bench_read), "_bench_read(key, n) -> ns per C++-level read"},
    {nullptr, nullptr, 0, nullptr}};

PyGetSetDef handle_getset[] = {
    {"name", get_name, nullptr, "The workspace name other processes attach with.", nullptr},
    {"capacity", get_capacity, nullptr, "Most keys the segment holds.", nullptr},
    {"max_value_bytes", get_max_value_bytes, nullptr, "Largest encoded value.", nullptr},
    {"created", get_created, nullptr, "True when this handle created the segment.", nullptr},
    {"reclaimed", get_reclaimed, nullptr, "True when a stale segment of this name was removed first.", nullptr},
    {"closed", get_closed, nullptr, "True once closed.", nullptr},
    {"used", get_len, nullptr, "Number of keys in the table.", nullptr},
    {nullptr, nullptr, nullptr, nullptr, nullptr}};

PyStructSequence_Field entry_fields[] = {
    {"value", "the value"}, {"version", "per-key version"}, {"timestamp", "write time (time.time())"}, {nullptr, nullptr}};
PyStructSequence_Desc entry_desc = {"neurosys._core.workspace.WorkspaceEntry",
                                    "A value with its version and write time.", entry_fields, 3};

}  // namespace

void register_workspace(py::module_& m) {
  py::module_ sub = m.def_submodule("workspace", "Lock-free shared-memory workspace core");
  PyType_Slot slots[] = {{Py_tp_dealloc, reinterpret_cast<void*>(h_dealloc)},
                         {Py_tp_methods, handle_methods},
                         {Py_tp_getset, handle_getset},
                         {Py_tp_new, reinterpret_cast<void*>(PyType_GenericNew)},
                         {Py_tp_doc, const_cast<char*>("Native workspace handle; use neurosys.workspace.Workspace.")},
                         {0, nullptr}};
  PyType_Spec spec = {"neurosys._core.workspace.WorkspaceHandle", int(sizeof(Handle)), 0,
                      Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE, slots};
  PyObject* type = PyType_FromSpec(&spec);
  if (!type) throw py::error_already_set();
  sub.add_object("WorkspaceHandle", py::reinterpret_steal<py::object>(type));
  g_entry_type = PyStructSequence_NewType(&entry_desc);
  if (!g_entry_type) throw py::error_already_set();
  sub.add_object("WorkspaceEntry", py::reinterpret_borrow<py::object>(reinterpret_cast<PyObject*>(g_entry_type)));
  g_full_error = PyErr_NewExceptionWithDoc("neurosys._core.workspace.WorkspaceFullError",
                                           "The workspace table has no room for another key.",
                                           PyExc_RuntimeError, nullptr);
  g_closed_error = PyErr_NewExceptionWithDoc("neurosys._core.workspace.WorkspaceClosedError",
                                             "The workspace handle was closed.", PyExc_ValueError,
                                             nullptr);
  sub.add_object("WorkspaceFullError", py::reinterpret_borrow<py::object>(g_full_error));
  sub.add_object("WorkspaceClosedError", py::reinterpret_borrow<py::object>(g_closed_error));
  sub.attr("MAX_KEY_BYTES") = kMaxKeyBytes;
  sub.def(
      "unlink_name",
      [](const std::string& name) { return shm_unlink(shm_name_for(name).c_str()) == 0; },
      py::arg("name"),
      "unlink_name(name) -> True when this user's segment of that name existed and was removed.");
  // The value codec on its own, for backends other than shared memory (the Redis workspace):
  // the same bytes a segment stores, so values round-trip bit for bit between backends.
  sub.def(
      "encode",
      [](py::handle value, std::size_t max_value_bytes) {
        Pieces p;
        if (!prepare(value.ptr(), max_value_bytes, p)) throw py::error_already_set();
        std::size_t total = p.head_len + p.body_len;
        if (total > max_value_bytes)
          throw py::value_error("value: encoded size " + std::to_string(total) +
                                " bytes exceeds max_value_bytes=" + std::to_string(max_value_bytes));
        std::string out(total, '\0');
        if (p.head_len) std::memcpy(out.data(), p.head, p.head_len);
        if (p.body_len) std::memcpy(out.data() + p.head_len, p.body, p.body_len);
        return py::bytes(out);
      },
      py::arg("value"), py::arg("max_value_bytes"),
      "encode(value, max_value_bytes) -> bytes: a value as a workspace segment stores it.");
  sub.def(
      "decode",
      [](py::bytes payload) {
        std::string_view b = payload;
        if (b.empty()) throw py::value_error("corrupted workspace value: empty payload");
        PyObject* v = decode_payload(reinterpret_cast<const std::uint8_t*>(b.data()), b.size());
        if (!v) throw py::error_already_set();
        return py::reinterpret_steal<py::object>(v);
      },
      py::arg("payload"), "decode(payload) -> value: the inverse of encode (never unpickles).");
}
