"""The agent manager with a real workspace and run store: spawning rules, retirement, cloning,
the population cap, commands, logging and the reward history. The LLM is left out here
(llm=None) except where consultation itself is tested (tests/agents/test_consult.py)."""

import json

import numpy as np
import pytest

from neurosys.agents import AgentManager
from neurosys.run.commands import validate_command


def events_in_store(store):
    return store.query("SELECT kind, agent_id, role, reason, parent FROM agent_events ORDER BY id")


def test_start_spawns_the_rate_controller_and_publishes(workspace, store):
    mgr = AgentManager(workspace, None, store)
    assert [a.role for a in mgr.agents.values()] == ["rate_controller"]
    table = workspace.read("agents/table")
    assert table[0]["role"] == "rate_controller" and table[0]["alive"] is True
    assert set(table[0]) == {"id", "role", "last_action", "reward", "balance", "alive"}
    events = workspace.read("agents/events")
    assert events[0]["kind"] == "spawn" and events[0]["reason"] == "start"
    assert events_in_store(store) == [("spawn", table[0]["id"], "rate_controller", "start", None)]
    assert store.tables()["agent_interactions"] == 1


def test_every_decision_is_logged_with_its_reward(workspace, store):
    mgr = AgentManager(workspace, None, store, config={"rate_hz": 10.0})
    for rate in (40.0, 35.0, 30.0, 28.0):
        workspace.write("snn/mean_rate", rate)
        mgr.tick()
    rows = store.query("SELECT time, state, action, reward, llm_response, agent_id, role "
                       "FROM agent_interactions ORDER BY id")
    assert len(rows) == 3  # the 4th action's reward comes with the next tick
    for t, state, action, reward, llm_response, agent_id, role in rows:
        assert len(json.loads(state)) == 8 and action in ("increase", "decrease", "maintain")
        assert np.isfinite(reward) and llm_response is None and role == "rate_controller"
    # the rate controller writes its modulation step (nA) to the workspace; far above target,
    # the primed policy lowers the drive
    assert isinstance(workspace.read("modulation"), float)
    hist = mgr.history(rows[0][5])
    assert len(hist["reward"]) == 3 and hist["reward"] == pytest.approx([r[3] for r in rows])


def test_new_activity_regime_spawns_an_observer(workspace, store):
    mgr = AgentManager(workspace, None, store, config={"regime_window": 10, "regime_persist": 2})
    for i in range(12):
        workspace.write("snn/mean_rate", 10.0 + 0.5 * (i % 3))
        mgr.tick()
    assert len(mgr) == 1
    for _ in range(2):
        workspace.write("snn/mean_rate", 40.0)
        mgr.tick()
    observers = [a for a in mgr.agents.values() if a.role == "regime_observer"]
    assert len(observers) == 1 and observers[0].quantity == "snn/mean_rate"
    assert any(r[0] == "spawn" and r[2] == "regime_observer" and "new activity regime" in r[3]
               for r in events_in_store(store))


def test_new_replicator_lineage_spawns_an_observer_once(workspace, store):
    mgr = AgentManager(workspace, None, store)
    program = bytes(range(64))
    workspace.write("soup/replicators", [program])
    workspace.write("soup/top_programs", [{"program": program, "count": 30}])
    mgr.tick()
    mgr.tick()
    lineage = [a for a in mgr.agents.values() if a.role == "lineage_observer"]
    assert len(lineage) == 1 and lineage[0].lineage == program
    workspace.write("soup/top_programs", [{"program": program, "count": 45}])
    mgr.tick()
    assert lineage[0].recent[-1] == 45.0  # it follows its lineage's copies


def test_agents_that_do_not_earn_their_keep_are_retired(workspace, store):
    mgr = AgentManager(workspace, None, store, config={"min_age": 5, "retire_below": 0.99,
                                                        "clone_every": 0})
    observer = mgr.spawn("regime_observer", "test")
    rng = np.random.default_rng(0)
    for _ in range(8):
        workspace.write("snn/mean_rate", float(rng.uniform(5, 50)))
        mgr.tick()
    assert observer.id not in mgr.agents and not observer.alive
    retire = [r for r in events_in_store(store) if r[0] == "retire"]
    assert retire[0][1] == observer.id and retire[0][3].startswith("mean reward")
    assert any(a.id == observer.id for a in mgr.retired)
    assert next(r for r in workspace.read("agents/table") if r["id"] == observer.id)["alive"] is False
    assert len(mgr.agents) == 1  # the start controller is protected


def test_the_best_are_cloned_with_mutated_weights_under_the_cap(workspace, store):
    mgr = AgentManager(workspace, None, store, config={"min_age": 2, "retire_below": -2.0,
                                                        "clone_every": 3, "clone_above": -2.0,
                                                        "max_agents": 3})
    parent = mgr.spawn("regime_observer", "test")
    for i in range(12):
        workspace.write("snn/mean_rate", 10.0 + i)
        mgr.tick()
    clones = [a for a in mgr.agents.values() if a.parent is not None]
    assert len(mgr) == 3 and clones  # the cap stops further clones
    clone = clones[0]
    assert clone.role == "regime_observer" and clone.parent == parent.id
    pw = parent.policy.net.net[0].weight.detach()
    cw = clone.policy.net.net[0].weight.detach()
    assert not np.allclose(pw.numpy(), cw.numpy())
    assert any(r[0] == "spawn" and r[4] == parent.id and r[3].startswith("clone") for r in events_in_store(store))
    assert mgr.spawn("regime_observer", "over the cap") is None


def test_commands_spawn_retire_target_pause(workspace, store):
    mgr = AgentManager(workspace, None, store)
    mgr.submit("spawn", role="regime_observer")
    mgr.submit({"op": "set_target", "args": {"rate_hz": 5.0}})
    mgr.tick()
    observer = next(a for a in mgr.agents.values() if a.role == "regime_observer")
    assert mgr.targets["rate_hz"] == 5.0
    mgr.submit("pause", id=observer.id)
    mgr.tick()
    age = observer.age
    mgr.tick()
    assert observer.age == age and observer.paused
    mgr.submit("resume")  # no id: the whole manager (already running) - then the agent
    mgr.submit("resume", id=observer.id)
    mgr.submit("pause")
    mgr.tick()
    assert mgr.paused and mgr.ticks == 3
    mgr.submit("resume")
    mgr.submit("retire", id=observer.id, reason="operator")
    mgr.tick()
    assert observer.id not in mgr.agents and events_in_store(store)[-1][3] == "operator"
    workspace.write("system/targets", {"rate_hz": 12.0, "complexity": 0.4})
    mgr.tick()
    assert mgr.targets == {"rate_hz": 12.0, "complexity": 0.4}


def test_bad_commands_and_config_are_rejected(workspace):
    with pytest.raises(ValueError, match="op must be one of"):
        validate_command("explode", None, "agents")
    with pytest.raises(ValueError, match="spawn role must be one of"):
        validate_command("spawn_agent", {"role": "wizard"}, "agents")
    with pytest.raises(ValueError, match="rate_hz must be a finite number"):
        validate_command("set_target", {"rate_hz": float("nan")}, "agents")
    with pytest.raises(ValueError, match="retire needs the agent id"):
        validate_command("retire", {}, "agents")
    with pytest.raises(ValueError, match="unknown agent settings"):
        AgentManager(workspace, None, None, config={"max_agentz": 3})
    with pytest.raises(ValueError, match="agents.max_agents must be >= 0"):
        AgentManager(workspace, None, None, config={"max_agents": -1})
    mgr = AgentManager(workspace, None, None)
    with pytest.raises(ValueError, match="agent_id must name"):
        mgr.history("agent-999")
    with pytest.raises(ValueError, match="op must be"):
        mgr.submit({"args": {}})


def test_cli_lists_agents_and_prints_reward_history(workspace, store, capsys):
    from neurosys.agents import reward_history
    from neurosys.cli import main

    mgr = AgentManager(workspace, None, store)
    # the system passes arguments beside "op" (System.spawn_agent)
    mgr.submit({"op": "spawn", "role": "regime_observer", "seq": 7})
    for rate in (30.0, 25.0, 20.0, 18.0):
        workspace.write("snn/mean_rate", rate)
        mgr.tick()
    assert main(["agents", "list", "--attach", workspace.name]) == 0
    out = capsys.readouterr().out
    assert "rate_controller" in out and "regime_observer" in out
    assert main(["agents", "events", "--attach", workspace.name]) == 0
    assert "spawn" in capsys.readouterr().out
    controller = next(a for a in mgr.agents.values() if a.role == "rate_controller")
    hist = reward_history(store, controller.id)
    assert len(hist["reward"]) == 3
    assert hist["reward"] == pytest.approx(mgr.history(controller.id)["reward"])
    store.flush()
    assert main(["agents", "history", controller.id, "--store", str(store.path)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3 and float(lines[0].split()[1]) == pytest.approx(hist["reward"][0], abs=1e-4)
    assert main(["agents", "history", "agent-999", "--store", str(store.path)]) == 2
