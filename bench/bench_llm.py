"""LLM layer and agent benchmarks.

1. Decision latency (median, p95) of ``LLM.decide`` against llama-cpp-python called directly on
   the same loaded model with the same grammar and prompts, interleaved in one run.
2. Generation tokens/s: ``LLM.generate`` against ``Llama.create_completion`` directly.
3. Resident memory with 1 and with 32 agents sharing the one model.
4. Agent-manager ticks per second with the LLM consulted every k ticks (8 agents).

    PYTHONPATH=build/dev-agents/site python bench/bench_llm.py [--quick]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time

import numpy as np
import psutil
import torch

from neurosys.llm import format_prompt, load
from neurosys.llm.model import choice_constraint

CHOICES = ["increase", "decrease", "maintain"]


def prompts(n: int) -> list[str]:
    rng = np.random.default_rng(0)
    return [format_prompt("controller", {"quantity": "snn/mean_rate", "value": v, "target": 10.0,
                                         "error": v - 10, "relative_error": (v - 10) / 10,
                                         "trend": float(rng.normal())})
            for v in rng.uniform(2, 60, n)]


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def bench_decisions(m, n: int) -> None:
    llama = m.backend.llama
    grammar = m.backend._grammar(choice_constraint(CHOICES))
    ours, direct, own = [], [], []
    for i, prompt in enumerate(prompts(n + 3)):
        messages = [{"role": "user", "content": prompt}]
        order = (0, 1) if i % 2 else (1, 0)  # alternate who goes first
        for who in order:
            t = time.perf_counter()
            if who == 0:
                d = m.decide_detailed(prompt, CHOICES)
                # the wrapper's own time: the call minus the llama.cpp call timed in the worker
                own.append(time.perf_counter() - t - d.seconds)
            else:
                llama.create_chat_completion(messages=messages, grammar=grammar, max_tokens=16,
                                             temperature=0.0)
            (ours if who == 0 else direct).append(time.perf_counter() - t)
    ours, direct, own = ours[3:], direct[3:], own[3:]  # warm-up
    print(f"\n## decision latency, {n} decisions each (ms)")
    print(f"{'':28s}{'median':>10s}{'p95':>10s}")
    print(f"{'neurosys LLM.decide':28s}{1e3 * statistics.median(ours):10.1f}{1e3 * pct(ours, 95):10.1f}")
    print(f"{'llama-cpp-python direct':28s}{1e3 * statistics.median(direct):10.1f}{1e3 * pct(direct, 95):10.1f}")
    print(f"{'ratio ours / direct':28s}{statistics.median(ours) / statistics.median(direct):10.3f}"
          f"{pct(ours, 95) / pct(direct, 95):10.3f}")
    share = [o / t for o, t in zip(own, ours)]
    print(f"{'wrapper own time (ms)':28s}{1e3 * statistics.median(own):10.3f}{1e3 * pct(own, 95):10.3f}")
    print(f"{'wrapper own time / call':28s}{100 * statistics.median(share):9.3f}%{100 * pct(share, 95):9.3f}%")


def bench_tokens(m, n: int, max_tokens: int = 64) -> None:
    llama = m.backend.llama
    ours, direct = [], []
    for i in range(n + 1):
        prompt = f"Describe a spiking neural network in {i + 3} sentences:"
        for who in ((0, 1) if i % 2 else (1, 0)):
            t = time.perf_counter()
            if who == 0:
                calls = m.stats.completion_tokens
                m.generate(prompt, max_tokens=max_tokens)
                tokens = m.stats.completion_tokens - calls
            else:
                out = llama.create_completion(prompt=prompt, max_tokens=max_tokens, temperature=0.0)
                tokens = out["usage"]["completion_tokens"]
            (ours if who == 0 else direct).append(tokens / (time.perf_counter() - t))
    ours, direct = ours[1:], direct[1:]
    print(f"\n## generation, {max_tokens} tokens max, {n} runs each (tokens/s, median)")
    print(f"{'neurosys LLM.generate':28s}{statistics.median(ours):10.1f}")
    print(f"{'llama-cpp-python direct':28s}{statistics.median(direct):10.1f}")
    print(f"{'ratio':28s}{statistics.median(ours) / statistics.median(direct):10.3f}")


def make_manager(m, n_agents: int, consult_every: int, store=None):
    from neurosys.agents import AgentManager
    from neurosys.workspace import Workspace

    ws = Workspace()
    ws.write("snn/mean_rate", 25.0)
    mgr = AgentManager(ws, m, store, config={"max_agents": n_agents, "consult_every": consult_every,
                                             "uncertainty": 1.0, "budget": 10**9,
                                             "clone_every": 0, "min_age": 10**9})
    while len(mgr) < n_agents:
        mgr.spawn("regime_observer", "bench")
    return ws, mgr


def bench_memory(m) -> None:
    proc = psutil.Process()
    gc.collect()
    base = proc.memory_info().rss
    rows = []
    for n in (1, 32):
        ws, mgr = make_manager(m, n, consult_every=5)
        for i in range(40):
            ws.write("snn/mean_rate", 25.0 + 5 * np.sin(i / 5))
            mgr.tick()
            time.sleep(0.002)
        while m.pending:
            time.sleep(0.05)
        gc.collect()
        rows.append((n, proc.memory_info().rss))
        mgr.close()
        ws.close()
    print("\n## resident memory (one model shared by every agent)")
    print(f"{'process with model loaded':28s}{base / 2**20:10.1f} MiB")
    for n, rss in rows:
        print(f"{f'{n} agents, 40 ticks':28s}{rss / 2**20:10.1f} MiB  (+{(rss - base) / 2**20:.1f})")
    print(f"{'32 agents / 1 agent':28s}{rows[1][1] / rows[0][1]:10.3f}")


def bench_ticks(m, seconds: float) -> None:
    print(f"\n## agent-manager ticks/s, 8 agents, {seconds:.0f} s each")
    print(f"{'consult every k ticks':28s}{'ticks/s':>10s}{'LLM answers':>14s}")
    for k in (0, 100, 10, 1):
        ws, mgr = make_manager(m, 8, consult_every=k)
        calls = m.stats.calls
        t0 = time.perf_counter()
        ticks = 0
        while time.perf_counter() - t0 < seconds:
            ws.write("snn/mean_rate", 25.0 + 5 * np.sin(ticks / 7))
            mgr.tick()
            ticks += 1
        rate = ticks / (time.perf_counter() - t0)
        print(f"{'never' if k == 0 else k:<28}{rate:10.0f}{m.stats.calls - calls:14d}")
        mgr.close()
        while m.pending:
            time.sleep(0.05)
        ws.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = ap.parse_args()
    torch.set_num_threads(1)
    t = time.perf_counter()
    m = load(None, timeout=120.0)
    print(f"model {m.spec.name} loaded in {time.perf_counter() - t:.2f} s, {m.backend.llama.n_threads} threads")
    bench_decisions(m, 10 if args.quick else 40)
    bench_tokens(m, 3 if args.quick else 8)
    bench_memory(m)
    bench_ticks(m, 2.0 if args.quick else 5.0)
    m.close()


if __name__ == "__main__":
    main()
