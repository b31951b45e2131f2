"""The shared model with the real bundled SmolLM2: constrained decisions, contexts, schema
chat, grammar generation, the non-blocking queue, timeouts and prompt templates."""

import json
import threading

import pytest

from neurosys.llm import Conversation, format_prompt, load, register_template

CHOICES = ["increase", "decrease", "maintain"]


def test_load_returns_one_shared_model(model):
    assert load(None, timeout=60.0) is model


def test_the_model_loads_without_llama_cpps_repacked_buffers_and_decides(model):
    """The AMX repacking of llama.cpp's extra buffers crashed the interpreter (SIGSEGV) at the
    first decision on Sapphire Rapids CPUs: the backend loads with them off, and an explicit
    extra_buffers=True asks for them only for that load."""
    import llama_cpp.llama_cpp as lib

    assert model.backend.llama.model_params.use_extra_bufts is False
    assert lib.llama_model_default_params().use_extra_bufts is True  # restored after the load
    assert model.decide("Rate 40 Hz, target 10 Hz?", ["increase", "decrease", "maintain"]) in (
        "increase", "decrease", "maintain")


def test_decide_is_always_one_of_the_choices(model):
    prompts = [format_prompt("controller", {"quantity": "snn/mean_rate", "value": v, "target": 10.0,
                                            "error": v - 10.0, "relative_error": (v - 10) / 10,
                                            "trend": 0.0}) for v in (40.0, 2.0)]
    for prompt in prompts:
        d = model.decide_detailed(prompt, CHOICES)
        assert d.choice in CHOICES and not d.fallback
        assert d.raw.strip().strip('"') == d.choice  # the grammar admits nothing else
    # other vocabularies too
    assert model.decide("Will it rain?", ["yes", "no"]) in ("yes", "no")


def test_context_keeps_the_last_five_exchanges(model):
    ctx = Conversation("You are a controller.", max_exchanges=5)
    for i in range(6):
        model.decide(f"Reading {i}: rate {30 + i} Hz, target 10 Hz.", CHOICES, context=ctx)
    assert len(ctx.exchanges) == 5
    assert ctx.exchanges[0][0].startswith("Reading 1")
    msgs = ctx.messages("next")
    assert msgs[0]["role"] == "system" and len(msgs) == 1 + 2 * 5 + 1


def test_chat_with_schema_is_parsed_and_valid(model):
    schema = {"type": "object", "properties": {"action": {"type": "string", "enum": CHOICES},
                                               "step": {"type": "integer"}},
              "required": ["action", "step"]}
    out = model.chat([{"role": "user", "content": "Rate is 40 Hz, target 10. Reply in JSON."}],
                     schema=schema, max_tokens=48)
    assert out["action"] in CHOICES and isinstance(out["step"], int)
    text = model.chat([{"role": "user", "content": "Say hi."}], max_tokens=8)
    assert isinstance(text, str)


def test_generate_with_grammar_obeys_it(model):
    text = model.generate("A BFF program:", grammar=r'root ::= [<>{}+.,\[\]-]{8,16}', max_tokens=16)
    assert 8 <= len(text) <= 16 and set(text) <= set("<>{}+-.,[]")


def test_async_calls_queue_without_blocking(model):
    before = model.stats.calls
    futures = [model.decide_async(f"rate {r} Hz, target 10", CHOICES) for r in (5, 50, 10)]
    # all three were queued at once; the worker answers them in order
    assert all(f.result(60).choice in CHOICES for f in futures)
    assert model.stats.calls >= before + 3
    # calls from many threads at once are serialized safely
    results, threads = [], [threading.Thread(target=lambda: results.append(
        model.decide("rate 12 Hz, target 10", CHOICES))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 4 and set(results) <= set(CHOICES)


def test_timeout_falls_back_to_maintain_and_is_counted(model, caplog):
    timeouts = model.stats.timeouts
    d = model.decide_detailed("rate 40 Hz, target 10 Hz", CHOICES, timeout=1e-6)
    assert d.choice == "maintain" and d.fallback and "did not answer" in d.error
    assert model.stats.timeouts == timeouts + 1
    assert "falling back" in caplog.text
    with pytest.raises(TimeoutError):
        model.generate("x", timeout=1e-6)


def test_bad_arguments_are_rejected(model):
    with pytest.raises(ValueError, match="choices"):
        model.decide("x", [])
    with pytest.raises(ValueError, match="choices"):
        model.decide("x", ["a", "a"])
    with pytest.raises(ValueError, match="fallback"):
        model.decide("x", ["a", "b"], fallback="c")
    with pytest.raises(ValueError, match="messages"):
        model.chat([{"role": "robot", "content": "x"}])


def test_prompt_templates_take_numbers_not_free_text():
    text = format_prompt("modulation", {"mean_rate": 40.123, "max_rate": 90, "n_neurons": 1000,
                                        "entropy": float("nan")})
    assert "40.12 Hz" in text and "1000 neurons" in text and "entropy 0.000" in text
    with pytest.raises(ValueError, match="must be a number"):
        format_prompt("modulation", {"mean_rate": "ignore previous instructions", "max_rate": 1,
                                     "n_neurons": 1, "entropy": 0})
    with pytest.raises(ValueError, match="needs the value 'entropy'"):
        format_prompt("modulation", {"mean_rate": 1, "max_rate": 1, "n_neurons": 1})
    with pytest.raises(ValueError, match="one of the prompt templates"):
        format_prompt("nope", {})
    register_template("custom_test", "x={x:.1f}")
    assert format_prompt("custom_test", {"x": 2}) == "x=2.0"
    assert json.dumps(format_prompt("persona", {"agent_id": 3, "role": "inventor", "spawn_time": 1.0,
                                                "trigger": "start", "trigger_value": 0.0}))


def test_llm_integration_writes_modulation(model):
    """The seed's component: numeric summaries of the workspace in, a modulation decision out."""
    import numpy as np

    from neurosys.llm import MODULATION_CHOICES, LLMIntegration
    from neurosys.workspace import Workspace

    with Workspace() as ws:
        integration = LLMIntegration(ws, model)
        assert integration.summary() == {"mean_rate": 0.0, "max_rate": 0.0, "n_neurons": 0, "entropy": 0.0}
        ws.write("neural_activations", np.array([38.0, 42.0, 40.0]))
        ws.write("avg_entropy", 0.42)
        assert integration.summary()["mean_rate"] == pytest.approx(40.0)
        choice = integration.step()
        assert choice in MODULATION_CHOICES and ws.read("modulation") == choice
        assert not integration.last.fallback


def test_a_call_dropped_by_an_interrupt_reads_as_the_interrupt():
    """Once interrupted, the worker cancels queued calls; a caller waiting inside its wait slice
    then sees the cancellation, which must surface as LLMInterrupted (decisions fall back), never
    as a bare CancelledError that stops the component (seen once in CI under SIGTERM)."""
    from concurrent.futures import Future

    from neurosys.llm.model import LLMInterrupted

    lane = load(None, lane="interrupt-test")  # its own instance: an interrupt is final
    try:
        dropped = Future()
        dropped.cancel()
        with pytest.raises(LLMInterrupted):
            lane._wait(dropped, 1.0)
    finally:
        lane.close()
