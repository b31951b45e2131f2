// WorkspaceHandle's single-key methods: read, read_meta, read_into, write, delete. These are the
// hot paths, so they are METH_FASTCALL functions with the common call shapes parsed inline.
#include "bindings/workspace_methods.hpp"

namespace neurosys::ws::pyapi {

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
    PyErr_SetString(bindings::g_parameter_error, "out: expected a writeable C-contiguous array");
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
    PyErr_Format(bindings::g_parameter_error,
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

}  // namespace neurosys::ws::pyapi
