"""The soup's state transition (Agüera y Arcas et al. 2024): a 2^17-program BFF soup at the
default mutation rate runs until its high-order entropy passes 1; the epoch is reported per seed
and high-order entropy over epochs is plotted. A thin caller of ``neurosys sweep``'s
soup_transition experiment: the seeds run as Ray tasks (a local cluster of --processes CPUs),
each point checkpoints its soup under runs/soup_transition/points/<id>/ (git-ignored) and a
rerun resumes there; the table is runs/soup_transition/results.csv.

    python bench/soup_transition.py --seeds 0 1 2 --max-epochs 16000 --time-limit 3000

(The per-seed CSVs bench/figures/soup_transition_seed<N>.csv are from the runs of 2026-12-03,
made before this script used the sweep API.)
"""

from __future__ import annotations

import argparse
from pathlib import Path

from neurosys.sweep import grid, read_results, run_points
from neurosys.sweep.experiments import plot_soup_transition, soup_transition

FIG = Path(__file__).parent / "figures"
OUT = Path(__file__).resolve().parent.parent / "runs" / "soup_transition"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    ap.add_argument("--size", type=int, default=2**17)
    ap.add_argument("--max-epochs", type=int, default=16000)
    ap.add_argument("--every", type=int, default=64, help="epochs between entropy samples")
    ap.add_argument("--time-limit", type=float, default=3000.0, help="seconds per seed (per run)")
    ap.add_argument("--threads", type=int, default=1, help="threads per seed")
    ap.add_argument("--processes", type=int, default=2, help="CPUs of the local Ray cluster")
    ap.add_argument("--address", default=None, help="a Ray cluster instead of a local one")
    ap.add_argument("--rng", default="default", choices=("default", "cubff"))
    ap.add_argument("--fresh", action="store_true", help="start over instead of resuming")
    ap.add_argument("--plot-only", action="store_true")
    args = ap.parse_args()
    points = grid(seed=args.seeds, size=[args.size], max_epochs=[args.max_epochs], every=[args.every],
                  time_limit=[args.time_limit], threads=[args.threads], rng=[args.rng])
    if args.plot_only:
        rows = read_results(OUT)
    else:
        rows = run_points(soup_transition, points, OUT, address=args.address, resume=not args.fresh,
                          num_cpus=None if args.address else args.processes, cpus_per_point=args.threads)
        print(f"{'seed':>5} {'transition epoch':>17} {'epochs run':>11} {'wall s':>8}")
        for r in rows:
            crossed = r["transition_epoch"] if r["transition_epoch"] is not None else "-"
            print(f"{r['seed']:>5} {crossed:>17} {r['epochs_run']:>11} {r['wall_s']:>8.0f}")
    FIG.mkdir(exist_ok=True)
    plot_soup_transition(rows, OUT, FIG / "soup_transition.png")
    print(f"figure: {FIG / 'soup_transition.png'}")


if __name__ == "__main__":
    main()
