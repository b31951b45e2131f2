"""A real named workspace filled with the keys a running system publishes (fixed values, so
the screens are reproducible)."""

from __future__ import annotations

import os

import numpy as np
import pytest

from neurosys.workspace import Workspace


def fill(ws) -> None:
    rng = np.random.default_rng(7)
    ws.write("system/status", {"state": "running", "started": 0.0, "wall_seconds": 12.0})
    ws.write("system/targets", {"rate_hz": 10.0, "complexity": 0.5})
    ws.write("snn/time", 2.5)
    ws.write("snn/mean_rate", 8.25)
    ws.write("snn/rate_history", 10.0 + 3.0 * np.sin(np.linspace(0.0, 6.0, 120)))
    ws.write("neural_activations", rng.gamma(2.0, 4.0, 1000))
    n = 800
    ws.write("snn/raster", {"times": np.sort(rng.uniform(2.45, 2.5, n)),
                            "indices": rng.integers(0, 1000, n).astype(np.int32)})
    ws.write("soup/epoch", 640)
    ws.write("avg_entropy", 0.4125)
    ws.write("diversity_index", 0.875)
    ws.write("soup/hoe_history", np.linspace(0.05, 0.41, 80) ** 0.5)
    ws.write("soup/top_programs", [{"program": b"[<{.>,}]" + bytes([i]) * 4, "count": 50 - 7 * i}
                                   for i in range(5)])
    ws.write("soup/replicators", [b"[<{.>,}]\x00\x00\x00\x00"])  # top program 0
    ws.write("agents/table", [
        {"id": "a1", "role": "rate_controller", "last_action": "increase", "reward": 0.5,
         "balance": 12.0, "alive": True},
        {"id": "a2", "role": "inventor", "last_action": "invent", "reward": -0.25,
         "balance": 3.5, "alive": True},
        {"id": "a3", "role": "regime_observer", "last_action": "retired", "reward": 0.0,
         "balance": 0.0, "alive": False}])
    ws.write("agents/events", [
        {"time": 1.0, "kind": "spawn", "id": "a1", "role": "rate_controller", "reason": "start"},
        {"time": 2.0, "kind": "spawn", "id": "a3", "role": "regime_observer", "reason": "regime"},
        {"time": 9.0, "kind": "retire", "id": "a3", "role": "regime_observer", "reason": "reward"}])
    ws.write("llm/decisions", {"made": 14, "timed_out": 1, "fell_back": 0,
                               "latency_median": 1.25, "latency_p95": 2.97})
    ws.write("ledger/balances", {"a1": 12.0, "a2": 3.5})
    ws.write("ledger/recent", [
        {"time": 3.0, "kind": "reward", "src": "treasury", "dst": "a1", "amount": 10.0,
         "reason": "contribution"},
        {"time": 4.0, "kind": "transfer", "src": "a1", "dst": "a2", "amount": 1.5,
         "reason": "collaboration"}])


@pytest.fixture
def workspace():
    ws = Workspace(f"neurosys-test-tui-{os.getpid()}", unlink_on_close=True)
    try:
        fill(ws)
        yield ws
    finally:
        ws.close()
