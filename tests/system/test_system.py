"""The System against the real components: lifecycle, commands, run directory, report."""

from __future__ import annotations

import sqlite3
import time

import pytest

from neurosys.run.components import (AgentsComponent, EconomyComponent, LedgerComponent, LLMComponent,
                                 NetworkComponent, SharedModel, SoupComponent, SoupEngine)
from neurosys.run.control import send_command
from neurosys.run.report import make_report
from neurosys.run.system import System
from neurosys.workspace import Workspace



def wait_until(predicate, timeout=30.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory, make_config):
    """One short run of the whole system, stopped by its duration."""
    run_dir = tmp_path_factory.mktemp("run")
    seen = []
    with System(make_config(tag="finished"), run_dir=run_dir, console_log=False) as system:
        system.run(4.0, progress=seen.append)
        components = dict(system.runners)
    return run_dir, system, seen, components


# Components field -> the interface (neurosys.run.components) it is typed with
INTERFACES = {"network": NetworkComponent, "soup": SoupEngine, "soup_driver": SoupComponent,
              "llm_model": SharedModel, "llm_lane": SharedModel, "llm": LLMComponent,
              "ledger": LedgerComponent, "economy": EconomyComponent, "agents": AgentsComponent}


def test_built_components_provide_their_interfaces(finished_run):
    run_dir, system, seen, _ = finished_run
    for name, interface in INTERFACES.items():
        built = getattr(system.components, name)
        assert built is None or isinstance(built, interface), name
    assert system.components.network is not None or "network" in system.summary["missing"]


def test_run_directory_and_store(finished_run):
    run_dir, system, seen, components = finished_run
    assert system.state == "stopped"
    for name in ("config.toml", "run.db", "neurosys.log", "summary.txt", "workspace.snapshot"):
        assert (run_dir / name).is_file(), name
    assert len(seen) >= 4 and seen[-1]["wall_seconds"] > seen[0]["wall_seconds"]
    db = sqlite3.connect(run_dir / "run.db")
    info = dict(db.execute("SELECT key, value FROM run_info"))
    assert info["stop_reason"] == "completed" and float(info["stopped"]) > float(info["started"])
    assert db.execute("SELECT COUNT(*) FROM system_progress").fetchone()[0] >= 4
    assert "started" in " ".join(r[0] for r in db.execute("SELECT message FROM system_log")) \
        or db.execute("SELECT COUNT(*) FROM system_log").fetchone()[0] > 0
    summary = system.summary
    assert summary["stop_reason"] == "completed" and not summary["failed"]
    for name, runner in components.items():
        assert runner.steps > 0, f"{name} never stepped"
        assert not runner.alive


def test_each_available_component_ran(finished_run):
    run_dir, system, seen, components = finished_run
    summary = system.summary
    if "network" in components:
        assert summary["sim_time"] > 0 and summary["mean_rate"] is not None
    if "soup" in components:
        assert summary["soup_epoch"] > 0 and summary["entropy"] is not None
    text = (run_dir / "summary.txt").read_text()
    for name in summary["missing"]:
        assert f"left out         {name}" in text


def test_report_from_the_run(finished_run, tmp_path):
    run_dir, system, seen, components = finished_run
    figures, text = make_report(run_dir, tmp_path)
    names = {p.name for p in figures}
    assert {"rates.png", "raster.png", "weights.png"} <= names or "network" not in components
    assert "rewards.png" in names or "agents" not in components
    assert "entropy.png" in names or "soup" not in components
    for p in figures:
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "system_progress" in text and (tmp_path / "report.txt").is_file()


def test_commands_from_another_attachment(tmp_path, make_config):
    cfg = make_config(tag="commands", **{"llm.enabled": False, "agents.enabled": False,
                                          "ledger.enabled": False})
    with System(cfg, run_dir=tmp_path, console_log=False) as system:
        other = Workspace.attach(system.workspace_name)
        try:
            assert wait_until(lambda: (other.read("system/status") or {}).get("state") == "running")
            send_command(other, "pause")
            assert wait_until(lambda: other.read("system/status")["state"] == "paused")
            time.sleep(0.3)  # a step in flight when the pause landed may still finish
            steps = {n: r.steps for n, r in system.runners.items()}
            time.sleep(0.5)
            assert steps == {n: r.steps for n, r in system.runners.items()}
            if system.soup_driver is not None:  # paused: the soup cannot rewrite it at once
                program = b"[<{.>,}]" + b"\x00" * (cfg.soup.program_length - 8)
                send_command(other, "inject", {"program": program, "count": 8})
                programs = system.soup.programs
                assert wait_until(lambda: int((programs == list(program)).all(axis=1).sum()) == 8)
            send_command(other, "resume")
            assert wait_until(lambda: other.read("system/status")["state"] == "running")
            send_command(other, "set_target", {"rate_hz": 17.0})
            assert wait_until(lambda: other.read("system/targets")["rate_hz"] == 17.0)
            send_command(other, "stop")
            system.run(30.0)  # returns as soon as the stop command lands
            assert system.stop_reason == "stop command"
        finally:
            other.close()


def test_bad_use_is_rejected(tmp_path, make_config):
    with pytest.raises(ValueError, match="config"):
        System({"system": {}})
    system = System(make_config(tag="bad", **{"network.enabled": False, "soup.enabled": False,
                                               "llm.enabled": False, "agents.enabled": False,
                                               "ledger.enabled": False}),
                    run_dir=tmp_path, console_log=False)
    with pytest.raises(ValueError, match="seconds"):
        system.run(-1)
    with system:
        with pytest.raises(RuntimeError, match="soup"):
            system.inject(b"abc")
        with pytest.raises(ValueError, match="count"):
            system.inject(b"abc", 0)
        with pytest.raises(RuntimeError, match="already started"):
            system.start()
    assert system.stop() == system.summary  # idempotent


def test_a_system_started_paused_waits_for_resume(tmp_path, make_config):
    """What a Ray soup island relies on to rewire its driver before the first sample."""
    import time

    paused = System(make_config(tag="paused", **{"network.enabled": False, "llm.enabled": False,
                                                  "agents.enabled": False, "ledger.enabled": False}),
                    run_dir=tmp_path, console_log=False)
    paused.start(paused=True)
    try:
        assert paused.state == "paused"
        time.sleep(0.5)
        assert paused.soup.epoch == 0 and paused.workspace.read("soup/metrics") is None
        paused.resume()
        deadline = time.monotonic() + 30
        while paused.soup.epoch == 0:
            assert time.monotonic() < deadline, "the resumed soup never stepped"
            time.sleep(0.05)
    finally:
        paused.stop()


def test_workspace_name_in_use_is_refused(tmp_path, make_config):
    cfg = make_config(tag="taken", **{"network.enabled": False, "soup.enabled": False,
                                      "llm.enabled": False, "agents.enabled": False,
                                      "ledger.enabled": False})
    holder = Workspace(cfg.system.workspace_name, unlink_on_close=True)
    try:
        holder.write("mine", 1)
        with pytest.raises(ValueError, match="workspace_name"):
            System(cfg, run_dir=tmp_path, console_log=False).start()
        assert holder.read("mine") == 1  # the other owner's segment is left alone
    finally:
        holder.close()


def test_report_cli(finished_run, tmp_path):
    import subprocess
    import sys

    run_dir = finished_run[0]
    proc = subprocess.run([sys.executable, "-m", "neurosys", "report", str(run_dir), "--out",
                           str(tmp_path / "r")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "stop_reason  completed" in proc.stdout and (tmp_path / "r" / "report.txt").is_file()
    proc = subprocess.run([sys.executable, "-m", "neurosys", "report", str(tmp_path / "none")],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "has no run.db" in proc.stderr
