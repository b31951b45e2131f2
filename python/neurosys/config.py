"""The system configuration: one TOML file with a section per component.

Every key has a default, a type, a documented meaning and a valid range; `neurosys config --show`
prints them all as a commented TOML file that is itself a valid configuration. Unknown sections,
unknown keys and bad values raise ``ParameterError`` (a ValueError) naming the key
(``network.dt``), so a typo never silently falls back to a default. A key that feeds an engine
parameter has that parameter's name, and takes its rule and (unless the system wants another)
its default from the engine's table (``_engine_key``: ``neurosys.limits``); the others keep
theirs here. Each value is checked once, when its section is made (or when ``override`` sets it);
the checked ``SystemConfig`` is what the rest of the run is handed.
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from neurosys import _core
from neurosys.errors import ParameterError
from neurosys.limits import Limit, check_range, engine_default, engine_limit, range_text

__all__ = ["SystemConfig", "SystemSection", "NetworkSection", "SoupSection", "LLMSection",
           "AgentsSection", "LedgerSection", "TUISection", "ClusterSection", "load_config"]


def _key(doc: str, *, lo: float = -math.inf, hi: float = math.inf, lo_open: bool = False,
         choices: tuple[Any, ...] | None = None,
         feeds: tuple[str, str] | None = None) -> dict[str, Any]:
    """Field metadata: the documentation line and the accepted range or choices; ``feeds``
    names the engine parameter (``("snn", "dt")``) whose rule the key takes instead."""
    return {"doc": doc, "limit": Limit(lo, hi, lo_open), "choices": choices, "feeds": feeds}


def _engine_key(doc: str, engine: str, name: str, kind: type, default: Any = None) -> Any:
    """A key that feeds engine parameter ``name`` (and has its name): the engine's rule, and
    the engine's default unless ``default`` is given (the system's own choice)."""
    value = engine_default(engine, name, kind) if default is None else default
    return field(default=value, metadata=_key(doc, feeds=(engine, name)))


def _limit(f: dataclasses.Field) -> Limit:
    feeds = f.metadata["feeds"]
    return engine_limit(*feeds) if feeds else f.metadata["limit"]


class _Section:
    """A section checks each of its values once, when it is made."""

    SECTION = ""

    def __post_init__(self) -> None:
        for f in fields(self):  # type: ignore[arg-type]
            setattr(self, f.name, _check_value(self.SECTION, f, getattr(self, f.name)))


@dataclass
class SystemSection(_Section):
    SECTION = "system"

    duration: float = field(default=20.0, metadata=_key(
        "wall-clock seconds `neurosys run` lasts; 0 runs until stopped (Ctrl-C, SIGTERM, UI quit)",
        lo=0.0))
    run_root: str = field(default="runs", metadata=_key(
        "folder that receives one run directory per run (runs/<timestamp>/)"))
    workspace_name: str = field(default="", metadata=_key(
        "name of the shared-memory workspace other processes attach to; empty: neurosys-<pid>"))
    seed: int = field(default=1, metadata=_key("seed of every random generator", lo=0))
    progress_interval: float = field(default=1.0, metadata=_key(
        "seconds between two progress lines; 0 turns the progress line off", lo=0.0))
    persist_interval: float = field(default=10.0, metadata=_key(
        "seconds between two snapshots of the workspace to the run directory", lo=0.0, lo_open=True))
    log_level: str = field(default="INFO", metadata=_key(
        "console and run-store log level", choices=("DEBUG", "INFO", "WARNING", "ERROR")))
    rate_hz: float = field(default=10.0, metadata=_key(
        "initial target of the population mean rate (Hz), published in system/targets", lo=0.0))
    complexity: float = field(default=0.5, metadata=_key(
        "initial target of the soup's high-order entropy, published in system/targets", lo=0.0))


@dataclass
class NetworkSection(_Section):
    SECTION = "network"

    enabled: bool = field(default=True, metadata=_key("run the spiking network"))
    n_neurons: int = _engine_key("neurons in the network", "snn", "n_neurons", int)
    connection_prob: float = field(default=0.1, metadata=_key(
        "probability of a synapse between two neurons", feeds=("snn", "p")))
    dt: float = _engine_key("integration step (s)", "snn", "dt", float)
    chunk: float = field(default=0.05, metadata=_key(
        "simulated seconds per step of the network thread", lo=0.0, hi=10.0, lo_open=True))
    device: str = field(default="auto", metadata=_key("where the network runs",
                                                      choices=_core.DEVICES))


@dataclass
class SoupSection(_Section):
    SECTION = "soup"

    enabled: bool = field(default=True, metadata=_key("run the primordial soup"))
    language: str = field(default="bff", metadata=_key("program language",
                                                       choices=_core.soup.LANGUAGES))
    size: int = _engine_key("programs in the soup (an even number: programs interact in pairs)",
                            "soup", "size", int, default=4096)  # the engine's 2^17 is a research soup
    program_length: int = _engine_key("bytes per program", "soup", "program_length", int)
    mutation_rate: float = _engine_key("per-byte mutation probability per epoch", "soup",
                                       "mutation_rate", float)
    epochs_per_step: int = field(default=4, metadata=_key(
        "epochs per step of the soup thread", lo=1))
    metrics_every: int = field(default=8, metadata=_key(
        "epochs between two metrics samples", lo=1))
    device: str = field(default="auto", metadata=_key("where the soup runs",
                                                      choices=_core.DEVICES))


@dataclass
class LLMSection(_Section):
    SECTION = "llm"

    enabled: bool = field(default=True, metadata=_key("run the LLM integration loop"))
    model: str = field(default="", metadata=_key(
        "GGUF path, Ollama name or http(s) URL; empty: the bundled SmolLM2-135M-Instruct"))
    interval: float = field(default=2.0, metadata=_key(
        "seconds between two LLM decisions", lo=0.0, lo_open=True))
    yield_engines: bool = field(default=True, metadata=_key(
        "pause the network and soup between steps while a decision is pending, so that it "
        "arrives at the interval on a machine without a spare core"))


@dataclass
class AgentsSection(_Section):
    SECTION = "agents"

    enabled: bool = field(default=True, metadata=_key("run the agent manager"))
    tick_interval: float = field(default=0.5, metadata=_key(
        "seconds between two agent-manager ticks", lo=0.0, lo_open=True))
    max_agents: int = field(default=8, metadata=_key("most agents alive at once", lo=0))
    consult_every: int = field(default=10, metadata=_key(
        "ticks between two LLM consultations of an agent (0: only when its policy is unsure)",
        lo=0))
    inventors: int = field(default=1, metadata=_key(
        "inventor agents spawned at start (they need the soup)", lo=0))
    search: str = field(default="llm", metadata=_key(
        "where inventors' proposals come from: \"llm\" (the LLM, and mutation and crossover of "
        "the best scored) or \"mutation\" (mutation and crossover only)", choices=("llm", "mutation")))
    inject_threshold: float = field(default=0.9, metadata=_key(
        "the evaluator's score (0-1, soup.fitness) an inventor's program needs before a "
        "mini-soup trial and its injection", lo=0.0, hi=1.0))
    model: str = field(default="", metadata=_key(
        "the inventors' own LLM: a GGUF file or an Ollama name (\"\": the model the agents share)"))


@dataclass
class LedgerSection(_Section):
    SECTION = "ledger"

    enabled: bool = field(default=True, metadata=_key("run the token ledger and the economy"))
    chain: str = field(default="embedded", metadata=_key(
        "\"embedded\" (in-process EVM) or the http(s) URL of a JSON-RPC node"))


@dataclass
class TUISection(_Section):
    SECTION = "tui"

    refresh_hz: float = field(default=4.0, metadata=_key(
        "frames per second of the terminal monitor", lo=0.0, hi=60.0, lo_open=True))


@dataclass
class ClusterSection(_Section):
    SECTION = "cluster"

    address: str = field(default="", metadata=_key(
        "Ray cluster address for `neurosys run --ray` and `neurosys sweep`; empty: a local cluster"))
    redis_url: str = field(default="", metadata=_key(
        "workspace server of a Ray run, redis://host:port/db; empty: a private redis-server on "
        "127.0.0.1 for the run"))
    num_cpus: int = field(default=0, metadata=_key(
        "CPUs of a local Ray cluster started by the run; 0: all of them", lo=0))
    soup_islands: int = field(default=1, metadata=_key(
        "soup actors of `neurosys run --ray`; island 0 publishes the soup/ keys, island i "
        "publishes under soup/island/<i>/", lo=1))
    migration_every: int = field(default=64, metadata=_key(
        "epochs between two migrations of programs to the next island (a ring)", lo=1))
    migration_fraction: float = field(default=0.01, metadata=_key(
        "share of an island's programs sent at each migration", lo=0.0, hi=1.0))
    agent_workers: int = field(default=2, metadata=_key(
        "AgentWorker actors of `neurosys run --ray` that run the agents (a pool); the workers of "
        "a node share one LLM", lo=1))


_SECTIONS: dict[str, type] = {
    "system": SystemSection, "network": NetworkSection, "soup": SoupSection, "llm": LLMSection,
    "agents": AgentsSection, "ledger": LedgerSection, "tui": TUISection, "cluster": ClusterSection,
}


def _check_value(section: str, f: dataclasses.Field, value: Any) -> Any:
    """Return ``value`` converted to the field's type, or raise ParameterError naming the key."""
    name = f"{section}.{f.name}"
    kind = type(f.default)
    if kind is bool:
        if not isinstance(value, bool):
            raise ParameterError(f"{name} must be true or false, got {value!r}")
    elif kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ParameterError(f"{name} must be an integer, got {value!r}")
    elif kind is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ParameterError(f"{name} must be a finite number, got {value!r}")
        value = float(value)
    elif kind is str:
        if not isinstance(value, str):
            raise ParameterError(f"{name} must be a string, got {value!r}")
    choices = f.metadata["choices"]
    if choices is not None and value not in choices:
        accepted = ", ".join(repr(c) for c in choices)
        raise ParameterError(f"{name} must be one of {accepted}, got {value!r}")
    if kind in (int, float):
        check_range(name, value, _limit(f))
    return value


# Keys that took the name their value has downstream (#23): a file with the old name is told the new one.
_RENAMED = {"soup.n_programs": "soup.size", "soup.program_size": "soup.program_length",
            "system.target_rate_hz": "system.rate_hz", "system.target_complexity": "system.complexity"}


def _field(section: str, key: str) -> dataclasses.Field:
    known = {f.name: f for f in fields(_SECTIONS[section])}
    if key not in known:
        renamed = _RENAMED.get(f"{section}.{key}")
        hint = f" (renamed to {renamed})" if renamed else ""
        raise ParameterError(f"unknown key {section}.{key}{hint}; [{section}] accepts: "
                             f"{', '.join(sorted(known))}")
    return known[key]


def _build_section(section: str, values: Any) -> Any:
    if not isinstance(values, dict):
        raise ParameterError(f"[{section}] must be a table of keys, got {values!r}")
    for key in values:
        _field(section, key)
    return _SECTIONS[section](**values)  # the section checks each value


@dataclass
class SystemConfig:
    """The whole configuration; ``cfg.network.dt`` and so on. Construct it with
    :meth:`from_dict`, :meth:`from_toml` or with no arguments for the embedded defaults."""

    system: SystemSection = field(default_factory=SystemSection)
    network: NetworkSection = field(default_factory=NetworkSection)
    soup: SoupSection = field(default_factory=SoupSection)
    llm: LLMSection = field(default_factory=LLMSection)
    agents: AgentsSection = field(default_factory=AgentsSection)
    ledger: LedgerSection = field(default_factory=LedgerSection)
    tui: TUISection = field(default_factory=TUISection)
    cluster: ClusterSection = field(default_factory=ClusterSection)

    def __post_init__(self) -> None:
        for section, cls in _SECTIONS.items():  # each section checked its values when made
            if not isinstance(getattr(self, section), cls):
                raise ParameterError(f"[{section}] must be a {cls.__name__}")

    def validate(self) -> None:
        """Re-check every value (after attributes were set by hand)."""
        for section in _SECTIONS:
            getattr(self, section).__post_init__()

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SystemConfig:
        if not isinstance(data, dict):
            raise ParameterError(f"a configuration must be a table of sections, got {data!r}")
        for section in data:
            if section not in _SECTIONS:
                raise ParameterError(f"unknown section [{section}]; accepted: {', '.join(_SECTIONS)}")
        return cls(**{s: _build_section(s, v) for s, v in data.items()})

    @classmethod
    def from_toml(cls, path: str | Path) -> SystemConfig:
        return cls.from_dict(read_toml(path, "config file"))

    def to_dict(self) -> dict[str, dict[str, Any]]:
        return {s: dataclasses.asdict(getattr(self, s)) for s in _SECTIONS}

    def override(self, dotted: dict[str, Any]) -> SystemConfig:
        """A copy with ``{"system.duration": 5.0, ...}`` applied; only the new values are checked
        (the others were checked when this configuration was made)."""
        copy = SystemConfig(**{s: _copy_section(getattr(self, s)) for s in _SECTIONS})
        for key, value in dotted.items():
            section, _, name = key.partition(".") if isinstance(key, str) else ("", "", "")
            if section not in _SECTIONS or not name:
                raise ParameterError(f"override key must be 'section.key', got {key!r}")
            setattr(getattr(copy, section), name, _check_value(section, _field(section, name), value))
        return copy

    def to_toml(self, *, comments: bool = True) -> str:
        """The configuration as TOML; with ``comments`` each key carries its documentation."""
        lines: list[str] = []
        for section in _SECTIONS:
            obj = getattr(self, section)
            lines.append(f"[{section}]")
            for f in fields(obj):
                if comments:
                    lines.append(f"# {f.metadata['doc']}{_range_text(f)}")
                lines.append(f"{f.name} = {_toml_value(getattr(obj, f.name))}")
            lines.append("")
        return "\n".join(lines)


def _copy_section(section: Any) -> Any:
    """A section's copy, without checking its values again."""
    copy = object.__new__(type(section))
    copy.__dict__.update(section.__dict__)
    return copy


def _range_text(f: dataclasses.Field) -> str:
    if f.metadata["choices"]:
        return " (one of " + ", ".join(_toml_value(c) for c in f.metadata["choices"]) + ")"
    if type(f.default) not in (int, float):
        return ""
    text = range_text(_limit(f), integer=type(f.default) is int)
    return f" ({text})" if text else ""


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return repr(value)


def read_toml(path: str | Path, what: str) -> dict[str, Any]:
    """A TOML file as a dict; FileNotFoundError / ValueError name ``what`` and the path."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{what} {str(path)!r} does not exist")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ParameterError(f"{what} {str(path)!r} is not valid TOML: {exc}") from None


def load_config(path: str | Path | None = None) -> SystemConfig:
    """The configuration in ``path``, or the embedded defaults when ``path`` is None."""
    return SystemConfig() if path is None else SystemConfig.from_toml(path)
