"""The one command check (neurosys.run.commands) as the system and its agent manager apply it: what
each accepts, how arguments are normalised, and the errors the UI shows as acknowledgements."""

from __future__ import annotations

import os

import pytest

from neurosys.run.commands import COMMANDS, ROLES, validate_command
from neurosys.run.control import send_command
from neurosys.workspace import Workspace


def test_system_commands_are_normalised():
    assert validate_command("pause") == ("pause", {})
    assert validate_command("set_target", {"rate_hz": 12}).args == {"rate_hz": 12.0}
    assert validate_command("spawn_agent").args == {"role": "controller"}
    # the system forwards any role name: the manager knows the roles (and says so in the ack)
    assert validate_command("spawn_agent", {"role": "wizard"}).args == {"role": "wizard"}
    assert validate_command("inject", {"program": "[<{.>,}]"}).args == {"program": b"[<{.>,}]",
                                                                        "count": 16}


@pytest.mark.parametrize("op, args, message", [
    ("explode", None, "op must be one of pause, resume, stop, set_target, spawn_agent, inject, "
                      "got 'explode'"),
    ("pause", [1], "pause args must be a dict of arguments, got list"),
    ("pause", {"id": "agent-1"}, "pause accepts the arguments none, got 'id'"),
    ("set_target", {}, "set_target needs rate_hz and/or complexity"),
    ("set_target", {"rate_hz": -1}, "set_target rate_hz must be a finite number >= 0, got -1"),
    ("set_target", {"complexity": True}, "set_target complexity must be a finite number >= 0"),
    ("spawn_agent", {"role": ""}, "spawn_agent role must be a non-empty string, got ''"),
    ("inject", {}, "inject program must be non-empty bytes or text, got None"),
    ("inject", {"program": b"+", "count": 0}, "inject count must be an integer >= 1, got 0"),
])
def test_system_rejects(op, args, message):
    with pytest.raises(ValueError) as error:
        validate_command(op, args)
    assert message in str(error.value)


def test_agent_commands_resolve_aliases_and_roles():
    assert validate_command("spawn_agent", {"role": "controller"}, "agents") == (
        "spawn", {"role": "rate_controller"})
    assert validate_command("spawn", None, "agents").args == {"role": "rate_controller"}
    assert validate_command("retire_agent", {"id": "agent-2"}, "agents").op == "retire"
    assert validate_command("pause", None, "agents") == ("pause", {})
    assert validate_command("resume_agent", {"id": "agent-1"}, "agents") == (
        "resume", {"id": "agent-1"})


@pytest.mark.parametrize("op, args, message", [
    ("stop", None, "op must be one of spawn, retire, set_target, pause, resume, got 'stop'"),
    (None, None, "op must be one of"),
    ("spawn", {"role": "wizard"}, f"spawn role must be one of {ROLES}, got 'wizard'"),
    ("retire", {}, "retire needs the agent id (a string), got None"),
    ("retire", {"id": "agent-1", "why": "x"}, "retire accepts the arguments ('id', 'reason')"),
    ("pause", {"id": 3}, "pause id must be an agent id string (or absent: every agent)"),
    ("set_target", {"rate_hz": float("nan")}, "set_target rate_hz must be a finite number"),
])
def test_agent_manager_rejects(op, args, message):
    with pytest.raises(ValueError) as error:
        validate_command(op, args, "agents")
    assert message in str(error.value)


def test_both_receivers_share_the_target_rule():
    assert COMMANDS["system"]["set_target"] == COMMANDS["agents"]["set_target"]


def test_a_bad_command_is_never_sent():
    ws = Workspace(f"neurosys-test-commands-{os.getpid()}", 8, 4096, unlink_on_close=True)
    try:
        with pytest.raises(ValueError, match="inject count"):
            send_command(ws, "inject", {"program": b"+", "count": -1})
        assert ws.read("system/command") is None
        assert send_command(ws, "spawn_agent", {"role": "wizard"}) == 1
        assert ws.read("system/command") == {"op": "spawn_agent", "args": {"role": "wizard"},
                                             "seq": 1}
    finally:
        ws.close()
