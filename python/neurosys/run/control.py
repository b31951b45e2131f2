"""Scripted control of a running system through the workspace key ``system/command``.

The UI and the CLI write ``{"op", "args", "seq"}``; the system polls the key and runs each
command whose ``seq`` it has not seen yet. One key holds one command, so two commands written
faster than the system polls (tens of milliseconds) keep only the second: a person at a
keyboard never does that, and scripts in the same process call ``System`` methods directly.
The commands and their arguments are in ``neurosys.run.commands``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from neurosys.run.commands import validate_command
from neurosys.workspace import keys

__all__ = ["COMMAND_KEY", "ACK_KEY", "Command", "send_command", "read_ack", "CommandReader"]

COMMAND_KEY = keys.SYSTEM_COMMAND
# {str(seq): "done" or the reason the system rejected it}, for the latest _ACKS_KEPT commands.
ACK_KEY = keys.SYSTEM_COMMAND_ACKS
_ACKS_KEPT = 32


def send_command(workspace: Any, op: str, args: dict[str, Any] | None = None) -> int:
    """Write one command for the system attached to ``workspace``; returns its sequence number.
    It is checked here as the system will check it (``neurosys.run.commands``), so a bad one is
    never sent."""
    args = validate_command(op, args).args
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
