// WorkspaceHandle's waits: wait_for (a value, or a newer version of it) and the watcher's
// _wait_change. Both sleep on the segment's change counter with the GIL released.
#include <time.h>

#include <cstdio>

#include "bindings/workspace_methods.hpp"

namespace neurosys::ws::pyapi {

namespace {

std::int64_t monotonic_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return std::int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

}  // namespace

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
      PyErr_SetString(bindings::g_parameter_error, "after_version: expected an int >= 0 or None");
      return nullptr;
    }
  }
  Handle* h = H(self);
  std::int64_t deadline = timeout < 0 ? 0 : monotonic_ns() + std::int64_t(timeout * 1e9) + 1;
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
    if (deadline && monotonic_ns() >= deadline) {
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
  std::int64_t deadline = monotonic_ns() + std::int64_t(timeout * 1e9) + 1;
  std::uint32_t c = without_gil(h, [&] { return seg->wait_change(std::uint32_t(seen), deadline, 0); });
  if (h->closing) Py_RETURN_NONE;
  return PyLong_FromUnsignedLong(c);
}

PyObject* h_change_counter(PyObject* self, PyObject*) {
  Segment* seg = live(H(self));
  return seg ? PyLong_FromUnsignedLong(seg->change_counter()) : nullptr;
}

}  // namespace neurosys::ws::pyapi
