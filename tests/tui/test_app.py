"""The monitor against a real workspace: what it shows, and the commands its keys send."""

from __future__ import annotations

import asyncio
import time

from textual.widgets import TabbedContent

from neurosys.tui.app import NeurosysApp
from neurosys.tui.screens.prompt import PromptScreen
from neurosys.tui.widgets.agents_table import AgentsTable
from neurosys.tui.widgets.agent_events import AgentEvents
from neurosys.tui.widgets.balances import Balances
from neurosys.tui.widgets.ledger_recent import LedgerRecent
from neurosys.tui.widgets.llm_stats import LLMStats
from neurosys.tui.widgets.rate_plot import RatePlot
from neurosys.tui.widgets.status_bar import StatusBar
from neurosys.tui.widgets.top_programs import TopPrograms
from neurosys.tui.widgets.workspace_keys import WorkspaceKeys


def run(coro):
    return asyncio.run(coro)


def test_tabs_show_the_workspace(workspace):
    async def scenario():
        app = NeurosysApp(workspace, refresh_hz=20)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            status = str(app.query_one(StatusBar).render())
            assert "running" in status and "8.2 Hz" in status and "epoch 640" in status
            assert "agents 2" in status  # a3 is retired
            tabs = app.query_one(TabbedContent)
            tabs.active = "soup"
            await pilot.pause()
            top = app.query_one(TopPrograms)
            assert top.row_count == 5
            assert top.get_row_at(0) == ["50", "yes", "[<{.>,}]····"]  # the detector's
            assert top.get_row_at(1)[1] == "no"
            tabs.active = "agents"
            await pilot.pause()
            assert app.query_one(AgentsTable).row_count == 3
            assert str(app.query_one(LLMStats).render()) == (
                "LLM decisions: 14 made, 1 timed out, 0 other fallbacks; latency median 1.25 s,"
                " p95 2.97 s")
            events = app.query_one(AgentEvents)
            assert events.row_count == 3 and events.get_row_at(0)[1] == "retire"  # newest first
            tabs.active = "ledger"
            await pilot.pause()
            ledger = app.query_one(LedgerRecent)
            assert ledger.row_count == 2
            assert ledger.get_row_at(1)[0] == time.strftime("%H:%M:%S", time.localtime(3.0))
            assert app.query_one(Balances).get_row_at(0)[0] == "a1"
            tabs.active = "workspace"
            await pilot.pause()
            keys = app.query_one(WorkspaceKeys)
            shown = {keys.get_row_at(i)[0] for i in range(keys.row_count)}
            assert {"snn/raster", "soup/top_programs", "ledger/recent"} <= shown

    run(scenario())


def test_widgets_redraw_only_when_a_key_changes(workspace):
    async def scenario():
        app = NeurosysApp(workspace, refresh_hz=0.5)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            plot = app.query_one(RatePlot)
            assert plot.poll(workspace) is False
            workspace.write("snn/rate_history", [1.0, 2.0, 3.0])
            assert plot.poll(workspace) is True
            assert plot.poll(workspace) is False
            workspace.write("system/status", {"state": "paused", "started": 0.0,
                                              "wall_seconds": 13.0})
            app.poll_workspace()
            assert app.query_one(StatusBar).has_class("-paused")

    run(scenario())


def test_keys_send_commands(workspace):
    async def scenario():
        app = NeurosysApp(workspace, refresh_hz=20)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("p")
            assert workspace.read("system/command") == {"op": "pause", "args": {}, "seq": 1}
            workspace.write("system/status", {"state": "paused", "started": 0.0,
                                              "wall_seconds": 1.0})
            await pilot.press("p")
            assert workspace.read("system/command")["op"] == "resume"

            await pilot.press("r")
            await pilot.pause()
            assert isinstance(app.screen, PromptScreen)
            await pilot.press(*["backspace"] * 6, "1", "5", ".", "5", "enter")
            await pilot.pause()
            assert workspace.read("system/command") == {
                "op": "set_target", "args": {"rate_hz": 15.5}, "seq": 3}

            await pilot.press("r")
            await pilot.press(*["backspace"] * 6, "f", "a", "s", "t", "enter")
            await pilot.pause()
            assert workspace.read("system/command")["seq"] == 3  # not a number: nothing sent
            assert "not sent" in str(app.query_one("#message").render())

            await pilot.press("a")
            await pilot.press(*"inventor", "enter")
            await pilot.pause()
            assert workspace.read("system/command") == {
                "op": "spawn_agent", "args": {"role": "inventor"}, "seq": 4}

            await pilot.press("i")
            await pilot.press(*"[<{.>,}] x 8", "enter")
            await pilot.pause()
            assert workspace.read("system/command") == {
                "op": "inject", "args": {"program": b"[<{.>,}]", "count": 8}, "seq": 5}

            await pilot.press("i")
            await pilot.press("escape")
            await pilot.pause()
            assert workspace.read("system/command")["seq"] == 5  # cancelled

            await pilot.press("x")
            await pilot.pause()
        assert workspace.read("system/command") == {"op": "stop", "args": {}, "seq": 6}
        assert not app.is_running

    run(scenario())
