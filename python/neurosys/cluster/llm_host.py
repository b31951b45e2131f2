"""One model per node for a Ray run's agents: ``LLMHost`` is an actor that loads the model once
on its node; ``RemoteLLM`` is that model as the agents (in their workers) and the coordinator
see it, with the calls ``neurosys.llm.LLM`` offers them. Ray is imported lazily."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future
from typing import Any

from neurosys.llm.model import Conversation, Decision, _fallback_for

# Calls in flight at once from a node's workers: they queue on the model's one worker thread,
# so the actor's threads only wait (llama.cpp sees one call at a time either way).
HOST_CONCURRENCY = 16


def host_name(workspace_name: str, node_id: str) -> str:
    """The named actor that holds the model of ``node_id`` for the run on ``workspace_name``."""
    return f"{workspace_name}/llm-{node_id}"


class LLMHost:
    """The node's model (``neurosys.llm.load(model)``), answering the workers of its node."""

    def __init__(self, model: str | None) -> None:
        from neurosys.llm.model import load

        self.model = load(model)

    def decide(self, prompt: str, choices: list[str], context: Conversation | None,
               fallback: str | None) -> Decision:
        # the context is the caller's copy: the caller records the answer in its own
        return self.model.decide_async(prompt, choices, context, fallback).result()

    def generate(self, prompt: str, grammar: str | None, max_tokens: int | None,
                 temperature: float | None) -> str:
        return self.model.generate_async(prompt, grammar, max_tokens, temperature).result()


class RemoteLLM:
    """An ``LLMHost`` as an ``LLM``: ``decide_async`` and ``generate_async`` return futures at
    once, so an agent's tick never waits on the model, exactly as with a local one."""

    pending = 0  # nothing of it runs here: closing the components never waits for it

    def __init__(self, host: Any) -> None:
        self.host = host

    def decide_async(self, prompt: str, choices: Sequence[str], context: Conversation | None = None,
                     fallback: str | None = None) -> Future:
        ref = self.host.decide.remote(prompt, list(choices), context, fallback)
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

    def generate_async(self, prompt: str, grammar: str | None = None, max_tokens: int | None = None,
                       temperature: float | None = None) -> Future:
        return self.host.generate.remote(prompt, grammar, max_tokens, temperature).future()

    def interrupt(self) -> None:
        """Nothing waits on it here (the calls are asynchronous); the driver stops the host."""

    def close(self) -> None:
        """The host belongs to the run's driver, which stops it."""
