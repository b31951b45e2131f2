"""``neurosys ledger``: balances, history, transfers and verification of a run's token ledger,
from its run directory or run store file."""

from __future__ import annotations

import argparse
import json
from typing import Any


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ledger", help="inspect and use a run's token ledger",
                       description="Balances, history, transfers and chain-vs-journal checks of a"
                       " run's token ledger. The keystore passphrase comes from"
                       " $NEUROSYS_LEDGER_PASSPHRASE or a prompt.")
    ops = p.add_subparsers(dest="ledger_op", metavar="OP", required=True)

    def common(q: argparse.ArgumentParser) -> None:
        q.add_argument("path", help="the run directory or its run store file (run.db)")
        q.add_argument("--chain", default=None,
                       help="'embedded' or a JSON-RPC URL (default: the one the run used)")

    q = ops.add_parser("balances", help="token balance of every account (journal and chain)")
    common(q)
    q.add_argument("--json", action="store_true", help="print JSON")
    q.set_defaults(func=_balances)

    q = ops.add_parser("history", help="journaled rewards and transfers, oldest first")
    common(q)
    q.add_argument("--agent", default=None, help="only entries involving this agent id")
    q.add_argument("--limit", type=int, default=50, help="the last N entries (default 50; 0: all)")
    q.add_argument("--json", action="store_true", help="print JSON")
    q.set_defaults(func=_history)

    q = ops.add_parser("transfer", help="move tokens between two accounts (the run must be"
                       " stopped when it used the embedded chain)")
    common(q)
    q.add_argument("src", help="paying agent id")
    q.add_argument("dst", help="receiving agent id")
    q.add_argument("amount", type=float, help="tokens")
    q.set_defaults(func=_transfer)

    q = ops.add_parser("verify", help="check the chain against the journal; exit 1 on mismatch")
    common(q)
    q.add_argument("--deep", action="store_true", help="also check every reward id on chain")
    q.add_argument("--json", action="store_true", help="print JSON")
    q.set_defaults(func=_verify)


def _open(args: argparse.Namespace, read_only: bool) -> Any:
    from pathlib import Path

    from neurosys.ledger import Ledger
    from neurosys.ledger.config import resolve_paths
    from neurosys.run.storage import RunStore

    store_path, _ = resolve_paths(args.path)
    if not Path(store_path).is_file():
        raise FileNotFoundError(f"no run store at {str(store_path)!r} (give a run directory or"
                                " its run.db)")
    chain = args.chain
    if chain is None:
        with RunStore(store_path) as store:
            meta = dict(store.query("SELECT key, value FROM ledger_meta")) \
                if "ledger_meta" in store.tables() else {}
        chain = meta.get("chain", "embedded")
    return Ledger(args.path, chain=chain, read_only=read_only)


def _balances(args: argparse.Namespace) -> int:
    with _open(args, read_only=True) as ledger:
        rows = {a: {"journal": b, "chain": ledger.chain_balance(a), "address": ledger.address(a)}
                for a, b in ledger.balances_all().items()}
    if args.json:
        print(json.dumps(rows, indent=1))
        return 0
    print(f"{'account':<24} {'journal':>16} {'chain':>16}  address")
    for agent, r in rows.items():
        print(f"{agent:<24} {r['journal']:>16.6f} {r['chain']:>16.6f}  {r['address']}")
    return 0


def _history(args: argparse.Namespace) -> int:
    with _open(args, read_only=True) as ledger:
        rows = ledger.history(args.agent, None if args.limit == 0 else args.limit)
    if args.json:
        print(json.dumps(rows, indent=1))
        return 0
    from neurosys.timefmt import local_time

    for r in rows:
        print(f"{r['seq']:>7} {local_time(r.get('time'), date=True)} {r['kind']:<8} {r['src'] or '(mint)':<16} -> {r['dst']:<16}"
              f" {r['amount']:>14.6f} {r['status']:<9} {r['reason']}  {r['id'][:18]}")
    return 0


def _transfer(args: argparse.Namespace) -> int:
    with _open(args, read_only=False) as ledger:
        tid = ledger.transfer(args.src, args.dst, args.amount, reason="cli_transfer")
        print(f"transferred {args.amount} from {args.src} to {args.dst}: {tid}")
    return 0


def _verify(args: argparse.Namespace) -> int:
    from neurosys.ledger import JournalCorrupt

    try:
        ledger = _open(args, read_only=True)
    except JournalCorrupt as exc:
        print(f"journal hash chain: BROKEN: {exc}\nFAILED")
        return 1
    with ledger:
        report = ledger.verify(deep=args.deep)
    if args.json:
        print(json.dumps(report, indent=1))
    else:
        print(f"entries: {report['entries']}  journal hash chain: "
              f"{'ok' if report['journal_ok'] else 'BROKEN: ' + report.get('journal_error', '')}")
        print(f"total supply: journal {report['total_supply']['journal']}"
              f"  chain {report['total_supply']['chain']}")
        for agent, (want, have) in report["mismatches"].items():
            print(f"MISMATCH {agent}: journal {want} chain {have}")
        if report["pending"]:
            print(f"unsettled entries: {len(report['pending'])}")
        if report["unpaid"]:
            print(f"confirmed rewards not paid on chain: {len(report['unpaid'])}")
        print("OK" if report["ok"] else "FAILED")
    return 0 if report["ok"] else 1
