"""Soup metrics: byte entropy, compressed size (brotli quality 2 / window 24 as in the paper's
reference code, and zlib), high-order entropy, program diversity, top programs, replicators."""

from __future__ import annotations

import zlib
from dataclasses import asdict, dataclass, field
from typing import Any

import brotli
import numpy as np

from neurosys import _core

BROTLI_QUALITY = 2
BROTLI_WINDOW = 24  # log2 of the window; pinned with the brotli version (pyproject) for figures


def shannon_entropy(data: np.ndarray, threads: int = 0) -> float:
    """Shannon entropy of the byte distribution, bits per byte (0..8)."""
    flat = np.ascontiguousarray(data).reshape(-1)
    if flat.size == 0:
        return 0.0
    counts = _core.soup.byte_histogram(flat, threads=threads)
    p = counts[counts > 0] / flat.size
    return float(-(p * np.log2(p)).sum())


def brotli_size(data: np.ndarray) -> int:
    """Bytes of the brotli stream at quality 2, window 2^24 (the paper's complexity measure)."""
    return len(brotli.compress(np.ascontiguousarray(data).data, quality=BROTLI_QUALITY, lgwin=BROTLI_WINDOW))


def zlib_size(data: np.ndarray, level: int = 6) -> int:
    return len(zlib.compress(np.ascontiguousarray(data).data, level))


def high_order_entropy(data: np.ndarray, threads: int = 0) -> float:
    """Shannon entropy minus brotli-compressed bits per byte (the paper's complexity)."""
    n = np.asarray(data).size
    return shannon_entropy(data, threads) - 8.0 * brotli_size(data) / n if n else 0.0


@dataclass(frozen=True)
class SoupMetrics:
    epoch: int
    shannon: float                    # bits per byte
    brotli_bytes: int
    compressed_bits_per_byte: float   # brotli
    high_order_entropy: float         # shannon - compressed_bits_per_byte
    zlib_bytes: int | None
    distinct: int                     # distinct programs
    diversity: float                  # distinct / programs
    program_entropy: float            # bits, entropy of the program distribution
    ops_per_pair: float               # mean executed instructions per pair in the last epoch
    top_programs: list[tuple[bytes, int]] = field(default_factory=list)
    replicators: list[bytes] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """The workspace's ``soup/metrics`` dict."""
        return {
            "epoch": self.epoch,
            "shannon": self.shannon,
            "compressed_bits_per_byte": self.compressed_bits_per_byte,
            "high_order_entropy": self.high_order_entropy,
            "distinct": self.distinct,
            "program_entropy": self.program_entropy,
            "ops_per_pair": self.ops_per_pair,
        }

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def compute_metrics(programs: np.ndarray, *, epoch: int = 0, ops: np.ndarray | None = None,
                    top_k: int = 10, use_zlib: bool = True, detect: bool = True,
                    language: str = "bff", max_steps: int = 8192, heads_from_tape: bool = False,
                    seed: int = 0, threads: int = 0) -> SoupMetrics:
    """All metrics of a soup given as a (programs x bytes) uint8 array."""
    from neurosys.soup.replicators import detect_replicators

    programs = np.ascontiguousarray(programs)
    if programs.ndim != 2 or programs.dtype != np.uint8:
        raise ValueError("programs must be a 2-D uint8 array (programs x bytes)")
    if top_k < 0:
        raise ValueError(f"top_k must be >= 0, got {top_k}")
    n = programs.size
    shannon = shannon_entropy(programs, threads)
    b = brotli_size(programs)
    bpb = 8.0 * b / n if n else 0.0
    index, count = _core.soup.count_programs(programs, threads=threads)
    freq = count / programs.shape[0]
    top = [(programs[i].tobytes(), int(c)) for i, c in zip(index[:top_k], count[:top_k])]
    replicators: list[bytes] = []
    candidates = [np.frombuffer(p, np.uint8) for p, c in top if c > 1]  # only repeated programs
    if detect and candidates:
        replicators = detect_replicators(np.stack(candidates), language=language, max_steps=max_steps,
                                         heads_from_tape=heads_from_tape, seed=seed + epoch, threads=threads)
    return SoupMetrics(
        epoch=int(epoch),
        shannon=shannon,
        brotli_bytes=b,
        compressed_bits_per_byte=bpb,
        high_order_entropy=shannon - bpb,
        zlib_bytes=zlib_size(programs) if use_zlib else None,
        distinct=int(count.size),
        diversity=count.size / programs.shape[0],
        program_entropy=float(-(freq * np.log2(freq)).sum()),
        ops_per_pair=float(ops.mean()) if ops is not None and ops.size else 0.0,
        top_programs=top,
        replicators=replicators,
    )


def entropy_bits(values: np.ndarray) -> float:
    """Shannon entropy (bits per symbol) of any 1-D symbol array (used by the GA)."""
    _, counts = np.unique(np.asarray(values).reshape(-1), return_counts=True)
    p = counts / counts.sum()
    return float(-(p * np.log2(p)).sum()) if counts.size else 0.0


__all__ = ["SoupMetrics", "compute_metrics", "shannon_entropy", "brotli_size", "zlib_size",
           "high_order_entropy", "entropy_bits", "BROTLI_QUALITY", "BROTLI_WINDOW"]
