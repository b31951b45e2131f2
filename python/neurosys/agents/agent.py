"""``Agent``: a role, a persona prompt, a torch policy, an LLM context and a budget.

Each tick the agent is rewarded for its previous action, learns from it, then acts with its
policy. Every ``consult_every`` ticks, or when the policy is uncertain, it asks the shared LLM
(asynchronously: the answer is picked up on a later tick and acted on); the LLM's decision then
trains the policy by imitation, weighted by the reward that followed it."""

from __future__ import annotations

import time
from collections import deque
from concurrent.futures import Future

import numpy as np

from neurosys.agents.host import AgentHost
from neurosys.agents.policy import Policy
from neurosys.agents.state import STATE_SIZE
from neurosys.llm.model import Conversation, Decision
from neurosys.workspace import keys

__all__ = ["Agent"]


class Agent:
    """Base class; roles override ``observe``, ``reward``, ``apply`` and ``prompt``. Each call
    gets the ``AgentHost`` that runs the agent (its manager, or a Ray pool's worker)."""

    role = "agent"
    ACTIONS: tuple[str, ...] = ("decrease", "maintain", "increase")
    protected = False  # protected agents are never retired for low fitness
    explore = True     # sample actions from the policy; False: take the most likely one
    advice_floor = 0.2  # a non-exploring agent follows LLM advice its policy gives at least this

    def __init__(self, agent_id: str, persona: str, *, policy: Policy | None = None,
                 budget: int = 1000, consult_every: int = 10, uncertainty: float = 0.9,
                 context_size: int = 5, seed: int | None = None, trigger: str = "start",
                 parent: str | None = None) -> None:
        if int(consult_every) < 0:
            raise ValueError(f"consult_every must be >= 0 ticks (0: only when uncertain), "
                             f"got {consult_every!r}")
        if not 0.0 <= float(uncertainty) <= 1.0:
            raise ValueError(f"uncertainty must be in [0, 1], got {uncertainty!r}")
        self.id = agent_id
        self.persona = persona
        self.policy = policy or Policy(STATE_SIZE, len(self.ACTIONS), seed=seed)
        self.context = Conversation(persona, context_size)
        self.budget = int(budget)          # LLM consultations left when there is no economy
        self.consult_every = int(consult_every)
        self.uncertainty = float(uncertainty)
        self.trigger, self.parent = trigger, parent
        self.spawned = time.time()
        self.age = 0
        self.paused = False
        self.alive = True
        self.consultations = 0
        self.last_action: str | None = None
        self.last_reward = 0.0
        self.rewards: deque[float] = deque(maxlen=200)
        self.history: deque[tuple[float, int, float]] = deque(maxlen=10000)  # (time, tick, reward)
        self._pending: Future | None = None
        self._asked_at = -self.consult_every  # age of the last consultation: the first tick asks
        self._balance: tuple[int, float] | None = None  # (tick read, tokens)
        self._prev: tuple[np.ndarray, int, Decision | None, bool] | None = None

    # -- role hooks ---------------------------------------------------------------------------
    def observe(self, host: AgentHost) -> np.ndarray:
        raise NotImplementedError

    def reward(self, host: AgentHost, prev: np.ndarray, action: int, now: np.ndarray) -> float:
        raise NotImplementedError

    def apply(self, host: AgentHost, action: str) -> None:
        raise NotImplementedError

    def prompt(self, host: AgentHost, state: np.ndarray) -> str:
        raise NotImplementedError

    def finish(self, host: AgentHost) -> None:
        """Called once when the agent is retired."""

    def prior(self, state: np.ndarray) -> int | None:
        """The action a safe rule would take (a controller's error sign), or None."""
        return None

    # -- the tick ------------------------------------------------------------------------------
    def fitness(self, window: int = 50) -> float:
        recent = list(self.rewards)[-window:]
        return float(np.mean(recent)) if recent else 0.0

    def step(self, host: AgentHost) -> None:
        state = self.observe(host)
        if self._prev is not None:
            self._learn(host, state)
        decision = None
        if self._pending is not None and self._pending.done():
            pending, self._pending = self._pending, None
            # a call the model dropped (a stop interrupted it) is no answer, not a failure
            decision = None if pending.cancelled() else pending.result()
        action, probs = self.policy.act(state, greedy=not self.explore)
        followed = False
        if decision is not None and not decision.fallback:
            advised = self.ACTIONS.index(decision.choice)
            # An agent that explores follows the advice; one that steers a live system follows
            # it only where its own policy finds it plausible, so a small model's wrong advice
            # cannot push the controlled quantity away from target (it is still logged).
            followed = bool(self.explore or probs[advised] >= self.advice_floor)
            if followed:
                action = advised
        elif self._pending is None:
            # due: k ticks since the last question (not age % k, which a slow answer skips)
            due = self.consult_every > 0 and self.age - self._asked_at >= self.consult_every
            if due or Policy.uncertainty(probs) > self.uncertainty:
                self._consult(host, state)
        self.apply(host, self.ACTIONS[action])
        self.last_action = self.ACTIONS[action]
        self._prev = (state, action, decision, followed)
        self.age += 1

    def _learn(self, host: AgentHost, state: np.ndarray) -> None:
        prev_state, prev_action, decision, followed = self._prev  # type: ignore[misc]
        r = float(self.reward(host, prev_state, prev_action, state))
        advantage = r - self.policy.baseline
        self.policy.learn(prev_state, prev_action, r)
        prior = self.prior(prev_state)
        if prior is not None and host.config.prior_weight > 0:
            # REINFORCE on a noisy reward drifts a controller toward "maintain" whatever the
            # error (measured under a moving target); imitating its prior each tick anchors it
            self.policy.imitate(prev_state, [prior], host.config.prior_weight)
        if followed and advantage > 0:
            # imitation of the LLM, weighted by how much better than usual the reward that
            # followed its decision was (a decision that made things worse teaches nothing)
            self.policy.imitate(prev_state, [prev_action], float(min(2.0 * advantage, 2.0)))
        self.last_reward = r
        self.rewards.append(r)
        self.history.append((time.time(), host.ticks, r))
        host.log_interaction(self, prev_state, self.ACTIONS[prev_action], r, decision, followed)

    def _consult(self, host: AgentHost, state: np.ndarray) -> None:
        if host.llm is None:
            return
        if host.economy is not None:
            if not host.economy.charge(self.id, "llm_consultation"):
                return  # cannot pay: the policy acts alone
            self._balance = None
        elif self.budget <= 0:
            return
        else:
            self.budget -= 1
        self.consultations += 1
        self._asked_at = self.age
        self._pending = host.llm.decide_async(self.prompt(host, state), self.ACTIONS, self.context)

    def balance(self, host: AgentHost) -> float:
        """Token balance (the ledger's published ``ledger/balances``, else asked of the economy at
        most every ``balance_every`` ticks: a ledger call per agent per tick would slow the
        tick); without an economy, the LLM consultations left in the budget."""
        if host.economy is None:
            return float(self.budget)
        published = host.workspace.read(keys.LEDGER_BALANCES, None)
        if isinstance(published, dict) and self.id in published:
            return float(published[self.id])
        if self._balance is None or host.ticks - self._balance[0] >= host.config.balance_every:
            try:
                self._balance = (host.ticks, float(host.economy.balance(self.id)))
            except Exception as exc:  # the ledger being slow or down must not stop the agents
                host.log.warning("economy.balance(%s) failed: %s", self.id, exc)
                return float("nan")
        return self._balance[1]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.id!r}, role={self.role!r}, age={self.age})"
