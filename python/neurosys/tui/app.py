"""The neurosys monitor: a Textual app that reads a system's workspace and sends it commands.

It only reads workspace keys (docs/workspace-keys.md) and writes ``system/command``, so it
works the same attached from another process or running beside the system in one process.
Each frame polls only the widgets of the visible tab, and a widget redraws only when one of
its keys has a new version.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.widgets import Footer, Header, Label, TabbedContent, TabPane

from neurosys.control import send_command
from neurosys.tui.screens.prompt import PromptScreen
from neurosys.tui.widgets.agent_events import AgentEvents
from neurosys.tui.widgets.agents_table import AgentsTable
from neurosys.tui.widgets.balances import Balances
from neurosys.tui.widgets.entropy_plot import EntropyPlot
from neurosys.tui.widgets.ledger_recent import LedgerRecent
from neurosys.tui.widgets.raster_plot import RasterPlot
from neurosys.tui.widgets.rate_histogram import RateHistogram
from neurosys.tui.widgets.rate_plot import RatePlot
from neurosys.tui.widgets.replicators import Replicators
from neurosys.tui.widgets.status_bar import StatusBar
from neurosys.tui.widgets.top_programs import TopPrograms
from neurosys.tui.widgets.workspace_keys import WorkspaceKeys

__all__ = ["NeurosysApp"]


class NeurosysApp(App[None]):
    """Args:
        workspace: an attached ``neurosys.Workspace``.
        refresh_hz: frames per second.
        clock: wall clock for key ages (tests pin it).
    """

    CSS_PATH = "app.tcss"
    TITLE = "neurosys"
    BINDINGS = [
        Binding("p", "toggle_pause", "pause/resume"),
        Binding("r", "set_rate", "target rate"),
        Binding("a", "spawn_agent", "spawn agent"),
        Binding("i", "inject", "inject program"),
        Binding("x", "stop_system", "stop system"),
        Binding("q", "quit", "quit"),
    ]

    def __init__(self, workspace: Any, *, refresh_hz: float = 4.0,
                 clock: Callable[[], float] = time.time) -> None:
        if not refresh_hz > 0:
            raise ValueError(f"refresh_hz must be > 0, got {refresh_hz!r}")
        super().__init__()
        self.workspace = workspace
        self.refresh_hz = float(refresh_hz)
        self._clock = clock

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        self._status = StatusBar(id="status")
        yield self._status
        self._tabs = TabbedContent(initial="network")
        with self._tabs:
            with TabPane("Network", id="network"):
                with Horizontal(id="network-plots"):
                    yield RatePlot()
                    yield RateHistogram()
                yield RasterPlot()
            with TabPane("Soup", id="soup"):
                yield EntropyPlot()
                with Horizontal(id="soup-tables"):
                    yield TopPrograms()
                    yield Replicators()
            with TabPane("Agents", id="agents"):
                yield AgentsTable()
                yield Label("spawn / retire events", classes="section-title")
                yield AgentEvents()
            with TabPane("Ledger", id="ledger"):
                with Horizontal():
                    yield LedgerRecent()
                    yield Balances()
            with TabPane("Workspace", id="workspace"):
                yield WorkspaceKeys(clock=self._clock)
        self._message = Label("", id="message")
        yield self._message
        yield Footer()

    def on_ready(self) -> None:
        self.poll_workspace()
        self.set_interval(1.0 / self.refresh_hz, self.poll_workspace)

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self.poll_workspace()

    def poll_workspace(self) -> None:
        """One frame: refresh the status line and the visible tab's widgets."""
        if not self._tabs.is_mounted:
            return
        self._status.poll(self.workspace)
        try:
            active = self._tabs.active
            pane = self._tabs.get_pane(active) if active else None
        except NoMatches:  # TabbedContent announces its first tab before its panes are mounted
            return
        if pane is None:
            return
        for widget in pane.walk_children():
            poll = getattr(widget, "poll", None)
            if poll is not None:
                poll(self.workspace)

    # -- commands ---------------------------------------------------------------------------
    def _send(self, op: str, args: dict[str, Any] | None = None) -> None:
        try:
            seq = send_command(self.workspace, op, args)
        except ValueError as exc:
            self.say(f"not sent: {exc}")
            return
        self.say(f"sent {op} {args or ''} (#{seq})")

    def say(self, text: str) -> None:
        self._message.update(text)

    def action_toggle_pause(self) -> None:
        status = self.workspace.read("system/status") or {}
        self._send("resume" if status.get("state") == "paused" else "pause")

    def action_set_rate(self) -> None:
        current = (self.workspace.read("system/targets") or {}).get("rate_hz", "")

        def done(text: str | None) -> None:
            if text is None:
                return
            try:
                rate = float(text)
            except ValueError:
                self.say(f"not sent: target rate must be a number in Hz, got {text!r}")
                return
            self._send("set_target", {"rate_hz": rate})

        self.push_screen(PromptScreen("Target mean rate (Hz)", "e.g. 12.5", str(current)), done)

    def action_spawn_agent(self) -> None:
        def done(text: str | None) -> None:
            if text is not None:
                self._send("spawn_agent", {"role": text})

        self.push_screen(PromptScreen("Role of the new agent", "controller"), done)

    def action_inject(self) -> None:
        def done(text: str | None) -> None:
            if text is None:
                return
            program, _, count = text.partition(" x ")
            try:
                args: dict[str, Any] = {"program": program.strip()}
                if count.strip():
                    args["count"] = int(count)
            except ValueError:
                self.say(f"not sent: count must be an integer, got {count!r}")
                return
            self._send("inject", args)

        self.push_screen(PromptScreen("Program to inject (text, optionally ' x COUNT')",
                                      "[<{.>,}] x 32"), done)

    def action_stop_system(self) -> None:
        self._send("stop")
        self.exit()
