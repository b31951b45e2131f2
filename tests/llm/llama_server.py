"""llama-cpp-python's OpenAI-compatible server (``python -m llama_cpp.server``, same arguments)
with llama.cpp's repacked extra buffers off, as ``LlamaCppBackend`` loads models: on a CPU with
AMX they crash the server at its first completion (neurosys/llm/backends.py)."""

import runpy

from neurosys.llm.backends import llama_model_params

if __name__ == "__main__":
    with llama_model_params(use_extra_bufts=False):
        runpy.run_module("llama_cpp.server", run_name="__main__", alter_sys=True)
