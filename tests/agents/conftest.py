import torch

# as the AgentManager does (config torch_threads=1): batch-1 policies on a shared 2-core machine
torch.set_num_threads(1)

import pytest


@pytest.fixture
def workspace():
    from neurosys.workspace import Workspace

    ws = Workspace()  # auto-named, unlinked on close
    yield ws
    ws.close()


@pytest.fixture
def store(tmp_path):
    from neurosys.storage import RunStore

    s = RunStore(tmp_path / "run.sqlite", batch_interval=0.01)
    yield s
    s.close()
