"""Persistence on both backends: a dump restores every value, periodic and on-close saves, and a
corrupted or unreadable file is refused and kept."""

import os
import time

import numpy as np
import pytest

from neurosys.workspace import Workspace


def test_persist_and_restore_round_trip(tmp_path, backend):
    path = tmp_path / "ws.bin"
    values = {"f": 1.5, "a": np.arange(12.0).reshape(3, 4), "d": {"x": [1, "two", b"3"]}, "n": None}
    with Workspace(capacity=16, backend=backend) as ws:
        for k, v in values.items():
            ws.write(k, v)
        ws.write("f", 2.5)
        ws.write("gone", 1, expiration=0.01)
        time.sleep(0.02)
        assert ws.persist(path) == 4
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"
    with Workspace(capacity=16, backend=backend) as fresh:
        assert fresh.restore(path) == 4
        assert fresh.read("f") == 2.5 and fresh.read_meta("f").version == 2
        assert np.array_equal(fresh.read("a"), values["a"]) and fresh.read("d") == values["d"]
        assert "n" in fresh and fresh.read("gone") is None
        assert fresh.write("f", 3.0) == 3  # versions continue


def test_restored_on_start_and_saved_on_close(tmp_path, backend):
    path = tmp_path / "state.bin"
    name = f"persist-{os.getpid()}"
    ws = Workspace(name, persist_path=path, backend=backend)
    ws.write("k", "v")
    ws.close()
    assert path.exists()
    Workspace.attach(name, backend=backend).unlink()  # (the segment would otherwise still be live)
    again = Workspace(name, persist_path=path, backend=backend)
    try:
        assert again.created and again.read("k") == "v"
    finally:
        again.unlink()
        again.close()


def test_periodic_persistence(tmp_path, backend):
    path = tmp_path / "periodic.bin"
    with Workspace(persist_path=path, persist_interval=0.05, backend=backend) as ws:
        ws.write("k", 42)
        deadline = time.time() + 5
        while not path.exists() and time.time() < deadline:
            time.sleep(0.01)
        assert path.exists()
        with Workspace(backend=backend) as other:
            other.restore(path)
            assert other.read("k") == 42


def test_corrupted_file_is_refused(tmp_path, backend):
    path = tmp_path / "bad.bin"
    with Workspace(backend=backend) as ws:
        ws.write("k", [1, 2, 3])
        ws.persist(path)
        blob = bytearray(path.read_bytes())
        blob[30] ^= 0xFF
        path.write_bytes(bytes(blob))
        with pytest.raises(ValueError, match="checksum"):
            ws.restore(path)
        path.write_bytes(b"garbage")
        with pytest.raises(ValueError):
            ws.restore(path)
        with pytest.raises(ValueError, match="persist_path"):
            ws.persist()


def test_unreadable_persist_file_fails_start_and_is_kept(tmp_path, backend):
    path = tmp_path / "broken.bin"
    path.write_bytes(b"NSWSPERS" + b"\0" * 20)
    with pytest.raises(ValueError):
        Workspace(persist_path=path, backend=backend)
    assert path.read_bytes().startswith(b"NSWSPERS")  # not overwritten by close()
