"""The commands a running system accepts, in one table, and the one function that checks them.

Two receivers take commands: the system (``System.execute`` and the ``system/command`` key that
the UI and the CLI write, see ``neurosys.run.control``) and its agent manager
(``AgentManager.submit``). Both check what they get with ``validate_command``, against
``COMMANDS``; the system forwards agent commands (spawn_agent, set_target) to the manager, which
applies its own, stricter rule (a known role). Nothing here imports torch or the engines, so the
UI and the CLI use it freely.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Literal, NamedTuple

__all__ = ["COMMANDS", "ALIASES", "ROLES", "Receiver", "Rule", "Checked", "validate_command",
           "agent_role"]

Receiver = Literal["system", "agents"]

ROLES = ("rate_controller", "complexity_controller", "regime_observer", "lineage_observer",
         "inventor")


def agent_role(role: Any, what: str = "role") -> str:
    """``role`` as the agent manager names it ("controller" is the rate controller); ValueError
    naming ``what`` when it is not one of ``ROLES``."""
    role = "rate_controller" if role == "controller" else role
    if role not in ROLES:
        raise ValueError(f"{what} must be one of {ROLES}, got {role!r}")
    return role


def _targets(op: str, args: dict[str, Any]) -> dict[str, Any]:
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


def _role_name(op: str, args: dict[str, Any]) -> dict[str, Any]:
    # The system only needs a name to forward: the manager knows the roles and rejects others,
    # and that rejection is what the UI shows (its acknowledgement of the command).
    role = args.get("role", "controller")
    if not isinstance(role, str) or not role:
        raise ValueError(f"{op} role must be a non-empty string, got {role!r}")
    return {**args, "role": role}


def _known_role(op: str, args: dict[str, Any]) -> dict[str, Any]:
    return {**args, "role": agent_role(args.get("role", "rate_controller"), f"{op} role")}


def _inject(op: str, args: dict[str, Any]) -> dict[str, Any]:
    program = args.get("program")
    if isinstance(program, str):
        program = program.encode("latin-1")
    if not isinstance(program, bytes) or not program:
        raise ValueError(f"{op} program must be non-empty bytes or text, got {program!r}")
    count = args.get("count", 16)
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError(f"{op} count must be an integer >= 1, got {count!r}")
    return {**args, "program": program, "count": count}


def _agent_id(op: str, args: dict[str, Any]) -> dict[str, Any]:
    if op == "retire" and not isinstance(args.get("id"), str):
        raise ValueError(f"retire needs the agent id (a string), got {args.get('id')!r}")
    if args.get("id") is not None and not isinstance(args["id"], str):
        raise ValueError(f"{op} id must be an agent id string (or absent: every agent)")
    return args


def _as_given(op: str, args: dict[str, Any]) -> dict[str, Any]:
    return args


class Rule(NamedTuple):
    """One command: the argument names it accepts, and the check that returns them normalised
    (``check(op, args)``, ValueError naming what is wrong)."""

    args: tuple[str, ...] = ()
    check: Callable[[str, dict[str, Any]], dict[str, Any]] = _as_given


COMMANDS: dict[Receiver, dict[str, Rule]] = {
    "system": {
        "pause": Rule(),
        "resume": Rule(),
        "stop": Rule(),
        "set_target": Rule(("rate_hz", "complexity"), _targets),
        "spawn_agent": Rule(("role",), _role_name),
        "inject": Rule(("program", "count"), _inject),
    },
    "agents": {
        "spawn": Rule(("role",), _known_role),
        "retire": Rule(("id", "reason"), _agent_id),
        "set_target": Rule(("rate_hz", "complexity"), _targets),
        "pause": Rule(("id",), _agent_id),      # no id: the whole manager
        "resume": Rule(("id",), _agent_id),
    },
}
# The manager also takes the UI's names of its commands.
ALIASES: dict[Receiver, dict[str, str]] = {
    "system": {},
    "agents": {"spawn_agent": "spawn", "retire_agent": "retire", "pause_agent": "pause",
               "resume_agent": "resume"},
}


class Checked(NamedTuple):
    op: str                # the command's own name (an alias resolved)
    args: dict[str, Any]   # its arguments, checked and normalised


def validate_command(op: Any, args: Any = None, receiver: Receiver = "system") -> Checked:
    """``op`` and ``args`` checked for ``receiver`` (see ``COMMANDS``); raise ValueError naming
    what is wrong."""
    table = COMMANDS[receiver]
    op = ALIASES[receiver].get(op, op) if isinstance(op, str) else op
    if not isinstance(op, str) or op not in table:
        raise ValueError(f"op must be one of {', '.join(table)}, got {op!r}")
    if args is not None and not isinstance(args, dict):
        raise ValueError(f"{op} args must be a dict of arguments, got {type(args).__name__}")
    rule = table[op]
    args = dict(args or {})
    for name in args:
        if name not in rule.args:
            raise ValueError(f"{op} accepts the arguments {rule.args or 'none'}, got {name!r}")
    return Checked(op, rule.check(op, args))
