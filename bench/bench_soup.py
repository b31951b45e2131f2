"""Soup engine speed: epochs and executed instructions per CPU-second for a 2^17 x 64-byte BFF
soup early in a run, 1 and 2 threads, against a straightforward single-threaded reference
interpreter (bench/soup_reference.cpp, built here with g++ -O3) measured in the same run; and the
cost of metrics at K = 64.

    python bench/bench_soup.py [--epochs 8] [--repeats 3] [--size 131072]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent


def build_reference(workdir: str) -> str:
    exe = os.path.join(workdir, "soup_reference")
    subprocess.run(["g++", "-O3", "-o", exe, str(HERE / "soup_reference.cpp")], check=True)
    return exe


def run_reference(exe: str, size: int, epochs: int, seed: int) -> tuple[float, int, float, str]:
    out = subprocess.run([exe, str(size), str(epochs), str(seed)], check=True, capture_output=True,
                         text=True).stdout.split()
    return float(out[0]), int(out[1]), float(out[2]), out[3]


def run_neurosys(size: int, epochs: int, seed: int, threads: int, rng: str, provenance: bool = False):
    from neurosys.soup import Soup

    soup = Soup(size=size, seed=seed, threads=threads, rng=rng, device="cpu", provenance=provenance)
    c0, w0 = time.process_time(), time.perf_counter()
    ops = soup.run(epochs)
    return epochs, ops, time.process_time() - c0, time.perf_counter() - w0, soup


def fnv(data: bytes) -> str:
    import numpy as np
    h = 0xcbf29ce484222325
    for c in np.frombuffer(data, np.uint8).tolist():
        h = ((h ^ c) * 0x100000001b3) & (2**64 - 1)
    return f"{h:016x}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=int, default=2**17)
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        exe = build_reference(tmp)
        ref = [run_reference(exe, args.size, args.epochs, args.seed + r) for r in range(args.repeats)]
    ref_eps = statistics.median(e / c for e, _, c, _ in ref)
    ref_ops = statistics.median(o / c for _, o, c, _ in ref)
    rows.append(("reference (g++ -O3, 1 thread)", ref_eps, ref_ops, None))
    same = True
    for label, threads, rng in (("neurosys cubff rng, 1 thread", 1, "cubff"),
                                ("neurosys default rng, 1 thread", 1, "default"),
                                ("neurosys cubff rng, 2 threads", 2, "cubff"),
                                ("neurosys default rng, 2 threads", 2, "default")):
        res = [run_neurosys(args.size, args.epochs, args.seed + r, threads, rng) for r in range(args.repeats)]
        eps = statistics.median(e / c for e, _, c, _, _ in res)
        ops = statistics.median(o / c for _, o, c, _, _ in res)
        wall = statistics.median(e / w for e, _, _, w, _ in res)
        rows.append((label, eps, ops, wall))
        if rng == "cubff" and threads == 1:  # the peer must have computed the very same soup
            same = fnv(res[0][4].programs.tobytes()) == ref[0][3] and res[0][1] == ref[0][1]
    print(f"BFF soup {args.size} x 64 bytes, epochs 0..{args.epochs} (early run), median of {args.repeats}")
    print(f"{'engine':<34} {'epochs/CPU-s':>13} {'Mops/CPU-s':>11} {'epochs/s wall':>14} {'vs ref/core':>12}")
    for label, eps, ops, wall in rows:
        print(f"{label:<34} {eps:>13.2f} {ops / 1e6:>11.1f} {wall if wall else float('nan'):>14.2f} "
              f"{eps / ref_eps:>11.2f}x")
    print(f"cubff-mode soup identical to the reference's: {same}")

    # Provenance (an origin tag per byte, copied with it): its cost, off against on, alternated.
    on, off = [], []
    for r in range(args.repeats):
        for flag, out in ((False, off), (True, on)):
            e, _, cpu, _, _ = run_neurosys(args.size, args.epochs, args.seed + r, 1, "default", flag)
            out.append(e / cpu)
    eps_off, eps_on = statistics.median(off), statistics.median(on)
    print(f"provenance, default rng, 1 thread: {eps_off:.2f} epochs/CPU-s off, {eps_on:.2f} on: "
          f"{100 * (eps_off / eps_on - 1):.1f}% slower (target <= 25%)")

    # Metrics at K = 64: cost of one sample relative to 64 epochs.
    from neurosys.soup import Soup
    soup = Soup(size=args.size, seed=args.seed, threads=1, device="cpu")
    c0 = time.process_time()
    soup.run(4)
    epoch_cpu = (time.process_time() - c0) / 4
    for label, kw in (("metrics (brotli+zlib+counts+replicators)", {}), ("metrics without zlib", {"use_zlib": False})):
        times = []
        for _ in range(args.repeats):
            c0 = time.process_time()
            soup.metrics(**kw)
            times.append(time.process_time() - c0)
        t = statistics.median(times)
        print(f"{label:<44} {t * 1e3:7.1f} ms CPU = {t / epoch_cpu:5.2f} epochs; at K=64: "
              f"{100 * t / (64 * epoch_cpu):5.2f}% of each epoch")
    import brotli
    data = soup.programs.tobytes()
    c0 = time.process_time()
    brotli.compress(data, quality=2, lgwin=24)
    print(f"{'  of which brotli q2 w24 on 8 MiB':<44} {(time.process_time() - c0) * 1e3:7.1f} ms CPU")


if __name__ == "__main__":
    main()
