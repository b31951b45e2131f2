"""Island soups on Ray against the single-process engine, measured in the same run: epochs per
second per core, and the overhead of Ray at a migration every --every epochs; then the scaling
from 1, 2 and 4 island workers (docs/scaling.md extrapolates from it).

    python bench/bench_islands.py [--islands 4] [--size 32768] [--epochs 512] [--every 64]
                                  [--repeats 3] [--cpus 2] [--workers 1 2 4]

Per core: the single engine runs one thread on one core; the islands run --islands soups of one
thread each on a local Ray cluster of --cpus CPUs, so their per-core rate is island-epochs per
wall second divided by min(islands, cpus). The CPU-time view (island-epochs per CPU-second of the
actor processes, Ray's threads included) is printed beside it: on a shared machine it is the
steadier of the two. The control "same soups, no Ray" runs the islands' soups (same seeds, same
count on the same cores) in plain processes without migrations, so "Ray vs no Ray" is what Ray
and the migrations cost at equal work. Repeats alternate the arms; medians are reported.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time


def single(n: int, size: int, epochs: int, every: int, seed: int) -> tuple[float, float]:
    """(epochs per wall second, epochs per CPU second) of the islands' ``n`` soups (their seeds,
    the same warm-up and epochs) run one after another on one thread in this process: equal
    work, one core, no Ray. A soup's cost per epoch depends on its programs, so every arm runs
    the same seeds."""
    from neurosys.soup import Soup
    from neurosys.soup.islands import island_seed

    wall = cpu = 0.0
    for i in range(n):
        soup = Soup(size=size, seed=island_seed(seed, i), threads=1, device="cpu")
        soup.run(every)
        c0, w0 = time.process_time(), time.perf_counter()
        soup.run(epochs)
        wall += time.perf_counter() - w0
        cpu += time.process_time() - c0
    return n * epochs / wall, n * epochs / cpu


def _plain_soup(index: int, size: int, warmup: int, epochs: int, seed: int, start, done) -> None:
    """One island's soup in a plain process (no Ray): warm up, wait for the start, run."""
    from neurosys.soup import Soup
    from neurosys.soup.islands import island_seed

    soup = Soup(size=size, seed=island_seed(seed, index), threads=1, device="cpu")
    soup.run(warmup)
    start.wait()
    soup.run(epochs)
    done.put(index)


def plain_processes(n: int, size: int, epochs: int, every: int, seed: int) -> float:
    """Island-epochs per wall second of the same ``n`` soups (the islands' seeds) in ``n`` plain
    processes, without Ray and without migrations: the control that isolates what Ray costs
    from what running ``n`` soups on the cores costs (shared caches, time slicing)."""
    import multiprocessing as mp

    ctx = mp.get_context("spawn")  # Ray's threads live in this process: never fork it
    start, done = ctx.Barrier(n + 1), ctx.Queue()
    procs = [ctx.Process(target=_plain_soup, args=(i, size, every, epochs, seed, start, done))
             for i in range(n)]
    for p in procs:
        p.start()
    start.wait()
    w0 = time.perf_counter()
    for _ in procs:
        done.get()
    wall = time.perf_counter() - w0
    for p in procs:
        p.join()
    return n * epochs / wall


def islands(n: int, size: int, epochs: int, every: int, fraction: float, seed: int,
            cpus: int) -> tuple[float, float, float, int]:
    """(island-epochs per wall second, per actor-process CPU second, per engine CPU second,
    migrations) of ``n`` islands."""
    from neurosys.soup import Islands

    with Islands(n, size, migration_every=every, migration_fraction=fraction, seed=seed,
                 cpus_per_island=min(1.0, cpus / n), device="cpu") as isl:
        isl.run(every)  # warm-up: actors started, first round done
        c0 = isl.cpu_seconds()
        w0 = time.perf_counter()
        isl.run(epochs)
        wall = time.perf_counter() - w0
        c1 = isl.cpu_seconds()
        cpu = sum(p for p, _ in c1) - sum(p for p, _ in c0)
        engine = sum(e for _, e in c1) - sum(e for _, e in c0)
        return n * epochs / wall, n * epochs / cpu, n * epochs / engine, isl.migrations - 1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--islands", type=int, default=4)
    ap.add_argument("--size", type=int, default=2**15)
    ap.add_argument("--epochs", type=int, default=512, help="epochs per island (multiple of --every)")
    ap.add_argument("--every", type=int, default=64, help="epochs between migrations")
    ap.add_argument("--fraction", type=float, default=0.01, help="share of an island sent per migration")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--cpus", type=int, default=2, help="CPUs of the local Ray cluster")
    ap.add_argument("--workers", type=int, nargs="*", default=[1, 2, 4],
                    help="island counts of the scaling measurement (empty: skip it)")
    args = ap.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")

    from neurosys.cluster.session import ray_session

    print(f"load before: {os.getloadavg()}")
    with ray_session(num_cpus=args.cpus):
        one_wall, one_cpu, isl_wall, isl_cpu, isl_engine, plain_wall = [], [], [], [], [], []
        migrations = 0
        for r in range(args.repeats):
            w, c = single(args.islands, args.size, args.epochs, args.every, seed=r)
            one_wall.append(w)
            one_cpu.append(c)
            w, c, e, migrations = islands(args.islands, args.size, args.epochs, args.every, args.fraction,
                                       r, args.cpus)
            isl_wall.append(w / min(args.islands, args.cpus))
            plain_wall.append(plain_processes(args.islands, args.size, args.epochs, args.every, r)
                              / min(args.islands, args.cpus))
            isl_cpu.append(c)
            isl_engine.append(e)
            print(f"repeat {r}: single {one_wall[-1]:.1f} ep/s ({one_cpu[-1]:.1f}/CPU-s); islands "
                  f"{isl_wall[-1]:.1f} ep/s per core ({isl_cpu[-1]:.1f}/CPU-s, engine alone "
                  f"{isl_engine[-1]:.1f}/CPU-s), {migrations} migrations; the same soups in plain processes "
                  f"{plain_wall[-1]:.1f} ep/s per core", flush=True)
        m = {k: statistics.median(v) for k, v in
             (("one_wall", one_wall), ("one_cpu", one_cpu), ("isl_wall", isl_wall), ("isl_cpu", isl_cpu),
              ("isl_engine", isl_engine), ("plain_wall", plain_wall))}
        print(f"\n{args.islands} islands of {args.size}, migration every {args.every} epochs "
              f"({args.fraction:g} of an island), {args.epochs} epochs, medians of {args.repeats}:")
        print(f"{'':24}{'epochs/s per core':>18}{'epochs per CPU-s':>18}")
        print(f"{'single-process engine':24}{m['one_wall']:>18.1f}{m['one_cpu']:>18.1f}")
        print(f"{'islands on Ray':24}{m['isl_wall']:>18.1f}{m['isl_cpu']:>18.1f}")
        print(f"{'islands, engine alone':24}{'':>18}{m['isl_engine']:>18.1f}")
        print(f"{'same soups, no Ray':24}{m['plain_wall']:>18.1f}")
        print(f"{'overhead vs single':24}{1 - m['isl_wall'] / m['one_wall']:>18.1%}"
              f"{1 - m['isl_cpu'] / m['one_cpu']:>18.1%}")
        print(f"{'Ray vs no Ray':24}{1 - m['isl_wall'] / m['plain_wall']:>18.1%}"
              f"{1 - m['isl_cpu'] / m['isl_engine']:>18.1%}")

        if args.workers:
            print(f"\nscaling ({args.cpus} CPUs): island-epochs per wall second, median of {args.repeats}")
            base = None
            for n in args.workers:
                rate = statistics.median(
                    islands(n, args.size, args.epochs, args.every, args.fraction, r, args.cpus)[0]
                    for r in range(args.repeats))
                base = base or rate / n
                print(f"{n:>3} workers {rate:>10.1f}   {rate / (n * base):>6.0%} of linear", flush=True)
    print(f"load after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
