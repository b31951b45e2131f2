"""Do the agents speed up the origin of replicators? Paired arms on the same seeds, at the same
budget of injected bytes per epoch (python/neurosys/experiments/abiogenesis.py has the arms):
(a) none, (b) LLM inventors, (c) random bytes, (d) policy-only inventors. Epochs to the
transition (experiments/transition.py: entropy >= 2 and a confirmed replicator holding >= 1 %
of the soup), censored at the cap; Kaplan–Meier curves, medians and
log-rank tests (b vs a, b vs c). The runs are points of the sweep machinery (Ray), one CSV row
each, resumable.

    python bench/abiogenesis.py --seeds 20 [--improved] [--num-cpus 2]
    python bench/abiogenesis.py --report-only      # table and figure from the runs so far
"""

from __future__ import annotations

import argparse
import math
import shutil
from pathlib import Path

from neurosys.experiments.abiogenesis import ARMS, run_point
from neurosys.experiments.survival import kaplan_meier, logrank, plot_survival
from neurosys.sweep import grid, read_results, run_points

ROOT = Path(__file__).resolve().parent.parent
FIG = ROOT / "bench" / "figures"
OUT = ROOT / "runs" / "abiogenesis"
LABEL = {"none": "(a) no agents", "llm": "(b) LLM inventors", "random": "(c) random bytes",
         "policy": "(d) policy inventors"}


def arm_name(row: dict) -> str:
    improved = row["improved"] and row["arm"] in ("llm", "policy")
    return row["arm"] + ("+improved" if improved else "") + ("+known" if improved and row.get("known") else "")


def _order(item: tuple[str, object]) -> tuple[int, str]:
    """Table order: (a) none, (b) llm, (c) random, (d) policy, each before its variants."""
    return ARMS.index(item[0].split("+")[0]), item[0]


def _replicates(dominant: str | None) -> bool:
    from neurosys.soup import is_replicator

    if dominant in (None, ""):
        return False
    text = str(dominant).removeprefix("0x")  # an all-digit hex cell reads back as an int
    return is_replicator(bytes.fromhex(text.zfill(len(text) + len(text) % 2)))


def known_dir(out: Path) -> Path:
    return out.with_name(out.name + "_known")


def report(rows: list[dict], figure: Path) -> None:
    groups: dict[str, list[dict]] = {}
    for row in rows:
        groups.setdefault(arm_name(row), []).append(row)
    data = {k: ([r["epochs"] for r in v], [bool(r["transition"]) for r in v]) for k, v in groups.items()}
    # A crossing is also checked for a replicator: a program that fills its partner with one
    # byte makes the soup compressible without copying itself (runs recorded before the
    # criterion required a replicator).
    copier = {k: sum(bool(r["transition"]) and _replicates(r["dominant"]) for r in v) for k, v in groups.items()}
    print(f"{'arm':22s}{'n':>4s}{'transitions':>13s}{'by a replicator':>17s}{'median epochs':>15s}"
          f"{'vs none p':>11s}{'vs random p':>13s}{'LLM calls':>11s}{'bytes/epoch':>13s}")
    for name, (t, e) in sorted(data.items(), key=_order):
        km = kaplan_meier(t, e)
        ps = [f"{logrank(t, e, *data[ref])[1]:.3g}" if ref in data and ref != name else "-"
              for ref in ("none", "random")]
        r0 = groups[name][0]
        bpe = 0.0 if r0["arm"] == "none" else r0["programs"] * r0["copies"] * r0["program_length"] / r0["every"]
        calls = sum(r["llm_calls"] for r in groups[name])
        median = "> cap" if math.isinf(km.median) else f"{km.median:.0f}"
        print(f"{name:22s}{len(t):4d}{sum(e):13d}{copier[name]:17d}{median:>15s}{ps[0]:>11s}{ps[1]:>13s}"
              f"{calls:11d}{bpe:13.1f}")
    paid = [r for r in rows if r.get("reward_id")]
    for r in paid:
        print(f"credit: {arm_name(r)} seed {r['seed']}: transition at {r['epochs']}, founder {r['founder']}"
              f" (injected at epoch {r['founded_epoch']}, {r['share']:.0%} of the bytes by descent), reward {r['reward_id']}")
    _plot(data, rows[0]["cap"] if rows else 0, figure)


def _plot(data: dict[str, tuple[list, list]], cap: int, figure: Path) -> None:
    curves, styles = {}, {}
    for name, te in sorted(data.items(), key=_order):
        base = name.split("+")[0]
        label = f"{LABEL.get(base, base)}{name[len(base):].replace('+', ' + ')}"
        curves[label] = te
        styles[label] = "--" if "+" in name else "-"
    plot_survival(curves, cap, figure, "Epochs to the transition (entropy ≥ 2 and a replicator ≥ 1 %), Kaplan–Meier",
                  styles)
    print(f"figure: {figure}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--arms", nargs="+", default=list(ARMS), choices=ARMS)
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--size", type=int, default=2**12)
    ap.add_argument("--cap", type=int, default=2048)
    ap.add_argument("--every", type=int, default=256)
    ap.add_argument("--programs", type=int, default=2, help="programs injected per slot")
    ap.add_argument("--copies", type=int, default=64, help="copies of each")
    ap.add_argument("--improved", action="store_true",
                    help="also run the improved inventors (informed prompt + mutation search)")
    ap.add_argument("--known", action="store_true",
                    help="only the improved inventors whose search also starts from the published "
                         "replicator (results in OUT_known)")
    ap.add_argument("--num-cpus", type=int, default=2)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--report-only", action="store_true")
    args = ap.parse_args()
    if not args.report_only:
        fixed = dict(size=args.size, cap=args.cap, every=args.every, programs=args.programs,
                     copies=args.copies)
        rounds = [[(a, False) for a in args.arms]]  # the first measurement, then the improved
        if args.improved:
            rounds.append([(a, True) for a in args.arms if a in ("llm", "policy")])
        extra = {}
        if args.known:
            rounds, extra = [[(a, True) for a in args.arms if a in ("llm", "policy")]], {"known": True}
        # seed-major within a round: an interrupted sweep has the arms of the same seeds (paired)
        points = [{"arm": a, "seed": p["seed"], "improved": imp, **fixed, **extra}
                  for variants in rounds for p in grid(seed=range(1, args.seeds + 1)) for a, imp in variants]
        run_points(run_point, points, known_dir(args.out) if args.known else args.out,
                   num_cpus=args.num_cpus, progress=False)
    rows = read_results(args.out) + read_results(known_dir(args.out))
    FIG.mkdir(exist_ok=True)
    for folder, name in ((args.out, "abiogenesis.csv"), (known_dir(args.out), "abiogenesis_known.csv")):
        if (folder / "results.csv").exists():
            shutil.copy(folder / "results.csv", FIG / name)
    report(rows, FIG / "abiogenesis_km.png")


if __name__ == "__main__":
    main()
