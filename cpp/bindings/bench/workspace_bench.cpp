// Benchmark-only helpers for bench/bench_workspace.py, never shipped: the CMake target
// _workspace_bench is built on demand (EXCLUDE_FROM_ALL) by the bench. It measures the read path
// below Python (cpp_read_ns) and the same read behind pybind11's dispatcher (pybind11_read),
// the figure that decides whether WorkspaceHandle's raw METH_FASTCALL methods pay.
#include <pybind11/pybind11.h>

#include <chrono>
#include <cstring>

#include "bindings/workspace_methods.hpp"

namespace py = pybind11;
using namespace neurosys::ws;
using namespace neurosys::ws::pyapi;

namespace {

PyTypeObject* g_handle_type = nullptr;  // neurosys._core.workspace.WorkspaceHandle

// Only WorkspaceHandles (or subclasses) may be cast to Handle.
Handle* handle_of(py::handle ws) {
  if (!PyObject_TypeCheck(ws.ptr(), g_handle_type)) throw py::type_error("expected a neurosys Workspace");
  return H(ws.ptr());
}

// n seqlock-validated copies of the key's payload, without Python; returns ns per read.
double cpp_read_ns(py::handle ws, py::handle key, long long n) {
  Handle* h = handle_of(ws);
  if (n <= 0) throw py::value_error("n: expected a positive int");
  if (!live(h)) throw py::error_already_set();
  std::uint32_t gen;
  std::int64_t idx = resolve(h, key.ptr(), &gen, false);
  if (idx == -1) throw py::key_error(py::repr(key));
  if (idx < 0) throw py::error_already_set();
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
  return std::chrono::duration<double, std::nano>(t1 - t0).count() / double(n);
}

// WorkspaceHandle.read(key) behind a pybind11 function instead of a METH_FASTCALL method.
py::object pybind11_read(py::handle ws, py::handle key) {
  Meta meta;
  PyObject* out;
  ReadStatus st = get(handle_of(ws), key.ptr(), meta, &out);
  if (st == ReadStatus::Error) throw py::error_already_set();
  return st == ReadStatus::Ok ? py::reinterpret_steal<py::object>(out) : py::none();
}

}  // namespace

PYBIND11_MODULE(_workspace_bench, m) {
  if (!neurosys::bindings::load_errors()) throw py::error_already_set();
  py::object type = py::module_::import("neurosys._core.workspace").attr("WorkspaceHandle");
  g_handle_type = reinterpret_cast<PyTypeObject*>(type.release().ptr());  // kept for the process
  m.def("cpp_read_ns", &cpp_read_ns, py::arg("ws"), py::arg("key"), py::arg("n"));
  m.def("pybind11_read", &pybind11_read, py::arg("ws"), py::arg("key"));
}
