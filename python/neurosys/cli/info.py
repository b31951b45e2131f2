"""``neurosys info``: what this build of neurosys can do on this machine."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("info", help="show the build (CUDA, OpenMP) and the devices found",
                       description="Show how the native core was built and which devices it sees.")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from neurosys import _core

    print(f"neurosys {_core.__version__}")
    print(f"  OpenMP:        {'yes' if _core.has_openmp else 'no'} ({os.cpu_count()} CPUs)")
    print(f"  CUDA kernels:  {'built' if _core.has_cuda else 'not built'}")
    print(f"  CUDA devices:  {_core.cuda_device_count()}")
    print(f"  device='auto': {_core.resolve_device('auto')}")
    report_segments(print)
    return 0


def report_segments(say: Callable[[str], object]) -> None:
    """Lists the workspace segments in /dev/shm; stale ones come with the command that removes
    them. Also used by `neurosys run` at start."""
    from neurosys.workspace.segments import list_segments

    segments = list_segments()
    stale = [s for s in segments if s.stale]
    say(f"  workspaces:    {len(segments)} in /dev/shm, {len(stale)} stale"
        + (" (remove them with `neurosys clean`)" if stale else ""))
    for info in segments:
        say(f"    {info.describe()}")
