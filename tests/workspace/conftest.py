"""Workspace tests: every test runs on both backends (shm and a real redis-server), plus
helpers that run code in a second process."""

import os
import subprocess
import sys
import textwrap

import pytest

from neurosys.workspace import Workspace


@pytest.fixture(params=["shm", "redis"])
def backend(request):
    """Each workspace test that takes this runs on both backends: "shm" or a real Redis URL."""
    return request.getfixturevalue("redis_url") if request.param == "redis" else "shm"


@pytest.fixture
def ws(backend):
    w = Workspace(capacity=64, max_value_bytes=64 * 1024, backend=backend)
    yield w
    w.close()


def run_python(code: str, timeout: float = 60, **kw) -> subprocess.Popen:
    """Starts a child interpreter running `code` (same PYTHONPATH as the tests)."""
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=dict(os.environ), **kw)


def shm_path(name: str) -> str:
    return f"/dev/shm/neurosys-{os.geteuid()}-{name}"
