"""The soup languages' instruction alphabets."""

from __future__ import annotations

import numpy as np

ALPHABETS = {"bff": b"<>{}+-.,[]", "bf": b"><+-.,[]"}


def alphabet_bytes(language: str) -> np.ndarray:
    """The instruction bytes of `language` as a uint8 array."""
    try:
        return np.frombuffer(ALPHABETS[language], np.uint8)
    except KeyError:
        raise ValueError(f"language must be 'bff' or 'bf', got {language!r}") from None
