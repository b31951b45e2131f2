"""An experiment's point: a frozen dataclass made from a sweep's plain dict, every key named."""

from __future__ import annotations

from dataclasses import fields
from typing import Any, TypeVar

__all__ = ["from_point"]

T = TypeVar("T")


def from_point(cls: type[T], point: dict[str, Any]) -> T:
    """``cls(**point)``, refusing keys that are not fields of ``cls`` (naming the accepted)."""
    names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    unknown = set(point) - names
    if unknown:
        raise ValueError(f"unknown point keys {sorted(unknown)}; accepted: {sorted(names)}")
    return cls(**point)
