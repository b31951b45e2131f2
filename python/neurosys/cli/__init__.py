"""The ``neurosys`` command. Each subcommand lives in its own module in this package and
exposes ``add_parser(subparsers)``; the parser it adds carries ``func`` (args -> exit code)."""

from __future__ import annotations

import argparse
import importlib
import sys

import neurosys

# Subcommand modules, in the order --help lists them.
SUBCOMMANDS: tuple[str, ...] = ("info", "config", "run", "tui", "report", "bench", "ledger", "soup", "snn", "agents",
                                 "sweep", "clean")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="neurosys",
        description="neurosys: spiking network, primordial soup, LLM agents and a token ledger "
        "sharing one shared-memory workspace.",
    )
    parser.add_argument("--version", action="version", version=f"neurosys {neurosys.__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMANDS:
        importlib.import_module(f"neurosys.cli.{name}").add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except (ValueError, FileNotFoundError, TimeoutError) as exc:
        print(f"neurosys {args.command}: error: {exc}", file=sys.stderr)
        return 2
