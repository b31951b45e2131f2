"""What only the Redis backend has: values identical to shm bit for bit, the backend argument,
a server that goes away, and a Redis-backed workspace read from another host's point of view."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from neurosys._core import workspace as native
from neurosys.cluster.redis_server import LocalRedis
from neurosys.workspace import Workspace, WorkspaceClosedError, WorkspaceUnavailable
from neurosys.workspace.redis import RedisWorkspace

from .test_workspace_api import VALUES

ARRAYS = [np.arange(24, dtype=np.int16).reshape(2, 3, 4), np.linspace(0, 1, 7, dtype=np.float32),
          np.array([True, False]), np.zeros((0, 3)), np.array([1 + 2j, 3j], dtype=np.complex64)]


def test_values_are_the_same_bytes_on_both_backends(redis_url, tmp_path):
    with Workspace(capacity=64) as shm, Workspace(capacity=64, backend=redis_url) as net:
        assert isinstance(net, RedisWorkspace)
        for i, value in enumerate(VALUES + ARRAYS):
            shm.write(f"k{i}", value)
            net.write(f"k{i}", value)
        by_key = {k: payload for k, _, _, _, payload in shm._dump()}
        for key, _, _, _, payload in net._dump():
            assert payload == by_key[key], key
            assert payload == native.encode(shm.read(key), 1 << 20)
        # a file persisted by one backend restores into the other, values and versions intact
        net.persist(tmp_path / "net.bin")
        with Workspace(capacity=64) as back:
            assert back.restore(tmp_path / "net.bin") == len(VALUES) + len(ARRAYS)
            assert sorted(back._dump()) == sorted(net._dump())


def test_backend_argument_is_checked():
    for bad in ("redis", "http://localhost:6379", "redis://", "redis://h:port/0", "redis://h:1/x"):
        with pytest.raises(ValueError, match="backend: expected 'shm' or 'redis://host:port/db'"):
            Workspace(backend=bad)
    with pytest.raises(ValueError, match="backend"):
        Workspace.attach("x", backend="tcp://nowhere")


def test_server_that_goes_away_gives_a_clear_error():
    server = LocalRedis()
    url = server.start()
    try:
        ws = Workspace(backend=url, unlink_on_close=False)
        ws.write("k", 1)
        errors: list[BaseException] = []

        def waiter() -> None:
            try:
                ws.wait_for("never", timeout=60)
            except BaseException as exc:  # noqa: BLE001 - recorded for the assertion
                errors.append(exc)

        t = threading.Thread(target=waiter)
        t.start()
        server.stop()
        t.join(30)
        assert not t.is_alive() and isinstance(errors[0], WorkspaceUnavailable)
        with pytest.raises(WorkspaceUnavailable, match=url):
            ws.read("k")
        with pytest.raises(WorkspaceClosedError):  # the base class callers already handle
            ws.write("k", 2)
        ws._close()
    finally:
        server.stop()
    with pytest.raises(WorkspaceUnavailable):
        Workspace(backend=url)
