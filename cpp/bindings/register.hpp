#pragma once
#include <pybind11/pybind11.h>

// One function per area, each in its own register_*.cpp.
void register_common(pybind11::module_& m);
void register_workspace(pybind11::module_& m);
void register_soup(pybind11::module_& m);
void register_snn(pybind11::module_& m);
