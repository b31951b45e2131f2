"""The monitor attached to a real running System: it shows live data and its keys act on it."""

from __future__ import annotations

import asyncio
import os
import time

from neurosys.config import SystemConfig
from neurosys.run.system import System
from neurosys.tui.app import NeurosysApp
from neurosys.tui.widgets.status_bar import StatusBar
from neurosys.workspace import Workspace


async def wait_for(pilot, predicate, timeout=30.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        await pilot.pause(0.05)
    return False


def test_monitor_drives_a_running_system(tmp_path):
    cfg = SystemConfig().override({
        "system.workspace_name": f"neurosys-test-live-{os.getpid()}",
        "network.n_neurons": 200, "network.chunk": 0.02, "soup.size": 256,
        "llm.enabled": False, "agents.enabled": False, "ledger.enabled": False})

    async def scenario(system):
        attached = Workspace.attach(system.workspace_name)
        try:
            app = NeurosysApp(attached, refresh_hz=10)
            async with app.run_test(size=(120, 40)) as pilot:
                status = app.query_one(StatusBar)
                assert await wait_for(pilot, lambda: "running" in str(status.render()))
                if system.network is not None:
                    assert await wait_for(pilot, lambda: "sim 0.00 s" not in str(status.render())
                                          and "sim - s" not in str(status.render()))
                await pilot.press("p")
                assert await wait_for(pilot, lambda: system.state == "paused")
                assert await wait_for(pilot, lambda: "paused" in str(status.render()))
                await pilot.press("p")
                assert await wait_for(pilot, lambda: system.state == "running")
                await pilot.press("x")
                assert await wait_for(pilot, lambda: system.stop_reason == "stop command")
        finally:
            attached.close()

    with System(cfg, run_dir=tmp_path, console_log=False) as system:
        asyncio.run(scenario(system))
    assert system.summary["stop_reason"] == "stop command"


def message(app) -> str:
    return str(app.query_one("#message").render())


def test_rejected_command_shows_the_systems_error_and_the_end_of_the_system(tmp_path):
    """An unknown role passes the monitor's own checks but the agent manager rejects it: the
    monitor shows the system's error, not "sent". When the system stops, the monitor shows its
    summary line and offers to quit or attach again."""
    from neurosys.tui.screens.stopped import StoppedScreen

    cfg = SystemConfig().override({
        "system.workspace_name": f"neurosys-test-ack-{os.getpid()}",
        "network.n_neurons": 200, "network.chunk": 0.02, "soup.size": 256,
        "llm.enabled": False, "ledger.enabled": False, "agents.inventors": 0})

    async def scenario(system):
        attached = Workspace.attach(system.workspace_name)
        try:
            app = NeurosysApp(attached, refresh_hz=10)
            async with app.run_test(size=(120, 40)) as pilot:
                await pilot.press("a", *"wizard", "enter")  # typed at once: all into the box
                assert await wait_for(pilot, lambda: "rejected" in message(app))
                assert "#1 spawn_agent {'role': 'wizard'}: rejected: spawn role must be one of" \
                    in message(app)
                await pilot.press("a", *"regime_observer", "enter")
                assert await wait_for(pilot, lambda: "#2" in message(app)
                                      and "done" in message(app))

                await asyncio.to_thread(system.stop, "test over")
                assert await wait_for(pilot, lambda: isinstance(app.screen, StoppedScreen))
                summary = str(app.screen.query_one("#stopped-summary").render())
                assert "stopped" in summary and "sim" in summary
                assert "test over" in str(app.screen.query_one("#stopped-title").render())
                await pilot.press("a")  # nothing runs under that name any more
                error = app.screen.query_one("#stopped-error")
                assert await wait_for(pilot, lambda: "no running system" in str(error.render()))
                await pilot.press("q")
                assert await wait_for(pilot, lambda: not app.is_running)
        finally:
            attached.close()

    with System(cfg, run_dir=tmp_path, console_log=False) as system:
        asyncio.run(scenario(system))


def test_attach_again_to_the_next_run_of_the_same_name(tmp_path):
    from neurosys.tui.screens.stopped import StoppedScreen

    cfg = SystemConfig().override({
        "system.workspace_name": f"neurosys-test-again-{os.getpid()}",
        "network.n_neurons": 200, "network.chunk": 0.02, "soup.enabled": False,
        "llm.enabled": False, "agents.enabled": False, "ledger.enabled": False})

    async def scenario():
        first = System(cfg, run_dir=tmp_path / "first", console_log=False).start()
        attached = Workspace.attach(first.workspace_name)
        second = None
        try:
            app = NeurosysApp(attached, refresh_hz=10)
            async with app.run_test(size=(120, 40)) as pilot:
                await asyncio.to_thread(first.stop, "first over")
                assert await wait_for(pilot, lambda: isinstance(app.screen, StoppedScreen))
                second = System(cfg, run_dir=tmp_path / "second", console_log=False).start()
                await pilot.press("a")
                assert await wait_for(pilot, lambda: not isinstance(app.screen, StoppedScreen))
                assert "attached again" in message(app)
                status = app.query_one(StatusBar)
                assert await wait_for(pilot, lambda: "running" in str(status.render()))
                assert app.workspace is not attached
        finally:
            attached.close()
            if second is not None:
                second.stop()

    asyncio.run(scenario())
