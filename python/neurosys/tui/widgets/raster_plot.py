"""Spike raster of the last chunk: neuron index against time."""

from __future__ import annotations

from typing import Any

import numpy as np

from neurosys.tui.widgets.plot_view import PlotView
from neurosys.workspace import keys


class RasterPlot(PlotView):
    KEYS = (keys.SNN_RASTER,)
    TITLE = "spike raster (last chunk)"

    def draw(self, plt: Any, values: dict[str, Any]) -> None:
        raster = values[keys.SNN_RASTER]
        if isinstance(raster, dict) and len(raster.get("times", ())):
            times = np.asarray(raster["times"], dtype=float)
            indices = np.asarray(raster["indices"], dtype=float)
            plt.scatter(times.tolist(), indices.tolist(), marker="dot")
            plt.xlabel("time (s)")
