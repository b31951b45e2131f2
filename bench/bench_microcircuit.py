"""The Potjans & Diesmann (2014) cortical microcircuit, neurosys against NEST 3.10 running the
reference implementation (the PyPI package ``microcircuit``), in one run: for each scale (N
scaling, full in-degrees) and thread count, the network build time, seconds per biological
second (after a discarded start), peak memory and the population rates of both, each run in a
process of its own so its peak RSS is its own. Poisson background, dt 0.1 ms, exact
integration on both sides (NEST's iaf_psc_exp propagators). Run through bench_snn.py:

    python bench/bench_snn.py --model microcircuit [--scales 0.1,1.0] [--threads 1,2]
        [--duration 1.0] [--presim 0.2] [--no-nest] [--figures]
"""

from __future__ import annotations

import argparse
import functools
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIGURES = ROOT / "docs" / "figures"
POPULATIONS = ("L23E", "L23I", "L4E", "L4I", "L5E", "L5I", "L6E", "L6I")
PUBLISHED = (0.903, 2.965, 4.414, 5.876, 7.569, 8.633, 1.105, 7.829)  # the reference's full-scale rates
print = functools.partial(print, flush=True)  # noqa: A001 - progress visible in logs


def child(scale: float, threads: int, seed: int, presim: float, duration: float,
          figures: bool) -> dict:
    """One neurosys run in this process (the parent reads its JSON line)."""
    import numpy as np

    from neurosys.snn.microcircuit import microcircuit

    began = time.perf_counter()
    mc = microcircuit(scale=scale, seed=seed, threads=threads)
    build = time.perf_counter() - began
    mc.network.run(presim)
    for m in mc.spikes.values():
        m.take()
    began = time.perf_counter()
    mc.network.run(duration)
    sim = time.perf_counter() - began
    rates, raster = {}, {}
    for name, m in mc.spikes.items():
        t, i = m.take()
        rates[name] = len(t) / len(mc.populations[name]) / duration
        keep = (t < presim + 0.1) & (i < max(1, int(len(mc.populations[name]) * 0.05)))
        raster[name] = (t[keep] - presim, i[keep], len(mc.populations[name]))
    if figures:
        _raster_figure(raster, scale)
    return {"build_s": build, "s_per_bio_s": sim / duration, "rates": rates,
            "synapses": int(sum(len(p) for p in mc.network.projections)),
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
            "neurons": int(sum(len(p) for p in mc.populations.values()))}


def _raster_figure(raster: dict, scale: float) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 5))
    offset, ticks = 0, []
    for k, name in enumerate(POPULATIONS):
        t, i, _ = raster[name]
        ax.plot(t * 1e3, -(i + offset), ".", ms=1.5, color="C0" if k % 2 == 0 else "C3")
        ticks.append((-(offset + (i.max() if i.size else 0) / 2), name))
        offset += (i.max() + 1 if i.size else 1) + 20
    ax.set_yticks([y for y, _ in ticks], [n for _, n in ticks])
    ax.set_xlabel("time (ms)")
    ax.set_title(f"neurosys microcircuit, scale {scale:g}: 5 % of each population, 100 ms")
    fig.tight_layout()
    fig.savefig(FIGURES / "microcircuit_raster.png", dpi=120)
    plt.close(fig)


def run_neurosys(scale: float, threads: int, args: argparse.Namespace) -> dict:
    cmd = [sys.executable, __file__, "--child", "--scales", str(scale), "--threads", str(threads),
           "--seed", str(args.seed), "--presim", str(args.presim), "--duration", str(args.duration)]
    if args.figures and scale == max(float(s) for s in args.scales.split(",")):
        cmd.append("--figures")
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout)
    if done.returncode != 0:
        raise RuntimeError(f"neurosys run failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# NEST stores at most 2^27 - 2 connections per virtual process and synapse model: the full model
# (0.3 billion) needs 4 virtual processes, whatever the cores (the reference's own advice).
NEST_MAX_CONNECTIONS = 134217726


def nest_threads(scale: float, threads: int) -> int:
    synapses = 298_880_968 * scale  # the full model's count, scaled (full in-degrees)
    vps = threads
    while synapses / vps > NEST_MAX_CONNECTIONS * 0.9:
        vps *= 2
    return vps


def run_nest(scale: float, threads: int, args: argparse.Namespace) -> dict:
    from neurosys.snn.nest_peer import run_peer

    spikes, info = run_peer("microcircuit", scale=scale, seed=args.seed, threads=threads,
                            presim=args.presim, duration=args.duration, timeout=args.timeout)
    info["rates"] = {p: len(spikes[f"{p}_times"]) / int(spikes[f"{p}_n"]) / args.duration
                     for p in POPULATIONS}
    return info


def _rates_figure(rows: list[dict]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    full = [r for r in rows if r["scale"] == max(x["scale"] for x in rows)]
    full.sort(key=lambda r: r.get("nest") is None)  # the row NEST ran beside, if any
    fig, ax = plt.subplots(figsize=(7, 3.6))
    x = np.arange(len(POPULATIONS))
    bars = [("published (NEST, full scale)", PUBLISHED)]
    for r in full[:1]:
        bars.append((f"neurosys, scale {r['scale']:g}", [r["neurosys"]["rates"][p] for p in POPULATIONS]))
        if r.get("nest"):
            bars.append((f"NEST 3.10, scale {r['scale']:g}", [r["nest"]["rates"][p] for p in POPULATIONS]))
    width = 0.8 / len(bars)
    for k, (label, values) in enumerate(bars):
        ax.bar(x + (k - (len(bars) - 1) / 2) * width, values, width, label=label)
    ax.set_xticks(x, POPULATIONS)
    ax.set_ylabel("rate (Hz)")
    ax.set_title("Cortical microcircuit: population rates")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(FIGURES / "microcircuit_rates.png", dpi=120)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scales", default="0.1,1.0")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--seed", type=int, default=55)
    ap.add_argument("--presim", type=float, default=0.2, help="seconds simulated, not timed")
    ap.add_argument("--duration", type=float, default=1.0, help="seconds simulated and timed")
    ap.add_argument("--no-nest", action="store_true")
    ap.add_argument("--figures", action="store_true", help="write docs/figures/microcircuit_*.png")
    ap.add_argument("--timeout", type=float, default=3600.0)
    ap.add_argument("--json", default=None, help="also write the rows here")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(child(float(args.scales), int(args.threads), args.seed, args.presim,
                               args.duration, args.figures)))
        return 0
    rows = []
    max_threads = max(int(t) for t in args.threads.split(","))
    for scale in (float(s) for s in args.scales.split(",")):
        for threads in (int(t) for t in args.threads.split(",")):
            row = {"scale": scale, "threads": threads, "neurosys": run_neurosys(scale, threads, args)}
            ours = row["neurosys"]
            print(f"neurosys scale {scale:g} threads {threads}: build {ours['build_s']:.1f} s, "
                  f"{ours['s_per_bio_s']:.2f} s per biological s, peak {ours['peak_rss_mb'] / 1024:.2f} GB")
            vps = nest_threads(scale, threads)
            if not args.no_nest and (vps == threads or threads == max_threads):
                row["nest"] = run_nest(scale, vps, args)
                peer = row["nest"]
                print(f"NEST     scale {scale:g} threads {vps}: build {peer['build_s']:.1f} s, "
                      f"{peer['s_per_bio_s']:.2f} s per biological s, peak {peer['peak_rss_mb'] / 1024:.2f} GB")
            rows.append(row)
    report(rows)
    if args.figures:
        _rates_figure(rows)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))
    return 0


def report(rows: list[dict]) -> None:
    print("\n| scale | threads | build s (neurosys / NEST) | s per bio s (neurosys / NEST) | speed-up | "
          "peak GB (neurosys / NEST) |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        o, n = r["neurosys"], r.get("nest")
        nb = f"{n['build_s']:.1f}" if n else "-"
        ns = f"{n['s_per_bio_s']:.2f}" if n else "-"
        ratio = f"{n['s_per_bio_s'] / o['s_per_bio_s']:.1f}x" if n else "-"
        if n and n["threads"] != r["threads"]:  # more virtual processes than cores (NEST's limit)
            nb, ns = nb + f" ({n['threads']} VPs)", ns + f" ({n['threads']} VPs)"
        nm = f"{n['peak_rss_mb'] / 1024:.2f}" if n else "-"
        print(f"| {r['scale']:g} | {r['threads']} | {o['build_s']:.1f} / {nb} | {o['s_per_bio_s']:.2f} / {ns} "
              f"| {ratio} | {o['peak_rss_mb'] / 1024:.2f} / {nm} |")
    print("\nrates (Hz):      " + "  ".join(f"{p:>6s}" for p in POPULATIONS))
    print("published full   " + "  ".join(f"{v:6.2f}" for v in PUBLISHED))
    for r in rows:
        for who in ("neurosys", "nest"):
            if r.get(who):
                print(f"{who:8s} {r['scale']:<4g} {r[who].get('threads', r['threads'])}t " + "  ".join(
                    f"{r[who]['rates'][p]:6.2f}" for p in POPULATIONS))
    by = {(r["scale"], r["threads"]): r for r in rows}
    for scale in sorted({r["scale"] for r in rows}):
        one, two = by.get((scale, 1)), by.get((scale, 2))
        if one and two:
            print(f"scale {scale:g}: 2 threads vs 1: "
                  f"{one['neurosys']['s_per_bio_s'] / two['neurosys']['s_per_bio_s']:.2f}x (target >= 1.6x)")
    full = by.get((1.0, 2))
    if full:
        o = full["neurosys"]
        print(f"targets at full scale, 2 threads: {o['s_per_bio_s']:.1f} s per bio s (target <= 10), "
              f"build {o['build_s']:.1f} s (<= 30), peak {o['peak_rss_mb'] / 1024:.2f} GB (<= 5)")
        if full.get("nest"):
            print(f"  speed against NEST on the same 2 cores ({full['nest']['threads']} virtual "
                  f"processes): {full['nest']['s_per_bio_s'] / o['s_per_bio_s']:.1f}x (target >= 10x)")


if __name__ == "__main__":
    sys.exit(main())
