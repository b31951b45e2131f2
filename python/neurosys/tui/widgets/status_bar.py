"""One line: system state, simulated time, rate against target, soup epoch and entropy."""

from __future__ import annotations

from typing import Any

from textual.widgets import Static

from neurosys.tui.widgets.base import WorkspaceView
from neurosys.workspace import keys


def _num(value: Any, fmt: str, missing: str = "-") -> str:
    return format(value, fmt) if isinstance(value, (int, float)) else missing


class StatusBar(WorkspaceView, Static):
    KEYS = (keys.SYSTEM_STATUS, keys.SYSTEM_TARGETS, keys.SNN_TIME, keys.SNN_MEAN_RATE, keys.SOUP_EPOCH,
            keys.AVG_ENTROPY, keys.DIVERSITY_INDEX, keys.AGENTS_TABLE)

    def show(self, values: dict[str, Any]) -> None:
        status = values[keys.SYSTEM_STATUS] or {}
        targets = values[keys.SYSTEM_TARGETS] or {}
        agents = values[keys.AGENTS_TABLE] or []
        alive = sum(1 for a in agents if isinstance(a, dict) and a.get("alive", True))
        state = status.get("state", "no system")
        self.set_class(state == "paused", "-paused")
        self.update(
            f"[b]{state}[/b]  wall {_num(status.get('wall_seconds'), '.0f')} s"
            f"  │  sim {_num(values[keys.SNN_TIME], '.2f')} s"
            f"  rate {_num(values[keys.SNN_MEAN_RATE], '.1f')} Hz"
            f" (target {_num(targets.get('rate_hz'), '.1f')})"
            f"  │  epoch {_num(values[keys.SOUP_EPOCH], 'd')}"
            f"  H {_num(values[keys.AVG_ENTROPY], '.3f')}"
            f"  div {_num(values[keys.DIVERSITY_INDEX], '.3f')}"
            f"  │  agents {alive}")
