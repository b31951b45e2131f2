"""``neurosys agents``: the agents of a running system (attached by workspace name), and any
agent's reward history from a run store."""

from __future__ import annotations

import argparse
from neurosys.workspace import keys


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("agents", help="list, spawn or inspect the agents of a running system",
                       description="Show the agent table or lifecycle events of a running system, "
                       "ask it to spawn an agent, or print an agent's reward history from a run "
                       "store (sqlite file).")
    p.add_argument("action", choices=("list", "events", "spawn", "history"))
    p.add_argument("arg", nargs="?", help="spawn: the role; history: the agent id")
    p.add_argument("--attach", metavar="NAME", help="workspace name; default: the only running one")
    p.add_argument("--store", metavar="PATH", help="history: the run store file")
    p.set_defaults(func=run)


def _history(args: argparse.Namespace) -> int:
    from neurosys.agents import reward_history
    from neurosys.run.storage import RunStore

    if not args.store or not args.arg:
        raise ValueError("history needs --store PATH and the agent id")
    with RunStore(args.store) as store:
        hist = reward_history(store, args.arg)
    if not len(hist["reward"]):
        raise ValueError(f"agent id {args.arg!r} has no interactions in {args.store}")
    t0 = hist["time"][0]
    for t, r in zip(hist["time"], hist["reward"]):
        print(f"{t - t0:10.2f}  {r:+.4f}")
    return 0


def run(args: argparse.Namespace) -> int:
    if args.action == "history":
        return _history(args)
    from neurosys.cli.tui import attach_name
    from neurosys.run.commands import agent_role
    from neurosys.run.control import send_command
    from neurosys.workspace import Workspace

    ws = Workspace.attach(attach_name(args.attach))
    try:
        if args.action == "spawn":
            role = agent_role(args.arg)  # the manager's rule, checked before anything is sent
            print(f"command {send_command(ws, 'spawn_agent', {'role': role})} sent")
        elif args.action == "events":
            for e in ws.read(keys.AGENTS_EVENTS) or []:
                print(f"{e['time']:.1f}  {e['kind']:7s} {e['id']:10s} {e['role']:22s} {e['reason']}")
        else:
            print(f"{'id':10s} {'role':22s} {'last action':12s} {'reward':>8s} {'balance':>9s} alive")
            for a in ws.read(keys.AGENTS_TABLE) or []:
                print(f"{a['id']:10s} {a['role']:22s} {a['last_action']:12s} {a['reward']:8.3f} "
                      f"{a['balance']:9.2f} {'yes' if a['alive'] else 'no'}")
    finally:
        ws.close()
    return 0
