"""System overhead: the network's speed inside the full running system versus alone.

Peer: the same NeuromorphicNetwork (same config, same chunk) stepped alone in this process.
Then the full system (network, soup, LLM, agents, ledger on their threads), and the full system
with the terminal monitor attached from another process (headless, at its default frame rate).
Speed = simulated seconds per wall second; medians of --repeats runs.

    python bench/system_overhead.py [--seconds 10] [--repeats 3] [--neurons 1000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from neurosys.config import SystemConfig
from neurosys.run.storage import RunStore
from neurosys.run.system import System

MONITOR = """
import asyncio, sys
from neurosys.tui.app import NeurosysApp
from neurosys.workspace import Workspace
ws = Workspace.attach(sys.argv[1])
async def main():
    app = NeurosysApp(ws, refresh_hz=float(sys.argv[2]))
    async with app.run_test(size=(160, 48)) as pilot:
        while True:  # the network tab (the busiest plots) until terminated
            await pilot.pause(0.5)
asyncio.run(main())
"""


def alone(cfg: SystemConfig, seconds: float, tmp: Path) -> float:
    from neurosys.snn import NeuromorphicNetwork
    from neurosys.workspace import Workspace

    ws = Workspace(f"neurosys-bench-alone-{os.getpid()}", unlink_on_close=True)
    store = RunStore(tmp / "alone.db")
    n = cfg.network
    net = NeuromorphicNetwork(ws, store, n_neurons=n.n_neurons, connection_prob=n.connection_prob,
                              dt=n.dt, device=n.device, seed=cfg.system.seed)
    try:
        net.step(n.chunk)  # warm-up
        steps, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            net.step(n.chunk)
            steps += 1
        return steps * n.chunk / (time.perf_counter() - start)
    finally:
        getattr(net, "close", lambda: None)()
        store.close()
        ws.close()


def in_system(cfg: SystemConfig, seconds: float, tmp: Path, monitor_hz: float | None) -> float:
    system = System(cfg, run_dir=tempfile.mkdtemp(dir=tmp), console_log=False)
    system.start()
    monitor = None
    try:
        time.sleep(1.0)  # let every component start before measuring
        if monitor_hz is not None:
            monitor = subprocess.Popen([sys.executable, "-c", MONITOR, system.workspace_name,
                                        str(monitor_hz)])
            time.sleep(2.0)
        t0, s0 = time.perf_counter(), system.runners["network"].steps
        time.sleep(seconds)
        t1, s1 = time.perf_counter(), system.runners["network"].steps
        return (s1 - s0) * cfg.network.chunk / (t1 - t0)
    finally:
        if monitor is not None:
            monitor.terminate()
            monitor.wait()
        system.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--neurons", type=int, default=1000)
    args = ap.parse_args()
    cfg = SystemConfig().override({"network.n_neurons": args.neurons})
    rows: dict[str, list[float]] = {"network alone": [], "in full system": [],
                                    "in full system + monitor": []}
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        for _ in range(args.repeats):
            rows["network alone"].append(alone(cfg, args.seconds, tmp))
            rows["in full system"].append(in_system(cfg, args.seconds, tmp, None))
            rows["in full system + monitor"].append(
                in_system(cfg, args.seconds, tmp, cfg.tui.refresh_hz))
    base = statistics.median(rows["network alone"])
    print(f"network {args.neurons} neurons, chunk {cfg.network.chunk} s, {args.seconds} s per run,"
          f" median of {args.repeats}, {os.cpu_count()} CPUs")
    print(f"{'configuration':<28} {'sim s / wall s':>15} {'vs alone':>9}")
    for name, values in rows.items():
        med = statistics.median(values)
        print(f"{name:<28} {med:>15.4f} {med / base:>9.3f}")


if __name__ == "__main__":
    main()
