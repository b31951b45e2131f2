"""``neurosys clean``: remove workspace segments left in /dev/shm by runs that died."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "clean", help="remove workspace segments whose processes have all exited",
        description="Remove this user's workspace segments in /dev/shm that no running process "
        "has open (left by a run that was killed). Segments in use are never touched.")
    p.add_argument("names", nargs="*", metavar="NAME",
                   help="only these workspaces (default: every stale one of this user)")
    p.add_argument("--dry-run", action="store_true", help="only list what would be removed")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from neurosys.workspace.segments import list_segments, remove_stale

    if args.dry_run:
        stale = [s for s in list_segments() if s.stale and (not args.names or s.name in args.names)]
        for info in stale:
            print(f"would remove {info.describe()}")
        print(f"{len(stale)} stale segment(s)")
        return 0
    removed = remove_stale(min_age=0.0, names=args.names or None)
    for info in removed:
        print(f"removed {info.describe()}")
    freed = sum(info.size_bytes for info in removed)
    print(f"{len(removed)} stale segment(s) removed, {freed / 2**20:.1f} MiB freed")
    return 0
