"""A small modal that asks for one value (target rate, agent role, program to inject)."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


class PromptScreen(ModalScreen[str | None]):
    """Dismisses with the text entered, or None on Escape."""

    BINDINGS = [Binding("escape", "cancel", "cancel")]
    AUTO_FOCUS = "#prompt-input"

    def __init__(self, question: str, placeholder: str = "", value: str = "") -> None:
        super().__init__()
        self._question = question
        self._placeholder = placeholder
        self._value = value

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt"):
            yield Label(self._question, id="prompt-question")
            yield Input(value=self._value, placeholder=self._placeholder, id="prompt-input")
            yield Label("", id="prompt-error")

    def on_key(self, event: events.Key) -> None:
        """A key typed before the box had focus (right after the screen opened) goes into it,
        not to the app behind."""
        box = self.query_one(Input)
        if not box.has_focus and event.is_printable and event.character:
            event.stop()
            box.focus()
            box.insert_text_at_cursor(event.character)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
