"""The run store: batching, durability, schema versions, crash safety with a real SIGKILL."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from neurosys.run.storage import STORE_SCHEMA_VERSION, RunStore


def test_insert_flush_query(tmp_path):
    with RunStore(tmp_path / "run.db") as store:
        store.create_table("neural_activity", "time REAL, neuron_id INTEGER, variable TEXT, value REAL",
                           component="snn", version=1, indexes=("time",))
        store.insert("neural_activity", (0.1, 3, "spike", 1.0))
        store.insert_many("neural_activity", [(0.2 + i, i, "v", -0.06) for i in range(1000)])
        rows = store.query("SELECT COUNT(*), SUM(neuron_id) FROM neural_activity")
        assert rows == [(1001, 3 + sum(range(1000)))]
        assert store.tables() == {"neural_activity": 1}
    conn = sqlite3.connect(tmp_path / "run.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == STORE_SCHEMA_VERSION
    assert conn.execute("SELECT COUNT(*) FROM neural_activity").fetchone()[0] == 1001


def test_insert_does_not_block_on_disk(tmp_path):
    # The writer batches: queuing many rows returns long before they are all committed.
    with RunStore(tmp_path / "run.db", batch_interval=0.5) as store:
        store.create_table("t", "x INTEGER", component="test")
        for i in range(100):
            store.insert("t", (i,))
        assert store.query("SELECT COUNT(*) FROM t", flush=False)[0][0] < 100
        assert store.query("SELECT COUNT(*) FROM t")[0][0] == 100


def test_wait_commits_and_reports_errors(tmp_path):
    with RunStore(tmp_path / "run.db", batch_interval=5.0) as store:
        store.create_table("t", "id INTEGER PRIMARY KEY, x TEXT", component="test")
        store.execute("INSERT INTO t VALUES (?, ?)", (1, "a"), wait=True)
        other = sqlite3.connect(tmp_path / "run.db")
        assert other.execute("SELECT x FROM t WHERE id=1").fetchone() == ("a",)
        with pytest.raises(sqlite3.IntegrityError):
            store.execute("INSERT INTO t VALUES (?, ?)", (1, "b"), wait=True)
        assert store.query("SELECT x FROM t") == [("a",)]


def test_queued_write_error_surfaces_on_next_call(tmp_path):
    store = RunStore(tmp_path / "run.db", batch_interval=0.0)
    store.create_table("t", "id INTEGER PRIMARY KEY", component="test")
    store.insert("t", (1,))
    store.insert("t", (1,))
    with pytest.raises(RuntimeError, match="UNIQUE"):
        store.flush()
    store.close()


def test_schema_version_mismatch_is_refused(tmp_path):
    with RunStore(tmp_path / "run.db") as store:
        store.create_table("t", "x INTEGER", component="test", version=1)
    with RunStore(tmp_path / "run.db") as store:
        store.create_table("t", "x INTEGER", component="test", version=1)  # same: fine
        with pytest.raises(ValueError, match="schema version 1"):
            store.create_table("t", "x INTEGER", component="test", version=2)


def test_newer_store_is_refused(tmp_path):
    conn = sqlite3.connect(tmp_path / "run.db")
    conn.execute(f"PRAGMA user_version = {STORE_SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(ValueError, match="newer neurosys"):
        RunStore(tmp_path / "run.db")


@pytest.mark.parametrize("bad", ["", "1abc", "a-b", "t; DROP TABLE x"])
def test_bad_identifiers(tmp_path, bad):
    with RunStore(tmp_path / "run.db") as store:
        with pytest.raises(ValueError, match="name"):
            store.create_table(bad, "x INTEGER", component="test")
        with pytest.raises(ValueError, match="table"):
            store.insert(bad, (1,))


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="batch_interval"):
        RunStore(tmp_path / "a.db", batch_interval=-1)
    with pytest.raises(ValueError, match="max_batch"):
        RunStore(tmp_path / "a.db", max_batch=0)
    store = RunStore(tmp_path / "a.db")
    store.close()
    store.close()  # twice is fine
    with pytest.raises(ValueError, match="closed"):
        store.insert("t", (1,))


def test_many_threads_write_concurrently(tmp_path):
    with RunStore(tmp_path / "run.db") as store:
        store.create_table("t", "thread INTEGER, i INTEGER", component="test")

        def work(k: int) -> None:
            for i in range(500):
                store.insert("t", (k, i))

        threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert store.query("SELECT thread, COUNT(*) FROM t GROUP BY thread") == [(k, 500) for k in range(4)]


def test_sigkill_loses_at_most_unflushed_batch(tmp_path):
    db = tmp_path / "run.db"
    marker = tmp_path / "flushed"
    script = textwrap.dedent(f"""
        import sys
        from neurosys.run.storage import RunStore
        store = RunStore({str(db)!r}, batch_interval=0.01)
        store.create_table("t", "i INTEGER", component="test")
        i = 0
        while True:
            store.insert_many("t", [(i + k,) for k in range(100)])
            i += 100
            if i % 2000 == 0:
                store.flush()
                open({str(marker)!r}, "w").write(str(i))
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], env=os.environ.copy())
    deadline = time.monotonic() + 60
    while (not marker.exists() or int(marker.read_text() or 0) < 20000) and time.monotonic() < deadline:
        time.sleep(0.05)
    flushed = int(marker.read_text())
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    count, top = conn.execute("SELECT COUNT(*), MAX(i) FROM t").fetchone()
    assert count >= flushed
    assert count == top + 1  # whole batches only: no gaps, no partial rows
    conn.close()
    with RunStore(db) as store:  # reopens cleanly and appends
        store.insert("t", (count,))
        assert store.query("SELECT COUNT(*) FROM t")[0][0] == count + 1
