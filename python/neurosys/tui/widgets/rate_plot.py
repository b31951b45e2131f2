"""Population mean rate per chunk over time, with the target rate as a line."""

from __future__ import annotations

from typing import Any

from neurosys.tui.widgets.plot_view import PlotView, has_data, plot_series
from neurosys.workspace import keys


class RatePlot(PlotView):
    KEYS = (keys.SNN_RATE_HISTORY, keys.SYSTEM_TARGETS)
    TITLE = "mean rate (Hz) per chunk"

    def draw(self, plt: Any, values: dict[str, Any]) -> None:
        history = values[keys.SNN_RATE_HISTORY]
        if has_data(history):
            plot_series(plt, history)
            target = (values[keys.SYSTEM_TARGETS] or {}).get("rate_hz")
            if isinstance(target, (int, float)):
                plt.hline(float(target), "red")
