"""Scripted control of a running system through the workspace key ``system/command``.

The UI and the CLI write ``{"op", "args", "seq"}``; the system polls the key and runs each
command whose ``seq`` it has not seen yet. One key holds one command, so two commands written
faster than the system polls (tens of milliseconds) keep only the second: a person at a
keyboard never does that, and scripts in the same process call ``System`` methods directly.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

__all__ = ["COMMAND_KEY", "ACK_KEY", "OPS", "Command", "send_command", "validate_command",
           "read_ack", "CommandReader"]

COMMAND_KEY = "system/command"
# {str(seq): "done" or the reason the system rejected it}, for the latest _ACKS_KEPT commands.
ACK_KEY = "system/command_acks"
_ACKS_KEPT = 32

# op -> accepted argument names
OPS: dict[str, tuple[str, ...]] = {
    "pause": (),
    "resume": (),
    "stop": (),
    "set_target": ("rate_hz", "complexity"),
    "spawn_agent": ("role",),
    "inject": ("program", "count"),
}



def check_targets(args: dict[str, Any]) -> dict[str, float]:
    """set_target's arguments (rate_hz and/or complexity) as floats; ValueError naming a bad one."""
    if not args:
        raise ValueError("set_target needs rate_hz and/or complexity")
    checked = {}
    for name, value in args.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not math.isfinite(value) or value < 0:
            raise ValueError(f"set_target {name} must be a finite number >= 0, got {value!r}")
        checked[name] = float(value)
    return checked

def validate_command(op: str, args: dict[str, Any] | None) -> dict[str, Any]:
    """Return ``args`` checked for ``op``; raise ValueError naming what is wrong."""
    if op not in OPS:
        raise ValueError(f"op must be one of {', '.join(OPS)}, got {op!r}")
    if args is not None and not isinstance(args, dict):
        raise ValueError(f"{op} args must be a dict of arguments, got {type(args).__name__}")
    args = dict(args or {})
    for name in args:
        if name not in OPS[op]:
            raise ValueError(f"{op} accepts the arguments {OPS[op] or 'none'}, got {name!r}")
    if op == "set_target":
        args = check_targets(args)
    elif op == "spawn_agent":
        role = args.get("role", "controller")
        if not isinstance(role, str) or not role:
            raise ValueError(f"spawn_agent role must be a non-empty string, got {role!r}")
        args["role"] = role
    elif op == "inject":
        program = args.get("program")
        if isinstance(program, str):
            program = program.encode("latin-1")
        if not isinstance(program, bytes) or not program:
            raise ValueError(f"inject program must be non-empty bytes or text, got {program!r}")
        count = args.get("count", 16)
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ValueError(f"inject count must be an integer >= 1, got {count!r}")
        args.update(program=program, count=count)
    return args


def send_command(workspace: Any, op: str, args: dict[str, Any] | None = None) -> int:
    """Write one command for the system attached to ``workspace``; returns its sequence number."""
    args = validate_command(op, args)
    current = workspace.read(COMMAND_KEY)
    seq = int(current.get("seq", 0)) + 1 if isinstance(current, dict) else 1
    workspace.write(COMMAND_KEY, {"op": op, "args": args, "seq": seq})
    return seq


def read_ack(workspace: Any, seq: int) -> str | None:
    """What the system answered to command ``seq``: "done", the error, or None (not yet)."""
    acks = workspace.read(ACK_KEY)
    return acks.get(str(seq)) if isinstance(acks, dict) else None


class Command(NamedTuple):
    seq: int
    op: str
    args: Any  # as sent; the system validates it and acknowledges the outcome


class CommandReader:
    """Yields each new command once and writes the acknowledgements. Commands present before
    the reader was created are ignored, so a restarted system does not replay an old ``stop``."""

    def __init__(self, workspace: Any) -> None:
        self._workspace = workspace
        current = workspace.read(COMMAND_KEY)
        self._seen = int(current.get("seq", 0)) if isinstance(current, dict) else 0
        self._acks: dict[str, str] = {}

    def poll(self) -> Command | None:
        """The next unseen command, or None."""
        cmd = self._workspace.read(COMMAND_KEY)
        if not isinstance(cmd, dict):
            return None
        seq = cmd.get("seq")
        if not isinstance(seq, int) or seq <= self._seen:
            return None
        self._seen = seq
        return Command(seq, str(cmd.get("op")), cmd.get("args"))

    def acknowledge(self, seq: int, result: str) -> None:
        """Publish the outcome of command ``seq``: "done" or why it was rejected."""
        self._acks[str(seq)] = result
        while len(self._acks) > _ACKS_KEPT:
            del self._acks[next(iter(self._acks))]
        self._workspace.write(ACK_KEY, dict(self._acks))
