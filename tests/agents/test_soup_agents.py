"""Agents on the real soup engine: an inventor asks the real LLM for BFF programs and scores them
with the engine, searches without it, injects only what passes its gates and follows their
copies; the complexity controller moves the soup's mutation rate."""

import pytest

from neurosys.agents import AgentManager
from neurosys.agents.roles import BFF_ALPHABET, lineage_count
from neurosys.llm import load
from neurosys.soup import Soup, SoupDriver


@pytest.fixture
def driver(workspace):
    soup = Soup("bff", size=2**10, program_length=16, seed=3)
    return SoupDriver(soup, workspace, None, metrics_every=4)


def _run(mgr, driver, ticks, done):
    for _ in range(ticks):
        driver.step(1)
        mgr.tick()
        mgr.wait_soup(30)
        for agent in mgr.agents.values():
            if getattr(agent, "_program_future", None) is not None:
                agent._program_future.result(60)  # let the model answer between ticks
        if done():
            return


def test_inventor_scores_the_llms_programs_and_injects_none_below_the_gate(workspace, store, driver):
    model = load(None, timeout=60.0)
    mgr = AgentManager(workspace, model, store, soup=driver,
                       config={"control_rate": False, "control_complexity": False, "inventors": 1,
                               "consult_every": 0, "uncertainty": 1.0, "programs_per_call": 2})
    inventor = next(iter(mgr.agents.values()))
    assert inventor.role == "inventor" and inventor.model(mgr) is model
    _run(mgr, driver, 40, lambda: inventor.consultations >= 2)
    assert inventor.consultations >= 1, "the LLM's programs reached the search"
    kept = [p for island in inventor.search.db.islands for p in island.programs]
    assert kept and all(len(p) == 16 for p in kept)  # the soup's program size
    assert all(set(p) <= set(BFF_ALPHABET) | {0} for p in kept)  # instructions and no-op zeros
    # whatever was injected passed the gate, and each was judged once
    assert set(inventor.followed) <= inventor.search.judged
    rows = [r for r in store.query("SELECT action FROM agent_interactions")]
    assert rows, "every step is logged"


def test_inventor_without_the_llm_finds_injects_and_follows_programs(workspace, store):
    soup = Soup("bff", size=2**10, program_length=64, seed=3)
    driver = SoupDriver(soup, workspace, None, metrics_every=4)
    mgr = AgentManager(workspace, None, store, soup=driver,
                       config={"control_rate": False, "control_complexity": False, "inventors": 1,
                               "search": "mutation", "follow_epochs": 6, "inject_count": 8,
                               "consult_every": 0, "uncertainty": 1.0, "seed": 2})
    inventor = next(iter(mgr.agents.values()))
    _run(mgr, driver, 600, lambda: bool(inventor.inventions))
    assert inventor.inventions, f"nothing judged; best {inventor.search.db.best(1)}"
    judged = inventor.inventions[0]
    assert len(judged["program"]) == 64 and judged["program"] in inventor.search.judged
    assert judged["epoch"] - judged["founded"] >= 6 and judged["copies"] >= 0
    for program, (_, copies) in inventor.followed.items():  # what it follows is in the soup
        assert lineage_count(driver, program) == copies


def test_the_inventors_model_must_exist():
    with pytest.raises(ValueError, match="agents.model"):
        AgentManager(None, None, None, config={"model": "/nonexistent/model.gguf"})


def test_complexity_controller_moves_the_mutation_rate(workspace, driver):
    driver.step(4)  # publishes avg_entropy and soup/mutation_rate
    mgr = AgentManager(workspace, None, None, soup=driver,
                       config={"control_rate": False, "inventors": 0, "complexity": 5.0})
    controller = next(iter(mgr.agents.values()))
    assert controller.role == "complexity_controller"
    rates = set()
    for _ in range(10):
        driver.step(1)
        mgr.tick()
        mgr.wait_soup(30)  # soup calls run on the manager's soup thread
        rates.add(workspace.read("soup/mutation_rate"))
    assert len(rates) > 1 and workspace.read("soup/mutation_rate") == driver.soup.mutation_rate
    assert all(mgr.config.mutation_rate_floor <= r <= mgr.config.mutation_rate_ceiling for r in rates)


def test_any_gguf_file_can_be_the_inventors_model(workspace, driver):
    from neurosys.llm.resolve import bundled_model_path

    shared = load(None, timeout=60.0)
    mgr = AgentManager(workspace, shared, None, soup=driver,
                       config={"control_rate": False, "control_complexity": False, "inventors": 1,
                               "model": str(bundled_model_path())})
    inventor = next(iter(mgr.agents.values()))
    own = inventor.model(mgr)
    assert own is not shared and own.spec.location == str(bundled_model_path())
    mgr.close()
