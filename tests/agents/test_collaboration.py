"""Collaboration through the real ledger: the rate controller buys a regime observer's rate
prediction, pays for it only once delivered, and feeds it to its policy."""

import pytest

from neurosys.agents import AgentManager


@pytest.fixture
def economy(store, tmp_path):
    from neurosys.ledger import Economy, Ledger
    from neurosys.ledger.economy import EconomyConfig

    ledger = Ledger(tmp_path / "ledger", "embedded", store=store, passphrase="test-only")
    yield Economy(ledger, EconomyConfig(initial_grant=5.0, collaboration_bonus=1.0))
    ledger.close()


def test_controller_buys_the_observers_prediction(workspace, store, economy):
    mgr = AgentManager(workspace, None, store, economy=economy,
                       config={"inventors": 0, "control_complexity": False, "min_age": 1000,
                               "collaboration_every": 2, "collaboration_price": 0.5})
    controller = next(iter(mgr.agents.values()))
    assert controller.role == "rate_controller"
    workspace.write("snn/mean_rate", 30.0)
    mgr.tick()  # nobody to buy from yet
    assert economy.balance(controller.id) == pytest.approx(5.0)
    observer = mgr.spawn("regime_observer", "test")
    rates = [30.0, 31.0, 29.0, 35.0, 40.0, 45.0, 50.0, 55.0]
    for rate in rates:
        workspace.write("snn/mean_rate", rate)
        mgr.tick()
    # purchases at the controller's even ages once the observer had predicted: each paid 0.5
    # to the observer, which also earned the collaboration bonus
    history = [h for h in economy.ledger.history() if h["reason"] == "collaboration"]
    assert len(history) >= 3
    assert all(h["src"] == controller.id and h["dst"] == observer.id and h["amount"] == 0.5
               for h in history)
    bonuses = [h for h in economy.ledger.history(observer.id) if h["reason"] == "collaboration_bonus"]
    assert len(bonuses) == len(history)
    assert economy.balance(controller.id) == pytest.approx(5.0 - 0.5 * len(history))
    assert economy.balance(observer.id) == pytest.approx(5.0 + 1.5 * len(history))
    # what is bought is what the observer predicted, and it enters the controller's state
    controller.age += controller.age % 2  # a purchase is due
    bought = mgr.buy_prediction(controller, "snn/mean_rate")
    assert bought == ("fall", "stay", "rise").index(observer.last_action) - 1
    assert controller.observe(mgr)[6] == bought  # bought again: same service, paid once
    assert economy.balance(controller.id) == pytest.approx(5.0 - 0.5 * (len(history) + 1))


def test_no_economy_no_purchase(workspace):
    mgr = AgentManager(workspace, None, None, config={"inventors": 0, "control_complexity": False})
    controller = next(iter(mgr.agents.values()))
    mgr.spawn("regime_observer", "test")
    for rate in (30.0, 35.0, 40.0):
        workspace.write("snn/mean_rate", rate)
        mgr.tick()
    assert mgr.buy_prediction(controller, "snn/mean_rate") is None
    assert controller.bought_prediction == 0.0
