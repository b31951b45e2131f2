"""Population mean rate per chunk over time, with the target rate as a line."""

from __future__ import annotations

from typing import Any

from neurosys.tui.widgets.plot_view import PlotView, has_data, plot_series


class RatePlot(PlotView):
    KEYS = ("snn/rate_history", "system/targets")
    TITLE = "mean rate (Hz) per chunk"

    def draw(self, plt: Any, values: dict[str, Any]) -> None:
        history = values["snn/rate_history"]
        if has_data(history):
            plot_series(plt, history)
            target = (values["system/targets"] or {}).get("rate_hz")
            if isinstance(target, (int, float)):
                plt.hline(float(target), "red")
