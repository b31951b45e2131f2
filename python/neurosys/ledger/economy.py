"""``Economy``: the rules that turn what agents did into rewards (with their evidence) and
costs. The agent manager calls these methods and never computes an amount itself; every amount
and threshold comes from ``EconomyConfig``. Rewards are idempotent: the id is derived from the
identifying part of the evidence, so reporting the same achievement again pays nothing more."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from typing import Any

from .accounts import TREASURY
from .ledger import InsufficientBalance, Ledger

__all__ = ["Economy", "EconomyConfig"]


@dataclass(frozen=True)
class EconomyConfig:
    # invention: a program the agent injected founds a lineage still present N epochs later
    invention_reward: float = 10.0
    invention_min_epochs: int = 50
    invention_min_copies: int = 2
    replicator_bonus: float = 15.0       # extra, once, when the soup confirms a replicator
    # advanced learning: rolling reward beats the agent's own baseline by a margin
    learning_reward: float = 5.0
    learning_margin: float = 0.1         # absolute improvement of the rolling reward per payment
    learning_min_window: int = 20        # samples in the rolling window
    # contribution: the agent's actions moved its quantity toward the target
    contribution_reward: float = 2.0     # paid in full for closing the whole error
    contribution_min_fraction: float = 0.05  # smallest fraction of the error worth a reward
    # collaboration: one agent pays another for a service that is delivered
    collaboration_bonus: float = 1.0     # minted to the payee on delivery
    collaboration_max_payment: float = 100.0
    # costs (tokens), by the amount_key the agent manager passes to charge()
    costs: dict[str, float] = field(default_factory=lambda: {"llm_consultation": 0.5,
                                                             "spawn": 20.0})
    initial_grant: float = 5.0           # minted once to each agent the first time it is seen

    def __post_init__(self) -> None:
        for name in ("invention_reward", "replicator_bonus", "learning_reward",
                     "contribution_reward", "collaboration_bonus", "initial_grant",
                     "collaboration_max_payment", "learning_margin"):
            v = getattr(self, name)
            if not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
                raise ValueError(f"EconomyConfig.{name} must be a finite number >= 0, got {v!r}")
        if self.learning_margin <= 0:
            raise ValueError(f"EconomyConfig.learning_margin must be > 0, got {self.learning_margin!r}")
        if not 0 <= self.contribution_min_fraction <= 1:
            raise ValueError("EconomyConfig.contribution_min_fraction must be in [0, 1], got"
                             f" {self.contribution_min_fraction!r}")
        for name in ("invention_min_epochs", "invention_min_copies", "learning_min_window"):
            if int(getattr(self, name)) < 0:
                raise ValueError(f"EconomyConfig.{name} must be >= 0, got {getattr(self, name)!r}")
        for k, v in self.costs.items():
            if not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
                raise ValueError(f"EconomyConfig.costs[{k!r}] must be a finite number >= 0, got {v!r}")


def _finite(value: Any, argument: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{argument} must be a finite number, got {value!r}")
    return float(value)


class Economy:
    """Rewards and costs for agents, paid through ``ledger``."""

    def __init__(self, ledger: Ledger, config: EconomyConfig | None = None) -> None:
        self.ledger = ledger
        self.config = config or EconomyConfig()
        self._granted: set[str] = set()

    def _pay(self, agent_id: str, amount: float, reason: str, evidence: dict, key: Any) -> str | None:
        if amount <= 0:
            return None
        self._grant(agent_id)
        return self.ledger.reward(agent_id, round(amount, 12), reason, evidence, key=key)

    def _grant(self, agent_id: str) -> None:
        if agent_id in self._granted or agent_id == TREASURY:
            return
        if self.config.initial_grant > 0:
            self.ledger.reward(agent_id, self.config.initial_grant, "initial_grant",
                               {"agent": agent_id})
        self._granted.add(agent_id)

    # -- rewards ------------------------------------------------------------------------------
    def on_invention(self, agent_id: str, program: bytes, founded_epoch: int, epoch: int,
                     copies: int, is_replicator: bool) -> str | None:
        """Pay an invention once the lineage founded by ``program`` at ``founded_epoch`` is still
        present ``invention_min_epochs`` later with ``invention_min_copies`` copies; pay the
        replicator bonus once when the detector confirms it. Returns the newest reward id."""
        if not isinstance(program, (bytes, bytearray, memoryview)) or len(program) == 0:
            raise ValueError("program must be non-empty bytes")
        founded_epoch, epoch, copies = int(founded_epoch), int(epoch), int(copies)
        if epoch < founded_epoch:
            raise ValueError(f"epoch ({epoch}) must be >= founded_epoch ({founded_epoch})")
        c = self.config
        if epoch - founded_epoch < c.invention_min_epochs or copies < c.invention_min_copies:
            return None
        digest = hashlib.sha256(bytes(program)).hexdigest()
        key = {"program_sha256": digest, "founded_epoch": founded_epoch, "agent": agent_id}
        evidence = {**key, "program": bytes(program), "epoch": epoch, "copies": copies,
                    "is_replicator": bool(is_replicator)}
        rid = self._pay(agent_id, c.invention_reward, "invention", evidence, key)
        if is_replicator:
            rid = self._pay(agent_id, c.replicator_bonus, "replicator", evidence, key) or rid
        return rid

    def on_learning(self, agent_id: str, baseline: float, recent: float, window: int) -> str | None:
        """Pay when the rolling reward ``recent`` (over ``window`` samples) beats ``baseline``
        by ``learning_margin``; once per margin step above the same baseline."""
        baseline, recent = _finite(baseline, "baseline"), _finite(recent, "recent")
        c = self.config
        if int(window) < c.learning_min_window:
            return None
        steps = math.floor((recent - baseline) / c.learning_margin + 1e-9)
        if steps < 1:
            return None
        key = {"agent": agent_id, "baseline": round(baseline, 9), "step": steps}
        evidence = {**key, "recent": recent, "window": int(window), "margin": c.learning_margin}
        return self._pay(agent_id, c.learning_reward, "learning", evidence, key)

    def on_contribution(self, agent_id: str, quantity: str, target: float, error_before: float,
                        error_after: float, tick: int) -> str | None:
        """Pay in proportion to the fraction of the error toward ``target`` that the agent's
        action closed at ``tick`` (once per agent, quantity and tick)."""
        target = _finite(target, "target")
        before = abs(_finite(error_before, "error_before"))
        after = abs(_finite(error_after, "error_after"))
        if before == 0 or after >= before:
            return None
        fraction = (before - after) / before
        if fraction < self.config.contribution_min_fraction:
            return None
        key = {"agent": agent_id, "quantity": str(quantity), "tick": int(tick)}
        evidence = {**key, "target": target, "error_before": before, "error_after": after,
                    "fraction": fraction}
        return self._pay(agent_id, self.config.contribution_reward * fraction, "contribution",
                         evidence, key)

    def on_collaboration(self, payer_id: str, payee_id: str, amount: float, service: str,
                         delivered: bool) -> str | None:
        """When ``payee_id`` delivered ``service``: ``payer_id`` pays it ``amount`` (a transfer)
        and the payee earns the collaboration bonus. Nothing happens if it was not delivered or
        the payer cannot pay. Returns the bonus reward id (the payment id if no bonus)."""
        amount = _finite(amount, "amount")
        if not 0 <= amount <= self.config.collaboration_max_payment:
            raise ValueError(f"amount must be in [0, {self.config.collaboration_max_payment}],"
                             f" got {amount!r}")
        if payer_id == payee_id:
            raise ValueError(f"payer_id and payee_id must differ, got {payer_id!r}")
        if not delivered:
            return None
        self._grant(payer_id)
        key = {"payer": payer_id, "payee": payee_id, "service": str(service)}
        evidence = {**key, "amount": amount, "delivered": True}
        payment = None
        if amount > 0:
            try:
                payment = self.ledger.transfer(payer_id, payee_id, amount, reason="collaboration",
                                               evidence=evidence, key=key)
            except InsufficientBalance:
                return None
        bonus = self._pay(payee_id, self.config.collaboration_bonus, "collaboration_bonus",
                          evidence, key)
        return bonus or payment

    # -- costs ----------------------------------------------------------------------------------
    def charge(self, agent_id: str, amount_key: str) -> bool:
        """Charge the cost ``costs[amount_key]`` (paid to the treasury). False when the agent
        cannot pay: it then acts on its policy alone."""
        if amount_key not in self.config.costs:
            raise ValueError(f"amount_key must be one of {sorted(self.config.costs)},"
                             f" got {amount_key!r}")
        cost = self.config.costs[amount_key]
        self._grant(agent_id)
        if cost <= 0:
            return True
        try:
            self.ledger.transfer(agent_id, TREASURY, cost, reason=f"charge:{amount_key}")
        except InsufficientBalance:
            return False
        return True

    def balance(self, agent_id: str) -> float:
        self._grant(agent_id)
        return self.ledger.balance(agent_id)
