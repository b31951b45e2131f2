"""Histogram of per-neuron firing rates over the last chunk."""

from __future__ import annotations

from typing import Any

import numpy as np
from textual_plotext import PlotextPlot

from neurosys.tui.widgets.base import WorkspaceView


class RateHistogram(WorkspaceView, PlotextPlot):
    KEYS = ("neural_activations",)

    def show(self, values: dict[str, Any]) -> None:
        plt = self.plt
        plt.clear_data()
        plt.title("per-neuron rate (Hz)")
        rates = values["neural_activations"]
        if rates is not None and len(rates):
            counts, edges = np.histogram(np.asarray(rates, dtype=float), bins=20)
            centres = (edges[:-1] + edges[1:]) / 2
            plt.bar(centres.tolist(), counts.tolist(), width=0.8)
            ticks = np.linspace(edges[0], edges[-1], 5)  # fixed ticks: plotext's own vary
            plt.xticks(ticks.tolist(), [f"{t:.0f}" for t in ticks])
        self.refresh()
