"""Population mean rate per chunk over time, with the target rate as a line."""

from __future__ import annotations

from typing import Any

import numpy as np
from textual_plotext import PlotextPlot

from neurosys.tui.widgets.base import WorkspaceView


class RatePlot(WorkspaceView, PlotextPlot):
    KEYS = ("snn/rate_history", "system/targets")

    def show(self, values: dict[str, Any]) -> None:
        plt = self.plt
        plt.clear_data()
        plt.title("mean rate (Hz) per chunk")
        history = values["snn/rate_history"]
        if history is not None and len(history):
            y = np.asarray(history, dtype=float)
            plt.plot(list(range(len(y))), y.tolist(), marker="braille")
            target = (values["system/targets"] or {}).get("rate_hz")
            if isinstance(target, (int, float)):
                plt.hline(float(target), "red")
        self.refresh()
