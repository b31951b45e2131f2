#pragma once
// The WorkspaceHandle's functions, declared for the type's method table (workspace_type.cpp) and
// the registration (register_workspace.cpp); each group is defined in the file named beside it.
#include "bindings/workspace_handle.hpp"

namespace neurosys::ws::pyapi {

inline Handle* H(PyObject* self) { return reinterpret_cast<Handle*>(self); }

// workspace_type.cpp: the type objects (new references; nullptr with a Python error)
PyObject* make_handle_type();
PyTypeObject* make_entry_type();

// workspace_access.cpp: single-key reads and writes
PyObject* h_read(PyObject* self, PyObject* const* args, Py_ssize_t nargs, PyObject* kw);
PyObject* h_read_meta(PyObject* self, PyObject* const* args, Py_ssize_t nargs, PyObject* kw);
PyObject* h_read_into(PyObject* self, PyObject* const* args, Py_ssize_t nargs, PyObject* kw);
PyObject* h_write(PyObject* self, PyObject* const* args, Py_ssize_t nargs, PyObject* kw);
PyObject* h_delete(PyObject* self, PyObject* const* args, Py_ssize_t nargs, PyObject* kw);

// workspace_waits.cpp: blocking waits on the segment's change counter
PyObject* h_wait_for(PyObject* self, PyObject* const* args, Py_ssize_t nargs, PyObject* kw);
PyObject* h_wait_change(PyObject* self, PyObject* const* args, Py_ssize_t nargs, PyObject* kw);
PyObject* h_change_counter(PyObject* self, PyObject*);

// workspace_scan.cpp: whole-table walks (keys, expiry, change polling, persistence)
PyObject* h_keys(PyObject* self, PyObject*);
PyObject* h_cleanup_expired(PyObject* self, PyObject*);
PyObject* h_poll_changes(PyObject* self, PyObject* const* args, Py_ssize_t nargs, PyObject* kw);
PyObject* h_dump(PyObject* self, PyObject*);
PyObject* h_restore(PyObject* self, PyObject* const* args, Py_ssize_t nargs, PyObject* kw);

}  // namespace neurosys::ws::pyapi
