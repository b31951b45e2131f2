"""The system configuration: one TOML file with a section per component.

Every key has a default, a type, a documented meaning and a valid range; `neurosys config --show`
prints them all as a commented TOML file that is itself a valid configuration. Unknown sections,
unknown keys and bad values raise ``ValueError`` naming the key (``network.dt``), so a typo never
silently falls back to a default. A key that feeds an engine parameter takes that parameter's
rule from the engine (``feeds=``: ``neurosys.limits.engine_limit``); the others keep theirs here.
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from neurosys import _core
from neurosys.limits import Limit, check_range, engine_limit, range_text

__all__ = ["SystemConfig", "SystemSection", "NetworkSection", "SoupSection", "LLMSection",
           "AgentsSection", "LedgerSection", "TUISection", "ClusterSection", "load_config"]


def _key(doc: str, *, lo: float = -math.inf, hi: float = math.inf, lo_open: bool = False,
         choices: tuple[Any, ...] | None = None,
         feeds: tuple[str, str] | None = None) -> dict[str, Any]:
    """Field metadata: the documentation line and the accepted range or choices; ``feeds``
    names the engine parameter (``("snn", "dt")``) whose rule the key takes instead."""
    return {"doc": doc, "limit": Limit(lo, hi, lo_open), "choices": choices, "feeds": feeds}


def _limit(f: dataclasses.Field) -> Limit:
    feeds = f.metadata["feeds"]
    return engine_limit(*feeds) if feeds else f.metadata["limit"]


@dataclass
class SystemSection:
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
    target_rate_hz: float = field(default=10.0, metadata=_key(
        "initial target of the population mean rate (Hz), published in system/targets", lo=0.0))
    target_complexity: float = field(default=0.5, metadata=_key(
        "initial target of the soup's high-order entropy, published in system/targets", lo=0.0))


@dataclass
class NetworkSection:
    enabled: bool = field(default=True, metadata=_key("run the spiking network"))
    n_neurons: int = field(default=1000, metadata=_key("neurons in the network",
                                                       feeds=("preset", "n_neurons")))
    connection_prob: float = field(default=0.1, metadata=_key(
        "probability of a synapse between two neurons", feeds=("snn", "p")))
    dt: float = field(default=1e-4, metadata=_key("integration step (s)", feeds=("snn", "dt")))
    chunk: float = field(default=0.05, metadata=_key(
        "simulated seconds per step of the network thread", lo=0.0, hi=10.0, lo_open=True))
    device: str = field(default="auto", metadata=_key("where the network runs",
                                                      choices=_core.DEVICES))


@dataclass
class SoupSection:
    enabled: bool = field(default=True, metadata=_key("run the primordial soup"))
    language: str = field(default="bff", metadata=_key("program language",
                                                       choices=_core.soup.LANGUAGES))
    n_programs: int = field(default=4096, metadata=_key(
        "programs in the soup (an even number: programs interact in pairs)", feeds=("soup", "size")))
    program_size: int = field(default=64, metadata=_key("bytes per program",
                                                        feeds=("soup", "program_length")))
    mutation_rate: float = field(default=0.00024, metadata=_key(
        "per-byte mutation probability per epoch", feeds=("soup", "mutation_rate")))
    epochs_per_step: int = field(default=4, metadata=_key(
        "epochs per step of the soup thread", lo=1))
    metrics_every: int = field(default=8, metadata=_key(
        "epochs between two metrics samples", lo=1))
    device: str = field(default="auto", metadata=_key("where the soup runs",
                                                      choices=_core.DEVICES))


@dataclass
class LLMSection:
    enabled: bool = field(default=True, metadata=_key("run the LLM integration loop"))
    model: str = field(default="", metadata=_key(
        "GGUF path, Ollama name or http(s) URL; empty: the bundled SmolLM2-135M-Instruct"))
    interval: float = field(default=2.0, metadata=_key(
        "seconds between two LLM decisions", lo=0.0, lo_open=True))
    yield_engines: bool = field(default=True, metadata=_key(
        "pause the network and soup between steps while a decision is pending, so that it "
        "arrives at the interval on a machine without a spare core"))


@dataclass
class AgentsSection:
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
class LedgerSection:
    enabled: bool = field(default=True, metadata=_key("run the token ledger and the economy"))
    chain: str = field(default="embedded", metadata=_key(
        "\"embedded\" (in-process EVM) or the http(s) URL of a JSON-RPC node"))


@dataclass
class TUISection:
    refresh_hz: float = field(default=4.0, metadata=_key(
        "frames per second of the terminal monitor", lo=0.0, hi=60.0, lo_open=True))


@dataclass
class ClusterSection:
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
    """Return ``value`` converted to the field's type, or raise ValueError naming the key."""
    name = f"{section}.{f.name}"
    kind = type(f.default)
    if kind is bool:
        if not isinstance(value, bool):
            raise ValueError(f"{name} must be true or false, got {value!r}")
    elif kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{name} must be an integer, got {value!r}")
    elif kind is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ValueError(f"{name} must be a finite number, got {value!r}")
        value = float(value)
    elif kind is str:
        if not isinstance(value, str):
            raise ValueError(f"{name} must be a string, got {value!r}")
    choices = f.metadata["choices"]
    if choices is not None and value not in choices:
        accepted = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be one of {accepted}, got {value!r}")
    if kind in (int, float):
        check_range(name, value, _limit(f))
    return value


def _build_section(section: str, values: Any) -> Any:
    cls = _SECTIONS[section]
    if not isinstance(values, dict):
        raise ValueError(f"[{section}] must be a table of keys, got {values!r}")
    known = {f.name: f for f in fields(cls)}
    for key in values:
        if key not in known:
            raise ValueError(f"unknown key {section}.{key}; [{section}] accepts: "
                             f"{', '.join(sorted(known))}")
    return cls(**{k: _check_value(section, known[k], v) for k, v in values.items()})


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
        self.validate()

    def validate(self) -> None:
        """Re-check every value (after attributes were set by hand)."""
        for section in _SECTIONS:
            obj = getattr(self, section)
            if not isinstance(obj, _SECTIONS[section]):
                raise ValueError(f"[{section}] must be a {_SECTIONS[section].__name__}")
            for f in fields(obj):
                setattr(obj, f.name, _check_value(section, f, getattr(obj, f.name)))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SystemConfig:
        if not isinstance(data, dict):
            raise ValueError(f"a configuration must be a table of sections, got {data!r}")
        for section in data:
            if section not in _SECTIONS:
                raise ValueError(f"unknown section [{section}]; accepted: {', '.join(_SECTIONS)}")
        return cls(**{s: _build_section(s, v) for s, v in data.items()})

    @classmethod
    def from_toml(cls, path: str | Path) -> SystemConfig:
        return cls.from_dict(read_toml(path, "config file"))

    def to_dict(self) -> dict[str, dict[str, Any]]:
        return {s: dataclasses.asdict(getattr(self, s)) for s in _SECTIONS}

    def override(self, dotted: dict[str, Any]) -> SystemConfig:
        """A copy with ``{"system.duration": 5.0, ...}`` applied (validated)."""
        data = self.to_dict()
        for key, value in dotted.items():
            section, _, name = key.partition(".")
            if section not in _SECTIONS or not name:
                raise ValueError(f"override key must be 'section.key', got {key!r}")
            data[section][name] = value
        return SystemConfig.from_dict(data)

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
        raise ValueError(f"{what} {str(path)!r} is not valid TOML: {exc}") from None


def load_config(path: str | Path | None = None) -> SystemConfig:
    """The configuration in ``path``, or the embedded defaults when ``path`` is None."""
    return SystemConfig() if path is None else SystemConfig.from_toml(path)
