"""The local LLM alone: the bundled SmolLM2-135M (nothing is downloaded) makes the system's
3-way decision under a JSON-schema constraint, so the answer always parses, and times it.

    python examples/llm_decision.py [--model PATH_OR_OLLAMA_NAME]
"""

import argparse
import time

from neurosys import llm

ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
ap.add_argument("--model", default=None, help="a GGUF path or an Ollama name (default: bundled)")
args = ap.parse_args()

model = llm.load(args.model)
choices = ["increase", "decrease", "maintain"]
for rate in (2.0, 10.0, 40.0):
    prompt = f"The network fires at {rate:.0f} Hz; the target is 10 Hz. Should the stimulation change?"
    started = time.perf_counter()
    decision = model.decide_detailed(prompt, choices)
    print(f"{rate:5.1f} Hz -> {decision.choice:9s} ({time.perf_counter() - started:.2f} s"
          f"{', fallback: ' + str(decision.error) if decision.fallback else ''})")
model.close()
