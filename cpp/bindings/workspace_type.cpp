// The WorkspaceHandle type: a plain CPython heap type (see workspace_handle.hpp for why), with
// its lifecycle (open, close, dealloc), attributes and method table, plus the WorkspaceEntry
// struct sequence. Docstrings start with a typed Python signature (methods) or a type and a
// colon (attributes and fields): tools/gen_stubs.py writes neurosys/_core.pyi from them.
#include <chrono>
#include <cstdint>
#include <thread>

#include "bindings/workspace_methods.hpp"

namespace neurosys::ws::pyapi {

namespace {

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
    PyErr_Format(bindings::g_parameter_error, "%s: expected a positive integer",
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

// The read-only attributes, one getter told apart by the closure of its PyGetSetDef.
enum class Field : std::intptr_t { Name, Capacity, MaxValueBytes, Created, Reclaimed, Used };

PyObject* get_field(PyObject* self, void* closure) {
  Segment* seg = live(H(self));
  if (!seg) return nullptr;
  switch (static_cast<Field>(reinterpret_cast<std::intptr_t>(closure))) {
    case Field::Name: return PyUnicode_FromString(seg->name().c_str());
    case Field::Capacity: return PyLong_FromUnsignedLongLong(seg->capacity());
    case Field::MaxValueBytes: return PyLong_FromUnsignedLongLong(seg->max_value_bytes());
    case Field::Created: return PyBool_FromLong(seg->created());
    case Field::Reclaimed: return PyBool_FromLong(seg->reclaimed());
    case Field::Used: return PyLong_FromUnsignedLong(seg->header()->used.load());
  }
  return nullptr;
}

PyObject* get_closed(PyObject* self, void*) { return PyBool_FromLong(!H(self)->seg || H(self)->closing); }

void* field(Field f) { return reinterpret_cast<void*>(static_cast<std::intptr_t>(f)); }

#define FAST(fn) reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)(void)>(fn)), METH_FASTCALL | METH_KEYWORDS
PyMethodDef handle_methods[] = {
    {"_open", FAST(h_open), "_open(self, name: str, create: bool, capacity: int, max_value_bytes: int) -> None"},
    {"read", FAST(h_read), "read(self, key: str, default: typing.Any = None) -> typing.Any\n\n"
                           "The current value, or default when absent or expired."},
    {"read_meta", FAST(h_read_meta), "read_meta(self, key: str) -> neurosys._core.workspace.WorkspaceEntry\n\n"
                                     "The value with its version and write time; KeyError when absent."},
    {"read_into", FAST(h_read_into), "read_into(self, key: str, out: numpy.ndarray) -> int\n\n"
                                     "Copy an array value into the preallocated array `out` (same dtype and "
                                     "element count); returns its version."},
    {"write", FAST(h_write), "write(self, key: str, value: typing.Any, expiration: float | None = None) -> int\n\n"
                             "Store value under key; returns the key's new version."},
    {"wait_for", FAST(h_wait_for), "wait_for(self, key: str, timeout: float | None = None, "
                                   "after_version: int | None = None) -> typing.Any\n\n"
                                   "The value once present (and newer than after_version); TimeoutError "
                                   "otherwise."},
    {"delete", FAST(h_delete), "delete(self, key: str) -> bool\n\nTrue when the key was present."},
    {"keys", h_keys, METH_NOARGS, "keys(self) -> list[str]\n\nThe keys with a live value."},
    {"cleanup_expired", h_cleanup_expired, METH_NOARGS, "cleanup_expired(self) -> int\n\n"
                                                        "Remove expired keys; returns how many."},
    {"unlink", h_unlink, METH_NOARGS, "unlink(self) -> bool\n\n"
                                      "Remove the segment's name; attached handles keep working."},
    {"_close", h_close, METH_NOARGS, "_close(self) -> None\n\nUnmap the segment."},
    {"_wait_change", FAST(h_wait_change), "_wait_change(self, seen: int, timeout: float) -> int | None\n\n"
                                          "The change counter once it differs from seen (None once closed)."},
    {"_change_counter", h_change_counter, METH_NOARGS, "_change_counter(self) -> int"},
    {"_poll_changes", FAST(h_poll_changes), "_poll_changes(self, snapshot: bool = False) -> list[str]\n\n"
                                            "The keys changed since the last poll."},
    {"_dump", h_dump, METH_NOARGS, "_dump(self) -> list[tuple[str, int, float, float, bytes]]\n\n"
                                   "(key, version, timestamp, expires, payload) of every live value."},
    {"_restore", FAST(h_restore), "_restore(self, key: str, payload: bytes, version: int, timestamp: float, "
                                  "expires: float) -> int\n\n"
                                  "Write a persisted payload back, keeping its version and time."},
    {nullptr, nullptr, 0, nullptr}};
#undef FAST

PyGetSetDef handle_getset[] = {
    {"name", get_field, nullptr, "str: The workspace name other processes attach with.", field(Field::Name)},
    {"capacity", get_field, nullptr, "int: Most keys the segment holds.", field(Field::Capacity)},
    {"max_value_bytes", get_field, nullptr, "int: Largest encoded value.", field(Field::MaxValueBytes)},
    {"created", get_field, nullptr, "bool: True when this handle created the segment.", field(Field::Created)},
    {"reclaimed", get_field, nullptr, "bool: True when a stale segment of this name was removed first.",
     field(Field::Reclaimed)},
    {"closed", get_closed, nullptr, "bool: True once closed.", nullptr},
    {"used", get_field, nullptr, "int: Number of keys in the table.", field(Field::Used)},
    {nullptr, nullptr, nullptr, nullptr, nullptr}};

PyStructSequence_Field entry_fields[] = {{"value", "typing.Any: the value"},
                                         {"version", "int: per-key version"},
                                         {"timestamp", "float: write time (time.time())"},
                                         {nullptr, nullptr}};
PyStructSequence_Desc entry_desc = {"neurosys._core.workspace.WorkspaceEntry",
                                    "A value with its version and write time.", entry_fields, 3};

}  // namespace

PyObject* make_handle_type() {
  PyType_Slot slots[] = {{Py_tp_dealloc, reinterpret_cast<void*>(h_dealloc)},
                         {Py_tp_methods, handle_methods},
                         {Py_tp_getset, handle_getset},
                         {Py_tp_new, reinterpret_cast<void*>(PyType_GenericNew)},
                         {Py_tp_doc, const_cast<char*>("Native workspace handle; use neurosys.workspace.Workspace.")},
                         {0, nullptr}};
  PyType_Spec spec = {"neurosys._core.workspace.WorkspaceHandle", int(sizeof(Handle)), 0,
                      Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE, slots};
  return PyType_FromSpec(&spec);
}

PyTypeObject* make_entry_type() {
  g_entry_type = PyStructSequence_NewType(&entry_desc);
  return g_entry_type;
}

}  // namespace neurosys::ws::pyapi
