"""Model-string resolution: the bundled GGUF, GGUF paths, and the Ollama store layout
(manifest -> model layer digest -> blob) built for real on disk."""

import hashlib
import json
import os
import shutil

import pytest

from neurosys.llm import bundled_model_path, load, resolve, resolve_ollama


def make_ollama_store(root, name="llama3.1", tag="8b", namespace="library", blob_bytes=None):
    """An Ollama store holding the bundled GGUF as the model blob of ``name:tag``."""
    src = bundled_model_path()
    data_digest = hashlib.sha256(blob_bytes if blob_bytes is not None else src.read_bytes()).hexdigest()
    blobs = root / "blobs"
    blobs.mkdir(parents=True, exist_ok=True)
    blob = blobs / f"sha256-{data_digest}"
    if blob_bytes is not None:
        blob.write_bytes(blob_bytes)
    elif not blob.exists():
        try:
            os.link(src, blob)
        except OSError:
            shutil.copyfile(src, blob)
    config = b'{"model_format":"gguf"}'
    (blobs / f"sha256-{hashlib.sha256(config).hexdigest()}").write_bytes(config)
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json",
                   "digest": f"sha256:{hashlib.sha256(config).hexdigest()}", "size": len(config)},
        "layers": [
            {"mediaType": "application/vnd.ollama.image.template", "digest": "sha256:" + "0" * 64, "size": 1},
            {"mediaType": "application/vnd.ollama.image.model", "digest": f"sha256:{data_digest}",
             "size": blob.stat().st_size},
        ],
    }
    mdir = root / "manifests" / "registry.ollama.ai" / namespace / name
    mdir.mkdir(parents=True, exist_ok=True)
    (mdir / tag).write_text(json.dumps(manifest))
    return blob


def test_bundled_model_is_a_gguf_inside_the_wheel():
    path = bundled_model_path()
    assert path.name == "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert path.read_bytes()[:4] == b"GGUF"
    spec = resolve(None)
    assert spec.kind == "gguf" and spec.location == str(path)


def test_ollama_name_resolves_manifest_to_blob(tmp_path):
    blob = make_ollama_store(tmp_path)
    assert resolve_ollama("llama3.1:8b", tmp_path) == blob
    # the default tag is "latest", the default namespace "library"
    make_ollama_store(tmp_path, name="smol", tag="latest")
    assert resolve_ollama("smol", tmp_path).name == blob.name
    make_ollama_store(tmp_path, name="tiny", tag="q4", namespace="someone")
    assert resolve_ollama("someone/tiny:q4", tmp_path).name == blob.name


def test_ollama_store_from_environment(tmp_path, monkeypatch):
    blob = make_ollama_store(tmp_path)
    monkeypatch.setenv("OLLAMA_MODELS", str(tmp_path))
    spec = resolve("llama3.1:8b")
    assert spec.kind == "gguf" and spec.location == str(blob)


def test_ollama_store_errors_name_the_problem(tmp_path):
    with pytest.raises(FileNotFoundError, match="ollama pull llama3.1:70b"):
        resolve_ollama("llama3.1:70b", tmp_path)
    make_ollama_store(tmp_path, name="notgguf", blob_bytes=b"not a model at all")
    with pytest.raises(ValueError, match="not a GGUF"):
        resolve_ollama("notgguf:8b", tmp_path)
    mdir = tmp_path / "manifests" / "registry.ollama.ai" / "library" / "broken"
    mdir.mkdir(parents=True)
    (mdir / "latest").write_text(json.dumps({"layers": [{"mediaType": "x", "digest": "y"}]}))
    with pytest.raises(ValueError, match="no model layer"):
        resolve_ollama("broken", tmp_path)
    (mdir / "bad").write_text(json.dumps({"layers": [
        {"mediaType": "application/vnd.ollama.image.model", "digest": "sha256:../../etc"}]}))
    with pytest.raises(ValueError, match="malformed digest"):
        resolve_ollama("broken:bad", tmp_path)
    (mdir / "gone").write_text(json.dumps({"layers": [
        {"mediaType": "application/vnd.ollama.image.model", "digest": "sha256:" + "a" * 64}]}))
    with pytest.raises(FileNotFoundError, match="missing"):
        resolve_ollama("broken:gone", tmp_path)
    with pytest.raises(ValueError, match="Ollama model name"):
        resolve_ollama("../../escape", tmp_path)


def test_gguf_path_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such GGUF"):
        resolve(str(tmp_path / "absent.gguf"))
    fake = tmp_path / "model.gguf"
    fake.write_bytes(b"PK\x03\x04 zip, not gguf")
    with pytest.raises(ValueError, match="not a GGUF"):
        resolve(str(fake))
    with pytest.raises(ValueError, match="model must be"):
        resolve(42)  # type: ignore[arg-type]


def test_url_forms():
    assert resolve("http://127.0.0.1:8080/v1").api == "openai"
    assert resolve("http://localhost:11434#llama3.1:8b").api == "ollama"
    spec = resolve("ollama+http://10.0.0.2:9000#llama3.1:8b")
    assert (spec.api, spec.location, spec.name) == ("ollama", "http://10.0.0.2:9000", "llama3.1:8b")
    assert resolve("http://127.0.0.1:8080").api == "auto"


def test_unreachable_server_fails_at_load():
    with pytest.raises(ConnectionError, match="does not answer"):
        load("http://127.0.0.1:9/v1", timeout=2.0)


def test_ollama_model_loads_and_decides(tmp_path, model):
    """The blob found through the store is loaded by llama.cpp and decides like the bundled one."""
    make_ollama_store(tmp_path)
    m = load("llama3.1:8b", ollama_dir=str(tmp_path), timeout=60.0)
    try:
        assert m is not model and m.spec.name == "llama3.1:8b"
        assert m.decide("Rate 40 Hz, target 10 Hz.", ["increase", "decrease", "maintain"]) in \
            ("increase", "decrease", "maintain")
    finally:
        m.close()
