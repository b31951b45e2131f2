"""Settings shared by every test folder."""

import os

# llama.cpp, torch and the engines share two cores here: OpenMP threads that spin while idle
# (the GNU default) starve the others and turn a 0.5 s LLM decision into 10 s or more. Must be
# set before the first OpenMP runtime loads, hence here at collection start.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import pytest


def _has_gpu() -> bool:
    from neurosys import _core

    return _core.has_cuda and _core.cuda_device_count() > 0


@pytest.fixture(params=["cpu", pytest.param("cuda", marks=pytest.mark.cuda)])
def device(request) -> str:
    """The engine device a test runs on, once per backend (as GeNN's tests take a backend):
    "cpu" always, "cuda" only with a CUDA build and a device, skipped otherwise."""
    if request.param == "cuda" and not _has_gpu():
        pytest.skip("needs a CUDA build and a CUDA device")
    return request.param


@pytest.fixture
def workspace():
    """A fresh auto-named workspace, unlinked when closed."""
    from neurosys.workspace import Workspace

    ws = Workspace()
    yield ws
    ws.close()


@pytest.fixture
def store(tmp_path):
    """A run store in the test's own folder."""
    from neurosys.run.storage import RunStore

    s = RunStore(tmp_path / "run.sqlite", batch_interval=0.01)
    yield s
    s.close()


@pytest.fixture(scope="session")
def ray_cluster():
    """One local Ray cluster for the whole test session (starting one takes seconds): two CPUs,
    no dashboard. Its workers inherit this process's environment, PYTHONPATH included."""
    from neurosys.cluster.session import ray_session

    with ray_session(num_cpus=2) as ray:
        yield ray


@pytest.fixture(scope="session")
def redis_url():
    """A real redis-server on 127.0.0.1 and a free port for the session, stopped at its end."""
    from neurosys.cluster.redis_server import LocalRedis

    server = LocalRedis()
    yield server.start()
    server.stop()
