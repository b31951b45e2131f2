"""Agents consulting the real shared LLM: tick() never waits on it, answers are picked up on
later ticks, acted on and logged; budgets and the economy's charge bound consultations."""

import json
import threading

import pytest

from neurosys.agents import AgentManager
from neurosys.llm import load


@pytest.fixture(scope="module")
def model():
    m = load(None, timeout=60.0)
    yield m


def wait_idle(model):
    for f in [model.submit(lambda: None)]:
        f.result(120)


def test_tick_never_waits_on_a_busy_llm(workspace, store, model):
    mgr = AgentManager(workspace, model, store, config={"consult_every": 1, "rate_hz": 10.0})
    controller = next(iter(mgr.agents.values()))
    gate = threading.Event()
    blocker = model.submit(lambda: gate.wait(120))  # the worker is busy until the gate opens
    done = threading.Event()

    def run_ticks():
        for i in range(20):
            workspace.write("snn/mean_rate", 40.0 - i)
            mgr.tick()
        done.set()

    runner = threading.Thread(target=run_ticks)
    runner.start()
    finished = done.wait(60)  # would dead-lock here if tick waited on the LLM
    gate.set()
    runner.join()
    blocker.result(60)
    assert finished and mgr.ticks == 20
    assert controller.consultations == 1 and controller._pending is not None  # queued, not awaited
    wait_idle(model)
    for _ in range(3):
        workspace.write("snn/mean_rate", 20.0)
        mgr.tick()
    rows = store.query("SELECT action, llm_response FROM agent_interactions WHERE llm_response IS NOT NULL")
    assert rows, "the LLM's answer was picked up on a later tick and logged"
    action, response = rows[0]
    response = json.loads(response)
    assert not response["fallback"]
    # a controller follows advice its policy finds plausible, and the log says which it did
    assert response["followed"] == (response["choice"] == action)
    assert response["choice"] in ("increase", "decrease", "maintain")
    assert [m["role"] for m in controller.context.messages("x")][:2] == ["system", "user"]


def test_budget_bounds_consultations_without_economy(workspace, model):
    mgr = AgentManager(workspace, model, None, config={"consult_every": 1, "budget": 2})
    controller = next(iter(mgr.agents.values()))
    for i in range(5):
        workspace.write("snn/mean_rate", 30.0)
        mgr.tick()
        wait_idle(model)
    assert controller.consultations == 2 and controller.budget == 0
    assert workspace.read("agents/table")[0]["balance"] == 0.0


def test_economy_charges_each_consultation(workspace, store, model, tmp_path):
    from neurosys.ledger import Economy, Ledger
    from neurosys.ledger.economy import EconomyConfig

    ledger = Ledger(tmp_path / "ledger", "embedded", store=store, passphrase="test-only")
    try:
        economy = Economy(ledger, EconomyConfig(initial_grant=1.0))  # two consultations at 0.5
        mgr = AgentManager(workspace, model, store, economy=economy,
                           config={"consult_every": 1, "control_rate": False, "min_age": 1000})
        observer = mgr.spawn("regime_observer", "test")
        for _ in range(6):
            workspace.write("snn/mean_rate", 30.0)
            mgr.tick()
            wait_idle(model)
        assert observer.consultations == 2
        assert economy.balance(observer.id) == pytest.approx(0.0)
    finally:
        ledger.close()


def test_a_consultation_dropped_by_a_stop_is_no_answer_not_a_failure(workspace, store):
    """A stop interrupts the model, whose worker cancels the queued calls: an agent that then
    steps once more finds its consultation cancelled and goes on without advice (this failed
    the agents component in a SIGTERM test in CI)."""
    model = load(None, timeout=60.0, lane="dropped")  # its own instance: interrupted below
    mgr = AgentManager(workspace, model, store, config={"consult_every": 1, "rate_hz": 10.0})
    gate = threading.Event()
    model.submit(lambda: gate.wait(120))  # the worker is busy: the consultations queue
    workspace.write("snn/mean_rate", 40.0)
    mgr.tick()
    pending = [a._pending for a in mgr.agents.values() if a._pending is not None]
    assert pending
    model.interrupt()
    gate.set()
    for future in pending:
        try:
            future.exception(30)
        except Exception:  # cancelled
            pass
    assert all(f.cancelled() for f in pending)
    mgr.wait_llm(5)  # does not raise for a cancelled call
    mgr.tick()  # nor does the agents' next step
    assert all(a._pending is None or not a._pending.cancelled() for a in mgr.agents.values())
    mgr.close()
    model.close()
