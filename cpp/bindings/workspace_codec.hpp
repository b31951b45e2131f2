#pragma once
// Workspace value encoding (Python side). Header-only: included by the bindings alone, since the
// engine library does not see Python. Shared memory is input from another process, so decoding
// bounds-checks every length and never unpickles or evaluates anything.
//
// Encoding: one tag byte, then
//   NONE/FALSE/TRUE: nothing    INT: int64    FLOAT: double    COMPLEX: 2 doubles
//   BIGINT/STR/BYTES: u32 length + bytes (BIGINT as decimal text)
//   LIST/TUPLE: u32 count + items          DICT: u32 count + (key, value) items
//   ARRAY: u8 numpy type number, u8 ndim, 5 padding bytes, ndim x u64 dims, C-order data
#include <pybind11/numpy.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "bindings/errors.hpp"

namespace neurosys::ws::pyapi {

enum Tag : std::uint8_t {
  kNone = 0, kFalse, kTrue, kInt, kBigInt, kFloat, kComplex, kStr, kBytes, kList, kTuple, kDict,
  kArray
};
constexpr int kMaxDepth = 64;
constexpr int kMaxDims = 32;

inline pybind11::detail::npy_api& npy() { return pybind11::detail::npy_api::get(); }

// Element size of the numeric numpy types a workspace accepts; 0 for any other type number.
inline std::size_t numpy_itemsize(int type_num) {
  switch (type_num) {
    case 0: case 1: case 2: return 1;                        // bool, int8, uint8
    case 3: case 4: case 23: return 2;                       // int16, uint16, float16
    case 5: case 6: return sizeof(int);                      // int32, uint32
    case 7: case 8: return sizeof(long);                     // long, ulong
    case 9: case 10: return sizeof(long long);               // longlong, ulonglong
    case 11: return sizeof(float);
    case 12: return sizeof(double);
    case 13: return sizeof(long double);
    case 14: return 2 * sizeof(float);
    case 15: return 2 * sizeof(double);
    case 16: return 2 * sizeof(long double);
    default: return 0;
  }
}

inline PyObject* corrupt(const char* what) {
  PyErr_Format(bindings::g_corrupt_error, "corrupted workspace value: %s", what);
  return nullptr;
}

// A numpy array ready to copy: C-contiguous, native byte order, numeric. `holder` owns any
// converted copy. Returns false with a Python error set.
struct ArrayView {
  PyObject* holder = nullptr;
  int type_num = 0, ndim = 0;
  const Py_intptr_t* dims = nullptr;
  const void* data = nullptr;
  std::size_t nbytes = 0;
  ~ArrayView() { Py_XDECREF(holder); }
};

inline bool array_view(PyObject* obj, ArrayView& v) {
  using namespace pybind11::detail;
  auto* a = array_proxy(obj);
  auto* d = array_descriptor_proxy(a->descr);
  if (numpy_itemsize(d->type_num) == 0) {
    PyErr_Format(PyExc_TypeError,
                 "value: numpy arrays of numeric dtypes (bool, int*, uint*, float*, complex*) are "
                 "accepted, got dtype kind '%c'", d->kind);
    return false;
  }
  if (a->nd > kMaxDims) {
    PyErr_Format(bindings::g_parameter_error, "value: arrays of at most %d dimensions are accepted", kMaxDims);
    return false;
  }
  bool native = d->byteorder != '>';
  if (!native || !(a->flags & npy_api::NPY_ARRAY_C_CONTIGUOUS_)) {
    PyObject* np = PyImport_ImportModule("numpy");
    if (!np) return false;
    PyObject* dtype = PyObject_GetAttrString(obj, "dtype");
    PyObject* ndt = dtype ? PyObject_CallMethod(dtype, "newbyteorder", "s", "=") : nullptr;
    v.holder = ndt ? PyObject_CallMethod(np, "ascontiguousarray", "OO", obj, ndt) : nullptr;
    Py_XDECREF(ndt);
    Py_XDECREF(dtype);
    Py_DECREF(np);
    if (!v.holder) return false;
    obj = v.holder;
    a = array_proxy(obj);
    d = array_descriptor_proxy(a->descr);
  }
  v.type_num = d->type_num;
  v.ndim = a->nd;
  v.dims = a->dimensions;
  v.data = a->data;
  std::size_t n = numpy_itemsize(v.type_num);
  for (int i = 0; i < v.ndim; ++i) n *= std::size_t(v.dims[i]);
  v.nbytes = n;
  return true;
}

inline std::size_t array_header(const ArrayView& v, std::uint8_t* out) {
  out[0] = kArray;
  out[1] = std::uint8_t(v.type_num);
  out[2] = std::uint8_t(v.ndim);
  std::memset(out + 3, 0, 5);
  for (int i = 0; i < v.ndim; ++i) {
    std::uint64_t dim = std::uint64_t(v.dims[i]);
    std::memcpy(out + 8 + 8 * i, &dim, 8);
  }
  return 8 + 8 * std::size_t(v.ndim);
}

// Parses an array header at p (n bytes available); fills dims and returns the header size,
// or 0 when malformed. `data_bytes` gets the payload size.
inline std::size_t parse_array_header(const std::uint8_t* p, std::size_t n, int& type_num, int& ndim,
                                      Py_intptr_t* dims, std::size_t& data_bytes) {
  if (n < 8 || p[0] != kArray) return 0;
  type_num = p[1];
  ndim = p[2];
  std::size_t item = numpy_itemsize(type_num);
  if (item == 0 || ndim > kMaxDims || n < 8 + 8 * std::size_t(ndim)) return 0;
  std::size_t total = item;
  for (int i = 0; i < ndim; ++i) {
    std::uint64_t dim;
    std::memcpy(&dim, p + 8 + 8 * i, 8);
    if (dim > (std::uint64_t(1) << 40) || (dim && total > (std::uint64_t(1) << 40) / dim)) return 0;
    dims[i] = Py_intptr_t(dim);
    total *= dim;
  }
  data_bytes = total;
  return 8 + 8 * std::size_t(ndim);
}

inline PyObject* new_array(int type_num, int ndim, const Py_intptr_t* dims) {
  PyObject* descr = npy().PyArray_DescrFromType_(type_num);
  if (!descr) return nullptr;
  return npy().PyArray_NewFromDescr_(npy().PyArray_Type_, descr, ndim, dims, nullptr, nullptr, 0,
                                     nullptr);  // steals descr
}

inline void* array_data(PyObject* arr) { return pybind11::detail::array_proxy(arr)->data; }

class Encoder {
 public:
  explicit Encoder(std::size_t limit) : limit_(limit) { buf_.reserve(256); }
  const std::vector<std::uint8_t>& bytes() const { return buf_; }

  bool encode(PyObject* v, int depth = 0) {
    if (depth > kMaxDepth) {
      PyErr_SetString(bindings::g_parameter_error, "value: nesting deeper than 64 levels (or a cycle)");
      return false;
    }
    if (v == Py_None) return tag(kNone);
    if (PyBool_Check(v)) return tag(v == Py_True ? kTrue : kFalse);
    if (PyLong_Check(v)) {
      int overflow = 0;
      long long x = PyLong_AsLongLongAndOverflow(v, &overflow);
      if (x == -1 && PyErr_Occurred()) return false;
      if (!overflow) return tag(kInt) && put(&x, 8);
      PyObject* text = PyObject_Str(v);
      if (!text) return false;
      bool ok = tag(kBigInt) && str_bytes(text);
      Py_DECREF(text);
      return ok;
    }
    if (PyFloat_Check(v)) {
      double x = PyFloat_AS_DOUBLE(v);
      return tag(kFloat) && put(&x, 8);
    }
    if (PyComplex_Check(v)) {
      double xy[2] = {PyComplex_RealAsDouble(v), PyComplex_ImagAsDouble(v)};
      return tag(kComplex) && put(xy, 16);
    }
    if (PyUnicode_Check(v)) return tag(kStr) && str_bytes(v);
    if (PyBytes_Check(v)) return tag(kBytes) && sized(PyBytes_AS_STRING(v), PyBytes_GET_SIZE(v));
    if (PyByteArray_Check(v))
      return tag(kBytes) && sized(PyByteArray_AS_STRING(v), PyByteArray_GET_SIZE(v));
    if (PyList_Check(v) || PyTuple_Check(v)) {
      bool is_list = PyList_Check(v);
      Py_ssize_t n = is_list ? PyList_GET_SIZE(v) : PyTuple_GET_SIZE(v);
      if (!tag(is_list ? kList : kTuple) || !count(n)) return false;
      for (Py_ssize_t i = 0; i < (is_list ? PyList_GET_SIZE(v) : n); ++i)
        if (!encode(is_list ? PyList_GET_ITEM(v, i) : PyTuple_GET_ITEM(v, i), depth + 1)) return false;
      if (is_list && PyList_GET_SIZE(v) != n) {
        PyErr_SetString(PyExc_RuntimeError, "value: list changed size while being written");
        return false;
      }
      return true;
    }
    if (PyDict_Check(v)) {
      Py_ssize_t n = PyDict_Size(v), pos = 0, seen = 0;
      if (!tag(kDict) || !count(n)) return false;
      PyObject *k, *item;
      while (PyDict_Next(v, &pos, &k, &item)) {
        if (++seen > n || !encode(k, depth + 1) || !encode(item, depth + 1)) {
          if (!PyErr_Occurred())
            PyErr_SetString(PyExc_RuntimeError, "value: dict changed size while being written");
          return false;
        }
      }
      return true;
    }
    if (npy().PyArray_Check_(v)) {
      ArrayView view;
      if (!array_view(v, view)) return false;
      std::uint8_t head[8 + 8 * kMaxDims];
      std::size_t h = array_header(view, head);
      return put(head, h) && put(view.data, view.nbytes);
    }
    // numpy scalars (np.int64, np.bool_, ...): store the equivalent Python scalar.
    static PyObject* numpy_generic = nullptr;
    if (!numpy_generic) {
      PyObject* np = PyImport_ImportModule("numpy");
      numpy_generic = np ? PyObject_GetAttrString(np, "generic") : nullptr;
      Py_XDECREF(np);
      if (!numpy_generic) return false;
    }
    if (PyObject_IsInstance(v, numpy_generic) == 1) {
      PyObject* item = PyObject_CallMethod(v, "item", nullptr);
      if (!item) return false;
      bool ok = item != v && encode(item, depth + 1);
      Py_DECREF(item);
      return ok;
    }
    PyErr_Format(PyExc_TypeError,
                 "value: None, bool, int, float, complex, str, bytes, numeric numpy arrays and "
                 "lists/tuples/dicts of those are accepted, got %.200s",
                 Py_TYPE(v)->tp_name);
    return false;
  }

 private:
  bool put(const void* p, std::size_t n) {
    if (buf_.size() + n > limit_) {
      PyErr_Format(bindings::g_parameter_error,
                   "value: encoded size exceeds max_value_bytes=%zu of this workspace", limit_);
      return false;
    }
    const auto* b = static_cast<const std::uint8_t*>(p);
    buf_.insert(buf_.end(), b, b + n);
    return true;
  }
  bool tag(Tag t) { return put(&t, 1); }
  bool count(Py_ssize_t n) {
    if (n < 0 || std::uint64_t(n) > 0xffffffffu) {
      PyErr_SetString(bindings::g_parameter_error, "value: container too large");
      return false;
    }
    std::uint32_t c = std::uint32_t(n);
    return put(&c, 4);
  }
  bool sized(const char* p, Py_ssize_t n) { return count(n) && put(p, std::size_t(n)); }
  bool str_bytes(PyObject* s) {
    Py_ssize_t n;
    const char* p = PyUnicode_AsUTF8AndSize(s, &n);
    return p && sized(p, n);
  }

  std::size_t limit_;
  std::vector<std::uint8_t> buf_;
};

// Decodes one value from [p, end); advances p. nullptr with a Python error on malformed input.
inline PyObject* decode(const std::uint8_t*& p, const std::uint8_t* end, int depth = 0) {
  if (depth > kMaxDepth) return corrupt("nesting too deep");
  if (p >= end) return corrupt("truncated");
  std::uint8_t t = *p++;
  auto need = [&](std::size_t n) { return std::size_t(end - p) >= n; };
  auto u32 = [&](std::uint32_t& out) {
    if (!need(4)) return false;
    std::memcpy(&out, p, 4);
    p += 4;
    return true;
  };
  switch (t) {
    case kNone: Py_RETURN_NONE;
    case kFalse: Py_RETURN_FALSE;
    case kTrue: Py_RETURN_TRUE;
    case kInt: {
      if (!need(8)) return corrupt("truncated int");
      long long x;
      std::memcpy(&x, p, 8);
      p += 8;
      return PyLong_FromLongLong(x);
    }
    case kFloat: {
      if (!need(8)) return corrupt("truncated float");
      double x;
      std::memcpy(&x, p, 8);
      p += 8;
      return PyFloat_FromDouble(x);
    }
    case kComplex: {
      if (!need(16)) return corrupt("truncated complex");
      double xy[2];
      std::memcpy(xy, p, 16);
      p += 16;
      return PyComplex_FromDoubles(xy[0], xy[1]);
    }
    case kBigInt: case kStr: case kBytes: {
      std::uint32_t n;
      if (!u32(n) || !need(n)) return corrupt("truncated string");
      const char* s = reinterpret_cast<const char*>(p);
      p += n;
      if (t == kBytes) return PyBytes_FromStringAndSize(s, n);
      if (t == kStr) return PyUnicode_DecodeUTF8(s, n, "strict");
      std::string text(s, n);
      if (text.empty() || text.find_first_not_of("-0123456789") != std::string::npos)
        return corrupt("bad integer text");
      return PyLong_FromString(text.c_str(), nullptr, 10);
    }
    case kList: case kTuple: {
      std::uint32_t n;
      if (!u32(n) || !need(n)) return corrupt("truncated list");  // every item is >= 1 byte
      PyObject* out = t == kList ? PyList_New(n) : PyTuple_New(n);
      if (!out) return nullptr;
      for (std::uint32_t i = 0; i < n; ++i) {
        PyObject* item = decode(p, end, depth + 1);
        if (!item) {
          Py_DECREF(out);
          return nullptr;
        }
        if (t == kList) PyList_SET_ITEM(out, i, item);
        else PyTuple_SET_ITEM(out, i, item);
      }
      return out;
    }
    case kDict: {
      std::uint32_t n;
      if (!u32(n) || !need(std::size_t(n) * 2)) return corrupt("truncated dict");
      PyObject* out = PyDict_New();
      if (!out) return nullptr;
      for (std::uint32_t i = 0; i < n; ++i) {
        PyObject* k = decode(p, end, depth + 1);
        PyObject* v = k ? decode(p, end, depth + 1) : nullptr;
        if (!v || PyDict_SetItem(out, k, v) != 0) {
          Py_XDECREF(k);
          Py_XDECREF(v);
          Py_DECREF(out);
          return nullptr;
        }
        Py_DECREF(k);
        Py_DECREF(v);
      }
      return out;
    }
    case kArray: {
      int type_num, ndim;
      Py_intptr_t dims[kMaxDims];
      std::size_t data_bytes;
      std::size_t h = parse_array_header(p - 1, std::size_t(end - p + 1), type_num, ndim, dims,
                                         data_bytes);
      if (h == 0 || std::size_t(end - (p - 1)) < h + data_bytes) return corrupt("bad array");
      p += h - 1;
      PyObject* arr = new_array(type_num, ndim, dims);
      if (!arr) return nullptr;
      std::memcpy(array_data(arr), p, data_bytes);
      p += data_bytes;
      return arr;
    }
    default: return corrupt("unknown type tag");
  }
}

// Decodes a whole payload; trailing bytes mean corruption.
inline PyObject* decode_payload(const std::uint8_t* p, std::size_t n) {
  const std::uint8_t* end = p + n;
  PyObject* v = decode(p, end);
  if (v && p != end) {
    Py_DECREF(v);
    return corrupt("trailing bytes");
  }
  return v;
}

}  // namespace neurosys::ws::pyapi
