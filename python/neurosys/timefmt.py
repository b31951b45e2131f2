"""Unix times (seconds since the epoch, as the ledger journal and the workspace keep them) for
people: the local wall clock."""

from __future__ import annotations

import time
from typing import Any

__all__ = ["local_time"]


def local_time(t: Any, *, date: bool = False) -> str:
    """``t`` as local ``HH:MM:SS`` (``YYYY-MM-DD HH:MM:SS`` with ``date``); "" when ``t`` is
    not a number."""
    if isinstance(t, bool) or not isinstance(t, (int, float)) or t != t:
        return ""
    return time.strftime("%Y-%m-%d %H:%M:%S" if date else "%H:%M:%S", time.localtime(t))
