"""The neurosys monitor: a Textual app that reads a system's workspace and sends it commands.

It only reads workspace keys (docs/workspace-keys.md) and writes ``system/command``, so it
works the same attached from another process or running beside the system in one process.
Each command's outcome comes back in ``system/command_acks`` and is shown ("done" or the
system's error); when the system ends, a screen shows its summary line and offers to quit or
to attach again.
Each frame polls only the widgets of the visible tab, and a widget redraws only when one of
its keys has a new version.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.widgets import Footer, Header, Label, TabbedContent, TabPane

from neurosys.run.control import read_ack, send_command
from neurosys.workspace.segments import pid_alive
from neurosys.tui.screens.prompt import PromptScreen
from neurosys.tui.screens.stopped import StoppedScreen
from neurosys.tui.widgets.agent_events import AgentEvents
from neurosys.tui.widgets.agents_table import AgentsTable
from neurosys.tui.widgets.balances import Balances
from neurosys.tui.widgets.entropy_plot import EntropyPlot
from neurosys.tui.widgets.ledger_recent import LedgerRecent
from neurosys.tui.widgets.llm_stats import LLMStats
from neurosys.tui.widgets.raster_plot import RasterPlot
from neurosys.tui.widgets.rate_histogram import RateHistogram
from neurosys.tui.widgets.rate_plot import RatePlot
from neurosys.tui.widgets.status_bar import StatusBar
from neurosys.tui.widgets.top_programs import TopPrograms
from neurosys.tui.widgets.workspace_keys import WorkspaceKeys
from neurosys.workspace import keys

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
    # Actions that send a command: off while a modal screen takes the keyboard, so that a key
    # typed quickly after "a" goes into the prompt box instead of starting another command.
    COMMAND_ACTIONS = frozenset({"toggle_pause", "set_rate", "spawn_agent", "inject",
                                 "stop_system"})

    def __init__(self, workspace: Any, *, refresh_hz: float = 4.0,
                 clock: Callable[[], float] = time.time) -> None:
        if not refresh_hz > 0:
            raise ValueError(f"refresh_hz must be > 0, got {refresh_hz!r}")
        super().__init__()
        self.workspace = workspace
        self.refresh_hz = float(refresh_hz)
        self._clock = clock
        self._awaiting: dict[int, str] = {}  # command seq -> its description, until acknowledged
        self._ended = False  # the attached system has stopped; the StoppedScreen is up
        self._opened: list[Any] = []  # workspaces attached again by this app (it closes them)

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
                yield TopPrograms()
            with TabPane("Agents", id="agents"):
                yield LLMStats()
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

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self.COMMAND_ACTIONS and isinstance(self.screen, (PromptScreen,
                                                                        StoppedScreen)):
            return False
        return True

    def poll_workspace(self) -> None:
        """One frame: refresh the status line and the visible tab's widgets, show command
        acknowledgements, and notice when the system has stopped."""
        if not self._tabs.is_mounted:
            return
        self._status.poll(self.workspace)
        self._show_acks()
        self._check_stopped()
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

    # -- the system ending -------------------------------------------------------------------
    def _check_stopped(self) -> None:
        if self._ended:
            return
        status = self.workspace.read(keys.SYSTEM_STATUS)
        if not isinstance(status, dict):
            return
        pid = status.get("pid")
        gone = isinstance(pid, int) and pid != os.getpid() and not pid_alive(pid)
        if status.get("state") != "stopped" and not gone:
            return
        self._ended = True
        reason = status.get("stop_reason") or ("its process exited" if gone else "stopped")
        self.push_screen(StoppedScreen(self.workspace.name, str(reason),
                                       str(status.get("summary") or ""), self.attach_again))

    def attach_again(self) -> bool:
        """Attach to a running system under the same workspace name; True when one was found."""
        from neurosys.workspace import Workspace

        try:
            fresh = Workspace.attach(self.workspace.name)
        except (OSError, ValueError):
            return False
        status = fresh.read(keys.SYSTEM_STATUS)
        if not (isinstance(status, dict) and status.get("state") in ("running", "paused")
                and pid_alive(status.get("pid"))):
            fresh.close()
            return False
        self._opened.append(fresh)
        self.workspace = fresh
        self._awaiting.clear()
        self._ended = False
        for widget in [self._status, *self._tabs.query("*")]:  # the main screen's, not the modal's
            if hasattr(widget, "_seen"):
                widget._seen = None  # redraw everything from the new segment
        self.say(f"attached again to {fresh.name!r}")
        self.poll_workspace()
        return True

    def on_unmount(self) -> None:
        for ws in self._opened:
            ws.close()

    # -- commands ---------------------------------------------------------------------------
    def _send(self, op: str, args: dict[str, Any] | None = None) -> None:
        try:
            seq = send_command(self.workspace, op, args)
        except ValueError as exc:
            self.say(f"not sent: {exc}")
            return
        self._awaiting[seq] = f"{op} {args or ''}".strip()
        self.say(f"#{seq} {self._awaiting[seq]}: sent, waiting for the system")

    def _show_acks(self) -> None:
        for seq, what in list(self._awaiting.items()):
            result = read_ack(self.workspace, seq)
            if result is None:
                continue
            del self._awaiting[seq]
            self.say(f"#{seq} {what}: {'done' if result == 'done' else 'rejected: ' + result}")

    def say(self, text: str) -> None:
        self._message.update(text)

    def action_toggle_pause(self) -> None:
        status = self.workspace.read(keys.SYSTEM_STATUS) or {}
        self._send("resume" if status.get("state") == "paused" else "pause")

    def action_set_rate(self) -> None:
        current = (self.workspace.read(keys.SYSTEM_TARGETS) or {}).get("rate_hz", "")

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
        self._send("stop")  # the StoppedScreen follows once the system has stopped
