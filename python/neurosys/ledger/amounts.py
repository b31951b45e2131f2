"""Token amounts: whole tokens (int, float or Decimal) at the API, 18-decimal integers on chain;
reward ids derived from (reason, evidence)."""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation
from typing import Any

from eth_utils import keccak

from .journal import canonical_json

__all__ = ["DECIMALS", "to_wei", "from_wei", "derive_id", "reason_hash"]

DECIMALS = 18
_ONE = 10**DECIMALS
MAX_WEI = 2**256 - 1


def to_wei(amount: Any, argument: str = "amount") -> int:
    """``amount`` tokens as an 18-decimal integer; must be positive and finite."""
    if isinstance(amount, bool) or not isinstance(amount, (int, float, Decimal)):
        raise ValueError(f"{argument} must be a number of tokens (int, float or Decimal),"
                         f" got {type(amount).__name__}")
    if isinstance(amount, float) and not math.isfinite(amount):
        raise ValueError(f"{argument} must be finite, got {amount!r}")
    try:
        wei = Decimal(str(amount)) * _ONE
    except InvalidOperation:
        raise ValueError(f"{argument} must be a finite number of tokens, got {amount!r}") from None
    if not wei.is_finite() or wei <= 0:
        raise ValueError(f"{argument} must be > 0 tokens, got {amount!r}")
    if wei != wei.to_integral_value():
        raise ValueError(f"{argument} has more than {DECIMALS} decimals: {amount!r}")
    if wei > MAX_WEI:
        raise ValueError(f"{argument} is too large: {amount!r}")
    return int(wei)


def from_wei(wei: int) -> float:
    return wei / _ONE


def derive_id(reason: str, evidence: Any) -> str:
    """The 0x-prefixed 32-byte id of (reason, evidence): the same pair always maps to it."""
    return "0x" + keccak(text=canonical_json([reason, evidence])).hex()


def reason_hash(reason: str) -> bytes:
    return keccak(text=reason)
