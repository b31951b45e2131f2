"""One model per node for a Ray run: ``LLMHost`` is an actor that loads the model once on its
node, in lanes (``neurosys.llm.load(model, lane=...)``: the agents' shared lane and the system's
"decisions" lane, each its own queue, so the periodic decision never waits behind an agent's
program); ``RemoteLLM`` is one lane of it as the agents (in their workers), the coordinator and
the system's decision loop see it, with the calls ``neurosys.llm.LLM`` offers them. Ray is
imported lazily."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from neurosys.llm.model import Conversation, Decision, _fallback_for

# Calls in flight at once from a node's workers: they queue on the model's one worker thread,
# so the actor's threads only wait (llama.cpp sees one call at a time either way).
HOST_CONCURRENCY = 16


def host_name(workspace_name: str, node_id: str) -> str:
    """The named actor that holds the model of ``node_id`` for the run on ``workspace_name``."""
    return f"{workspace_name}/llm-{node_id}"


SHARED_LANE = "shared"  # the agents'; neurosys.llm.load's default lane


class LLMHost:
    """The node's model (``neurosys.llm.load(model)``), answering the callers of its node. The
    shared lane loads with the actor; another lane loads at its first call (``warm`` loads it
    ahead, so that a run's first decision does not pay for it)."""

    def __init__(self, model: str | None) -> None:
        self._model_name = model
        self._lanes: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._lane(SHARED_LANE)

    def _lane(self, lane: str) -> Any:
        from neurosys.llm.model import load

        with self._lock:  # the actor's threads: one load per lane
            if lane not in self._lanes:
                self._lanes[lane] = load(self._model_name, lane=lane)
            return self._lanes[lane]

    def warm(self, lane: str) -> None:
        self._lane(lane)

    def decide(self, prompt: str, choices: list[str], context: Conversation | None,
               fallback: str | None, lane: str = SHARED_LANE) -> Decision:
        # the context is the caller's copy: the caller records the answer in its own
        return self._lane(lane).decide_async(prompt, choices, context, fallback).result()

    def generate(self, prompt: str, grammar: str | None, max_tokens: int | None,
                 temperature: float | None, lane: str = SHARED_LANE) -> str:
        return self._lane(lane).generate_async(prompt, grammar, max_tokens, temperature).result()


class RemoteLLM:
    """A lane of an ``LLMHost`` as an ``LLM``: ``decide_async`` and ``generate_async`` return
    futures at once, so an agent's tick never waits on the model, exactly as with a local one;
    ``decide_detailed`` waits (the system's decision loop), up to ``timeout`` seconds, and
    returns the fallback at once after ``interrupt()``."""

    pending = 0  # nothing of it runs here: closing the components never waits for it

    def __init__(self, host: Any, lane: str = SHARED_LANE, timeout: float = 30.0) -> None:
        if not timeout > 0:
            raise ValueError(f"timeout must be > 0 seconds, got {timeout!r}")
        self.host = host
        self.lane = lane
        self.timeout = float(timeout)
        self.interrupted = threading.Event()

    def decide_async(self, prompt: str, choices: Sequence[str], context: Conversation | None = None,
                     fallback: str | None = None) -> Future:
        ref = self.host.decide.remote(prompt, list(choices), context, fallback, self.lane)
        out: Future = Future()

        def done(answer: Future) -> None:
            try:
                decision = answer.result()
            except Exception as exc:  # the host failing is a failed consultation, as a backend's
                decision = Decision(_fallback_for(choices, fallback), "", True,
                                    f"{type(exc).__name__}: {exc}")
            if context is not None and not decision.fallback:
                context.add(prompt, decision.choice)
            if out.set_running_or_notify_cancel():  # False: the agent was retired meanwhile
                out.set_result(decision)

        ref.future().add_done_callback(done)
        return out

    def decide_detailed(self, prompt: str, choices: Sequence[str], context: Conversation | None = None,
                        fallback: str | None = None, timeout: float | None = None) -> Decision:
        """As ``LLM.decide_detailed``: the host's decision, or the fallback on a timeout or an
        interrupt (the host finishes the call; its answer is dropped)."""
        future = self.decide_async(prompt, choices, context, fallback)
        limit = self.timeout if timeout is None else timeout
        end = time.monotonic() + limit
        while not self.interrupted.is_set():
            try:
                return future.result(max(0.0, min(0.1, end - time.monotonic())))
            except FutureTimeout:
                if time.monotonic() >= end:
                    future.cancel()
                    return Decision(_fallback_for(choices, fallback), "", True,
                                    f"the model host did not answer within {limit} s",
                                    timed_out=True)
        future.cancel()
        return Decision(_fallback_for(choices, fallback), "", True, "the model host was interrupted")

    def generate_async(self, prompt: str, grammar: str | None = None, max_tokens: int | None = None,
                       temperature: float | None = None) -> Future:
        return self.host.generate.remote(prompt, grammar, max_tokens, temperature, self.lane).future()

    def interrupt(self) -> None:
        """A decision waiting here returns its fallback now (a stop never waits for the host)."""
        self.interrupted.set()

    def close(self) -> None:
        """The host belongs to the run's driver, which stops it."""
