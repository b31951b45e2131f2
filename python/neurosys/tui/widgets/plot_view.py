"""What the monitor's plots share: a plotext plot of some workspace keys that is cleared,
titled and drawn again whenever one of its keys has a new version. A plot sets ``KEYS`` and
``TITLE`` and implements ``draw``."""

from __future__ import annotations

from typing import Any

import numpy as np
from textual_plotext import PlotextPlot

from neurosys.tui.widgets.base import WorkspaceView


def has_data(value: Any) -> bool:
    """Whether a workspace value is a non-empty sequence (absent keys read as None)."""
    return value is not None and len(value) > 0


def plot_series(plt: Any, values: Any, **kwargs: Any) -> None:
    """A sequence of numbers as a braille line against its index."""
    y = np.asarray(values, dtype=float)
    plt.plot(list(range(len(y))), y.tolist(), marker="braille", **kwargs)


class PlotView(WorkspaceView, PlotextPlot):
    TITLE = ""

    def show(self, values: dict[str, Any]) -> None:
        plt = self.plt
        plt.clear_data()
        plt.title(self.TITLE)
        self.draw(plt, values)
        self.refresh()

    def draw(self, plt: Any, values: dict[str, Any]) -> None:  # pragma: no cover - abstract
        """Add this plot's data to ``plt`` (plotext, already cleared and titled)."""
        raise NotImplementedError
