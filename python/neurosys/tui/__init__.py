"""The Textual monitor (``neurosys tui``). Imported lazily: textual is only loaded here."""

from __future__ import annotations

from typing import Any

__all__ = ["NeurosysApp", "run_monitor"]


def __getattr__(name: str) -> Any:
    if name == "NeurosysApp":
        from neurosys.tui.app import NeurosysApp

        return NeurosysApp
    raise AttributeError(name)


def run_monitor(workspace: Any, refresh_hz: float = 4.0) -> None:
    """Run the monitor on ``workspace`` in the foreground until the user quits."""
    from neurosys.tui.app import NeurosysApp

    NeurosysApp(workspace, refresh_hz=refresh_hz).run()
