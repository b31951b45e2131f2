"""The seed's LLM component: reads the network's activity and the soup's entropy from the
workspace, asks the model whether to increase, decrease or maintain the stimulation, and writes
the answer to ``modulation``."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

import numpy as np

from neurosys.llm.decision_stats import DecisionStats
from neurosys.llm.model import Decision, load
from neurosys.llm.prompts import format_prompt
from neurosys.workspace import keys

if TYPE_CHECKING:
    from neurosys.run.components import SharedModel

__all__ = ["LLMIntegration", "MODULATION_CHOICES", "STATS_KEY"]

MODULATION_CHOICES = ("increase", "decrease", "maintain")
STATS_KEY = keys.LLM_DECISIONS  # DecisionStats.as_dict(), rewritten after every decision


class LLMIntegration:
    """``step()`` makes one decision and writes it to ``modulation``."""

    def __init__(self, workspace: Any, model: SharedModel | None = None, *,
                 timeout: float | None = None) -> None:
        self.workspace = workspace
        self.model = model if model is not None else load()
        self.timeout = timeout
        self.last: Decision | None = None
        self.stats = DecisionStats()
        self.deciding = threading.Event()  # set while step() waits for its decision

    def summary(self) -> dict[str, float]:
        """The numbers that go into the prompt (never free text from the workspace)."""
        rates = self.workspace.read(keys.NEURAL_ACTIVATIONS, None)
        rates = np.asarray(rates if rates is not None else [], dtype=np.float64).ravel()
        entropy = self.workspace.read(keys.AVG_ENTROPY, 0.0)
        return {"mean_rate": float(rates.mean()) if rates.size else 0.0,
                "max_rate": float(rates.max()) if rates.size else 0.0,
                "n_neurons": int(rates.size),
                "entropy": float(entropy) if isinstance(entropy, (int, float)) else 0.0}

    def step(self) -> str:
        prompt = format_prompt("modulation", self.summary())
        started = time.perf_counter()
        self.deciding.set()
        try:
            self.last = self.model.decide_detailed(prompt, MODULATION_CHOICES,
                                                   timeout=self.timeout)
        finally:
            self.deciding.clear()
        self.stats.record(time.perf_counter() - started, fallback=self.last.fallback,
                          timed_out=self.last.timed_out)
        self.workspace.write(keys.MODULATION, self.last.choice)
        self.workspace.write(STATS_KEY, self.stats.as_dict())
        return self.last.choice
