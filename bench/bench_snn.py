"""Spiking engine benchmark: the Vogels-Abbott COBA network (Brette et al. 2007, benchmark 1;
4000 neurons, 1 s) and a scaled one (40,000 neurons, 80 inputs each) in neurosys at 1 and 2
threads, against Brian2's C++ standalone mode (simulation loop only, compile excluded, without
OpenMP and with 2 OpenMP threads) and Brian2's runtime mode, all in this run. Also the cost of
STDP on the E->E synapses, and bytes per synapse.

    PYTHONPATH=build/dev-snn/site python bench/bench_snn.py [--repeats 3] [--sizes 4000,40000] [--loaded]
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "snn"))
from brian2_reference import coba_brian2_network, spike_statistics  # noqa: E402

from neurosys.snn import models  # noqa: E402

DURATION = 1.0
print = functools.partial(print, flush=True)  # noqa: A001 - progress visible in logs


def neurosys_run(n: int, threads: int, seed: int, stdp: bool = False) -> dict:
    t0 = time.perf_counter()
    net, E, I = models.coba(n=n, seed=seed, threads=threads, stdp=stdp)
    build = time.perf_counter() - t0
    mons = [net.monitor_spikes(E), net.monitor_spikes(I)]
    t0, c0 = time.perf_counter(), time.process_time()
    net.run(DURATION)
    sim, cpu = time.perf_counter() - t0, time.process_time() - c0
    events = 0
    for proj in net.projections:
        mon = mons[0] if proj.pre is E else mons[1]
        degree = np.diff(net._core.row_ptr(proj.index)).astype(np.int64)
        events += int(degree[mon.indices].sum())
    times = np.r_[mons[0].times, mons[1].times]
    idx = np.r_[mons[0].indices, mons[1].indices + E.n]
    stats = spike_statistics(times, idx, n, DURATION)
    return {"sim": sim, "cpu": cpu, "build": build, "events": events, "stats": stats,
            "synapses": sum(len(p) for p in net.projections),
            "bytes": net.projections[0].bytes_per_synapse}


def brian2_standalone(n: int, openmp_threads: int, seed: int, repeats: int,
                      timeout: float) -> dict:
    """Builds once (compile excluded), then runs the binary `repeats` times; the simulation-loop
    time is Brian2's own measurement (results/last_run_info.txt): process CPU time (std::clock)
    without OpenMP, wall time (omp_get_wtime) with it. A run longer than `timeout`
    seconds is stopped and reported as '> timeout' (Brian2's OpenMP build on a loaded machine)."""
    import subprocess

    import brian2 as b2

    directory = tempfile.mkdtemp(prefix=f"b2sa-{n}-{openmp_threads}-")
    b2.device.reinit()
    b2.set_device("cpp_standalone", directory=directory, build_on_run=False)
    b2.prefs.devices.cpp_standalone.openmp_threads = openmp_threads
    b2.start_scope()
    coba_brian2_network(b2, seed, n)[0].run(DURATION * b2.second)
    b2.device.build(directory=directory, compile=True, run=False)
    b2.device.reinit()
    b2.set_device("runtime")
    sims = []
    for _ in range(repeats):
        try:
            subprocess.run(["./main"], cwd=directory, timeout=timeout, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            return {"sim": float("inf"), "timeout": timeout}
        info = (Path(directory) / "results" / "last_run_info.txt").read_text().split()
        sims.append(float(info[0]))
    return {"sim": statistics.median(sims)}


def brian2_runtime(n: int, seed: int, target: str) -> dict:
    import brian2 as b2

    b2.set_device("runtime")
    b2.prefs.codegen.target = target
    b2.start_scope()
    net, mon = coba_brian2_network(b2, seed, n)
    net.run(1 * b2.ms)  # code generation and compilation outside the timing
    t0 = time.perf_counter()
    net.run((DURATION - 0.001) * b2.second)
    sim = (time.perf_counter() - t0) * DURATION / (DURATION - 0.001)
    return {"sim": sim, "stats": spike_statistics(np.asarray(mon.t / b2.second),
                                                   np.asarray(mon.i), n, DURATION)}


def fmt_stats(s: dict) -> str:
    return f"{s['rate']:5.1f} Hz {100 * s['silent']:4.1f}% CV {s['cv']:.2f}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--sizes", default="4000,40000")
    ap.add_argument("--no-brian2-standalone", action="store_true")
    ap.add_argument("--runtime-target", default="cython", choices=("cython", "numpy"))
    ap.add_argument("--loaded", action="store_true",
                    help="also time COBA on a machine kept busy by one spinning process per core")
    ap.add_argument("--timeout", type=float, default=150.0,
                    help="seconds before a Brian2 standalone run is given up (default 150)")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start")
    rows = []
    for n in sizes:
        ours = {}
        for threads in (1, 2):
            runs = [neurosys_run(n, threads, seed=1) for _ in range(args.repeats)]
            ours[threads] = runs
        stdp_runs = [neurosys_run(n, 1, seed=1, stdp=True) for _ in range(args.repeats)]
        peer = {}
        if not args.no_brian2_standalone:
            peer[1] = brian2_standalone(n, 0, seed=1, repeats=args.repeats, timeout=args.timeout)
            peer[2] = brian2_standalone(n, 2, seed=1, repeats=1, timeout=args.timeout)
        runtime = brian2_runtime(n, 1, args.runtime_target) if n <= 4000 else None
        r0 = ours[1][0]
        print(f"\nCOBA n={n}: {r0['synapses']} synapses, {r0['bytes']:.0f} bytes/synapse, "
              f"build {statistics.median(r['build'] for r in ours[1]):.2f} s, "
              f"{r0['events'] / 1e6:.1f} M synaptic events per simulated second")
        # Brian2 without OpenMP reports CPU time, so the 1-thread ratio compares CPU times (fair
        # on a loaded machine); with OpenMP it reports wall time, compared with our wall time.
        print(f"{'simulator':34} {'wall (s)':>8} {'cpu (s)':>8} {'vs Brian2 SA':>12} {'ns/event':>9}  statistics")
        for threads in (1, 2):
            sim = statistics.median(r["sim"] for r in ours[threads])
            cpu = statistics.median(r["cpu"] for r in ours[threads])
            mine = cpu if threads == 1 else sim
            ratio = peer[threads]["sim"] / mine if threads in peer else float("nan")
            print(f"{f'neurosys {threads} thread(s)':34} {sim:8.3f} {cpu:8.3f} {ratio:11.2f}x "
                  f"{1e9 * mine / r0['events']:9.2f}  {fmt_stats(ours[threads][0]['stats'])}")
            rows.append((n, f"neurosys {threads}t", sim, ratio))
        sim_stdp = statistics.median(r["sim"] for r in stdp_runs)
        cpu_stdp = statistics.median(r["cpu"] for r in stdp_runs)
        cpu_off = statistics.median(r["cpu"] for r in ours[1])
        print(f"{'neurosys 1 thread, STDP on E->E':34} {sim_stdp:8.3f} {cpu_stdp:8.3f} {'':12} "
              f"{1e9 * cpu_stdp / r0['events']:9.2f}  STDP on/off (cpu) = {cpu_stdp / cpu_off:.2f}")
        for threads, label in ((1, "Brian2 standalone, no OpenMP"), (2, "Brian2 standalone, 2 OpenMP")):
            if threads in peer:
                sim = peer[threads]["sim"]
                shown = f"{sim:8.3f}" if np.isfinite(sim) else f"{'>' + str(int(args.timeout)):>8}"
                kind = f"{'':8} {sim:8.3f}" if threads == 1 else f"{shown} {'':8}"
                print(f"{label:34} {kind} {1.0:11.2f}x {1e9 * sim / r0['events']:9.2f}")
        if runtime is not None:
            label = f"Brian2 runtime ({args.runtime_target})"
            print(f"{label:34} {runtime['sim']:8.3f} {'':8} {'':12} "
                  f"{1e9 * runtime['sim'] / r0['events']:9.2f}  {fmt_stats(runtime['stats'])}")
    if args.loaded:
        loaded_machine(min(sizes), args.repeats)
    print(f"\nload average {os.getloadavg()[0]:.1f} at end")
    return 0


def _spin() -> None:
    while True:
        pass


def loaded_machine(n: int, repeats: int) -> None:
    """Oversubscription: one busy process per core at the same priority, then COBA at 1 and 2
    threads (wall time). Brian2's OpenMP build ran ~300x slower than its 1-thread build here in
    that situation; neurosys should stay near its 1-thread time."""
    import multiprocessing as mp

    busy = [mp.get_context("fork").Process(target=_spin, daemon=True) for _ in range(os.cpu_count() or 1)]
    for p in busy:
        p.start()
    try:
        time.sleep(0.5)
        walls = {t: statistics.median(neurosys_run(n, t, seed=1)["sim"] for _ in range(repeats))
                 for t in (1, 2)}
    finally:
        for p in busy:
            p.terminate()
    print(f"\nCOBA n={n} with {len(busy)} busy processes (one per core): 1 thread {walls[1]:.3f} s, "
          f"2 threads {walls[2]:.3f} s wall, 2-thread / 1-thread = {walls[2] / walls[1]:.2f}")


if __name__ == "__main__":
    sys.exit(main())
