#pragma once
// The bindings' entry points: one function per area, each in its own .cpp file.
#include <pybind11/pybind11.h>

#include <cstddef>

void register_errors(pybind11::module_& m);  // first: the others raise these classes
void register_common(pybind11::module_& m);
void register_workspace(pybind11::module_& m);
void register_soup(pybind11::module_& m);
void register_snn(pybind11::module_& m);

// A table of names (devices, languages) as a Python tuple of str, in the table's order.
template <std::size_t N>
pybind11::tuple name_tuple(const char* const (&names)[N]) {
  pybind11::tuple t(N);
  for (std::size_t i = 0; i < N; ++i) t[i] = pybind11::str(names[i]);
  return t;
}
