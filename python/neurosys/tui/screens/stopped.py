"""Shown when the attached system has ended: its summary line, and a choice to quit or to
attach again (to a new run under the same workspace name)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label


class StoppedScreen(ModalScreen[str]):
    """Dismisses with "quit" or "attach"; the app answers a failed attach with ``retry_failed``."""

    BINDINGS = [Binding("q", "choose('quit')", "quit"),
                Binding("a", "choose('attach')", "attach again")]

    def __init__(self, name: str, reason: str, summary: str) -> None:
        super().__init__()
        self._name = name
        self._reason = reason
        self._summary = summary

    def compose(self) -> ComposeResult:
        with Vertical(id="stopped"):
            yield Label(f"The system on workspace {self._name!r} stopped ({self._reason}).",
                        id="stopped-title")
            yield Label(self._summary or "(it left no summary)", id="stopped-summary")
            yield Label("q quit   a attach again (to a new run of the same name)",
                        id="stopped-keys")
            yield Label("", id="stopped-error")

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)
