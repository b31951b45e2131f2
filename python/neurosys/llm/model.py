"""The one shared model: every call goes through a single worker queue, so simulation threads
submit and return at once (``*_async``) and llama.cpp, which is not re-entrant, sees one call at
a time. Decisions are grammar-constrained; any failure becomes the fallback choice, logged."""

from __future__ import annotations

import json
import logging
import queue
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import CancelledError, Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Any

from neurosys.llm.backends import Completion, Constraint, open_backend
from neurosys.llm.resolve import ModelSpec, resolve

__all__ = ["Conversation", "Decision", "LLM", "LLMInterrupted", "load", "FALLBACK_CHOICE"]

log = logging.getLogger("neurosys.llm")
FALLBACK_CHOICE = "maintain"
_CHOICE_RE = re.compile(r"^[A-Za-z0-9_\- ]{1,40}$")
_WAIT_SLICE = 0.1  # seconds between two looks at the interrupt flag while waiting for an answer


class LLMInterrupted(RuntimeError):
    """The model was interrupted (the system is stopping): no answer will come."""


class Conversation:
    """One agent's context: an optional system prompt and its last ``max_exchanges`` exchanges."""

    def __init__(self, system: str | None = None, max_exchanges: int = 5) -> None:
        if int(max_exchanges) < 0:
            raise ValueError(f"max_exchanges must be >= 0, got {max_exchanges!r}")
        self.system = system
        self.exchanges: deque[tuple[str, str]] = deque(maxlen=int(max_exchanges))

    def messages(self, prompt: str) -> list[dict[str, str]]:
        out = [{"role": "system", "content": self.system}] if self.system else []
        for question, answer in self.exchanges:
            out += [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]
        out.append({"role": "user", "content": prompt})
        return out

    def add(self, prompt: str, answer: str) -> None:
        if self.exchanges.maxlen:
            self.exchanges.append((prompt, answer))


@dataclass
class Decision:
    """What one constrained decision returned: the choice, the raw text, whether it fell back."""

    choice: str
    raw: str
    fallback: bool = False
    error: str | None = None
    seconds: float = 0.0
    completion_tokens: int = 0
    timed_out: bool = False  # no answer within the timeout (the fallback was used)


@dataclass
class _Stats:
    calls: int = 0
    errors: int = 0
    timeouts: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, c: Completion) -> None:
        with self.lock:
            self.calls += 1
            self.prompt_tokens += c.prompt_tokens
            self.completion_tokens += c.completion_tokens
            self.seconds += c.seconds


def _check_choices(choices: Sequence[str]) -> list[str]:
    choices = list(choices)
    if not choices or len(set(choices)) != len(choices) or not all(
            isinstance(c, str) and _CHOICE_RE.match(c) for c in choices):
        raise ValueError("choices must be distinct words (letters, digits, _ - space, at most "
                         f"40 characters), at least one, got {choices!r}")
    return choices


def _fallback_for(choices: Sequence[str], fallback: str | None) -> str:
    """``fallback``, else "maintain" when it is a choice, else the first choice."""
    choices = list(choices)
    return fallback or (FALLBACK_CHOICE if FALLBACK_CHOICE in choices else choices[0])


def choice_constraint(choices: Sequence[str]) -> Constraint:
    """GBNF that admits exactly one of ``choices``, and the JSON schema HTTP servers take."""
    gbnf = "root ::= " + " | ".join(json.dumps(c) for c in choices)
    schema = {"type": "object", "properties": {"choice": {"type": "string", "enum": list(choices)}},
              "required": ["choice"]}
    return Constraint(gbnf=gbnf, schema=schema)


def parse_choice(text: str, choices: Sequence[str]) -> str | None:
    """The choice in ``text``: the bare word (grammar output) or {"choice": ...} (schema
    output); a server that ignored the constraint may still name exactly one choice."""
    stripped = text.strip().strip('"').strip()
    if stripped in choices:
        return stripped
    try:
        value = json.loads(text)
        if isinstance(value, dict) and value.get("choice") in choices:
            return value["choice"]
    except ValueError:
        pass
    found = [c for c in choices if re.search(rf"\b{re.escape(c)}\b", text, re.IGNORECASE)]
    return found[0] if len(found) == 1 else None


class LLM:
    """A loaded model shared by every agent. Use ``load()`` rather than building one."""

    def __init__(self, spec: ModelSpec, backend: Any, *, timeout: float = 30.0,
                 temperature: float = 0.0, max_tokens: int = 256) -> None:
        if not timeout > 0:
            raise ValueError(f"timeout must be > 0 seconds, got {timeout!r}")
        self.spec = spec
        self.backend = backend
        self.timeout = float(timeout)
        self.temperature = float(temperature)
        self.max_tokens = int(max_tokens)
        self.stats = _Stats()
        self._queue: queue.SimpleQueue[tuple[Callable[[], Any], Future] | None] = queue.SimpleQueue()
        self._pending = 0
        self._pending_lock = threading.Lock()
        self._closed = False
        # Set by interrupt(): waiters return at once and queued calls are dropped; a call
        # already inside llama.cpp runs to its end (llama-cpp-python offers no abort hook).
        self.interrupted = threading.Event()
        self._worker = threading.Thread(target=self._work, name="neurosys-llm", daemon=True)
        self._worker.start()

    # -- the worker queue ---------------------------------------------------------------------
    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            fn, future = item
            if self.interrupted.is_set():
                future.cancel()
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(fn())
                except BaseException as exc:  # delivered to whoever waits on the future
                    future.set_exception(exc)
            with self._pending_lock:
                self._pending -= 1

    def submit(self, fn: Callable[[], Any]) -> Future:
        """Queue ``fn`` for the worker thread; returns at once."""
        if self._closed:
            raise RuntimeError(f"the model {self.spec.name!r} is closed")
        future: Future = Future()
        with self._pending_lock:
            self._pending += 1
        self._queue.put((fn, future))
        return future

    @property
    def pending(self) -> int:
        """Calls queued or running."""
        return self._pending

    def interrupt(self) -> None:
        """Stop waiting: every caller gets its fallback (or LLMInterrupted) at once, queued
        calls are dropped (the one running finishes). For a system that is stopping; the model
        is not used for decisions afterwards (``load`` makes a new one)."""
        self.interrupted.set()

    def _interrupted_error(self) -> LLMInterrupted:
        return LLMInterrupted(f"the model {self.spec.name!r} was interrupted")

    def _wait(self, future: Future, timeout: float | None) -> Any:
        limit = self.timeout if timeout is None else timeout
        end = time.monotonic() + limit
        # Waits in short slices so that interrupt() is seen within _WAIT_SLICE.
        while True:
            if self.interrupted.is_set():
                future.cancel()
                raise self._interrupted_error()
            try:
                return future.result(max(0.0, min(_WAIT_SLICE, end - time.monotonic())))
            except CancelledError:
                # The worker drops queued calls once interrupted: the same outcome as seeing the
                # flag before the slice, which a stop can race with.
                raise self._interrupted_error() from None
            except FutureTimeout:
                if time.monotonic() >= end:
                    future.cancel()
                    raise TimeoutError(f"the model {self.spec.name!r} did not answer within "
                                       f"{limit} s") from None

    # -- decisions ----------------------------------------------------------------------------
    def _decide_now(self, messages: list[dict[str, str]], choices: list[str],
                    fallback: str) -> Decision:
        try:
            completion = self.backend.chat(messages, choice_constraint(choices), 16,
                                           self.temperature, self.timeout)
        except Exception as exc:  # backend errors never stop the simulation
            with self.stats.lock:
                self.stats.errors += 1
            log.warning("LLM %s failed (%s); falling back to %r", self.spec.name, exc, fallback)
            return Decision(fallback, "", True, f"{type(exc).__name__}: {exc}")
        self.stats.add(completion)
        choice = parse_choice(completion.text, choices)
        if choice is None:
            log.warning("LLM %s answered %r, not one of %s; falling back to %r",
                        self.spec.name, completion.text[:80], choices, fallback)
            return Decision(fallback, completion.text, True, "unparsable answer",
                            completion.seconds, completion.completion_tokens)
        return Decision(choice, completion.text, False, None, completion.seconds,
                        completion.completion_tokens)

    def decide_async(self, prompt: str, choices: Sequence[str],
                     context: Conversation | None = None, fallback: str | None = None) -> Future:
        """Queue a constrained decision; the future yields a ``Decision`` (never raises for a
        backend failure). ``context``, when given, supplies the history and records the answer."""
        choices = _check_choices(choices)
        fallback = _fallback_for(choices, fallback)
        if fallback not in choices:
            raise ValueError(f"fallback must be one of {choices}, got {fallback!r}")
        messages = (context or Conversation(max_exchanges=0)).messages(prompt)

        def run() -> Decision:
            decision = self._decide_now(messages, choices, fallback)
            if context is not None and not decision.fallback:
                context.add(prompt, decision.choice)
            return decision

        return self.submit(run)

    def decide_detailed(self, prompt: str, choices: Sequence[str],
                        context: Conversation | None = None, fallback: str | None = None,
                        timeout: float | None = None) -> Decision:
        future = self.decide_async(prompt, choices, context, fallback)
        try:
            return self._wait(future, timeout)
        except LLMInterrupted as exc:
            return Decision(_fallback_for(choices, fallback), "", True, str(exc))
        except TimeoutError as exc:
            with self.stats.lock:
                self.stats.timeouts += 1
            chosen = _fallback_for(choices, fallback)
            log.warning("%s; falling back to %r", exc, chosen)
            return Decision(chosen, "", True, str(exc), timed_out=True)

    def decide(self, prompt: str, choices: Sequence[str], context: Conversation | None = None,
               fallback: str | None = None, timeout: float | None = None) -> str:
        """One of ``choices``, always: a failure or a timeout returns the fallback
        ("maintain" when it is a choice, else the first choice) and is logged."""
        return self.decide_detailed(prompt, choices, context, fallback, timeout).choice

    # -- free-form ----------------------------------------------------------------------------
    def chat(self, messages: Sequence[dict[str, str]], schema: dict[str, Any] | None = None,
             max_tokens: int | None = None, timeout: float | None = None) -> Any:
        """Chat completion; with ``schema`` the output is constrained to it and returned parsed."""
        msgs = [dict(m) for m in messages]
        if not msgs or any(set(m) - {"role", "content"} or m.get("role") not in
                           ("system", "user", "assistant") for m in msgs):
            raise ValueError("messages must be a non-empty list of {'role': system|user|assistant,"
                             " 'content': str}")
        constraint = Constraint(schema=schema) if schema is not None else None
        n = self.max_tokens if max_tokens is None else int(max_tokens)

        def run() -> Completion:
            completion = self.backend.chat(msgs, constraint, n, self.temperature, self.timeout)
            self.stats.add(completion)
            return completion

        completion = self._wait(self.submit(run), timeout)
        return json.loads(completion.text) if schema is not None else completion.text

    def generate_async(self, prompt: str, grammar: str | None = None, max_tokens: int | None = None,
                       temperature: float | None = None) -> Future:
        """Queue a plain completion of ``prompt`` (optionally constrained by a GBNF
        ``grammar``); the future yields the text or raises the backend's error."""
        if not isinstance(prompt, str):
            raise ValueError(f"prompt must be a string, got {type(prompt).__name__}")
        constraint = Constraint(gbnf=grammar) if grammar is not None else None
        n = self.max_tokens if max_tokens is None else int(max_tokens)
        temp = self.temperature if temperature is None else float(temperature)

        def run() -> str:
            completion = self.backend.generate(prompt, constraint, n, temp, self.timeout)
            self.stats.add(completion)
            return completion.text

        return self.submit(run)

    def generate(self, prompt: str, grammar: str | None = None, max_tokens: int | None = None,
                 timeout: float | None = None, temperature: float | None = None) -> str:
        """Plain completion of ``prompt``, optionally constrained by a GBNF ``grammar``."""
        return self._wait(self.generate_async(prompt, grammar, max_tokens, temperature), timeout)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._queue.put(None)
        self._worker.join(timeout=self.timeout)
        if self._worker.is_alive():
            # Freeing llama.cpp's model under a running generation crashes the process: leave
            # it to the daemon worker's end (process exit) instead.
            log.error("LLM worker still busy after %.1f s; leaving the model open", self.timeout)
        else:
            self.backend.close()
        with _LOAD_LOCK:
            if _LOADED.get(getattr(self, "_cache_key", None)) is self:
                del _LOADED[self._cache_key]  # type: ignore[attr-defined]

    def __repr__(self) -> str:
        return f"LLM({self.spec.name!r}, {self.spec.kind}:{self.spec.location!r})"


_LOADED: dict[tuple, LLM] = {}
_LOAD_LOCK = threading.Lock()


def load(model: str | None = None, *, timeout: float = 30.0, temperature: float = 0.0,
         max_tokens: int = 256, ollama_dir: str | None = None, lane: str = "shared",
         **backend_kwargs: Any) -> LLM:
    """Load (once per process and ``lane``) the model named by ``model``: None for the bundled
    SmolLM2-135M-Instruct, a GGUF path, an Ollama name, or an http(s) server URL. A missing
    model or a server that does not answer raises here, at start.

    Each lane is its own instance with its own worker queue (and llama.cpp context; the GGUF
    weights are memory-mapped, so they are in RAM once): calls in one lane never wait behind
    calls in another, e.g. the system's periodic decision behind an agent's 64-token program."""
    if not isinstance(lane, str) or not lane:
        raise ValueError(f"lane must be a non-empty string, got {lane!r}")
    spec = resolve(model, ollama_dir=ollama_dir)
    key = (spec, float(timeout), float(temperature), int(max_tokens), lane,
           tuple(sorted(backend_kwargs.items())))
    with _LOAD_LOCK:
        loaded = _LOADED.get(key)
        if loaded is not None and not loaded._closed and not loaded.interrupted.is_set():
            return loaded
        backend = open_backend(spec, timeout=timeout, **backend_kwargs) if spec.kind == "http" \
            else open_backend(spec, **backend_kwargs)
        llm = LLM(spec, backend, timeout=timeout, temperature=temperature, max_tokens=max_tokens)
        llm._cache_key = key  # type: ignore[attr-defined]
        _LOADED[key] = llm
        log.info("loaded %r", llm)
        return llm
