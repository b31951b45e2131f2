"""#19's experiment, reported: do inventor agents bring the soup's transition sooner, and what
does their search find per CPU-second? The runs are sweeps (one home for experiments, each
point a CSV row, resumable):

    neurosys sweep bench/sweeps/abiogenesis_stage1.toml --num-cpus 2   # the transition arms
    neurosys sweep bench/sweeps/assay.toml --num-cpus 2                # the assay
    python bench/abiogenesis.py transition [OUT]   # table, hazard ratios, Kaplan–Meier figures
    python bench/abiogenesis.py assay [OUT]        # the assay table

The transition report compares every arm with (a) no agents and with random BFF strings, on
epochs and on CPU-seconds (the inventors' search counted in): the exact paired sign test, the
Cox hazard ratio stratified by seed with its 95 % CI (lifelines), the log-rank p ours and
lifelines' side by side, Kaplan–Meier medians; then the credit paid by descent. Figures:
bench/figures/abiogenesis_km_epochs.png and abiogenesis_km_cpu.png; the rows are copied to
bench/figures/abiogenesis_stage1.csv (and assay.csv).
"""

from __future__ import annotations

import argparse
import math
import shutil
from pathlib import Path

from neurosys.experiments.abiogenesis import ARMS
from neurosys.experiments.analysis import compare, survival_data
from neurosys.experiments.survival import kaplan_meier, plot_survival
from neurosys.sweep import read_results

ROOT = Path(__file__).resolve().parent.parent
FIG = ROOT / "bench" / "figures"
RUNS = ROOT / "runs" / "sweeps"


def _median(v: float) -> str:
    return "> cap" if math.isinf(v) else f"{v:.0f}"


def transition(out: Path) -> None:
    rows = read_results(out)
    arms = [a for a in ARMS if any(r["arm"] == a for r in rows)]
    seeds = {a: sorted(int(r["seed"]) for r in rows if r["arm"] == a) for a in arms}
    print(f"{len(rows)} runs from {out}; seeds per arm: " + ", ".join(f"{a} {len(s)}" for a, s in seeds.items()))
    print(f"\n{'arm':16s}{'n':>3s}{'events':>7s}{'median ep':>10s}{'median CPU-s':>13s}"
          f"{'bytes/run':>11s}{'search CPU-s':>13s}{'LLM calls':>10s}")
    for a in arms:
        mine = [r for r in rows if r["arm"] == a]
        te = survival_data(rows, a, "epochs")
        tc = survival_data(rows, a, "cpu_s")
        km_e = kaplan_meier(*zip(*te.values()))
        km_c = kaplan_meier(*zip(*tc.values()))
        n = len(mine)
        print(f"{a:16s}{n:3d}{sum(e for _, e in te.values()):7d}{_median(km_e.median):>10s}"
              f"{_median(km_c.median):>13s}{sum(float(r['injected_bytes']) for r in mine) / n:11.0f}"
              f"{sum(float(r['search_cpu_s']) for r in mine) / n:13.1f}"
              f"{sum(int(r['llm_calls']) for r in mine) / n:10.1f}")
    for ref in ("none", "random_bff"):
        if ref not in arms:
            continue
        for time in ("epochs", "cpu_s"):
            print(f"\nvs {ref}, time in {time}:")
            print(f"  {'arm':16s}{'n':>3s}{'events':>9s}{'sign test':>12s}{'p exact':>9s}"
                  f"{'hazard ratio [95% CI]':>44s}{'p Cox':>8s}{'p log-rank':>11s}{'(lifelines)':>12s}")
            for a in arms:
                if a == ref:
                    continue
                c = compare(rows, a, ref, time)
                print(f"  {a:16s}{c.n:3d}{c.events[0]:4d}/{c.events[1]:<4d}{c.wins:6d}:{c.losses:<5d}"
                      f"{c.p_exact:9.3g}  {c.ratio_text():>42s}{c.p_cox:8.3g}{c.p_logrank:11.3g}"
                      f"{c.p_logrank_lifelines:12.3g}")
    for r in rows:
        if str(r.get("founder") or ""):
            print(f"credit: {r['arm']} seed {r['seed']}: transition at epoch {r['epochs']}, founder "
                  f"{r['founder']} (injected at {r['founded_epoch']}, {float(r['share']):.0%} of the "
                  f"copies' bytes by descent), reward {r['reward_id'] or 'none (economy rule)'}")
    FIG.mkdir(exist_ok=True)
    cap = max(float(r["cap"]) for r in rows)
    for time, label in (("epochs", "epoch"), ("cpu_s", "CPU-seconds (soup + search)")):
        curves = {a: tuple(map(list, zip(*survival_data(rows, a, time).values()))) for a in arms}
        xmax = cap if time == "epochs" else max(float(r["soup_cpu_s"]) + float(r["search_cpu_s"]) for r in rows)
        path = FIG / f"abiogenesis_km_{'epochs' if time == 'epochs' else 'cpu'}.png"
        plot_survival(curves, xmax, path, "Runs not yet transitioned (entropy ≥ 2 and a replicator ≥ 1 %)",
                      xlabel=label)
        print(f"figure: {path}")
    shutil.copy(out / "results.csv", FIG / f"{out.name}.csv")


def assay(out: Path) -> None:
    rows = read_results(out)
    print(f"{len(rows)} runs from {out}\n{'method':16s}{'n':>3s}{'found':>7s}{'CPU-s':>9s}"
          f"{'per CPU-s':>10s}{'seeds with one':>15s}{'median first CPU-s':>20s}{'LLM calls':>10s}")
    for m in sorted({str(r["method"]) for r in rows}):
        mine = [r for r in rows if r["method"] == m]
        found, cpu = sum(int(r["found"]) for r in mine), sum(float(r["cpu_s"]) for r in mine)
        firsts = [float(r["first_cpu_s"]) if r["first_cpu_s"] not in ("", None) else math.inf for r in mine]
        km = kaplan_meier([f if f < math.inf else float(r["cpu_s"]) for f, r in zip(firsts, mine)],
                          [f < math.inf for f in firsts])
        print(f"{m:16s}{len(mine):3d}{found:7d}{cpu:9.1f}{found / cpu:10.3f}"
              f"{sum(f < math.inf for f in firsts):15d}{_median(km.median):>20s}"
              f"{sum(int(r['llm_calls']) for r in mine):10d}")
    FIG.mkdir(exist_ok=True)
    shutil.copy(out / "results.csv", FIG / "assay.csv")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("report", choices=("transition", "assay"))
    ap.add_argument("out", nargs="?", type=Path, help="the sweep's folder (default: runs/sweeps/...)")
    args = ap.parse_args()
    if args.report == "transition":
        transition(args.out or RUNS / "abiogenesis_stage1")
    else:
        assay(args.out or RUNS / "assay")


if __name__ == "__main__":
    main()
