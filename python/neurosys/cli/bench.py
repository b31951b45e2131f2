"""``neurosys bench NAME [ARGS...]``: run one of the benchmark scripts of bench/ (each prints a
table with a peer measured in the same run). Benchmarks need a source checkout."""

from __future__ import annotations

import argparse
import os
import runpy
import sys
from pathlib import Path


def bench_dir() -> Path | None:
    """bench/ of the source checkout: $NEUROSYS_BENCH_DIR, ./bench, or beside the sources."""
    candidates = [os.environ.get("NEUROSYS_BENCH_DIR"), "bench"]
    here = Path(__file__).resolve()
    candidates += [str(parent / "bench") for parent in here.parents]
    for c in candidates:
        if c and Path(c).is_dir() and any(Path(c).glob("*.py")):
            return Path(c)
    return None


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bench", help="run a benchmark script from bench/",
                       description="Run bench/NAME.py with ARGS; without NAME, list them.")
    p.add_argument("name", nargs="?", help="benchmark name (file name without .py)")
    p.add_argument("args", nargs=argparse.REMAINDER, help="arguments passed to the script")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    folder = bench_dir()
    if folder is None:
        raise FileNotFoundError("no bench/ folder found: run from a source checkout or set "
                                "NEUROSYS_BENCH_DIR")
    names = sorted(p.stem for p in folder.glob("*.py") if not p.stem.startswith("_"))
    if args.name is None:
        print("benchmarks in", folder)
        for n in names:
            print("  ", n)
        return 0
    if args.name not in names:
        raise ValueError(f"NAME must be one of {', '.join(names)}, got {args.name!r}")
    script = folder / f"{args.name}.py"
    saved = sys.argv
    sys.argv = [str(script), *args.args]
    try:
        runpy.run_path(str(script), run_name="__main__")
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else 1
    finally:
        sys.argv = saved
    return 0
