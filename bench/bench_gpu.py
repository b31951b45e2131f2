"""CUDA against the CPU engine on the same machine, same model, same seed: the SNN COBA network at
several sizes (1 s of biological time) and a BFF soup (epochs per second), with the CPU engine
on every core and on 1 and 2 threads. The peer is neurosys's own OpenMP path measured in the same
run (Brian2GeNN is not installable offline); the spike statistics of both are printed so equal
accuracy can be seen.

    python bench/bench_gpu.py [--sizes 4000 40000 400000] [--soup-size 131072] [--epochs 64]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np


def snn_run(n: int, device: str, threads: int | None, seed: int = 1) -> tuple[float, float, int]:
    from neurosys.snn import models

    net, E, I = models.coba(n=n, seed=seed, device=device, threads=threads, method="euler")
    se, si = net.monitor_spikes(E), net.monitor_spikes(I)
    net.run(0.05)  # warm-up: first-touch, kernel load
    t0 = time.perf_counter()
    net.run(1.0)
    wall = time.perf_counter() - t0
    spikes = len(se.times) + len(si.times)
    return wall, spikes / n / 1.05, spikes


def soup_run(size: int, epochs: int, device: str, threads: int) -> float:
    from neurosys.soup import Soup

    soup = Soup(size=size, seed=1, device=device, threads=threads)
    soup.run(2)
    t0 = time.perf_counter()
    soup.run(epochs)
    return epochs / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[4000, 40000, 400000])
    ap.add_argument("--soup-size", type=int, default=2**17)
    ap.add_argument("--epochs", type=int, default=64)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    cores = os.cpu_count() or 1
    print(f"cores: {cores}")
    print(f"{'model':<14}{'arm':<14}{'s / bio s':>11}{'rate Hz':>9}{'cuda speed-up':>15}")
    for n in args.sizes:
        arms = {"cpu 1 thr": ("cpu", 1), "cpu 2 thr": ("cpu", 2),
                f"cpu {cores} thr": ("cpu", cores), "cuda": ("cuda", None)}
        walls = {}
        for arm, (device, threads) in arms.items():
            runs = [snn_run(n, device, threads) for _ in range(args.repeats)]
            walls[arm] = statistics.median(r[0] for r in runs)
            rate = float(np.mean([r[1] for r in runs]))
            ratio = walls[arm] / walls["cuda"] if "cuda" in walls else float("nan")
            print(f"COBA-{n:<9}{arm:<14}{walls[arm]:>11.4f}{rate:>9.2f}{'':>15}", flush=True)
        for arm in arms:
            if arm != "cuda":
                print(f"COBA-{n:<9}cuda vs {arm:<6}{'':>11}{'':>9}{walls[arm] / walls['cuda']:>14.2f}x")
    print(f"\n{'soup':<14}{'arm':<14}{'epochs/s':>11}")
    rates = {}
    for arm, (device, threads) in {"cpu 1 thr": ("cpu", 1), f"cpu {cores} thr": ("cpu", cores),
                                   "cuda": ("cuda", 0)}.items():
        rates[arm] = statistics.median(soup_run(args.soup_size, args.epochs, device, threads)
                                       for _ in range(args.repeats))
        print(f"BFF-{args.soup_size:<10}{arm:<14}{rates[arm]:>11.1f}", flush=True)
    for arm in rates:
        if arm != "cuda":
            print(f"cuda vs {arm}: {rates['cuda'] / rates[arm]:.2f}x")


if __name__ == "__main__":
    main()
