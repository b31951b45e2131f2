"""Signals to a real `neurosys run` process: SIGTERM stops it cleanly and loses nothing; a
second signal forces the exit; SIGKILL leaves a segment that `neurosys info` reports as stale
and `neurosys clean` removes (a live one is never removed)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from neurosys.workspace import Workspace


def progress_rows(db) -> int:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            return conn.execute("SELECT COUNT(*) FROM system_progress").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def start_run(tmp_path, cfg, progress: int, *extra: str) -> tuple[subprocess.Popen, object]:
    """A real `neurosys run` process, returned once it logged ``progress`` progress rows."""
    config_file = tmp_path / "config.toml"
    config_file.write_text(cfg.to_toml())
    run_dir = tmp_path / "run"
    proc = subprocess.Popen(
        [sys.executable, "-m", "neurosys", "run", "--config", str(config_file), "--duration",
         "600", "--run-dir", str(run_dir), *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while progress_rows(run_dir / "run.db") < progress:
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"the run never got going: {proc.communicate()}")
        time.sleep(0.2)
    return proc, run_dir


def signal_and_wait(proc: subprocess.Popen, sig: int, timeout: float) -> tuple[str, str]:
    """Send ``sig`` and wait for the exit; the process is killed if it outlives ``timeout``."""
    try:
        os.kill(proc.pid, sig)
        return proc.communicate(timeout=timeout)
    finally:
        if proc.poll() is None:
            proc.kill()


def test_sigterm_stops_cleanly_and_keeps_everything(tmp_path, make_config):
    cfg = make_config(tag="sigterm")
    proc, run_dir = start_run(tmp_path, cfg, progress=4)  # running for about two seconds
    out, err = signal_and_wait(proc, signal.SIGTERM, timeout=120)
    assert proc.returncode == 0, err
    assert "SIGTERM, stopping cleanly" in err
    assert "stopped by       SIGTERM" in out  # the summary is printed ...
    summary = (run_dir / "summary.txt").read_text()
    assert "stopped by       SIGTERM" in summary  # ... and kept
    assert (run_dir / "workspace.snapshot").is_file()
    assert "stopping (SIGTERM)" in (run_dir / "neurosys.log").read_text()

    db = sqlite3.connect(run_dir / "run.db")
    info = dict(db.execute("SELECT key, value FROM run_info"))
    assert info["stop_reason"] == "SIGTERM" and "stopped" in info
    # The last progress row is the final snapshot taken after every thread stopped: what the
    # components logged to the store must reach as far as what they published at the end.
    last = db.execute("SELECT sim_time, soup_epoch FROM system_progress ORDER BY wall DESC"
                      " LIMIT 1").fetchone()
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert last[0] is not None and last[0] > 0
    assert last[1] is not None and last[1] > 0
    assert tables  # see the component-specific checks below
    check_components_flushed(db, tables, cfg, sim_time=last[0], epoch=last[1])
    # Every metrics row the soup published before the stop is in the store, the last one too:
    # the workspace kept at the stop says which epoch it published last.
    with Workspace() as ws:
        ws.restore(run_dir / "workspace.snapshot")
        published = ws.read("soup/metrics")["epoch"]
    assert db.execute("SELECT MAX(epoch) FROM soup_epochs").fetchone()[0] == published


def segment_exists(name: str) -> bool:
    return os.path.exists(f"/dev/shm/neurosys-{os.geteuid()}-{name}")


@pytest.mark.parametrize("quiet", [True, False], ids=["quiet", "progress-line"])
def test_sigterm_ends_the_run_within_seconds(tmp_path, make_config, quiet):
    """The signal handler only sets a flag; setting the stop Event from it once deadlocked
    `--quiet` runs (the main thread held the Event's lock when the handler ran)."""
    cfg = make_config(tag=f"sigterm-{'q' if quiet else 'p'}")
    proc, run_dir = start_run(tmp_path, cfg, 4, *(["--quiet"] if quiet else []))
    # A deadlock hangs for ever; a clean stop takes about a second, more on a busy machine.
    out, err = signal_and_wait(proc, signal.SIGTERM, timeout=60)
    assert proc.returncode == 0, err
    assert "stopped by       SIGTERM" in (run_dir / "summary.txt").read_text()
    assert "llm decisions" in out
    assert not segment_exists(cfg.system.workspace_name)


def check_components_flushed(db, tables, cfg, sim_time, epoch) -> None:
    """The network logs every spike to neural_activity and the soup a metrics row every
    metrics_every epochs: the store must hold them up to the time the run stopped at."""
    if "neural_activity" in tables:
        latest = db.execute("SELECT MAX(time) FROM neural_activity WHERE variable='spike'"
                            ).fetchone()[0]
        assert latest is not None and latest > sim_time - 2 * cfg.network.chunk
    soup = next((t for t in sorted(tables) if t.startswith("soup") and "epoch" in
                 [r[1] for r in db.execute(f"PRAGMA table_info({t})")]), None)
    if soup is not None:
        latest = db.execute(f"SELECT MAX(epoch) FROM {soup}").fetchone()[0]
        assert latest is not None
        assert latest > epoch - cfg.soup.metrics_every - cfg.soup.epochs_per_step


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_second_signal_forces_exit_and_leaves_a_sound_store(tmp_path, make_config, sig):
    cfg = make_config(tag=f"second-{sig.name}")
    proc, run_dir = start_run(tmp_path, cfg, 2)
    try:
        deadline = time.monotonic() + 60
        os.kill(proc.pid, sig)
        log = run_dir / "neurosys.log"
        while f"stopping ({sig.name})" not in log.read_text():  # the clean stop has begun ...
            assert time.monotonic() < deadline, "the first signal started no clean stop"
            time.sleep(0.01)
        os.kill(proc.pid, sig)  # ... and a second signal cuts it short
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    if proc.returncode == 0:
        pytest.skip("the clean stop finished before the second signal arrived")
    assert proc.returncode == 128 + sig, err
    what = "interrupt" if sig == signal.SIGINT else "SIGTERM"
    assert f"second {what}, exiting without cleanup" in err
    assert not segment_exists(cfg.system.workspace_name)
    db = sqlite3.connect(run_dir / "run.db")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("SELECT COUNT(*) FROM system_progress").fetchone()[0] >= 2


def neurosys(*args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "neurosys", *args], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_sigkill_leaves_a_stale_segment_that_info_reports_and_clean_removes(tmp_path,
                                                                             make_config):
    cfg = make_config(tag="sigkill")
    name = cfg.system.workspace_name
    proc, _ = start_run(tmp_path, cfg, 2, "--quiet")
    signal_and_wait(proc, signal.SIGKILL, timeout=60)
    assert segment_exists(name)

    line = next(s for s in neurosys("info").splitlines() if s.strip().startswith(name))
    assert "stale" in line and f"{proc.pid} (dead)" in line
    assert "`neurosys clean`" in neurosys("info")

    out = neurosys("clean", name)
    assert f"removed {name}" in out
    assert not segment_exists(name)


def test_clean_never_removes_a_segment_in_use(make_config):
    name = make_config(tag="clean-live").system.workspace_name
    with Workspace(name, unlink_on_close=True) as ws:
        ws.write("k", 1)
        line = next(s for s in neurosys("info").splitlines() if s.strip().startswith(name))
        assert "in use" in line and f"{os.getpid()}" in line and "dead" not in line
        assert "0 stale segment(s) removed" in neurosys("clean", name)
        assert segment_exists(name) and ws.read("k") == 1
