"""Conversion of Python arguments to the native core's C types, with a ParameterError (a
ValueError) that names the argument. The engines check every value's range themselves (``neurosys.limits``); what they
cannot do is name an argument that pybind11 refuses to convert at all (a string for a float, a
float or a bool for an integer, a negative seed for an unsigned one): pybind11 then raises a
TypeError that lists the whole signature. The Python API converts with these first; integers
arrive at the core as 64-bit values, which it narrows against each parameter's range."""

from __future__ import annotations

from typing import Any

import numpy as np

from neurosys.errors import ParameterError


def real(name: str, value: Any) -> float:
    """``value`` as a float (the engine checks that it is finite and in range)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ParameterError(f"{name} must be a real number, got {value!r}") from None


def integer(name: str, value: Any) -> int:
    """``value`` as an int; bools and floats are refused, not truncated, and so is an int past
    64 bits (no engine parameter's range reaches that far)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ParameterError(f"{name} must be an integer, got {value!r}")
    if not -2**63 <= value < 2**63:
        raise ParameterError(f"{name} must be a 64-bit integer, got {value}")
    return int(value)


def seed(value: Any) -> int:
    """A seed for the engines' 64-bit generators."""
    value = integer("seed", value)
    if not 0 <= value < 2**64:
        raise ParameterError(f"seed must be in [0, 2^64), got {value}")
    return value


def text(name: str, value: Any) -> str:
    """``value`` as a str (the engine checks that it is one of the names it accepts)."""
    if not isinstance(value, str):
        raise ParameterError(f"{name} must be a string, got {value!r}")
    return value
