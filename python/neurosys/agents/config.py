"""Settings of the agent manager; every amount an agent uses comes from here (token amounts come
from the economy's own config)."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

from neurosys.agents.search import INJECT_THRESHOLD

__all__ = ["AgentsConfig", "SEARCHES"]

SEARCHES = ("llm", "mutation")


@dataclass
class AgentsConfig:
    max_agents: int = 8              # population cap, start controllers included
    consult_every: int = 10          # ticks between LLM consultations (0: only when uncertain)
    uncertainty: float = 0.95        # consult when the policy's normalized entropy exceeds this
    budget: int = 200                # LLM consultations per agent when there is no economy
    context_size: int = 5            # exchanges each agent keeps in its LLM context
    control_rate: bool = True        # spawn the network rate controller at start
    control_complexity: bool = True  # spawn the soup complexity controller (needs a soup)
    inventors: int = 1               # inventors spawned at start (need a soup)
    rate_hz: float = 10.0            # initial targets (system/targets and set_target override)
    complexity: float = 0.5
    rate_gain_nA: float = 0.05       # modulation step (nA) at >= rate_scale_hz of rate error
    rate_scale_hz: float = 15.0      # rate error (Hz) from which the step is rate_gain_nA, proportional below
    warm_start: bool = True          # prime the rate controller's policy with the error's sign
    prior_weight: float = 0.0        # controllers imitate the error's sign each tick with this weight
    mutation_factor: float = 1.25    # complexity controller: mutation rate x / ÷ per action
    mutation_rate_floor: float = 1e-6
    mutation_rate_ceiling: float = 0.05
    balance_every: int = 20          # ticks between balance reads when the ledger publishes none
    contribution_every: int = 20     # ticks per contribution report to the economy
    learning_window: int = 25        # ticks per accuracy window reported as learning
    program_length: int = 64         # BFF program size the soup uses
    inject_count: int = 16           # copies of an invention injected into the soup
    follow_epochs: int = 50          # soup epochs after which an invention is judged
    programs_per_call: int = 1       # BFF programs an inventor asks of one LLM call (amortises it)
    search: str = "llm"              # inventors' proposals: "llm" (and the operators), "mutation" (operators only)
    search_children: int = 256       # programs an inventor scores per round of the operators
    inject_threshold: float = INJECT_THRESHOLD  # evaluator score (soup.fitness) a program needs to be injected
    model: str = ""                  # the inventors' LLM (GGUF path or Ollama name); "": the shared one
    regime_window: int = 30          # samples of recent range for the regime detector
    regime_persist: int = 3          # samples outside the range before a new regime counts
    regime_min_margin_hz: float = 2.0
    min_age: int = 60                # ticks before an agent may be retired or cloned
    retire_below: float = -0.5       # mean reward (last 50 ticks) under which agents retire
    clone_every: int = 100           # ticks between cloning rounds
    clone_above: float = 0.3         # mean reward a clone's parent must exceed
    clone_sigma: float = 0.02        # std of the noise added to a clone's policy weights
    torch_threads: int = 1           # intra-op threads for the (tiny) policies; 0: torch's default
    collaboration_every: int = 10    # ticks between a controller's purchases of a prediction (0: never)
    collaboration_price: float = 0.5 # tokens a controller pays an observer per delivered prediction
    seed: int = 0

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            kind = type(f.default)
            if kind is str:
                if not isinstance(value, str):
                    raise ValueError(f"agents.{f.name} must be a string, got {value!r}")
                continue
            if kind is bool:
                if not isinstance(value, bool):
                    raise ValueError(f"agents.{f.name} must be true or false, got {value!r}")
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ValueError(f"agents.{f.name} must be a finite number, got {value!r}")
            if kind is int:
                if int(value) != value:
                    raise ValueError(f"agents.{f.name} must be an integer, got {value!r}")
                setattr(self, f.name, int(value))
            else:
                setattr(self, f.name, float(value))
            if f.name not in ("retire_below", "clone_above") and getattr(self, f.name) < 0:
                raise ValueError(f"agents.{f.name} must be >= 0, got {value!r}")
        if self.mutation_factor <= 1.0:
            raise ValueError(f"agents.mutation_factor must be > 1, got {self.mutation_factor!r}")
        if not 0.0 <= self.uncertainty <= 1.0:
            raise ValueError(f"agents.uncertainty must be in [0, 1], got {self.uncertainty!r}")
        if self.search not in SEARCHES:
            raise ValueError(f"agents.search must be one of {SEARCHES}, got {self.search!r}")
        if not 0.0 <= self.inject_threshold <= 1.0:
            raise ValueError(f"agents.inject_threshold must be in [0, 1], got {self.inject_threshold!r}")
        if self.model:
            from neurosys.llm.resolve import resolve
            try:  # a missing file or an unknown Ollama name fails here, at start
                resolve(self.model)
            except (FileNotFoundError, ValueError) as exc:
                raise ValueError(f"agents.model: {exc}") from exc
        if self.program_length < 1 or self.regime_window < 2 or self.search_children < 1:
            raise ValueError("agents.program_length and agents.search_children must be >= 1, and "
                             "agents.regime_window >= 2")

    @classmethod
    def from_any(cls, config: Any) -> AgentsConfig:
        """None, an AgentsConfig, a dict, or any object with some of these attributes (the
        system config's ``agents`` section); unknown dict keys are an error."""
        if config is None:
            return cls()
        if isinstance(config, cls):
            return config
        names = {f.name for f in dataclasses.fields(cls)}
        if isinstance(config, dict):
            unknown = set(config) - names
            if unknown:
                raise ValueError(f"config has unknown agent settings {sorted(unknown)}; "
                                 f"accepted: {sorted(names)}")
            return cls(**config)
        return cls(**{n: getattr(config, n) for n in names if hasattr(config, n)})
