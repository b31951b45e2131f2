"""Backends behind the shared model: llama.cpp in process, or an Ollama / OpenAI-compatible
HTTP server. Each turns (messages, constraint) into text; the caller parses and falls back."""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from neurosys.llm.resolve import ModelSpec

# llama.cpp's CPU backend runs on OpenMP; with the default (active) wait policy its idle threads
# spin, and on a machine whose cores are shared with the SNN and soup engines a 0.6 s decision
# was measured at 5-20 s. libgomp reads this once, when first loaded, so it only helps when
# neurosys.llm is imported before any other OpenMP code; an explicit setting is respected.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

__all__ = ["BackendError", "Completion", "Constraint", "LlamaCppBackend", "OllamaBackend",
           "OpenAIBackend", "open_backend"]


class BackendError(RuntimeError):
    """The backend failed to answer (server down, HTTP error, model error)."""


@dataclass(frozen=True)
class Constraint:
    """One output constraint in the forms backends understand: a GBNF grammar (llama.cpp) and
    the equivalent JSON schema (Ollama ``format``, OpenAI ``response_format``)."""

    gbnf: str | None = None
    schema: dict[str, Any] | None = None


@dataclass
class Completion:
    text: str
    prompt_tokens: int
    completion_tokens: int
    seconds: float


_PARAMS_LOCK = threading.Lock()


@contextlib.contextmanager
def llama_model_params(**fields: Any) -> Any:
    """While a ``Llama`` loads, llama.cpp's model parameters carry ``fields`` too.
    llama-cpp-python's ``Llama`` has no argument for every ``llama_model_params`` field: it reads
    ``llama_model_default_params()`` as it loads, so that function answers with ours meanwhile
    (under a lock: one load at a time sees it). Fields this llama.cpp does not know are skipped."""
    import llama_cpp.llama_cpp as lib

    known = {name for name, _ in lib.llama_model_params._fields_}
    fields = {k: v for k, v in fields.items() if k in known}
    with _PARAMS_LOCK:
        default = lib.llama_model_default_params

        def ours() -> Any:
            params = default()
            for name, value in fields.items():
                setattr(params, name, value)
            return params

        lib.llama_model_default_params = ours
        try:
            yield
        finally:
            lib.llama_model_default_params = default


class LlamaCppBackend:
    """llama-cpp-python in process; llama.cpp is not re-entrant, so calls hold a lock (the model's
    worker queue already serializes them; the lock guards direct use). ``n_gpu_layers=-1``
    offloads every layer when llama.cpp was built with a GPU backend, and is ignored otherwise.

    ``extra_buffers`` (llama.cpp's ``use_extra_bufts``: weights repacked for the CPU's matrix
    units) is off by default: llama-cpp-python 0.3.36 built from source on a CPU with AMX
    (Sapphire Rapids) dies of SIGSEGV in ``ggml_backend_amx_mul_mat`` at the first decision,
    taking the interpreter with it; without repacking the bundled model still decides in
    about 0.1 s on 2 cores (measured 2026-12-08)."""

    def __init__(self, spec: ModelSpec, *, n_ctx: int = 2048, n_threads: int | None = None,
                 seed: int = 0, n_gpu_layers: int = -1, cache_bytes: int = 64 << 20,
                 extra_buffers: bool = False, **llama_kwargs: Any) -> None:
        try:
            from llama_cpp import Llama
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise ImportError("the llama.cpp backend needs llama-cpp-python "
                              "(pip install llama-cpp-python)") from exc
        if int(n_ctx) < 256:
            raise ValueError(f"n_ctx must be >= 256 tokens, got {n_ctx!r}")
        self.name = spec.name
        self.path = spec.location
        # One core is left to the simulation threads: llama.cpp's threads synchronise per token,
        # so a thread that shares its core with a busy engine stalls every other one.
        threads = n_threads or max(1, min(4, (os.cpu_count() or 1) - 1))
        try:
            with llama_model_params(use_extra_bufts=bool(extra_buffers)):
                self.llama = Llama(model_path=spec.location, n_ctx=int(n_ctx), n_threads=threads,
                                   seed=int(seed), n_gpu_layers=n_gpu_layers, verbose=False,
                                   **llama_kwargs)
        except (ValueError, RuntimeError) as exc:
            raise ValueError(f"model {spec.location!r} could not be loaded by llama.cpp: {exc}") from exc
        if int(cache_bytes) < 0:
            raise ValueError(f"cache_bytes must be >= 0, got {cache_bytes!r}")
        if cache_bytes:
            # llama.cpp reuses the KV state only for the prefix shared with the previous call.
            # The system alternates between prompts (the modulation question, each agent's
            # persona and history), so each would be evaluated from scratch; the RAM cache keeps
            # the state after each prompt and restores the longest matching one. Measured on
            # 2 shared cores: median decision 1.0 s -> 0.56 s, a repeated prompt 0.1 s.
            from llama_cpp import LlamaRAMCache

            self.llama.set_cache(LlamaRAMCache(int(cache_bytes)))
        self._lock = threading.Lock()
        self._grammars: dict[str, Any] = {}

    def _grammar(self, constraint: Constraint | None) -> Any:
        if constraint is None:
            return None
        from llama_cpp import LlamaGrammar

        key = constraint.gbnf or json.dumps(constraint.schema, sort_keys=True)
        grammar = self._grammars.get(key)
        if grammar is None:
            grammar = (LlamaGrammar.from_string(constraint.gbnf, verbose=False) if constraint.gbnf
                       else LlamaGrammar.from_json_schema(key, verbose=False))
            self._grammars[key] = grammar
        return grammar

    def chat(self, messages: list[dict[str, str]], constraint: Constraint | None,
             max_tokens: int, temperature: float, timeout: float) -> Completion:
        with self._lock:
            start = time.perf_counter()
            out = self.llama.create_chat_completion(
                messages=messages, grammar=self._grammar(constraint), max_tokens=max_tokens,
                temperature=temperature)
            seconds = time.perf_counter() - start
        usage = out.get("usage", {})
        return Completion(out["choices"][0]["message"]["content"] or "",
                          usage.get("prompt_tokens", 0), usage.get("completion_tokens", 0), seconds)

    def generate(self, prompt: str, constraint: Constraint | None, max_tokens: int,
                 temperature: float, timeout: float) -> Completion:
        with self._lock:
            start = time.perf_counter()
            out = self.llama.create_completion(prompt=prompt, grammar=self._grammar(constraint),
                                               max_tokens=max_tokens, temperature=temperature)
            seconds = time.perf_counter() - start
        usage = out.get("usage", {})
        return Completion(out["choices"][0]["text"], usage.get("prompt_tokens", 0),
                          usage.get("completion_tokens", 0), seconds)

    def close(self) -> None:
        llama, self.llama = getattr(self, "llama", None), None
        if llama is not None and hasattr(llama, "close"):
            llama.close()


def _http_json(url: str, payload: dict[str, Any] | None, timeout: float) -> dict[str, Any]:
    data = None if payload is None else json.dumps(payload).encode()
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"},
                                 method="GET" if data is None else "POST")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return json.loads(resp.read().decode())
    except urllib.error.HTTPError as exc:
        detail = exc.read()[:300].decode(errors="replace")
        raise BackendError(f"{url}: HTTP {exc.code} {detail}") from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise BackendError(f"{url}: {exc}") from exc


class OllamaBackend:
    """An Ollama server: ``/api/chat`` and ``/api/generate`` with ``stream: false``; a constraint
    goes in ``format`` as a JSON schema (Ollama's structured outputs)."""

    def __init__(self, spec: ModelSpec, *, timeout: float = 30.0, **_: Any) -> None:
        self.base = spec.location
        tags = _http_json(f"{self.base}/api/tags", None, timeout)
        names = [m.get("name") for m in tags.get("models", [])]
        if not spec.name:
            raise ValueError(f"model {self.base!r}: name the Ollama model after '#', e.g. "
                             f"{self.base}#llama3.1:8b (the server has {names})")
        if spec.name not in names and f"{spec.name}:latest" not in names:
            raise ValueError(f"model {spec.name!r} is not on the Ollama server {self.base} "
                             f"(it has {names})")
        self.name = spec.name

    def _call(self, path: str, body: dict[str, Any], constraint: Constraint | None,
              max_tokens: int, temperature: float, timeout: float) -> dict[str, Any]:
        payload: dict[str, Any] = {"model": self.name, **body, "stream": False,
                                   "options": {"num_predict": int(max_tokens),
                                               "temperature": float(temperature)}}
        if constraint is not None and constraint.schema is not None:
            payload["format"] = constraint.schema
        return _http_json(f"{self.base}{path}", payload, timeout)

    def chat(self, messages: list[dict[str, str]], constraint: Constraint | None,
             max_tokens: int, temperature: float, timeout: float) -> Completion:
        start = time.perf_counter()
        out = self._call("/api/chat", {"messages": messages}, constraint, max_tokens, temperature,
                         timeout)
        return Completion(out.get("message", {}).get("content", ""), out.get("prompt_eval_count", 0),
                          out.get("eval_count", 0), time.perf_counter() - start)

    def generate(self, prompt: str, constraint: Constraint | None, max_tokens: int,
                 temperature: float, timeout: float) -> Completion:
        start = time.perf_counter()
        out = self._call("/api/generate", {"prompt": prompt}, constraint, max_tokens, temperature,
                         timeout)
        return Completion(out.get("response", ""), out.get("prompt_eval_count", 0),
                          out.get("eval_count", 0), time.perf_counter() - start)

    def close(self) -> None:
        pass


class OpenAIBackend:
    """An OpenAI-compatible server (``/v1/chat/completions``, ``/v1/completions``). A
    constraint goes as ``response_format`` — OpenAI's ``json_schema`` form, or, for servers that
    answer it with an HTTP error (llama-cpp-python's), the ``json_object`` + ``schema`` form,
    learned on the first constrained call — plus a ``grammar`` field that llama.cpp servers honour."""

    FORMATS = ("json_schema", "json_object")

    def __init__(self, spec: ModelSpec, *, timeout: float = 30.0, **_: Any) -> None:
        self.base = spec.location
        models = [m.get("id") for m in _http_json(f"{self.base}/v1/models", None, timeout).get("data", [])]
        if spec.name and spec.name not in models:
            raise ValueError(f"model {spec.name!r} is not served by {self.base} (it has {models})")
        if not spec.name and not models:
            raise ValueError(f"the server {self.base} lists no models at /v1/models")
        self.name = spec.name or models[0]
        self.format_style: str | None = None  # learned on the first constrained call

    def _payload(self, constraint: Constraint | None, max_tokens: int, temperature: float,
                 style: str) -> dict[str, Any]:
        payload: dict[str, Any] = {"model": self.name, "max_tokens": int(max_tokens),
                                   "temperature": float(temperature), "stream": False}
        if constraint is not None:
            if constraint.schema is not None:
                payload["response_format"] = (
                    {"type": "json_schema", "json_schema": {"name": "answer", "strict": True,
                                                            "schema": constraint.schema}}
                    if style == "json_schema" else {"type": "json_object", "schema": constraint.schema})
            if constraint.gbnf is not None:
                payload["grammar"] = constraint.gbnf
        return payload

    def _post(self, path: str, extra: dict[str, Any], constraint: Constraint | None,
              max_tokens: int, temperature: float, timeout: float) -> dict[str, Any]:
        styles = [self.format_style] if self.format_style else list(self.FORMATS)
        if constraint is None or constraint.schema is None:
            styles = styles[:1]
        for i, style in enumerate(styles):
            payload = {**self._payload(constraint, max_tokens, temperature, style), **extra}
            try:
                out = _http_json(f"{self.base}{path}", payload, timeout)
            except BackendError as exc:
                if i + 1 < len(styles) and ": HTTP " in str(exc):
                    continue  # this server does not take that response_format: try the other
                raise
            if constraint is not None and constraint.schema is not None:
                self.format_style = style
            return out
        raise AssertionError("unreachable")

    def chat(self, messages: list[dict[str, str]], constraint: Constraint | None,
             max_tokens: int, temperature: float, timeout: float) -> Completion:
        start = time.perf_counter()
        out = self._post("/v1/chat/completions", {"messages": messages}, constraint, max_tokens,
                         temperature, timeout)
        usage = out.get("usage") or {}
        return Completion(out["choices"][0]["message"].get("content") or "",
                          usage.get("prompt_tokens", 0), usage.get("completion_tokens", 0),
                          time.perf_counter() - start)

    def generate(self, prompt: str, constraint: Constraint | None, max_tokens: int,
                 temperature: float, timeout: float) -> Completion:
        start = time.perf_counter()
        out = self._post("/v1/completions", {"prompt": prompt}, constraint, max_tokens,
                         temperature, timeout)
        usage = out.get("usage") or {}
        return Completion(out["choices"][0].get("text") or "", usage.get("prompt_tokens", 0),
                          usage.get("completion_tokens", 0), time.perf_counter() - start)

    def close(self) -> None:
        pass


def open_backend(spec: ModelSpec, **kwargs: Any) -> LlamaCppBackend | OllamaBackend | OpenAIBackend:
    """Open the backend for ``spec``; any failure is raised here, at start, with its cause."""
    if spec.kind == "gguf":
        return LlamaCppBackend(spec, **kwargs)
    timeout = float(kwargs.get("timeout", 30.0))
    api = spec.api
    if api == "auto":  # Ollama answers /api/tags; OpenAI-compatible servers answer /v1/models
        try:
            _http_json(f"{spec.location}/api/tags", None, timeout)
            api = "ollama"
        except BackendError:
            api = "openai"
    try:
        return (OllamaBackend if api == "ollama" else OpenAIBackend)(spec, timeout=timeout)
    except BackendError as exc:
        raise ConnectionError(f"model {spec.location!r}: the {api} server does not answer: {exc}") from exc
