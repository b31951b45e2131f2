"""One line on the Agents tab: how the LLM's periodic decisions actually arrive (made, timed
out, other fallbacks, latency median and 95th percentile), since on a busy machine the
configured interval is only a wish."""

from __future__ import annotations

from typing import Any

from textual.widgets import Static

from neurosys.run.report import num
from neurosys.tui.widgets.base import WorkspaceView
from neurosys.workspace import keys


class LLMStats(WorkspaceView, Static):
    KEYS = (keys.LLM_DECISIONS,)

    def show(self, values: dict[str, Any]) -> None:
        stats = values[keys.LLM_DECISIONS]
        if not isinstance(stats, dict):
            self.update("LLM decisions: none yet")
            return
        self.update(f"LLM decisions: {stats.get('made', 0)} made, {stats.get('timed_out', 0)} "
                    f"timed out, {stats.get('fell_back', 0)} other fallbacks; latency median "
                    f"{num(stats.get('latency_median'), '.2f')} s, p95 "
                    f"{num(stats.get('latency_p95'), '.2f')} s")
