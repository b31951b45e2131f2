"""The soup languages' instruction alphabets."""

from __future__ import annotations

import numpy as np

ALPHABETS = {"bff": b"<>{}+-.,[]", "bf": b"><+-.,[]"}
# Every byte that is an instruction in either language prints as itself, any other byte (data,
# a zero) as a middle dot, as cubff's printer does; BF's symbols are a subset of BFF's.
_SHOWN = frozenset(ALPHABETS["bff"])
_DOT = "\u00b7"


def program_text(program: bytes) -> str:
    """A program for people: its instructions as characters, every other byte as ``·``."""
    if not isinstance(program, (bytes, bytearray, memoryview)):
        raise ValueError(f"program must be bytes, got {type(program).__name__}")
    return "".join(chr(b) if b in _SHOWN else _DOT for b in bytes(program))


def alphabet_bytes(language: str) -> np.ndarray:
    """The instruction bytes of `language` as a uint8 array."""
    try:
        return np.frombuffer(ALPHABETS[language], np.uint8)
    except KeyError:
        accepted = ", ".join(repr(name) for name in ALPHABETS)
        raise ValueError(f"language must be one of {accepted}, got {language!r}") from None
