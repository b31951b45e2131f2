"""Shown when the attached system has ended: its summary line, and a choice to quit or to
attach again (to a new run under the same workspace name)."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label


class StoppedScreen(ModalScreen[None]):
    """``attach_again()`` returns whether a running system was found; the screen closes then,
    and otherwise says that none runs yet."""

    BINDINGS = [Binding("q", "quit_app", "quit"), Binding("a", "attach", "attach again")]

    def __init__(self, name: str, reason: str, summary: str,
                 attach_again: Callable[[], bool]) -> None:
        super().__init__()
        self._name = name
        self._reason = reason
        self._summary = summary
        self._attach_again = attach_again

    def compose(self) -> ComposeResult:
        with Vertical(id="stopped"):
            yield Label(f"The system on workspace {self._name!r} stopped ({self._reason}).",
                        id="stopped-title")
            yield Label(self._summary or "(it left no summary)", id="stopped-summary")
            yield Label("q quit   a attach again (to a new run of the same name)",
                        id="stopped-keys")
            yield Label("", id="stopped-error")

    def action_attach(self) -> None:
        if self._attach_again():
            self.dismiss(None)
        else:
            self.query_one("#stopped-error", Label).update(
                f"no running system on workspace {self._name!r} yet")

    def action_quit_app(self) -> None:
        self.app.exit()
