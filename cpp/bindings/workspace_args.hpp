#pragma once
// Minimal vectorcall argument parsing for the workspace's METH_FASTCALL methods (why they are
// not pybind11 functions: see workspace_handle.hpp).
#include <Python.h>

#include <cstring>

#include "bindings/errors.hpp"

namespace neurosys::ws::pyapi {

// Fills out[0..n) from positional args and keyword names; missing optional ones stay nullptr.
// Returns false with TypeError set on unknown, duplicate or missing required arguments.
inline bool parse_args(const char* fname, PyObject* const* args, Py_ssize_t nargs,
                       PyObject* kwnames, const char* const* names, int n, int required,
                       PyObject** out) {
  for (int i = 0; i < n; ++i) out[i] = nullptr;
  if (nargs > n) {
    PyErr_Format(PyExc_TypeError, "%s() takes at most %d arguments (%zd given)", fname, n, nargs);
    return false;
  }
  for (Py_ssize_t i = 0; i < nargs; ++i) out[i] = args[i];
  if (kwnames) {
    Py_ssize_t nk = PyTuple_GET_SIZE(kwnames);
    for (Py_ssize_t k = 0; k < nk; ++k) {
      const char* kw = PyUnicode_AsUTF8(PyTuple_GET_ITEM(kwnames, k));
      if (!kw) return false;
      int found = -1;
      for (int i = 0; i < n; ++i)
        if (std::strcmp(kw, names[i]) == 0) found = i;
      if (found < 0) {
        PyErr_Format(PyExc_TypeError, "%s() got an unexpected keyword argument '%s'", fname, kw);
        return false;
      }
      if (out[found]) {
        PyErr_Format(PyExc_TypeError, "%s() got multiple values for argument '%s'", fname, kw);
        return false;
      }
      out[found] = args[nargs + k];
    }
  }
  for (int i = 0; i < required; ++i)
    if (!out[i]) {
      PyErr_Format(PyExc_TypeError, "%s() missing required argument '%s'", fname, names[i]);
      return false;
    }
  return true;
}

// Optional non-negative finite seconds (None -> -1). False with ValueError/TypeError set.
inline bool parse_seconds(PyObject* v, const char* what, double* out) {
  *out = -1;
  if (!v || v == Py_None) return true;
  double x = PyFloat_AsDouble(v);
  if (x == -1 && PyErr_Occurred()) {
    PyErr_Format(PyExc_TypeError, "%s: expected a number of seconds or None", what);
    return false;
  }
  if (!(x >= 0) || x > 1e12) {
    PyErr_Format(bindings::g_parameter_error, "%s: expected 0 <= seconds <= 1e12 or None, got %R", what, v);
    return false;
  }
  *out = x;
  return true;
}

}  // namespace neurosys::ws::pyapi
