"""Prompt templates are data: a name maps to a format string, and ``format_prompt`` fills it
with numbers only. Free text written by another process (a workspace string, a program) never
reaches a prompt; the only words allowed as values are the fixed vocabulary below."""

from __future__ import annotations

import math
import numbers
import string
from collections.abc import Mapping
from typing import Any
from neurosys.workspace import keys

__all__ = ["TEMPLATES", "VOCABULARY", "format_prompt", "register_template"]

TEMPLATES: dict[str, str] = {
    # the seed's LLMIntegration question
    "modulation": (
        "Neural network: mean firing rate {mean_rate:.2f} Hz (max {max_rate:.2f} Hz) over "
        "{n_neurons} neurons. Program soup entropy {entropy:.3f}. Should the stimulation "
        "increase, decrease or maintain?"),
    "persona": (
        "You are agent {agent_id}, a {role} in a neuromorphic system. You were spawned at "
        "t={spawn_time:.1f} s when {trigger} measured {trigger_value:.3g}. Answer with one word."),
    "controller": (
        "Quantity {quantity}: now {value:.3g}, target {target:.3g}, error {error:+.3g} "
        "({relative_error:+.0%}), change since last tick {trend:+.3g}. To move it toward the "
        "target, should the control input increase, decrease or maintain?"),
    "observer": (
        "Quantity {quantity}: now {value:.3g}, mean of recent range {mean:.3g}, spread "
        "{spread:.3g}, change since last tick {trend:+.3g}. Over the next ticks will it rise, "
        "fall or stay?"),
    # the inventors' search (agents/search.py): the rules, then the database's best programs
    # with the evaluator's scores (soup/fitness.py), as FunSearch prompts with its best programs
    "inventor": (
        "BFF: two 64-byte programs are joined into one 128-byte tape that runs as code and data. "
        "Two heads h0, h1 start at 0. < > move h0, {{ }} move h1, + - change the byte at h0, "
        ". copies the byte at h0 to h1, , copies the byte at h1 to h0, [ jumps past the "
        "matching ] if the byte at h0 is 0, ] jumps back to the matching [ if it is not 0. A "
        "replicator loops copying itself into the other half, whichever half it is in, and stays "
        "intact. Programs with their scores (1 is a perfect replicator):\n"
        "{score1:.2f} {example1}\n{score2:.2f} {example2}\n{score3:.2f} {example3}\n"
        "Write {count} new programs of {length} instructions, one per line, that score higher."),
    "inventor_action": (
        "Your {followed} programs in the soup have {copies} copies together ({change:+d} since "
        "the last tick); {judged} earlier inventions were judged. Should you wait, invent a new "
        "program, or mutate your best one?"),
}

# Words that may appear as prompt values: our own roles, quantities and triggers, never data.
VOCABULARY: frozenset[str] = frozenset({
    "controller", "rate_controller", "complexity_controller", "lineage_observer", "regime_observer", "inventor", "clone",
    keys.SNN_MEAN_RATE, keys.SNN_SYNCHRONY, "soup/complexity", keys.AVG_ENTROPY, "soup/lineage",
    "start", "new replicator lineage", "new activity regime", "command", "cloning",
})


_BFF_TEXT = frozenset(b"<>{}+-.,[]\n")


def register_template(name: str, template: str) -> None:
    """Add or replace a template; its fields are checked at once."""
    if not isinstance(name, str) or not name:
        raise ValueError(f"name must be a non-empty string, got {name!r}")
    if not isinstance(template, str):
        raise ValueError(f"template must be a format string, got {type(template).__name__}")
    list(string.Formatter().parse(template))  # raises ValueError on a malformed template
    TEMPLATES[name] = template


def _check_value(key: str, value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        value = float(value)
        return value if math.isfinite(value) else 0.0  # a NaN in the workspace reads as 0
    if isinstance(value, str) and (value in VOCABULARY or value.isdigit()):
        return value
    if isinstance(value, bytes) and set(value) <= _BFF_TEXT:
        return value.decode("ascii")  # BFF code: instructions only, it cannot carry words
    raise ValueError(f"prompt value {key!r} must be a number or one of neurosys's own words "
                     f"(roles, quantities), got {type(value).__name__} {str(value)[:40]!r}")


def format_prompt(name: str, data: Mapping[str, Any]) -> str:
    """Fill template ``name`` with ``data`` (numbers, or words from VOCABULARY)."""
    template = TEMPLATES.get(name)
    if template is None:
        raise ValueError(f"name must be one of the prompt templates {sorted(TEMPLATES)}, got {name!r}")
    clean = {key: _check_value(key, value) for key, value in data.items()}
    try:
        return template.format(**clean)
    except KeyError as exc:
        raise ValueError(f"prompt template {name!r} needs the value {exc.args[0]!r}") from exc
