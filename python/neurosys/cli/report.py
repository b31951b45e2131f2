"""``neurosys report RUN_DIR``: figures (PNG) and a text summary of a run."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="write figures and a summary of a run from its run store",
                       description="Write PNG figures (raster, rates, weights, entropy, agent "
                       "rewards, balances) and report.txt from RUN_DIR/run.db.")
    p.add_argument("run_dir", metavar="RUN_DIR", help="a run directory made by `neurosys run`")
    p.add_argument("--out", metavar="DIR", help="output folder (default: RUN_DIR/report)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from neurosys.run.report import make_report

    figures, text = make_report(args.run_dir, args.out)
    print(text, end="")
    for path in figures:
        print(f"wrote {path}")
    return 0
