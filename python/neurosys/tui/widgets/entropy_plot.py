"""Soup complexity over epochs: high-order entropy (from the soup's history) and diversity
(sampled by the monitor each time the soup publishes a new epoch)."""

from __future__ import annotations

from typing import Any

import numpy as np
from textual_plotext import PlotextPlot

from neurosys.tui.widgets.base import WorkspaceView


class EntropyPlot(WorkspaceView, PlotextPlot):
    KEYS = ("soup/hoe_history", "diversity_index", "soup/epoch")
    HISTORY = 500

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._diversity: list[float] = []
        self._last_epoch: Any = None

    def show(self, values: dict[str, Any]) -> None:
        diversity, epoch = values["diversity_index"], values["soup/epoch"]
        if isinstance(diversity, (int, float)) and epoch != self._last_epoch:
            self._last_epoch = epoch
            self._diversity = (self._diversity + [float(diversity)])[-self.HISTORY:]
        plt = self.plt
        plt.clear_data()
        plt.title("high-order entropy / diversity per sample")
        hoe = values["soup/hoe_history"]
        if hoe is not None and len(hoe):
            y = np.asarray(hoe, dtype=float)
            plt.plot(list(range(len(y))), y.tolist(), marker="braille", label="entropy")
        if self._diversity:
            plt.plot(list(range(len(self._diversity))), self._diversity, marker="braille",
                     label="diversity")
        self.refresh()
