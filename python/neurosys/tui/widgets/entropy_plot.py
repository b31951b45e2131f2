"""Soup complexity over epochs: high-order entropy (from the soup's history) and diversity
(sampled by the monitor each time the soup publishes a new epoch)."""

from __future__ import annotations

from typing import Any

from neurosys.tui.widgets.plot_view import PlotView, has_data, plot_series
from neurosys.workspace import keys


class EntropyPlot(PlotView):
    KEYS = (keys.SOUP_HOE_HISTORY, keys.DIVERSITY_INDEX, keys.SOUP_EPOCH)
    TITLE = "high-order entropy / diversity per sample"
    HISTORY = 500

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._diversity: list[float] = []
        self._last_epoch: Any = None

    def draw(self, plt: Any, values: dict[str, Any]) -> None:
        diversity, epoch = values[keys.DIVERSITY_INDEX], values[keys.SOUP_EPOCH]
        if isinstance(diversity, (int, float)) and epoch != self._last_epoch:
            self._last_epoch = epoch
            self._diversity = (self._diversity + [float(diversity)])[-self.HISTORY:]
        hoe = values[keys.SOUP_HOE_HISTORY]
        if has_data(hoe):
            plot_series(plt, hoe, label="entropy")
        if self._diversity:
            plot_series(plt, self._diversity, label="diversity")
