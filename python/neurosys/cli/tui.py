"""``neurosys tui``: the terminal monitor, attached to a running system's workspace."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("tui", help="monitor a running system (attach to its workspace)",
                       description="Attach to the workspace of a running `neurosys run` and show "
                       "the network, soup, agents, ledger and workspace live. Keys: p pause/resume,"
                       " r target rate, a spawn agent, i inject program, x stop system, q quit.")
    p.add_argument("--attach", metavar="NAME",
                   help="workspace name (printed by `neurosys run`); default: the only running one")
    p.add_argument("--refresh-hz", type=float, default=4.0, help="frames per second (default 4)")
    p.set_defaults(func=run)


def running_workspaces() -> list[str]:
    """Names of neurosys workspaces present in /dev/shm (POSIX shared memory on Linux)."""
    shm = Path("/dev/shm")
    return sorted(p.name for p in shm.glob("neurosys-*")) if shm.is_dir() else []


def run(args: argparse.Namespace) -> int:
    from neurosys.tui.app import NeurosysApp
    from neurosys.workspace import Workspace

    name = args.attach
    if name is None:
        found = running_workspaces()
        if len(found) != 1:
            raise ValueError("--attach NAME is needed: " + (
                f"several workspaces are running ({', '.join(found)})" if found
                else "no running workspace was found"))
        name = found[0]
    workspace = Workspace.attach(name)
    try:
        NeurosysApp(workspace, refresh_hz=args.refresh_hz).run()
    finally:
        workspace.close()
    return 0
