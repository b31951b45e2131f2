"""``Soup``: the pairwise primordial soup (BFF or BF) on the native engine, with metrics,
injection and bit-exact checkpoints. The engine checks every parameter's range (its table,
``_core.soup.limits()``); this module converts arguments to its types (``neurosys.arguments``)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Callable, Generic, TypeVar

import numpy as np

from neurosys import _core
from neurosys.errors import ParameterError
from neurosys.arguments import integer, real, seed as seed_value
from neurosys.limits import engine_default
from neurosys.soup.metrics import SoupMetrics, compute_metrics

_FORMAT = "neurosys-soup/1"
T = TypeVar("T")
# Origin tags of bytes under provenance (the engine's): the initial soup and mutations; an
# injection tags its bytes with its own id, any other uint32.
ORIGIN_PRIMORDIAL: int = _core.soup.ORIGIN_PRIMORDIAL
ORIGIN_MUTATION: int = _core.soup.ORIGIN_MUTATION
# An injection within this many differing bytes of a program already in the soup copies that
# program's origins instead of taking its own id: copying the soup is not inventing.
COPY_EDITS = 2
# The engine's defaults (cpp/soup/limits.hpp, beside each parameter's range).
SIZE: int = engine_default("soup", "size", int)
PROGRAM_LENGTH: int = engine_default("soup", "program_length", int)
MUTATION_RATE: float = engine_default("soup", "mutation_rate")
MAX_STEPS: int = engine_default("soup", "max_steps", int)
THREADS: int = engine_default("soup", "threads", int)


class _EngineAttribute(Generic[T]):
    """An attribute of the engine, read through; with ``convert`` it can be set too (the engine
    checks the converted value)."""

    def __init__(self, convert: Callable[[str, Any], T] | None = None, doc: str | None = None) -> None:
        self.convert, self.__doc__ = convert, doc

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, soup: Any, owner: type | None = None) -> T:
        return getattr(soup._core, self.name)

    def __set__(self, soup: Any, value: Any) -> None:
        if self.convert is None:
            raise AttributeError(f"{self.name} is fixed when the soup is made")
        setattr(soup._core, self.name, self.convert(self.name, value))


class Soup:
    """A soup of `size` programs of `program_length` bytes.

    `programs` is the engine's own (size x program_length) uint8 array: reads and writes go
    straight to the soup, without copies. `run(epochs)` releases the GIL. With rng="cubff" the
    initial soup, pairing and mutation follow the published reference implementation bit for bit.

    With `provenance=True` every byte carries a uint32 origin tag (`origins()`): ORIGIN_PRIMORDIAL
    for the initial soup, ORIGIN_MUTATION where a mutation wrote it, an injection's own id
    (`inject(..., origin=ID)`); every instruction that copies a byte copies its tag (the paper's
    tracer), on the CPU and on CUDA alike. Off by default, at no cost.
    """

    def __init__(self, language: str = "bff", size: int = SIZE, program_length: int = PROGRAM_LENGTH,
                 seed: int = 0, mutation_rate: float = MUTATION_RATE, max_steps: int = MAX_STEPS,
                 rng: str = "default", heads_from_tape: bool = False, device: str = "auto",
                 threads: int = THREADS, provenance: bool = False) -> None:
        if not isinstance(provenance, (bool, np.bool_)):
            raise ParameterError(f"provenance must be True or False, got {provenance!r}")
        self._core = _core.soup.Soup(
            language=language, size=integer("size", size),
            program_length=integer("program_length", program_length), seed=seed_value(seed),
            mutation_rate=real("mutation_rate", mutation_rate), max_steps=integer("max_steps", max_steps),
            rng=rng, heads_from_tape=bool(heads_from_tape), device=device, threads=integer("threads", threads),
            provenance=bool(provenance))
        self._inject_calls = 0

    # --- configuration -----------------------------------------------------------------------
    language = _EngineAttribute[str]()
    size = _EngineAttribute[int]()
    program_length = _EngineAttribute[int]()
    seed = _EngineAttribute[int]()
    max_steps = _EngineAttribute[int]()
    rng = _EngineAttribute[str]()
    heads_from_tape = _EngineAttribute[bool]()
    device = _EngineAttribute[str]()
    provenance = _EngineAttribute[bool]()
    mutation_rate = _EngineAttribute[float](real)
    threads = _EngineAttribute[int](integer)

    # --- state -------------------------------------------------------------------------------
    programs = _EngineAttribute[np.ndarray](doc="(size x program_length) uint8, zero-copy view of the soup.")
    epoch = _EngineAttribute[int]()
    last_ops = _EngineAttribute[np.ndarray](
        doc="Executed instructions (no-ops excluded) of every pair in the last epoch.")
    total_ops = _EngineAttribute[int]()

    def run(self, epochs: int = 1) -> int:
        """Run `epochs` epochs; returns the instructions executed."""
        return self._core.run(integer("epochs", epochs))

    def origins(self) -> np.ndarray:
        """The (size x program_length) uint32 origin tag of every byte, a zero-copy view (needs
        provenance=True)."""
        tags = self._core.origins
        if tags is None:
            raise ValueError("origins need a soup made with provenance=True")
        return tags

    def inject(self, program: bytes | bytearray | str | np.ndarray, count: int = 1,
               origin: int | None = None) -> np.ndarray:
        """Overwrite `count` distinct random programs with `program` (shorter programs are padded
        with zero bytes); returns the indices written. Reproducible for a seed and epoch.

        With provenance, the written bytes take the tag `origin` (an id other than
        ORIGIN_PRIMORDIAL and ORIGIN_MUTATION; None: unattributed, ORIGIN_MUTATION) - unless the
        program is within COPY_EDITS bytes of one already in the soup, whose tags it copies
        (byte for byte; the differing bytes count as mutations)."""
        if origin is not None:
            if not self.provenance:
                raise ValueError("origin needs a soup made with provenance=True")
            if isinstance(origin, bool) or not isinstance(origin, (int, np.integer)) or \
                    not ORIGIN_PRIMORDIAL < int(origin) < ORIGIN_MUTATION:
                raise ValueError(f"origin must be an integer in [1, {ORIGIN_MUTATION - 1}], got {origin!r}")
        if isinstance(program, str):
            program = program.encode("latin-1")
        data = np.frombuffer(bytes(program), np.uint8) if not isinstance(program, np.ndarray) else \
            np.asarray(program, np.uint8).reshape(-1)
        if data.size == 0 or data.size > self.program_length:
            raise ValueError(f"program must have 1..{self.program_length} bytes, got {data.size}")
        if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or not 1 <= count <= self.size:
            raise ValueError(f"count must be an integer in [1, {self.size}], got {count!r}")
        rng = np.random.default_rng([self.seed, self.epoch, self._inject_calls])
        self._inject_calls += 1
        where = np.sort(rng.choice(self.size, size=int(count), replace=False))
        row = np.zeros(self.program_length, np.uint8)
        row[: data.size] = data
        tags = self._tags_for(row, origin) if self.provenance else None
        self.programs[where] = row
        if tags is not None:
            self.origins()[where] = tags
        return where

    def _tags_for(self, row: np.ndarray, origin: int | None) -> np.ndarray:
        """The tags an injected `row` takes: those of the nearest program in the soup when it is
        within COPY_EDITS bytes of it (a copy inherits, the edits are mutations), else its own."""
        own = np.full(self.program_length, ORIGIN_MUTATION if origin is None else int(origin), np.uint32)
        differing = np.count_nonzero(self.programs != row, axis=1)
        nearest = int(np.argmin(differing))
        if differing[nearest] > COPY_EDITS:
            return own
        tags = self.origins()[nearest].copy()
        tags[self.programs[nearest] != row] = ORIGIN_MUTATION
        return tags

    def metrics(self, top_k: int = 10, use_zlib: bool = True, detect: bool = True) -> SoupMetrics:
        return compute_metrics(self.programs, epoch=self.epoch, ops=self.last_ops, top_k=top_k,
                               use_zlib=use_zlib, detect=detect, language=self.language,
                               max_steps=self.max_steps, heads_from_tape=self.heads_from_tape,
                               seed=self.seed, threads=self.threads)

    # --- checkpoints -------------------------------------------------------------------------
    def _meta(self) -> dict:
        return {"format": _FORMAT, "language": self.language, "size": self.size,
                "program_length": self.program_length, "seed": self.seed,
                "mutation_rate": self.mutation_rate, "max_steps": self.max_steps, "rng": self.rng,
                "heads_from_tape": self.heads_from_tape, "provenance": self.provenance, "epoch": self.epoch,
                "total_ops": self.total_ops, "inject_calls": self._inject_calls}

    def save(self, path: str | os.PathLike) -> None:
        """Write a checkpoint (.npz, no pickle) from which `load` resumes bit-exactly."""
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp")
        meta = np.frombuffer(json.dumps(self._meta()).encode(), np.uint8)
        with open(tmp, "wb") as f:
            extra = {"origins": self.origins()} if self.provenance else {}
            np.savez(f, meta=meta, programs=self.programs, permutation=self._core.permutation,
                     last_ops=self.last_ops, **extra)
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: str | os.PathLike, device: str = "auto", threads: int = 0) -> Soup:
        with np.load(Path(path), allow_pickle=False) as z:
            try:
                meta = json.loads(z["meta"].tobytes().decode())
                programs, perm, ops = z["programs"], z["permutation"], z["last_ops"]
                origins = z["origins"] if meta.get("provenance") else None
            except (KeyError, ValueError) as exc:
                raise ValueError(f"{path}: not a neurosys soup checkpoint ({exc})") from None
        if meta.get("format") != _FORMAT:
            raise ValueError(f"{path}: unsupported checkpoint format {meta.get('format')!r}")
        soup = cls(language=meta["language"], size=meta["size"], program_length=meta["program_length"],
                   seed=meta["seed"], mutation_rate=meta["mutation_rate"], max_steps=meta["max_steps"],
                   rng=meta["rng"], heads_from_tape=meta["heads_from_tape"], device=device, threads=threads,
                   provenance=bool(meta.get("provenance", False)))
        if programs.shape != soup.programs.shape or perm.shape != (soup.size,) or ops.shape != soup.last_ops.shape:
            raise ValueError(f"{path}: checkpoint arrays do not match its header")
        if np.any(perm >= soup.size) or np.unique(perm).size != soup.size:
            raise ValueError(f"{path}: corrupted permutation")
        soup.programs[...] = programs
        if origins is not None:
            if origins.shape != programs.shape:
                raise ValueError(f"{path}: checkpoint arrays do not match its header")
            soup.origins()[...] = origins
        soup._core.permutation[...] = perm
        soup.last_ops[...] = ops
        soup._core.epoch = int(meta["epoch"])
        soup._core.total_ops = int(meta["total_ops"])
        soup._inject_calls = int(meta["inject_calls"])
        return soup

    def __repr__(self) -> str:
        return (f"Soup(language={self.language!r}, size={self.size}, program_length={self.program_length}, "
                f"seed={self.seed}, epoch={self.epoch}, rng={self.rng!r}, device={self.device!r})")
