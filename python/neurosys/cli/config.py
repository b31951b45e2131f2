"""``neurosys config``: show the defaults or check a configuration file."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "config", help="show every configuration key with its default, or check a file",
        description="Print the configuration (the embedded defaults, or FILE merged over them) "
        "as commented TOML, or check that FILE is valid.")
    p.add_argument("file", nargs="?", help="a TOML configuration file")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--show", action="store_true",
                      help="print the configuration as commented TOML (the default action)")
    mode.add_argument("--check", action="store_true",
                      help="only validate FILE; exit 0 when it is valid")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from neurosys.config import load_config

    cfg = load_config(args.file)
    if args.check:
        if args.file is None:
            raise ValueError("--check needs a FILE")
        print(f"{args.file}: valid")
        return 0
    print(cfg.to_toml(comments=True), end="")
    return 0
