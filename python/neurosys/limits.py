"""Accepted ranges of parameters: the ``Limit`` record (the shape of the native engines' tables,
``neurosys._core.snn.limits()`` and ``neurosys._core.soup.limits()``), its text, and the one
check that raises ``ValueError`` naming the key. The engines check their own parameters; Python
uses these to check values before they reach an engine (configuration keys), or parameters that
no engine sees (the preset's, the configuration's own)."""

from __future__ import annotations

import math
from typing import NamedTuple

from neurosys import _core


class Limit(NamedTuple):
    """``lo``/``hi``: bounds (infinite: none on that side); ``multiple_of`` 2: even numbers."""

    lo: float = -math.inf
    hi: float = math.inf
    lo_open: bool = False
    hi_open: bool = False
    multiple_of: float = 0.0


def engine_limit(engine: str, name: str) -> Limit:
    """The rule of parameter ``name`` of ``engine`` ("snn", "soup" or "preset")."""
    if engine == "preset":
        from neurosys.snn.preset import LIMITS

        return LIMITS[name]
    table = {"snn": _core.snn.limits, "soup": _core.soup.limits}[engine]()
    return Limit(*table[name])


def _bound(limit_value: float, integer: bool) -> int | float:
    return int(limit_value) if integer else limit_value


def check_range(name: str, value: int | float, limit: Limit) -> None:
    """Raise ValueError "<name> must be >= lo, got <value>" (or <=, or even) when ``value`` is
    outside ``limit``; bounds print as integers for an integer value."""
    integer = isinstance(value, int)
    if not (value > limit.lo if limit.lo_open else value >= limit.lo):
        op = ">" if limit.lo_open else ">="
        raise ValueError(f"{name} must be {op} {_bound(limit.lo, integer)}, got {value!r}")
    if not (value < limit.hi if limit.hi_open else value <= limit.hi):
        op = "<" if limit.hi_open else "<="
        raise ValueError(f"{name} must be {op} {_bound(limit.hi, integer)}, got {value!r}")
    if limit.multiple_of == 2 and value % 2:
        raise ValueError(f"{name} must be an even number, got {value!r}")


def range_text(limit: Limit, integer: bool) -> str:
    """The bounds as ">= 0, <= 1" ("" without bounds)."""
    parts = []
    if math.isfinite(limit.lo):
        parts.append(f"{'>' if limit.lo_open else '>='} {_bound_text(limit.lo, integer)}")
    if math.isfinite(limit.hi):
        parts.append(f"{'<' if limit.hi_open else '<='} {_bound_text(limit.hi, integer)}")
    return ", ".join(parts)


def _bound_text(limit_value: float, integer: bool) -> str:
    return str(int(limit_value)) if integer else f"{limit_value:g}"
