"""CUDA and CPU give the same soup bit for bit (needs a CUDA build and a GPU)."""

import pytest

from neurosys import _core
from neurosys.soup import Soup

pytestmark = [pytest.mark.cuda,
              pytest.mark.skipif(_core.cuda_device_count() == 0, reason="no CUDA device")]


@pytest.mark.parametrize("rng", ["default", "cubff"])
@pytest.mark.parametrize("language, heads", [("bff", False), ("bff", True), ("bf", False)])
def test_cuda_matches_cpu(rng, language, heads):
    cpu = Soup(language=language, size=4096, seed=5, rng=rng, heads_from_tape=heads, device="cpu",
               mutation_rate=2.0**-8)
    gpu = Soup(language=language, size=4096, seed=5, rng=rng, heads_from_tape=heads, device="cuda",
               mutation_rate=2.0**-8)
    assert gpu.device == "cuda"
    for _ in range(3):
        assert cpu.run(7) == gpu.run(7)
        assert cpu.programs.tobytes() == gpu.programs.tobytes()
        assert cpu.last_ops.tobytes() == gpu.last_ops.tobytes()
