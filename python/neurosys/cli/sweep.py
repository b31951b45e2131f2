"""``neurosys sweep CONFIG``: an experiment over a grid or a list of seeds, as Ray tasks."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sweep", help="run an experiment over a grid of points on Ray",
                       description="Run the soup transition or an SNN parameter sweep over the "
                       "points of CONFIG (see neurosys/sweep/config.py) as Ray tasks, on a local "
                       "cluster or --address. Each finished point is a row of OUT/results.csv; a "
                       "rerun resumes (skips finished points, long points continue from their "
                       "checkpoints). Writes OUT/figure.png at the end.")
    p.add_argument("config", metavar="CONFIG", nargs="?", default=None,
                   help="the sweep file (TOML), or the name of an example; none: list the examples")
    p.add_argument("--address", default=None, help="Ray cluster address (default: a local cluster)")
    p.add_argument("--out", default=None, metavar="DIR", help="output folder (overrides out_dir)")
    p.add_argument("--num-cpus", type=int, default=None, help="CPUs of a local cluster (default: all)")
    p.add_argument("--fresh", action="store_true", help="start a new table instead of resuming")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from neurosys.sweep.api import SweepError, read_results, run_points
    from neurosys.sweep.config import example_sweeps, load_sweep, resolve_sweep
    from neurosys.sweep.experiments import EXPERIMENTS

    if args.config is None:
        examples = example_sweeps()
        print("Ready sweep files (neurosys sweep NAME, or a path to your own TOML file):")
        for name, (path, about) in examples.items():
            print(f"  {name:18s} {about}\n  {'':18s} {path}")
        if not examples:
            print("  (none installed)")
        return 0
    try:
        spec = load_sweep(resolve_sweep(args.config))
    except FileNotFoundError as exc:
        print(f"neurosys sweep: {exc}")
        return 2
    out = Path(args.out) if args.out else spec.out_dir
    fn, plot = EXPERIMENTS[spec.experiment]
    try:
        rows = run_points(fn, spec.points, out, address=args.address, resume=not args.fresh,
                          num_cpus=args.num_cpus, cpus_per_point=spec.cpus_per_point,
                          progress=not args.no_progress)
    except SweepError as exc:  # the figure still shows the points that finished
        print(f"neurosys sweep: {exc}")
        rows, status = read_results(out), 1
    else:
        status = 0
    plot(rows, out, out / "figure.png")
    print(f"{len(rows)} points: {out / 'results.csv'}, {out / 'figure.png'}")
    return status
