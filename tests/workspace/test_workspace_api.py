"""The Workspace API on both backends: values round-trip exactly, versions, expiry, waits,
subscriptions, observers and the errors for bad input."""

import os
import threading
import time

import numpy as np
import pytest

from neurosys.workspace import (GlobalWorkspace, Workspace, WorkspaceClosedError,
                                WorkspaceFullError)

VALUES = [
    None, True, False, 0, -7, 2**63 - 1, -(2**63), 2**100, -(3**70), 1.5, float("inf"), 1 + 2j,
    "", "héllo ✓", b"", b"\x00\xff" * 100, bytearray(b"ab"), [1, "a", None], (1, (2.5, b"x")),
    {"a": 1, "b": [1, 2, {"c": None}], 3: "int key"}, [], {},
]


@pytest.mark.parametrize("value", VALUES, ids=range(len(VALUES)))
def test_round_trip(ws, value):
    ws.write("k", value)
    got = ws.read("k")
    expected = bytes(value) if isinstance(value, bytearray) else value
    assert got == expected and type(got) is type(expected)


@pytest.mark.parametrize("dtype", ["bool", "int8", "uint8", "int16", "uint16", "int32", "uint32",
                                   "int64", "uint64", "float16", "float32", "float64",
                                   "complex64", "complex128", "longdouble"])
@pytest.mark.parametrize("shape", [(), (0,), (7,), (3, 4), (2, 1, 5)])
def test_array_round_trip(ws, dtype, shape):
    a = (np.arange(int(np.prod(shape))) % 5).astype(dtype).reshape(shape)
    ws.write("a", a)
    got = ws.read("a")
    assert got.dtype == a.dtype and got.shape == a.shape and np.array_equal(got, a)
    got[...] = 0  # a private copy: writing it changes nothing in the workspace
    assert np.array_equal(ws.read("a"), a)


def test_non_contiguous_and_foreign_byte_order(ws):
    a = np.arange(20.0).reshape(4, 5)[:, ::2]
    ws.write("a", a)
    assert np.array_equal(ws.read("a"), a)
    b = np.arange(6, dtype=">i4")
    ws.write("b", b)
    got = ws.read("b")
    assert got.dtype == np.dtype("int32") and np.array_equal(got, b)


def test_numpy_scalars_and_nested_arrays(ws):
    ws.write("s", {"f": np.float32(2.5), "i": np.int64(7), "b": np.bool_(True), "a": np.ones(3)})
    got = ws.read("s")
    assert got["f"] == 2.5 and got["i"] == 7 and got["b"] is True
    assert np.array_equal(got["a"], np.ones(3))


def test_versions_timestamps_and_meta(ws):
    t0 = time.time()
    assert ws.write("k", 1) == 1
    assert ws.write("k", 2) == 2
    meta = ws.read_meta("k")
    assert meta.value == 2 and meta.version == 2 and t0 - 1 <= meta.timestamp <= time.time() + 1
    value, version, _ = meta
    assert (value, version) == (2, 2)
    with pytest.raises(KeyError):
        ws.read_meta("missing")
    assert ws.read("missing") is None and ws.read("missing", 5) == 5
    assert ws.read("missing", default="d") == "d"


def test_read_into(ws):
    a = np.random.default_rng(0).random((10, 10))
    version = ws.write("a", a)
    out = np.empty((10, 10))
    assert ws.read_into("a", out) == version and np.array_equal(out, a)
    flat = np.empty(100)
    ws.read_into("a", flat)
    assert np.array_equal(flat, a.ravel())
    with pytest.raises(ValueError, match="dtype"):
        ws.read_into("a", np.empty(100, dtype=np.float32))
    with pytest.raises(ValueError, match="dtype"):
        ws.read_into("a", np.empty(99))
    with pytest.raises(ValueError, match="writeable C-contiguous"):
        ws.read_into("a", np.empty((10, 20))[:, ::2])
    ws.write("f", 1.0)
    with pytest.raises(ValueError, match="not an array"):
        ws.read_into("f", flat)
    with pytest.raises(KeyError):
        ws.read_into("missing", flat)
    with pytest.raises(TypeError, match="out"):
        ws.read_into("a", [0.0] * 100)


def test_keys_delete_and_reuse(ws):
    for i in range(10):
        ws.write(f"k{i}", i)
    assert sorted(ws.keys()) == sorted(f"k{i}" for i in range(10))
    assert ws.delete("k3") is True and ws.delete("k3") is False
    assert ws.read("k3") is None and "k3" not in ws.keys() and "k4" in ws
    assert ws.write("k3", "again") == 1 and ws.read("k3") == "again"


def test_expiry_and_cleanup(ws):
    ws.write("short", 1, expiration=0.05)
    ws.write("long", 2, expiration=60)
    ws.write("forever", 3)
    assert ws.read("short") == 1
    time.sleep(0.08)
    assert ws.read("short") is None and ws.read("short", "gone") == "gone"
    assert "short" not in ws.keys()
    assert ws.cleanup_expired() == 1
    assert sorted(ws.keys()) == ["forever", "long"]
    ws.write("long", 4)  # a write without expiration makes it permanent again
    assert ws.read("long") == 4


def test_wait_for(ws):
    with pytest.raises(TimeoutError):
        ws.wait_for("k", timeout=0.05)
    v = ws.write("k", "first")
    assert ws.wait_for("k", timeout=0) == "first"
    with pytest.raises(TimeoutError):
        ws.wait_for("k", timeout=0.05, after_version=v)
    threading.Timer(0.05, ws.write, args=("k", "second")).start()
    assert ws.wait_for("k", timeout=5, after_version=v) == "second"


def test_subscribers_and_observers(ws):
    got, seen_all, done = [], [], threading.Event()

    def on_k(key, value):
        got.append((key, value))
        if value == 9:
            done.set()

    ws.subscribe("k", on_k)
    ws.add_observer(lambda key, value: seen_all.append(key))
    for i in range(10):
        ws.write("k", i)
    ws.write("other", 1)
    assert done.wait(5)
    values = [v for _, v in got]
    assert values == sorted(values) and values[-1] == 9  # ordered; may be coalesced
    deadline = time.time() + 5
    while "other" not in seen_all and time.time() < deadline:
        time.sleep(0.01)
    assert {"k", "other"} <= set(seen_all)
    ws.unsubscribe("k", on_k)
    n = len(got)
    ws.write("k", 100)
    time.sleep(0.2)
    assert len(got) == n


def test_failing_callback_is_logged_not_raised(ws, caplog):
    ok = threading.Event()
    ws.subscribe("k", lambda k, v: 1 / 0)
    ws.subscribe("k", lambda k, v: ok.set())
    ws.write("k", 1)  # must not raise
    assert ok.wait(5)
    deadline = time.time() + 5
    while not any("raised" in r.getMessage() for r in caplog.records) and time.time() < deadline:
        time.sleep(0.01)
    assert any("raised" in r.getMessage() for r in caplog.records)


def test_bad_input_errors(ws):
    with pytest.raises(TypeError, match="key"):
        ws.write(1, 2)
    with pytest.raises(ValueError, match="key"):
        ws.write("x" * 256, 1)
    with pytest.raises(ValueError, match="max_value_bytes"):
        ws.write("big", b"x" * (64 * 1024))
    with pytest.raises(ValueError, match="max_value_bytes"):
        ws.write("big", [b"x" * 1000] * 100)
    assert ws.read("big") is None  # nothing half written
    ws.write("big", 1)
    with pytest.raises(ValueError, match="max_value_bytes"):
        ws.write("big", np.zeros(10000))
    assert ws.read("big") == 1  # nothing overwritten
    with pytest.raises(TypeError, match="value"):
        ws.write("k", object())
    with pytest.raises(TypeError, match="numpy"):
        ws.write("k", np.array(["a", "b"]))
    with pytest.raises(TypeError, match="numpy"):
        ws.write("k", np.array([object()]))
    with pytest.raises(ValueError, match="expiration"):
        ws.write("k", 1, expiration=-1)
    with pytest.raises(ValueError, match="timeout"):
        ws.wait_for("k", timeout=float("nan"))
    with pytest.raises(ValueError, match="after_version"):
        ws.wait_for("k", after_version=-1)
    with pytest.raises(TypeError):
        ws.read()
    with pytest.raises(TypeError, match="unexpected"):
        ws.read("k", bogus=1)
    cyclic = []
    cyclic.append(cyclic)
    with pytest.raises(ValueError, match="nesting"):
        ws.write("k", cyclic)


def test_constructor_validation(backend):
    with pytest.raises(ValueError, match="capacity"):
        Workspace(capacity=0, backend=backend)
    with pytest.raises(ValueError, match="max_value_bytes"):
        Workspace(max_value_bytes=10, backend=backend)
    with pytest.raises(ValueError, match="name"):
        Workspace("bad/name", backend=backend)
    with pytest.raises(ValueError, match="persist_interval"):
        Workspace(persist_interval=1, backend=backend)
    with pytest.raises(FileNotFoundError):
        Workspace.attach("does-not-exist-ever", backend=backend)


def test_full_table(backend):
    with Workspace(capacity=4, max_value_bytes=64, backend=backend) as w:
        for i in range(4):
            w.write(f"k{i}", i)
        with pytest.raises(WorkspaceFullError, match="full"):
            w.write("k4", 4)
        assert w.write("k0", 10) == 2  # existing keys still writable
        w.delete("k1")
        w.write("k4", 4)
        assert sorted(w.keys()) == ["k0", "k2", "k3", "k4"]


def test_closed_workspace_raises(backend):
    w = Workspace(backend=backend)
    w.write("k", 1)
    w.close()
    w.close()  # idempotent
    with pytest.raises(WorkspaceClosedError):
        w.read("k")
    with pytest.raises(WorkspaceClosedError):
        w.write("k", 1)


def test_close_wakes_a_waiting_thread(backend):
    w = Workspace(backend=backend)
    errors = []

    def waiter():
        try:
            w.wait_for("never")
        except Exception as e:  # noqa: BLE001 - recorded for the assertion
            errors.append(e)

    t = threading.Thread(target=waiter)
    t.start()
    time.sleep(0.1)
    w.close()
    t.join(5)
    assert not t.is_alive() and isinstance(errors[0], WorkspaceClosedError)


def test_global_workspace_alias_and_named_reopen():
    g = GlobalWorkspace()
    assert isinstance(g, Workspace)
    g.write("x", 1)
    same = Workspace(g.name)  # create-or-open: opens the live segment
    assert not same.created and same.read("x") == 1
    same.close()
    g.close()


def test_threads_hammering_one_key(ws):
    stop = threading.Event()
    bad = []

    def writer(seed):
        i = 0
        while not stop.is_set():
            i += 1
            ws.write("shared", np.full(500, seed * 1_000_000 + i, dtype=np.int64))

    def reader():
        while not stop.is_set():
            a = ws.read("shared")
            if a is not None and not (a == a[0]).all():
                bad.append(a)

    threads = [threading.Thread(target=writer, args=(s,)) for s in (1, 2)] + [
        threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    time.sleep(0.5)
    stop.set()
    for t in threads:
        t.join()
    assert not bad


def test_unlink_after_close_like_shared_memory(backend):
    from neurosys.workspace import Workspace

    ws = Workspace(f"unlink-after-close-{os.getpid()}", backend=backend)
    ws.write("k", 1)
    name = ws.name
    ws.close()
    assert ws.unlink() is True
    assert ws.unlink() is False  # already gone
    with pytest.raises(FileNotFoundError):
        Workspace.attach(name, backend=backend)
