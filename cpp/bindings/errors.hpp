#pragma once
// The Python exception classes the core raises. They are defined once, in python/neurosys/errors.py
// (CoreError and its subclasses); load_errors() looks them up so C++ can raise them.
#include <Python.h>

namespace neurosys::bindings {

inline PyObject* g_parameter_error = nullptr;       // ParameterError(CoreError, ValueError)
inline PyObject* g_workspace_full_error = nullptr;  // WorkspaceFullError(CoreError, RuntimeError)
inline PyObject* g_workspace_closed_error = nullptr;  // WorkspaceClosedError(CoreError, ValueError)
inline PyObject* g_corrupt_error = nullptr;  // CorruptWorkspaceError(CoreError, ValueError)

// Imports neurosys.errors and keeps its classes (one reference each, for the process lifetime).
// Returns false with the import error set.
inline bool load_errors() {
  PyObject* mod = PyImport_ImportModule("neurosys.errors");
  if (!mod) return false;
  g_parameter_error = PyObject_GetAttrString(mod, "ParameterError");
  g_workspace_full_error = PyObject_GetAttrString(mod, "WorkspaceFullError");
  g_workspace_closed_error = PyObject_GetAttrString(mod, "WorkspaceClosedError");
  g_corrupt_error = PyObject_GetAttrString(mod, "CorruptWorkspaceError");
  Py_DECREF(mod);
  return g_parameter_error && g_workspace_full_error && g_workspace_closed_error && g_corrupt_error;
}

}  // namespace neurosys::bindings
