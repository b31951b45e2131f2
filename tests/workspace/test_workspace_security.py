"""Segment permissions, attach validation and corrupted shared memory."""
import mmap
import os
import stat

import numpy as np
import pytest

from neurosys.errors import CorruptWorkspaceError
from neurosys.workspace import Workspace

from .conftest import run_python, shm_path


@pytest.fixture
def backend():
    return "shm"  # segment files, their permissions and layout: shared memory only


def test_segment_is_owner_only_under_user_prefix(ws):
    path = shm_path(ws.name)
    st = os.stat(path)
    assert stat.S_IMODE(st.st_mode) == 0o600 and st.st_uid == os.geteuid()


def test_attach_refuses_group_readable_segment(ws):
    os.chmod(shm_path(ws.name), 0o644)
    with pytest.raises(PermissionError, match="mode 0644"):
        Workspace.attach(ws.name)


@pytest.mark.skipif(os.geteuid() != 0, reason="changing a file's owner needs root")
def test_attach_refuses_segment_owned_by_another_user(ws):
    os.chown(shm_path(ws.name), 12345, -1)
    with pytest.raises(PermissionError, match="owned by uid 12345"):
        Workspace.attach(ws.name)


def test_attach_refuses_foreign_file():
    name = f"foreign-{os.getpid()}"
    fd = os.open(shm_path(name), os.O_CREAT | os.O_RDWR | os.O_EXCL, 0o600)
    try:
        os.write(fd, b"not a workspace".ljust(8192, b"\0"))
        with pytest.raises(ValueError, match="magic"):
            Workspace.attach(name)
    finally:
        os.close(fd)
        os.unlink(shm_path(name))


def test_attach_refuses_other_layout_version(ws):
    with open(shm_path(ws.name), "r+b") as f:
        f.seek(8)
        f.write((999).to_bytes(4, "little"))
    with pytest.raises(ValueError, match="layout version 999"):
        Workspace.attach(ws.name)


def test_attach_refuses_inconsistent_geometry(ws):
    with open(shm_path(ws.name), "r+b") as f:
        f.seek(16)
        f.write((10**6).to_bytes(8, "little"))  # capacity that does not match the file size
    with pytest.raises(CorruptWorkspaceError, match="inconsistent"):
        Workspace.attach(ws.name)


def test_corrupted_slots_raise_and_never_crash():
    ws = Workspace(capacity=16, max_value_bytes=4096)
    for i in range(12):
        ws.write(f"k{i}", [i, "x" * i, np.arange(i), {"d": float(i)}])
    size = os.path.getsize(shm_path(ws.name))
    # A child scribbles random bytes over the slots, then reads every key many times: it must
    # finish (exceptions allowed) instead of crashing or hanging.
    child = run_python(f"""
        import mmap, os, random
        import numpy as np
        from neurosys.workspace import Workspace
        path = {shm_path(ws.name)!r}
        rng = random.Random(1)
        with open(path, "r+b") as f:
            m = mmap.mmap(f.fileno(), {size})
            for _ in range(3000):
                pos = rng.randrange(1024, {size} - 8)
                m[pos:pos + 8] = rng.randbytes(8)
            m.close()
        w = Workspace.attach({ws.name!r})
        errors = 0
        for round in range(20):
            for i in range(16):
                for call in (lambda: w.read(f"k{{i}}"), lambda: w.read_meta(f"k{{i}}"), w.keys,
                             lambda: w.read_into(f"k{{i}}", np.empty(i)), w.cleanup_expired):
                    try:
                        call()
                    except (ValueError, KeyError, TypeError, UnicodeError, RuntimeError):
                        errors += 1
        print("survived", errors)
    """)
    out, err = child.communicate(timeout=120)
    ws.close()
    assert child.returncode == 0 and "survived" in out, err


def test_segment_of_another_layout_is_refused_with_both_versions():
    import struct

    from neurosys._core import workspace as native

    name = f"layout-test-{os.getpid()}"
    with Workspace(name, capacity=8, unlink_on_close=True):
        assert os.getpid() in native.inspect_segment(name)["owners"]
        with open(shm_path(name), "r+b") as f, \
                mmap.mmap(f.fileno(), 64) as header:
            header[8:12] = struct.pack("<I", 1)  # layout_version, right after the magic
        with pytest.raises(ValueError, match=rf"layout version 1, this build reads version "
                                             rf"{native.LAYOUT_VERSION}"):
            Workspace.attach(name)
        assert native.inspect_segment(name)["layout_version"] == 1
