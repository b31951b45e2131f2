"""Several real processes sharing one segment: torn reads, cross-process wake-ups, SIGKILL."""
import json
import os
import signal
import time

import numpy as np
import pytest

from neurosys.workspace import Workspace, reclaim_stale

from .conftest import run_python

WORKER = """
import json, sys, time, zlib
import numpy as np
from neurosys.workspace import Workspace
ws = Workspace.attach({name!r}, backend={backend!r})
me, n_procs, seconds = {me}, {n}, {seconds}
ws.write("ready/" + str(me), True)
while len([k for k in ws.keys() if k.startswith("ready/")]) < n_procs:
    time.sleep(0.001)
reads = torn = writes = 0
i = 0
end = time.monotonic() + seconds
while time.monotonic() < end:
    i += 1
    payload = np.full(1000 + (i % 7) * 300, me * 10**9 + i, dtype=np.int64)
    text = "p%d-%d" % (me, i) * (1 + i % 50)
    ws.write("arr/%d" % me, payload)
    ws.write("shared", {{"who": me, "i": i, "text": text, "crc": zlib.crc32(text.encode())}})
    writes += 2
    for other in range(n_procs):
        a = ws.read("arr/%d" % other)
        if a is not None:
            reads += 1
            torn += int(not (a == a[0]).all())
    d = ws.read("shared")
    if d is not None:
        reads += 1
        torn += int(zlib.crc32(d["text"].encode()) != d["crc"])
print(json.dumps({{"reads": reads, "torn": torn, "writes": writes}}))
ws.close()
"""


def test_four_processes_checksummed_no_torn_reads(backend):
    n = 4
    with Workspace(capacity=64, max_value_bytes=64 * 1024, backend=backend) as ws:
        procs = [run_python(WORKER.format(name=ws.name, me=me, n=n, seconds=2.5, backend=backend)) for me in range(n)]
        results = []
        for p in procs:
            out, err = p.communicate(timeout=120)
            assert p.returncode == 0, err
            results.append(json.loads(out.strip().splitlines()[-1]))
        assert all(r["reads"] > 100 and r["writes"] > 100 for r in results), results
        assert sum(r["torn"] for r in results) == 0, results
        assert ws.read_meta("shared").version == sum(r["writes"] for r in results) // 2


def test_cross_process_wait_for_and_subscribe(backend):
    with Workspace(capacity=16, backend=backend) as ws:
        got = []
        ws.subscribe("from_child", lambda k, v: got.append(v))
        child = run_python(f"""
            from neurosys.workspace import Workspace
            ws = Workspace.attach({ws.name!r}, backend={backend!r})
            v = ws.wait_for("ping", timeout=30)
            ws.write("from_child", v * 2)
            ws.write("pong", v + 1)
            ws.close()
        """)
        time.sleep(0.2)
        ws.write("ping", 20)
        assert ws.wait_for("pong", timeout=30) == 21
        deadline = time.time() + 5
        while not got and time.time() < deadline:
            time.sleep(0.01)
        assert got == [40]
        child.communicate(timeout=30)  # waits, and closes the pipes
        assert child.returncode == 0


KILLED_WRITER = """
import numpy as np
from neurosys.workspace import Workspace
ws = Workspace.attach({name!r}, backend={backend!r})
i = 0
ws.write("started", True)
while True:
    i += 1
    ws.write("big", np.full(120_000, i, dtype=np.int64))  # ~1 MB: a write takes most of the loop
"""


def test_sigkill_mid_write_never_blocks_or_tears(backend):
    with Workspace(capacity=8, max_value_bytes=1 << 20, backend=backend) as ws:
        for round_ in range(5):
            ws.delete("started")
            child = run_python(KILLED_WRITER.format(name=ws.name, backend=backend))
            ws.wait_for("started", timeout=30)
            time.sleep(0.05 + 0.013 * round_)
            os.kill(child.pid, signal.SIGKILL)
            child.communicate(timeout=10)  # waits, and closes the pipes
            t0 = time.monotonic()
            a = ws.read("big")
            assert a is not None and (a == a[0]).all()
            # the dead writer may hold the slot lock: a new write must take it over
            v = ws.write("big", np.full(120_000, -round_, dtype=np.int64))
            assert time.monotonic() - t0 < 10
            assert ws.read_meta("big").version == v and (ws.read("big") == -round_).all()


def test_stale_segment_of_dead_creator_is_reclaimed(caplog):
    name = f"stale-test-{os.getpid()}"
    child = run_python(f"""
        import os, signal
        from neurosys.workspace import Workspace
        ws = Workspace({name!r}, capacity=8)
        ws.write("old", 1)
        print("ok", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    out, _ = child.communicate(timeout=60)
    assert "ok" in out and child.returncode == -signal.SIGKILL
    # attach still works on the leftover (for post-mortem reading) ...
    post = Workspace.attach(name)
    assert post.read("old") == 1
    post.close()
    # ... but creating by that name reclaims it: a fresh, empty segment, and says so
    with caplog.at_level("WARNING", logger="neurosys.workspace"):
        ws = Workspace(name, capacity=8)
    try:
        assert ws.created and ws.reclaimed and ws.read("old") is None
        assert f"workspace {name!r}: removed a stale segment" in caplog.text
    finally:
        ws.unlink()
        ws.close()


def test_live_segment_is_not_reclaimed(backend):
    with Workspace(capacity=8, backend=backend) as ws:
        ws.write("k", 1)
        other = Workspace(ws.name, backend=backend)
        assert not other.created and not other.reclaimed and other.read("k") == 1
        other.close()


@pytest.mark.parametrize("start", ["fork"])
def test_forked_child_can_write(start, backend):
    with Workspace(capacity=8, backend=backend) as ws:
        pid = os.fork()
        if pid == 0:  # child: must get its own lock identity
            try:
                ws.write("from_fork", os.getpid())
            finally:
                os._exit(0)
        os.waitpid(pid, 0)
        assert ws.read("from_fork") == pid


def test_reclaim_stale_removes_only_abandoned_segments():
    name = f"abandoned-{os.getpid()}"
    child = run_python(f"""
        import os, signal
        from neurosys.workspace import Workspace
        Workspace({name!r}, capacity=4).write("k", 1)
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    child.communicate(timeout=60)
    time.sleep(1.1)
    with Workspace(capacity=4) as live:
        removed = reclaim_stale(min_age=1.0)
        assert name in removed and live.name not in removed
        with pytest.raises(FileNotFoundError):
            Workspace.attach(name)
        other = Workspace.attach(live.name)  # the live one survived
        other.close()


def test_auto_named_segment_is_unlinked_at_exit(backend):
    child = run_python(f"""
        from neurosys.workspace import Workspace
        ws = Workspace(backend={backend!r})
        print(ws.name, flush=True)
    """)
    out, err = child.communicate(timeout=60)
    assert child.returncode == 0, err
    with pytest.raises(FileNotFoundError):
        Workspace.attach(out.strip(), backend=backend)
