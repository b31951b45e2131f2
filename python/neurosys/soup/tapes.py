"""Running single tapes on the native interpreter (for tests, exploration and the GA)."""

from __future__ import annotations

import numpy as np

from neurosys import _core

# 48 x '[' then a loop that copies the tape backwards into the partner half (Agüera y Arcas et al.)
KNOWN_REPLICATOR: bytes = b"[" * 48 + b"[[{.>]-]]-]>.{[["


def run_tape(tape: bytes | bytearray | str, language: str = "bff", max_steps: int = 8192,
             heads_from_tape: bool = False) -> tuple[bytes, int]:
    """Run one self-modifying tape; returns (final tape, executed instructions)."""
    if isinstance(tape, str):
        tape = tape.encode("latin-1")
    arr = np.frombuffer(bytes(tape), np.uint8).copy().reshape(1, -1)
    ops = _core.soup.run_tapes(arr, language=language, max_steps=max_steps, heads_from_tape=heads_from_tape)
    return arr.tobytes(), int(ops[0])
