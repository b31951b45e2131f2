"""Agents on the real soup engine: an inventor asks the real LLM for BFF programs, injects them
and follows their copies; the complexity controller moves the soup's mutation rate."""

import pytest

from neurosys.agents import AgentManager
from neurosys.agents.roles import BFF_ALPHABET, lineage_count
from neurosys.llm import load
from neurosys.soup import Soup, SoupDriver


@pytest.fixture
def driver(workspace):
    soup = Soup("bff", size=2**10, program_length=16, seed=3)
    return SoupDriver(soup, workspace, None, metrics_every=4)


def test_inventor_injects_llm_programs_and_follows_them(workspace, store, driver):
    model = load(None, timeout=60.0)
    mgr = AgentManager(workspace, model, store, soup=driver,
                       config={"control_rate": False, "control_complexity": False, "inventors": 1,
                               "follow_epochs": 6, "inject_count": 8, "consult_every": 0,
                               "uncertainty": 1.0})  # the LLM writes programs, the policy acts
    inventor = next(iter(mgr.agents.values()))
    assert inventor.role == "inventor"
    for i in range(40):
        driver.step(1)
        mgr.tick()
        mgr.wait_soup(30)
        if inventor._program_future is not None:
            inventor._program_future.result(60)  # let the model answer between ticks
        if len(inventor.inventions) >= 1 and inventor.consultations >= 1:
            break
    assert inventor.consultations >= 1  # an LLM-written program was injected
    assert inventor.inventions, "an invention was judged follow_epochs after injection"
    judged = inventor.inventions[0]
    assert len(judged["program"]) == 16  # the soup's program size
    assert set(judged["program"].rstrip(b"\0")) <= set(BFF_ALPHABET)
    assert judged["epoch"] - judged["founded"] >= 6 and judged["copies"] >= 0
    # what it follows is really in the soup
    for program, (_, copies) in inventor.followed.items():
        assert lineage_count(driver, program) == copies


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
