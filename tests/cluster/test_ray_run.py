"""`neurosys run --ray` as a real process on the session's local Ray cluster, with a real Redis:
it runs every component in an actor (the agents in a pool of workers sharing one model per node)
and stops cleanly at the end of its duration and on SIGTERM."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from neurosys.workspace import Workspace
from tests.system.conftest import small_config


def launch(tmp_path, ray_cluster, cfg, duration: float) -> tuple[subprocess.Popen, object]:
    config_file = tmp_path / "config.toml"
    config_file.write_text(cfg.to_toml())
    run_dir = tmp_path / "run"
    address = ray_cluster.get_runtime_context().gcs_address
    proc = subprocess.Popen(
        [sys.executable, "-m", "neurosys", "run", "--ray", address, "--config", str(config_file),
         "--duration", str(duration), "--run-dir", str(run_dir)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return proc, run_dir


def run_info(db_path) -> dict[str, str]:
    db = sqlite3.connect(db_path)
    try:
        return dict(db.execute("SELECT key, value FROM run_info"))
    finally:
        db.close()


def stop_reason(db_path) -> str:
    db = sqlite3.connect(db_path)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        db.close()
    return run_info(db_path)["stop_reason"]


def migrations(name: str, url: str) -> int:
    """How many island migrations the driver has published (0 before the workspace exists)."""
    try:
        with Workspace.attach(name, backend=url) as ws:
            return ws.read("cluster/migrations", 0)
    except FileNotFoundError:
        return 0


def test_ray_run_runs_every_component_in_an_actor_and_stops(tmp_path, ray_cluster):
    cfg = small_config(tag="ray", **{"cluster.agent_workers": 2})
    proc, run_dir = launch(tmp_path, ray_cluster, cfg, duration=6)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert "--backend redis://127.0.0.1:" in out  # how the monitor attaches
    summary = (run_dir / "summary.txt").read_text()
    assert "stopped by       completed" in summary and "FAILED" not in summary
    assert "Traceback" not in err, err  # a normal end: the agents stop before what they call
    # The system's own decisions go through the node's model host, as the agents' do.
    made = int(re.search(r"llm decisions\s+(\d+) made", summary).group(1))
    assert made >= 1, summary
    start = float(re.search(r"start\s+([\d.]+) s to every component running", summary).group(1))
    times = json.loads(run_info(run_dir / "run.db")["start_times"])
    assert 0 < times["ray"] < start and 0 < times["actors"] < start
    assert {"network", "soup", "agents"} <= set(times)
    # "ready" once, when every actor runs (the driver's own start is not announced first)
    assert len(re.findall(r"\bready [\d.]+ s after", (run_dir / "neurosys.log").read_text())) == 1
    steps = summary.split("steps", 1)[1].splitlines()[0]
    for component in ("network", "soup", "agents", "llm"):
        assert component in steps, summary
    assert (run_dir / "workspace.snapshot").is_file()
    assert stop_reason(run_dir / "run.db") == "completed"
    for actor in ("network", "soup", "agents"):  # each flushed and closed its own store
        assert stop_reason(run_dir / "actors" / actor / "run.db") == "completed"
    assert (run_dir / "actors" / "agents" / "ledger").is_dir()
    check_agent_pool(run_dir, ray_cluster)


def check_agent_pool(run_dir, ray) -> None:
    """The agents stepped in the pool's workers (not in the agents actor), whose nodes had one
    model host each, and every one of those actors is gone."""
    pool = json.loads(run_info(run_dir / "run.db")["agent_pool"])
    workers = {w["name"]: w for w in pool["workers"]}
    assert len(workers) == 2 and pool["coordinator_pid"] not in {w["pid"] for w in workers.values()}
    assert set(pool["llm_hosts"]) == {w["node"] for w in workers.values()}  # one per node, each
    with Workspace() as ws:
        ws.restore(run_dir / "workspace.snapshot")
        table = ws.read("agents/table")
    assert table, "no agent was spawned"
    for row in table:
        assert row["pid"] == workers[row["worker"]]["pid"], row
    db = sqlite3.connect(run_dir / "actors" / "agents" / "run.db")
    try:  # the workers' steps, logged through the coordinator
        stepped = {r[0] for r in db.execute("SELECT DISTINCT agent_id FROM agent_interactions")}
    finally:
        db.close()
    assert stepped and stepped <= {row["id"] for row in table}
    for name in [*workers, *pool["llm_hosts"].values()]:
        with pytest.raises(ValueError):
            ray.get_actor(name, namespace=pool["namespace"])


def test_ray_run_sigterm_stops_every_actor_and_islands_migrate(tmp_path, ray_cluster, redis_url):
    cfg = small_config(tag="raysig", **{"agents.enabled": False, "llm.enabled": False,
                                        "ledger.enabled": False, "cluster.soup_islands": 2,
                                        "cluster.migration_every": 4, "cluster.migration_fraction": 0.25,
                                        "cluster.redis_url": redis_url})
    proc, run_dir = launch(tmp_path, ray_cluster, cfg, duration=600)
    soup_db = run_dir / "actors" / "soup" / "run.db"
    deadline = time.monotonic() + 180
    while True:  # until the soup actor has logged metrics rows
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        try:
            db = sqlite3.connect(f"file:{soup_db}?mode=ro", uri=True)
            rows = db.execute("SELECT COUNT(*) FROM soup_epochs").fetchone()[0]
            db.close()
            if rows >= 3 and migrations(cfg.system.workspace_name, redis_url) > 0:
                break
        except sqlite3.Error:
            pass
        time.sleep(0.3)
    os.kill(proc.pid, signal.SIGTERM)
    out, err = proc.communicate(timeout=180)
    assert proc.returncode == 0, err
    summary = (run_dir / "summary.txt").read_text()
    assert "stopped by       SIGTERM" in summary
    steps = dict(item.rsplit(" ", 1) for item in summary.split("steps", 1)[1].splitlines()[0].strip().split(", "))
    assert int(steps["soup-1"]) > 0 and int(steps["migrations"]) > 0, summary
    with Workspace() as ws:  # island 1 published under its own keys, island 0 under soup/
        ws.restore(run_dir / "workspace.snapshot")
        assert ws.read("soup/island/1/epoch") > 0 and ws.read("soup/epoch") > 0
    assert stop_reason(run_dir / "run.db") == "SIGTERM"
    for actor in ("network", "soup", "soup-1"):
        assert stop_reason(run_dir / "actors" / actor / "run.db") == "SIGTERM"
    assert not (run_dir / "actors" / "agents").exists()
