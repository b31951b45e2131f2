"""``neurosys tui``: the terminal monitor, attached to a running system's workspace."""

from __future__ import annotations

import argparse
from pathlib import Path
from neurosys.workspace import keys


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("tui", help="monitor a running system (attach to its workspace)",
                       description="Attach to the workspace of a running `neurosys run` and show "
                       "the network, soup, agents, ledger and workspace live. Keys: p pause/resume,"
                       " r target rate, a spawn agent, i inject program, x stop system, q quit.")
    p.add_argument("--attach", metavar="NAME",
                   help="workspace name (printed by `neurosys run`); default: the only running one")
    p.add_argument("--backend", default="shm", metavar="URL",
                   help="the workspace's backend: shm (default) or the redis://host:port/db that "
                   "`neurosys run --ray` prints")
    p.add_argument("--refresh-hz", type=float, default=4.0, help="frames per second (default 4)")
    p.set_defaults(func=run)


def running_workspaces() -> list[str]:
    """Names of the workspaces in /dev/shm that a running System publishes its status in."""
    import os

    from neurosys.workspace.segments import pid_alive
    from neurosys.workspace import Workspace

    shm = Path("/dev/shm")
    prefix = f"neurosys-{os.getuid()}-"  # the native core's segment naming
    found = []
    for path in sorted(shm.glob(prefix + "*")) if shm.is_dir() else []:
        name = path.name[len(prefix):]
        try:
            ws = Workspace.attach(name)
        except (OSError, ValueError):
            continue
        try:
            status = ws.read(keys.SYSTEM_STATUS)
            if isinstance(status, dict) and status.get("state") in ("running", "paused") \
                    and pid_alive(status.get("pid")):
                found.append(name)
        finally:
            ws.close()
    return found


def attach_name(name: str | None) -> str:
    """``name``, or the one running system's workspace when None (ValueError unless exactly one)."""
    if name is not None:
        return name
    found = running_workspaces()
    if len(found) != 1:
        raise ValueError("--attach NAME is needed: " + (
            f"several workspaces are running ({', '.join(found)})" if found
            else "no running workspace was found"))
    return found[0]


def run(args: argparse.Namespace) -> int:
    from neurosys.tui.app import NeurosysApp
    from neurosys.workspace import Workspace

    if args.backend != "shm" and args.attach is None:
        raise ValueError("--attach NAME is needed with --backend (it is printed by neurosys run --ray)")
    name = args.attach if args.backend != "shm" else attach_name(args.attach)
    workspace = Workspace.attach(name, backend=args.backend)
    try:
        NeurosysApp(workspace, refresh_hz=args.refresh_hz).run()
    finally:
        workspace.close()
    return 0
