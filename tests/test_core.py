"""The native module's build facts and device selection (genn-style: CUDA optional at run time)."""

from __future__ import annotations

import pytest

import neurosys
from neurosys import _core


def test_build_facts():
    assert isinstance(_core.has_cuda, bool)
    assert isinstance(_core.has_openmp, bool)
    assert _core.__version__ == neurosys.__version__
    assert _core.cuda_device_count() >= 0
    if not _core.has_cuda:
        assert _core.cuda_device_count() == 0


def test_auto_picks_cuda_only_with_a_device():
    expected = "cuda" if _core.cuda_device_count() > 0 else "cpu"
    assert _core.resolve_device("auto") == expected
    assert _core.resolve_device("cpu") == "cpu"


def test_cuda_without_device_is_a_clear_error():
    if _core.cuda_device_count() > 0:
        assert _core.resolve_device("cuda") == "cuda"
    else:
        with pytest.raises(ValueError, match="device='cuda'"):
            _core.resolve_device("cuda")


@pytest.mark.parametrize("bad", ["gpu", "", "CUDA"])
def test_unknown_device_names_the_argument(bad):
    with pytest.raises(ValueError, match="device must be one of 'auto', 'cpu', 'cuda'"):
        _core.resolve_device(bad)


def test_lazy_public_names():
    assert "Workspace" in neurosys.__all__ and "RunStore" in neurosys.__all__
    assert neurosys.RunStore is __import__("neurosys.run.storage").run.storage.RunStore
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        neurosys.nope  # noqa: B018


def test_core_errors_are_one_family():
    from neurosys.errors import ParameterError, WorkspaceClosedError, WorkspaceFullError
    from neurosys.workspace import WorkspaceUnavailable

    assert "CoreError" in neurosys.__all__ and _core.CoreError is neurosys.CoreError
    assert _core.workspace.WorkspaceFullError is WorkspaceFullError
    assert _core.workspace.WorkspaceClosedError is WorkspaceClosedError
    # each keeps the built-in base the core raised before, so older except clauses still match
    for cls, builtin in ((ParameterError, ValueError), (WorkspaceFullError, RuntimeError),
                         (WorkspaceClosedError, ValueError), (WorkspaceUnavailable, ValueError)):
        assert issubclass(cls, neurosys.CoreError) and issubclass(cls, builtin)


def test_engine_argument_errors_are_parameter_errors():
    from neurosys.errors import ParameterError

    with pytest.raises(ParameterError, match="device must be"):
        _core.resolve_device("gpu")
    with pytest.raises(ParameterError, match="language must be"):
        _core.soup.Soup(language="nope", size=4)
    from neurosys.workspace import Workspace

    ws = Workspace()  # the workspace's own argument checks (raw CPython) raise it too
    try:
        with pytest.raises(ParameterError, match="key: at most"):
            ws.write("k" * 10_000, 1)
    finally:
        ws.close()


@pytest.mark.skipif(_core.has_cuda and _core.cuda_device_count() > 0,
                    reason="this machine has a CUDA device")
def test_cuda_request_without_a_device_names_the_argument():
    from neurosys import snn

    with pytest.raises(ValueError, match="device"):
        snn.Network(device="cuda")
    assert snn.Network(device="auto").device == "cpu"
