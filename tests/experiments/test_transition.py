"""The transition criterion fixed in advance (experiments/transition.py): entropy alone is no
event, a confirmed replicator holding 1 % of the soup with entropy >= 2 is; the shared loop."""

from __future__ import annotations

import numpy as np
import pytest

from neurosys.experiments.transition import CRITERION, Criterion, run_until_transition
from neurosys.soup import KNOWN_REPLICATOR, Soup



def test_entropy_from_injected_copies_alone_is_not_a_transition():
    """Copies of programs that copy nothing (random bytes) make the soup compressible with no
    dynamics at all: the entropy passes 2, the criterion does not."""
    rng = np.random.default_rng(0)
    soup = Soup(size=4096, seed=1, device="cpu")
    for _ in range(16):
        soup.inject(rng.integers(0, 256, 64, dtype=np.uint8).tobytes(), 128)
    m = soup.metrics(top_k=16, use_zlib=False)
    assert m.high_order_entropy >= CRITERION.hoe  # the entropy says "transition" ...
    assert not m.replicators and not CRITERION.met(m, soup.size)  # ... the criterion does not


def test_a_confirmed_replicator_with_enough_of_the_soup_is():
    soup = Soup(size=4096, seed=2, device="cpu")
    soup.inject(KNOWN_REPLICATOR, 1500)
    m = soup.metrics(top_k=8, use_zlib=False)
    assert KNOWN_REPLICATOR in m.replicators
    assert CRITERION.replicator_share(m, soup.size) == pytest.approx(1500 / 4096)
    assert CRITERION.met(m, soup.size) == (m.high_order_entropy >= 2.0)
    assert not Criterion(hoe=2.0, replicator_fraction=0.5).met(m, soup.size)


def test_the_shared_loop_stops_at_the_criterion_or_the_cap():
    soup = Soup(size=4096, seed=3, device="cpu")
    soup.inject(KNOWN_REPLICATOR, 64)
    samples = []
    epoch, last = run_until_transition(soup.run, lambda: soup.metrics(top_k=8, use_zlib=False),
                                       lambda: soup.epoch, size=soup.size, cap=4096,
                                       after_sample=samples.append)
    assert epoch is not None and epoch % 64 == 0 and CRITERION.met(last, soup.size)
    assert not any(CRITERION.met(m, soup.size) for m in samples[:-1])
    quiet = Soup(size=1024, seed=3, device="cpu")
    chunks = []
    epoch, last = run_until_transition(quiet.run, lambda: quiet.metrics(top_k=4, use_zlib=False),
                                       lambda: quiet.epoch, size=quiet.size, cap=256,
                                       before_chunk=chunks.append)
    assert epoch is None and quiet.epoch == 256 and chunks == [0, 64, 128, 192]


def test_bad_criteria_are_named():
    with pytest.raises(ValueError, match="hoe"):
        Criterion(hoe=0)
    with pytest.raises(ValueError, match="replicator_fraction"):
        Criterion(replicator_fraction=0)
    with pytest.raises(ValueError, match="every"):
        run_until_transition(lambda e: None, lambda: None, lambda: 0, size=1, cap=1, every=0)
