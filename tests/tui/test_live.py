"""The monitor attached to a real running System: it shows live data and its keys act on it."""

from __future__ import annotations

import asyncio
import os
import time

from neurosys.config import SystemConfig
from neurosys.system import System
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
        "network.n_neurons": 200, "network.chunk": 0.02, "soup.n_programs": 256,
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
