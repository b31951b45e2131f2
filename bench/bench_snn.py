"""Spiking engine benchmark: the Vogels-Abbott COBA network (Brette et al. 2007, benchmark 1;
4000 neurons, 1 s) and a scaled one (40,000 neurons, 80 inputs each), integrated with forward
Euler ("euler", as Brian ships the example) and with exponential Euler (neurosys "exact",
Brian2 "exponential_euler"), in neurosys at 1 and 2 threads against Brian2's C++ standalone
mode at the same integrator (without OpenMP, and with 2 OpenMP threads), all in this run.
Prints the spike statistics of every run (mean rate, % silent, mean CV of ISIs), so equal
accuracy is visible beside the ratio, and the cost of STDP on the E->E synapses.

Simulation loop only, for both: neurosys times `net.run(1 s)` after building the network;
Brian2 builds and compiles once per configuration (not timed), then the binary is run
`repeats` times and its own loop timer (results/last_run_info.txt) is read.

NEST 3.10 runs the same COBA as a NEST user writes it (``iaf_cond_exp``, NEST's adaptive
GSL integrator; neurosys/snn/nest_peer.py) at 1 and 2 threads beside them (``--no-nest`` skips it).
``--model microcircuit`` runs bench_microcircuit.py instead (the Potjans & Diesmann cortical
microcircuit against NEST's reference implementation; its own options follow).

    PYTHONPATH=build/dev-NAME/site python bench/bench_snn.py [--repeats 5] [--sizes 4000,40000]
        [--methods euler,exact] [--loaded] [--brian2-runtime] [--no-nest]
    python bench/bench_snn.py --model microcircuit [--scales 0.1,1.0] [--figures]
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from neurosys.snn import models
from neurosys.snn.brian2_peer import coba_brian2_network, spike_statistics

# neurosys method -> the same integrator in Brian2
BRIAN2_METHOD = {"euler": "euler", "exact": "exponential_euler"}
DURATION = 1.0
print = functools.partial(print, flush=True)  # noqa: A001 - progress visible in logs


def neurosys_run(n: int, threads: int, seed: int, method: str | None = None,
                 stdp: bool = False) -> dict:
    t0 = time.perf_counter()
    net, E, I = models.coba(n=n, seed=seed, threads=threads, stdp=stdp, method=method)
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


def brian2_standalone(n: int, openmp_threads: int, seed: int, repeats: int, timeout: float,
                      method: str) -> dict:
    """Builds and compiles once (not timed; Brian2's default flags -O3 -ffast-math
    -march=native), runs the binary `repeats` times, and takes Brian2's own loop time
    (results/last_run_info.txt): process CPU time (std::clock) without OpenMP, wall time
    (omp_get_wtime) with it. The spike statistics come from the first run. A run longer than
    `timeout` seconds is stopped and reported as '> timeout'."""
    import brian2 as b2

    directory = tempfile.mkdtemp(prefix=f"b2sa-{n}-{openmp_threads}-{method}-")
    b2.device.reinit()
    b2.set_device("cpp_standalone", directory=directory, build_on_run=False)
    b2.prefs.devices.cpp_standalone.openmp_threads = openmp_threads
    b2.start_scope()
    net, mon = coba_brian2_network(b2, seed, n, method=BRIAN2_METHOD[method])
    net.run(DURATION * b2.second)
    b2.device.build(directory=directory, compile=True, run=False)
    sims, stats = [], None
    for _ in range(repeats):
        try:
            subprocess.run(["./main"], cwd=directory, timeout=timeout, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            sims.append(float("inf"))
            break
        info = (Path(directory) / "results" / "last_run_info.txt").read_text().split()
        sims.append(float(info[0]))
        if stats is None:
            stats = _standalone_spikes(directory, n)
    b2.device.reinit()
    b2.set_device("runtime")
    return {"sim": statistics.median(sims), "stats": stats}


def _standalone_spikes(directory: str, n: int) -> dict | None:
    """The spike monitor's arrays as the standalone binary wrote them (raw float64 times and
    int32 indices in results/), without going back through Brian2's device."""
    res = Path(directory) / "results"
    t_files = sorted(res.glob("_dynamic_array_spikemonitor*_t_*"))
    i_files = sorted(res.glob("_dynamic_array_spikemonitor*_i_*"))
    if not t_files or not i_files:
        return None
    return spike_statistics(np.fromfile(t_files[0], dtype=np.float64),
                            np.fromfile(i_files[0], dtype=np.int32), n, DURATION)


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


def fmt_stats(s: dict | None) -> str:
    if s is None:
        return "(no spikes read)"
    return f"{s['rate']:5.1f} Hz {100 * s['silent']:4.1f}% CV {s['cv']:.2f}"


def load() -> str:
    return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def nest_coba(n: int, threads: int, seed: int) -> dict:
    """NEST's COBA (iaf_cond_exp) in its own process: wall seconds of the loop and statistics."""
    from neurosys.snn.nest_peer import run_peer

    spikes, info = run_peer("coba", n=n, threads=threads, seed=seed, duration=DURATION)
    return {"sim": info["sim_s"], "stats": spike_statistics(spikes["times"], spikes["ids"].astype(np.int64),
                                                            n, DURATION)}


def main() -> int:
    if "--model" in sys.argv:
        at = sys.argv.index("--model")
        model = sys.argv[at + 1] if at + 1 < len(sys.argv) else ""
        rest = sys.argv[1:at] + sys.argv[at + 2:]
        if model == "microcircuit":
            import bench_microcircuit

            return bench_microcircuit.main(rest)
        if model != "coba":
            sys.exit(f"--model: expected coba or microcircuit, got {model!r}")
        sys.argv[1:] = rest
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--no-nest", action="store_true", help="skip NEST's iaf_cond_exp COBA")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--sizes", default="4000,40000")
    ap.add_argument("--methods", default="euler,exact")
    ap.add_argument("--no-brian2-standalone", action="store_true")
    ap.add_argument("--no-stdp", action="store_true", help="skip the STDP cost row")
    ap.add_argument("--brian2-runtime", choices=("cython", "numpy"),
                    help="also time Brian2's runtime mode (COBA-4000, exponential Euler)")
    ap.add_argument("--loaded", action="store_true",
                    help="also time COBA on a machine kept busy by one spinning process per core")
    ap.add_argument("--timeout", type=float, default=150.0,
                    help="seconds before a Brian2 standalone run is given up (default 150)")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    methods = args.methods.split(",")
    for m in methods:
        if m not in BRIAN2_METHOD:
            ap.error(f"--methods: each must be one of {sorted(BRIAN2_METHOD)}, got {m!r}")
    print(f"machine: {os.cpu_count()} CPUs; {load()} at start")
    summary = []
    for n in sizes:
        for method in methods:
            ours = {t: [neurosys_run(n, t, seed=1, method=method) for _ in range(args.repeats)]
                    for t in (1, 2)}
            peer = {}
            if not args.no_brian2_standalone:
                for t, omp in ((1, 0), (2, 2)):
                    peer[t] = brian2_standalone(n, omp, 1, args.repeats, args.timeout, method)
            r0 = ours[1][0]
            print(f"\nCOBA n={n}, method {method!r} (Brian2 {BRIAN2_METHOD[method]!r}): "
                  f"{r0['synapses']} synapses, {r0['events'] / 1e6:.1f} M synaptic events per "
                  f"simulated second; {load()}")
            # Brian2 without OpenMP reports CPU time, so the 1-thread ratio compares CPU times
            # (fair on a loaded machine); with OpenMP it reports wall time, against our wall time.
            print(f"{'simulator':34} {'wall (s)':>8} {'cpu (s)':>8} {'vs Brian2 SA':>12} "
                  f"{'ns/event':>9}  statistics")
            for t in (1, 2):
                sim = statistics.median(r["sim"] for r in ours[t])
                cpu = statistics.median(r["cpu"] for r in ours[t])
                mine = cpu if t == 1 else sim
                ratio = peer[t]["sim"] / mine if t in peer else float("nan")
                # a Brian2 run stopped at the timeout: the ratio is at least timeout / ours
                shown = (f"{ratio:11.2f}x" if np.isfinite(ratio) else f"{'-':>12}" if t not in peer
                         else f"{'>' + format(args.timeout / mine, '.0f'):>11}x")
                print(f"{f'neurosys {t} thread(s)':34} {sim:8.3f} {cpu:8.3f} {shown} "
                      f"{1e9 * mine / r0['events']:9.2f}  {fmt_stats(ours[t][0]['stats'])}")
                summary.append((n, method, t, mine, peer[t]["sim"] if t in peer else float("nan")))
            for t, label in ((1, "Brian2 standalone, no OpenMP"), (2, "Brian2 standalone, 2 OpenMP")):
                if t in peer:
                    sim = peer[t]["sim"]
                    shown = f"{sim:8.3f}" if np.isfinite(sim) else f"{'>' + str(int(args.timeout)):>8}"
                    kind = f"{'':8} {shown}" if t == 1 else f"{shown} {'':8}"
                    print(f"{label:34} {kind} {1.0:11.2f}x {1e9 * sim / r0['events']:9.2f}  "
                          f"{fmt_stats(peer[t]['stats'])}")
            if not args.no_nest and method == "euler":
                for t in (1, 2):
                    nest = nest_coba(n, t, seed=1)
                    mine = statistics.median(r["sim"] for r in ours[t])
                    print(f"{f'NEST 3.10 iaf_cond_exp, {t} thread(s)':34} {nest['sim']:8.3f} "
                          f"{'':8} {'':12} {1e9 * nest['sim'] / r0['events']:9.2f}  "
                          f"{fmt_stats(nest['stats'])}  (neurosys {nest['sim'] / mine:.0f}x faster, wall)")
        default = [neurosys_run(n, 1, seed=1) for _ in range(args.repeats)]
        print(f"{'neurosys 1 thread, default method':34} "
              f"{statistics.median(r['sim'] for r in default):8.3f} "
              f"{statistics.median(r['cpu'] for r in default):8.3f}")
        if not args.no_stdp:
            stdp_runs = [neurosys_run(n, 1, seed=1, stdp=True) for _ in range(args.repeats)]
            cpu_stdp = statistics.median(r["cpu"] for r in stdp_runs)
            cpu_off = statistics.median(r["cpu"] for r in default)
            print(f"{'neurosys 1 thread, STDP on E->E':34} "
                  f"{statistics.median(r['sim'] for r in stdp_runs):8.3f} {cpu_stdp:8.3f}  "
                  f"STDP on/off (cpu) = {cpu_stdp / cpu_off:.2f}")
        if args.brian2_runtime and n <= 4000:
            rt = brian2_runtime(n, 1, args.brian2_runtime)
            print(f"{'Brian2 runtime (' + args.brian2_runtime + ')':34} {rt['sim']:8.3f}  "
                  f"{fmt_stats(rt['stats'])}")
    print("\nsummary (1 thread: CPU time, 2 threads: wall time; ratio = Brian2 / neurosys)")
    for n, method, t, mine, theirs in summary:
        if args.no_brian2_standalone:
            print(f"  COBA-{n:<6} {method:6} {t} thread(s): neurosys {mine:7.3f} s (Brian2 not run)")
            continue
        print(f"  COBA-{n:<6} {method:6} {t} thread(s): neurosys {mine:7.3f} s, Brian2 "
              + (f"{theirs:7.3f} s, {theirs / mine:5.2f}x" if np.isfinite(theirs) else
                 f"> {args.timeout:.0f} s (stopped), > {args.timeout / mine:.0f}x"))
    if args.loaded:
        loaded_machine(min(sizes), args.repeats)
    print(f"\n{load()} at end")
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
