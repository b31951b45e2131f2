// neurosys._core.workspace: the submodule's registration (the WorkspaceHandle and WorkspaceEntry
// types, the errors' names, segment inspection and the value codec on its own).
#include <pybind11/pybind11.h>
#include <pybind11/typing.h>

#include <sys/mman.h>

#include "bindings/register.hpp"
#include "bindings/workspace_methods.hpp"

namespace py = pybind11;
using namespace neurosys::ws;
using namespace neurosys::ws::pyapi;

void register_workspace(py::module_& m) {
  py::module_ sub = m.def_submodule("workspace", "Lock-free shared-memory workspace core");
  PyObject* type = make_handle_type();
  if (!type) throw py::error_already_set();
  sub.add_object("WorkspaceHandle", py::reinterpret_steal<py::object>(type));
  if (!make_entry_type()) throw py::error_already_set();
  sub.add_object("WorkspaceEntry", py::reinterpret_borrow<py::object>(reinterpret_cast<PyObject*>(g_entry_type)));
  // The errors are neurosys.errors' classes (register_errors); named here too for workspace.py.
  sub.attr("WorkspaceFullError") = m.attr("WorkspaceFullError");
  sub.attr("WorkspaceClosedError") = m.attr("WorkspaceClosedError");
  sub.attr("MAX_KEY_BYTES") = kMaxKeyBytes;
  sub.def(
      "unlink_name",
      [](const std::string& name) { return shm_unlink(shm_name_for(name).c_str()) == 0; },
      py::arg("name"),
      "True when this user's segment of that name existed and was removed.");
  sub.def(
      "inspect_segment",
      [](const std::string& name) -> py::typing::Dict<py::str, py::object> {
        SegmentInfo info;
        try {
          info = inspect_segment(name);
        } catch (const std::exception& e) {
          raise_segment_error(e);  // FileNotFoundError, PermissionError, ValueError, OSError
          throw py::error_already_set();
        }
        py::dict d;
        d["layout_version"] = info.layout_version;
        d["creator_pid"] = info.creator_pid;
        d["created"] = info.created;
        d["total_bytes"] = info.total_bytes;
        d["capacity"] = info.capacity;
        d["max_value_bytes"] = info.max_value_bytes;
        py::list owners;
        for (auto pid : info.owners) owners.append(pid);
        d["owners"] = owners;
        return d;
      },
      py::arg("name"),
      "The segment's header fields (layout_version, creator_pid, created, "
      "total_bytes, capacity, max_value_bytes, owners: pids with a handle open; layout_version "
      "0 when the header is not a neurosys one). Reads without attaching; FileNotFoundError when "
      "absent.");
  sub.attr("LAYOUT_VERSION") = kLayoutVersion;
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
      "A value as a workspace segment stores it.");
  sub.def(
      "decode",
      [](py::bytes payload) {
        std::string_view b = payload;
        if (b.empty()) throw py::value_error("corrupted workspace value: empty payload");
        PyObject* v = decode_payload(reinterpret_cast<const std::uint8_t*>(b.data()), b.size());
        if (!v) throw py::error_already_set();
        return py::reinterpret_steal<py::object>(v);
      },
      py::arg("payload"), "The inverse of encode (never unpickles).");
}
