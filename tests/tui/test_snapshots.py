"""Snapshots of the main screens on fixed workspace data (pytest-textual-snapshot).
Update after an intended change with: pytest tests/tui --snapshot-update"""

from __future__ import annotations

import time

import pytest

from neurosys.tui.app import NeurosysApp


@pytest.fixture(autouse=True)
def utc(monkeypatch):
    """Ledger times show in local time: pin the zone so the screens are the same anywhere."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize("tab", ["network", "soup", "agents", "ledger"])
def test_screen(tab, workspace, snap_compare):
    async def show(pilot):
        pilot.app.query_one("TabbedContent").active = tab
        await pilot.pause()
        pilot.app.poll_workspace()
        await pilot.pause()

    app = NeurosysApp(workspace, refresh_hz=0.1)
    assert snap_compare(app, terminal_size=(120, 36), run_before=show)
