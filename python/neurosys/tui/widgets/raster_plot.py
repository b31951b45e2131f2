"""Spike raster of the last chunk: neuron index against time."""

from __future__ import annotations

from typing import Any

import numpy as np

from neurosys.tui.widgets.plot_view import PlotView


class RasterPlot(PlotView):
    KEYS = ("snn/raster",)
    TITLE = "spike raster (last chunk)"

    def draw(self, plt: Any, values: dict[str, Any]) -> None:
        raster = values["snn/raster"]
        if isinstance(raster, dict) and len(raster.get("times", ())):
            times = np.asarray(raster["times"], dtype=float)
            indices = np.asarray(raster["indices"], dtype=float)
            plt.scatter(times.tolist(), indices.tolist(), marker="dot")
            plt.xlabel("time (s)")
