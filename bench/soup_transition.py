"""The soup's state transition (Agüera y Arcas et al. 2024): a 2^17-program BFF soup at the
default mutation rate runs until its high-order entropy passes 1; the epoch is reported per seed
and high-order entropy over epochs is plotted.

    python bench/soup_transition.py --seeds 0 1 2 --max-epochs 16000 --time-limit 3000

Each seed runs in its own process (one thread each) and appends to
bench/figures/soup_transition_seed<N>.csv as it goes, so a capped or interrupted run keeps what
it reached, and checkpoints the soup (8 MiB each)
when it stops under runs/soup_transition/ (git-ignored); --resume continues from those
checkpoints; --plot-only redraws the figure.
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing as mp
import time
from pathlib import Path

FIG = Path(__file__).parent / "figures"
CKPT = Path(__file__).resolve().parent.parent / "runs" / "soup_transition"


def run_seed(seed: int, size: int, max_epochs: int, every: int, time_limit: float, threads: int,
             rng: str, resume: bool) -> tuple[int, int | None, int, float]:
    from neurosys.soup import Soup, high_order_entropy

    path = FIG / f"soup_transition_seed{seed}.csv"
    ckpt = CKPT / f"seed{seed}.npz"
    resuming = resume and ckpt.exists() and path.exists()
    if resuming:
        soup = Soup.load(ckpt, threads=threads)
    else:
        soup = Soup(size=size, seed=seed, threads=threads, device="auto", rng=rng)
    start = time.perf_counter()
    crossed = None
    with open(path, "a" if resuming else "w", newline="") as f:
        w = csv.writer(f)
        if not resuming:
            w.writerow(["epoch", "high_order_entropy", "wall_s"])
            w.writerow([0, high_order_entropy(soup.programs), 0.0])
        while soup.epoch < max_epochs and time.perf_counter() - start < time_limit:
            soup.run(every)
            hoe = high_order_entropy(soup.programs)
            w.writerow([soup.epoch, f"{hoe:.5f}", f"{time.perf_counter() - start:.1f}"])
            f.flush()
            if soup.epoch % (every * 8) == 0:
                soup.save(ckpt)
            if hoe > 1.0:
                crossed = soup.epoch
                break
    soup.save(ckpt)
    return seed, crossed, soup.epoch, time.perf_counter() - start


def plot(seeds: list[int], out: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.5))
    for seed in seeds:
        path = FIG / f"soup_transition_seed{seed}.csv"
        if not path.exists():
            continue
        with open(path) as f:
            rows = list(csv.DictReader(f))
        ax.plot([int(r["epoch"]) for r in rows], [float(r["high_order_entropy"]) for r in rows],
                label=f"seed {seed}")
    ax.axhline(1.0, color="k", ls="--", lw=0.8, label="transition (1 bit/byte)")
    ax.set_xlabel("epoch")
    ax.set_ylabel("high-order entropy (bits/byte)")
    ax.set_title("BFF soup, 2^17 x 64 bytes, mutation 2^-12 (neurosys)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    print(f"figure: {out}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    ap.add_argument("--size", type=int, default=2**17)
    ap.add_argument("--max-epochs", type=int, default=16000)
    ap.add_argument("--every", type=int, default=64, help="epochs between entropy samples")
    ap.add_argument("--time-limit", type=float, default=3000.0, help="seconds per seed")
    ap.add_argument("--threads", type=int, default=1, help="threads per seed")
    ap.add_argument("--processes", type=int, default=2)
    ap.add_argument("--rng", default="default", choices=("default", "cubff"))
    ap.add_argument("--resume", action="store_true", help="continue from the saved checkpoints")
    ap.add_argument("--plot-only", action="store_true")
    args = ap.parse_args()
    FIG.mkdir(exist_ok=True)
    CKPT.mkdir(parents=True, exist_ok=True)
    out = FIG / "soup_transition.png"
    if not args.plot_only:
        jobs = [(s, args.size, args.max_epochs, args.every, args.time_limit, args.threads, args.rng,
                 args.resume)
                for s in args.seeds]
        with mp.get_context("spawn").Pool(args.processes) as pool:
            results = pool.starmap(run_seed, jobs)
        print(f"{'seed':>5} {'transition epoch':>17} {'epochs run':>11} {'wall s':>8}")
        for seed, crossed, epochs, wall in results:
            print(f"{seed:>5} {crossed if crossed is not None else '-':>17} {epochs:>11} {wall:>8.0f}")
    plot(args.seeds, out)


if __name__ == "__main__":
    main()
