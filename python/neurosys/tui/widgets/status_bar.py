"""One line: system state, simulated time, rate against target, soup epoch and entropy."""

from __future__ import annotations

from typing import Any

from textual.widgets import Static

from neurosys.tui.widgets.base import WorkspaceView


def _num(value: Any, fmt: str, missing: str = "-") -> str:
    return format(value, fmt) if isinstance(value, (int, float)) else missing


class StatusBar(WorkspaceView, Static):
    KEYS = ("system/status", "system/targets", "snn/time", "snn/mean_rate", "soup/epoch",
            "avg_entropy", "diversity_index", "agents/table")

    def show(self, values: dict[str, Any]) -> None:
        status = values["system/status"] or {}
        targets = values["system/targets"] or {}
        agents = values["agents/table"] or []
        alive = sum(1 for a in agents if isinstance(a, dict) and a.get("alive", True))
        state = status.get("state", "no system")
        self.set_class(state == "paused", "-paused")
        self.update(
            f"[b]{state}[/b]  wall {_num(status.get('wall_seconds'), '.0f')} s"
            f"  │  sim {_num(values['snn/time'], '.2f')} s"
            f"  rate {_num(values['snn/mean_rate'], '.1f')} Hz"
            f" (target {_num(targets.get('rate_hz'), '.1f')})"
            f"  │  epoch {_num(values['soup/epoch'], 'd')}"
            f"  H {_num(values['avg_entropy'], '.3f')}"
            f"  div {_num(values['diversity_index'], '.3f')}"
            f"  │  agents {alive}")
