"""`neurosys run --ray` whose workspace server goes away mid-run: the run stops by itself, says
why, and keeps its run store and summary."""

from __future__ import annotations

import sqlite3
import time

from neurosys.cluster.redis_server import LocalRedis
from tests.cluster.test_ray_run import launch, stop_reason
from tests.system.conftest import small_config


def test_lost_workspace_server_stops_the_run_cleanly(tmp_path, ray_cluster):
    server = LocalRedis()
    url = server.start()
    try:
        cfg = small_config(tag="rayloss", **{"agents.enabled": False, "llm.enabled": False,
                                             "ledger.enabled": False, "cluster.redis_url": url})
        proc, run_dir = launch(tmp_path, ray_cluster, cfg, duration=600)
        deadline = time.monotonic() + 180
        while not (run_dir / "actors" / "soup" / "run.db").exists() or not _progress(run_dir):
            assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
            time.sleep(0.3)
        server.stop()
        out, err = proc.communicate(timeout=240)
    finally:
        server.stop()
        if proc.poll() is None:
            proc.kill()
    summary = (run_dir / "summary.txt").read_text()
    assert "stopped by       workspace unavailable" in summary, (summary, err)
    assert stop_reason(run_dir / "run.db") == "workspace unavailable"
    assert "workspace server" in err and url in err


def _progress(run_dir) -> bool:
    """The run is past its start (every actor started: the driver records "ready") and has
    made progress. The driver writes progress rows while slow actors still start; a server
    lost then is a failed start, not the mid-run loss this test is about."""
    try:
        db = sqlite3.connect(f"file:{run_dir / 'run.db'}?mode=ro", uri=True)
        try:
            if db.execute("SELECT COUNT(*) FROM run_info WHERE key = 'ready'").fetchone()[0] == 0:
                return False
            return db.execute("SELECT COUNT(*) FROM system_progress").fetchone()[0] >= 2
        finally:
            db.close()
    except sqlite3.Error:
        return False
