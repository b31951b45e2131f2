#pragma once
// The bindings' entry points: one function per area, each in its own .cpp file.
#include <pybind11/pybind11.h>

void register_errors(pybind11::module_& m);  // first: the others raise these classes
void register_common(pybind11::module_& m);
void register_workspace(pybind11::module_& m);
void register_soup(pybind11::module_& m);
void register_snn(pybind11::module_& m);
