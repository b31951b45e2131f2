"""Accepted ranges and defaults of parameters: the ``Limit`` record (the shape of the native
engines' tables, ``neurosys._core.snn.limits()`` and ``neurosys._core.soup.limits()``), and the
one range check, which is the native core's own (``_core.check_range``: the same code and message
as the engines' checks), raising ``ParameterError`` naming the argument as its caller knows it.
The engines check their own parameters; Python uses these to check values before they reach an
engine (configuration keys), or parameters that no engine sees (the configuration's own)."""

from __future__ import annotations

import math
from typing import NamedTuple

from neurosys import _core

__all__ = ["Limit", "engine_limit", "engine_parameters", "engine_default", "check_range", "range_text"]


class Limit(NamedTuple):
    """``lo``/``hi``: bounds (infinite: none on that side); ``multiple_of`` 2: even numbers;
    ``default``: the engine's default (NaN: none); ``unit`` and ``note`` follow the range in
    messages."""

    lo: float = -math.inf
    hi: float = math.inf
    lo_open: bool = False
    hi_open: bool = False
    multiple_of: float = 0.0
    default: float = math.nan
    unit: str = ""
    note: str = ""


_TABLES = {"snn": _core.snn.limits, "soup": _core.soup.limits}


def engine_limit(engine: str, name: str) -> Limit:
    """The rule of parameter ``name`` of ``engine`` ("snn" or "soup")."""
    return Limit(*_TABLES[engine]()[name])


def engine_parameters(engine: str) -> set[str]:
    """The names of ``engine``'s parameters (its table's rows)."""
    return set(_TABLES[engine]())


def engine_default(engine: str, name: str, kind: type = float) -> int | float:
    """The engine's default of parameter ``name``, as ``kind`` (int or float)."""
    default = engine_limit(engine, name).default
    if math.isnan(default):
        raise KeyError(f"{engine} parameter {name!r} has no default")
    return kind(default)


def check_range(name: str, value: int | float, limit: Limit) -> None:
    """Raise ParameterError "<name> must be <range>, got <value>" when ``value`` is outside
    ``limit`` (an int is checked as an integer, however large)."""
    _core.check_range(name, value, limit.lo, limit.hi, limit.lo_open, limit.hi_open, limit.multiple_of,
                      limit.unit, limit.note)


def range_text(limit: Limit, integer: bool) -> str:
    """The range as the check's message writes it ("in (0, 0.01] s", "finite and >= 0")."""
    return _core.range_text(limit.lo, limit.hi, limit.lo_open, limit.hi_open, limit.multiple_of,
                            limit.unit, limit.note, integer)
