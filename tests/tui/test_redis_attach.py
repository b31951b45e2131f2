"""The monitor attached to a Redis workspace (what `neurosys tui --attach NAME --backend URL`
opens for a `neurosys run --ray`): the same screens and commands as on shared memory."""

from __future__ import annotations

import pytest

from neurosys.cli import main
from neurosys.workspace import Workspace

from tests.tui.conftest import fill
from tests.tui.test_app import test_keys_send_commands as keys_send_commands
from tests.tui.test_app import test_tabs_show_the_workspace as tabs_show_the_workspace


@pytest.fixture
def redis_workspace(redis_url):
    ws = Workspace(backend=redis_url)
    try:
        fill(ws)
        yield ws
    finally:
        ws.close()


def test_tabs_show_a_redis_workspace(redis_workspace):
    tabs_show_the_workspace(redis_workspace)


def test_keys_send_commands_through_redis(redis_workspace):
    keys_send_commands(redis_workspace)


def test_attach_by_backend_needs_a_name(redis_url, capsys):
    assert main(["tui", "--backend", redis_url]) == 2
    assert "--attach NAME is needed with --backend" in capsys.readouterr().err
