"""The HTTP backend against a real OpenAI-compatible server: llama-cpp-python's own server (through
tests/llm/llama_server.py, which loads the model as LlamaCppBackend does)
serving the bundled model on 127.0.0.1."""

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from neurosys.cluster.redis_server import free_port
from neurosys.llm import LLMIntegration, bundled_model_path, load
from neurosys.llm.backends import OpenAIBackend
from neurosys.workspace import Workspace

CHOICES = ["increase", "decrease", "maintain"]
ROOT = str(Path(__file__).resolve().parents[2])  # where `tests.llm.llama_server` imports from


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = free_port()
    log = open(tmp_path_factory.mktemp("server") / "server.log", "w+b")  # a pipe would fill and block
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.llm.llama_server", "--model", str(bundled_model_path()),
         "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048",
         "--model_alias", "smollm2"],
        stdout=log, stderr=subprocess.STDOUT,
        env={**os.environ, "OMP_WAIT_POLICY": "PASSIVE",
             "PYTHONPATH": os.pathsep.join(filter(None, [ROOT, os.environ.get("PYTHONPATH")]))})
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"{url}/v1/models", timeout=2) as resp:
                if resp.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            log.seek(0)
            raise RuntimeError(f"llama_cpp.server did not start: {log.read()[-2000:]!r}")
        time.sleep(0.2)
    yield url, proc
    if proc.poll() is None:
        proc.terminate()
        proc.wait(30)
    log.close()


def test_openai_server_decides_and_chats(server):
    url, _ = server
    m = load(f"{url}/v1", timeout=60.0)
    try:
        assert isinstance(m.backend, OpenAIBackend) and m.backend.name == "smollm2"
        d = m.decide_detailed("Mean rate 40 Hz, target 10 Hz. Adjust the input?", CHOICES)
        assert d.choice in CHOICES and not d.fallback
        out = m.chat([{"role": "user", "content": "Rate 40 Hz, target 10 Hz. JSON please."}],
                     schema={"type": "object", "properties": {"action": {"enum": CHOICES}},
                             "required": ["action"]}, max_tokens=32)
        assert out["action"] in CHOICES
        # llama-cpp-python's server fails on OpenAI's json_schema form (HTTP 500): learned once
        assert m.backend.format_style == "json_object"
        assert isinstance(m.generate("The rate is", max_tokens=8), str)
    finally:
        m.close()


def test_server_kind_is_probed_and_model_name_checked(server):
    url, _ = server
    m = load(url, timeout=60.0)  # no /v1: /api/tags is absent, so OpenAI-compatible
    try:
        assert isinstance(m.backend, OpenAIBackend)
    finally:
        m.close()
    with pytest.raises(ValueError, match="not served"):
        load(f"{url}/v1#llama3.1:8b", timeout=30.0)


def test_server_going_away_falls_back_to_maintain(server, caplog):
    """A backend error at run time gives 'maintain' and is logged; the loop keeps going."""
    url, proc = server

    m = load(f"{url}/v1#smollm2", timeout=10.0)
    ws = Workspace()
    ws.write("neural_activations", np.array([40.0, 42.0]))
    ws.write("avg_entropy", 0.3)
    integration = LLMIntegration(ws, m)
    assert integration.step() in CHOICES
    proc.terminate()
    proc.wait(30)
    errors = m.stats.errors
    assert integration.step() == "maintain" and ws.read("modulation") == "maintain"
    assert integration.last.fallback and m.stats.errors == errors + 1
    assert "falling back to 'maintain'" in caplog.text
    m.close()
    ws.close()
