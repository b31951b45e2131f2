// WorkspaceHandle's whole-table walks: keys, cleanup_expired, _poll_changes (for subscriptions)
// and _dump / _restore (for persistence).
#include "bindings/workspace_methods.hpp"

namespace neurosys::ws::pyapi {

namespace {

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
      PyErr_SetString(bindings::g_corrupt_error, "corrupted workspace slot: key length out of range");
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

}  // namespace

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

}  // namespace neurosys::ws::pyapi
