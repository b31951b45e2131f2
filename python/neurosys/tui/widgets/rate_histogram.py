"""Histogram of per-neuron firing rates over the last chunk."""

from __future__ import annotations

from typing import Any

import numpy as np

from neurosys.tui.widgets.plot_view import PlotView, has_data
from neurosys.workspace import keys


class RateHistogram(PlotView):
    KEYS = (keys.NEURAL_ACTIVATIONS,)
    TITLE = "per-neuron rate (Hz)"

    def draw(self, plt: Any, values: dict[str, Any]) -> None:
        rates = values[keys.NEURAL_ACTIVATIONS]
        if has_data(rates):
            counts, edges = np.histogram(np.asarray(rates, dtype=float), bins=20)
            centres = (edges[:-1] + edges[1:]) / 2
            plt.bar(centres.tolist(), counts.tolist(), width=0.8)
            ticks = np.linspace(edges[0], edges[-1], 5)  # fixed ticks: plotext's own vary
            plt.xticks(ticks.tolist(), [f"{t:.0f}" for t in ticks])
