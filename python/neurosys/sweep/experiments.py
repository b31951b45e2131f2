"""The experiments ``neurosys sweep`` knows: a point function (run as a Ray task by run_points)
and a figure for each. Points are dicts of scalars; every key has a default here, so a sweep
file names only what it varies or fixes.

soup_transition: one BFF soup per point until the transition (the state transition of Agüera y
    Arcas et al. 2024, as experiments/transition.py fixes it: high-order entropy >= ``hoe`` and a
    detector-confirmed replicator holding >= ``replicator_fraction`` of the soup) or
    ``max_epochs``/``time_limit``; it samples every ``every`` epochs into points/<id>/trace.csv
    (entropy and the largest replicator share) and checkpoints the soup there (resumed by a
    rerun). Result: transition_epoch (empty when none), epochs_run, final_hoe.
snn: the seed's network (``NeuromorphicNetwork``) for ``duration`` simulated seconds.
    Result: mean_rate (Hz) and synchrony over the last half, mean plastic weight (nS).
abiogenesis: the agents' experiment (``neurosys.experiments.abiogenesis``): one soup per point
    with one arm (none, llm, random, policy) writing programs into it at a fixed byte budget,
    until the transition or the cap. Result: epochs (to the transition, or the cap when
    censored), the founder credited by lineage; the figure is a Kaplan–Meier curve per arm.
assay: the inventors' assay (``neurosys.experiments.assay``): confirmed replicators found per
    CPU-second by the LLM-guided search, the mutation-only search and random BFF strings, at a
    budget of programs scored. The figure is a box per method.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from neurosys.experiments.transition import CRITERION, Criterion, run_until_transition
from neurosys.soup.engine import MUTATION_RATE
from neurosys.sweep.api import point_dir, point_id

SOUP_DEFAULTS: dict[str, Any] = {"seed": 0, "size": 2**17, "max_epochs": 16000, "every": 64,
                                 "time_limit": 3000.0, "threads": 1, "rng": "default",
                                 "mutation_rate": MUTATION_RATE, "hoe": CRITERION.hoe,
                                 "replicator_fraction": CRITERION.replicator_fraction}
SNN_DEFAULTS: dict[str, Any] = {"seed": 1, "n_neurons": 1000, "connection_prob": 0.1,
                                "i_inj_nA": 0.17, "weight_nS": 0.5, "duration": 2.0, "threads": 1}


def _with_defaults(point: dict[str, Any], defaults: dict[str, Any], kind: str) -> dict[str, Any]:
    unknown = sorted(set(point) - set(defaults))
    if unknown:
        raise ValueError(f"{kind} point: unknown keys {unknown}; accepted: {', '.join(defaults)}")
    return {**defaults, **point}


def soup_transition(point: dict[str, Any]) -> dict[str, Any]:
    """One soup until the transition; resumes from its checkpoint under point_dir()."""
    from neurosys.soup import Soup, high_order_entropy

    p = _with_defaults(point, SOUP_DEFAULTS, "soup_transition")
    here = point_dir()
    ckpt, trace = here / "soup.npz", here / "trace.csv"
    resuming = ckpt.exists() and trace.exists()
    if resuming:
        soup = Soup.load(ckpt, threads=p["threads"])
    else:
        soup = Soup(size=p["size"], seed=p["seed"], threads=p["threads"], rng=p["rng"],
                    mutation_rate=p["mutation_rate"], device="auto")
    start = time.perf_counter()
    criterion = Criterion(p["hoe"], p["replicator_fraction"])
    with open(trace, "a" if resuming else "w", newline="") as f:
        w = csv.writer(f)
        if not resuming:
            w.writerow(["epoch", "high_order_entropy", "replicator_share"])
            w.writerow([0, f"{high_order_entropy(soup.programs):.5f}", "0"])

        def log(m: Any) -> None:
            w.writerow([soup.epoch, f"{m.high_order_entropy:.5f}",
                        f"{criterion.replicator_share(m, soup.size):.5f}"])
            f.flush()
            if soup.epoch % (p["every"] * 8) == 0:
                soup.save(ckpt)

        crossed, last = run_until_transition(
            soup.run, lambda: soup.metrics(top_k=8, use_zlib=False), lambda: soup.epoch,
            size=soup.size, cap=p["max_epochs"], every=p["every"], criterion=criterion,
            after_sample=log, keep_going=lambda: time.perf_counter() - start < p["time_limit"])
    hoe = last.high_order_entropy if last is not None else high_order_entropy(soup.programs)
    soup.save(ckpt)
    return {"transition_epoch": crossed, "epochs_run": soup.epoch, "final_hoe": round(hoe, 5),
            "wall_s": round(time.perf_counter() - start, 1)}


def snn(point: dict[str, Any]) -> dict[str, Any]:
    """The seed network with the point's parameters; rates over the second half of the run."""
    import numpy as np

    from neurosys.snn.preset import NeuromorphicNetwork
    from neurosys.units import nA, nS

    p = _with_defaults(point, SNN_DEFAULTS, "snn")
    net = NeuromorphicNetwork(n_neurons=int(p["n_neurons"]), connection_prob=float(p["connection_prob"]),
                              i_inj=float(p["i_inj_nA"]) * nA, weight=float(p["weight_nS"]) * nS,
                              seed=int(p["seed"]), threads=int(p["threads"]), device="cpu",
                              log_spikes=False)
    try:
        net.step(p["duration"] / 2)  # transient
        s = net.step(p["duration"] / 2)
        return {"mean_rate": round(float(s["mean_rate"]), 4), "synchrony": round(float(s["synchrony"]), 4),
                "mean_weight_nS": round(float(np.mean(net.plastic.weights)) / nS, 5)}
    finally:
        net.close()


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_soup_transition(rows: list[dict[str, Any]], out_dir: Path, path: Path) -> None:
    """High-order entropy over epochs, one line per point, and the criterion's entropy."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for row in rows:
        trace = out_dir / "points" / str(row["point_id"]) / "trace.csv"
        if not trace.exists():
            continue
        with open(trace) as f:
            data = list(csv.DictReader(f))
        ax.plot([int(r["epoch"]) for r in data], [float(r["high_order_entropy"]) for r in data],
                label=f"seed {row.get('seed', '?')}", lw=1)
    threshold = rows[0].get("hoe", SOUP_DEFAULTS["hoe"]) if rows else SOUP_DEFAULTS["hoe"]
    ax.axhline(threshold, color="k", ls="--", lw=0.8, label="transition's entropy")
    crossed = sum(1 for r in rows if isinstance(r.get("transition_epoch"), int))
    ax.set_title(f"soup transition: {crossed} of {len(rows)} runs crossed")
    ax.set_xlabel("epoch")
    ax.set_ylabel("high-order entropy (bits/byte)")
    if len(rows) <= 12:
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_snn(rows: list[dict[str, Any]], out_dir: Path, path: Path) -> None:
    """Mean rate against the first parameter that varies, one line per value of the others."""
    plt = _plt()
    varying = [k for k in SNN_DEFAULTS if len({r.get(k) for r in rows}) > 1] or ["seed"]
    x, others = varying[0], varying[1:]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    groups: dict[tuple, list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault(tuple(r.get(k) for k in others), []).append(r)
    for key, members in groups.items():
        members.sort(key=lambda r: r.get(x))
        label = ", ".join(f"{k}={v}" for k, v in zip(others, key)) or None
        ax.plot([r.get(x) for r in members], [r["mean_rate"] for r in members], "o-", label=label)
    ax.set_xlabel(x)
    ax.set_ylabel("mean rate (Hz)")
    ax.set_title("SNN sweep")
    if others and len(groups) <= 12:
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def abiogenesis(point: dict[str, Any]) -> dict[str, Any]:
    """One arm on one seed (``experiments.abiogenesis.Point`` names the keys)."""
    from neurosys.experiments.abiogenesis import run_point

    return run_point(point)


def plot_abiogenesis(rows: list[dict[str, Any]], out_dir: Path, path: Path) -> None:
    """Epochs to the transition, Kaplan–Meier, one curve per arm."""
    from neurosys.experiments.survival import plot_survival

    arms: dict[str, tuple[list, list]] = {}
    for row in rows:
        times, events = arms.setdefault(str(row["arm"]), ([], []))
        times.append(float(row["epochs"]))
        events.append(str(row["transition"]).lower() in ("true", "1"))
    cap = max((float(r["cap"]) for r in rows), default=1.0)
    plot_survival(arms, cap, path, "abiogenesis: epochs to the transition, Kaplan–Meier")


def assay(point: dict[str, Any]) -> dict[str, Any]:
    """One method on one seed (``experiments.assay.AssayPoint`` names the keys)."""
    from neurosys.experiments.assay import run_point

    return run_point(point)


def plot_assay(rows: list[dict[str, Any]], out_dir: Path, path: Path) -> None:
    """Confirmed replicators per CPU-second, one box per method."""
    plt = _plt()
    methods = sorted({str(r["method"]) for r in rows})
    fig, ax = plt.subplots(figsize=(6, 3.6))
    ax.boxplot([[float(r["per_cpu_s"]) for r in rows if r["method"] == m] for m in methods])
    ax.set_xticks(range(1, len(methods) + 1), methods)
    ax.set_ylabel("confirmed replicators per CPU-second")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


# name -> (point function, figure)
EXPERIMENTS: dict[str, tuple[Callable[[dict], dict], Callable[..., None]]] = {
    "soup_transition": (soup_transition, plot_soup_transition),
    "snn": (snn, plot_snn),
    "abiogenesis": (abiogenesis, plot_abiogenesis),
    "assay": (assay, plot_assay),
}

__all__ = ["EXPERIMENTS", "soup_transition", "snn", "abiogenesis", "assay", "plot_soup_transition",
           "plot_snn", "plot_abiogenesis", "plot_assay", "point_id"]
