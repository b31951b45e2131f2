"""LLM tests: the bundled SmolLM2 model, loaded once per session."""

import pytest

from neurosys import llm as nllm


@pytest.fixture(scope="session")
def model():
    """The bundled SmolLM2-135M-Instruct, loaded once for the whole session."""
    m = nllm.load(None, timeout=60.0)
    yield m
    m.close()
