"""Closed-loop control with the real engines: the network's mean rate from ~40 Hz to a 10 Hz
target, with a rate-controller agent (policy + LLM every 10 ticks), with the policy alone, and
with no agents (the peer). One tick per 100 ms network chunk.

    PYTHONPATH=build/dev-agents/site python bench/agents_control.py [--seeds 3] [--ticks 200]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import torch  # noqa: E402

from neurosys.agents import AgentManager  # noqa: E402
from neurosys.llm import load  # noqa: E402
from neurosys.snn import NeuromorphicNetwork  # noqa: E402
from neurosys.units import nA  # noqa: E402
from neurosys.workspace import Workspace  # noqa: E402

TARGET = 10.0


def run(mode: str, seed: int, ticks: int, model) -> dict[str, float]:
    with Workspace() as ws:
        net = NeuromorphicNetwork(ws, None, i_inj=0.65 * nA, log_spikes=False, seed=seed)
        mgr = None
        if mode != "no agents":
            mgr = AgentManager(ws, model if mode == "policy + LLM" else None, None,
                               config={"rate_hz": TARGET, "consult_every": 10, "seed": seed})
        rates, t0 = [], time.perf_counter()
        for _ in range(ticks):
            net.step(0.1)
            if mgr is not None:
                mgr.tick()
            rates.append(ws.read("snn/mean_rate"))
        wall = time.perf_counter() - t0
        net.close()
    rates = np.array(rates)
    close = np.nonzero(np.abs(rates - TARGET) <= 0.2 * TARGET)[0]
    hold = rates[-50:]
    return {"start": rates[0], "settle": float(close[0]) if close.size else float("nan"),
            "hold_mean": hold.mean(), "hold_mae": np.abs(hold - TARGET).mean(),
            "in_band": float(np.mean(np.abs(hold - TARGET) <= 0.3 * TARGET)), "wall": wall}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--ticks", type=int, default=200)
    args = ap.parse_args()
    torch.set_num_threads(1)
    model = load(None, timeout=120.0)
    modes = ("no agents", "policy only", "policy + LLM")
    results = {m: [run(m, s, args.ticks, model) for s in range(1, args.seeds + 1)] for m in modes}
    print(f"target {TARGET} Hz, {args.ticks} ticks of 100 ms, medians over {args.seeds} seeds;"
          " hold = last 50 ticks")
    print(f"{'mode':16s}{'start Hz':>10s}{'settle ticks':>14s}{'hold mean Hz':>14s}"
          f"{'hold |err| Hz':>15s}{'in ±30 %':>10s}{'wall s':>8s}")
    for m in modes:
        med = {k: statistics.median(r[k] for r in results[m]) for k in results[m][0]}
        print(f"{m:16s}{med['start']:10.1f}{med['settle']:14.0f}{med['hold_mean']:14.1f}"
              f"{med['hold_mae']:15.2f}{100 * med['in_band']:9.0f}%{med['wall']:8.1f}")
    base = statistics.median(r["hold_mae"] for r in results["no agents"])
    for m in modes[1:]:
        ratio = base / statistics.median(r["hold_mae"] for r in results[m])
        print(f"hold |error| reduction, {m} vs no agents: {ratio:.1f}x")


if __name__ == "__main__":
    main()
