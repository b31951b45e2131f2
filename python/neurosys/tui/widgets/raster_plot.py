"""Spike raster of the last chunk: neuron index against time."""

from __future__ import annotations

from typing import Any

import numpy as np
from textual_plotext import PlotextPlot

from neurosys.tui.widgets.base import WorkspaceView


class RasterPlot(WorkspaceView, PlotextPlot):
    KEYS = ("snn/raster",)

    def show(self, values: dict[str, Any]) -> None:
        plt = self.plt
        plt.clear_data()
        plt.title("spike raster (last chunk)")
        raster = values["snn/raster"]
        if isinstance(raster, dict) and len(raster.get("times", ())):
            times = np.asarray(raster["times"], dtype=float)
            indices = np.asarray(raster["indices"], dtype=float)
            plt.scatter(times.tolist(), indices.tolist(), marker="dot")
            plt.xlabel("time (s)")
        self.refresh()
