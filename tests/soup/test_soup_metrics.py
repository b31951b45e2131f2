"""Metrics and replicator detection on soups with known answers."""

import zlib

import brotli
import numpy as np
import pytest

from neurosys import _core
from neurosys.soup import (KNOWN_REPLICATOR, Soup, compute_metrics, detect_replicators,
                           high_order_entropy, is_replicator, replicator_scores, shannon_entropy)


def test_shannon_entropy_known_distributions():
    assert shannon_entropy(np.arange(256, dtype=np.uint8)) == pytest.approx(8.0)
    assert shannon_entropy(np.zeros(1000, np.uint8)) == 0.0
    assert shannon_entropy(np.array([1, 2] * 50, np.uint8)) == pytest.approx(1.0)
    assert shannon_entropy(np.array([0, 0, 0, 1], np.uint8)) == pytest.approx(0.8112781244591328)


def test_byte_histogram_matches_numpy():
    data = np.random.default_rng(0).integers(0, 256, 300_001, dtype=np.uint8)
    assert (_core.soup.byte_histogram(data, threads=2) == np.bincount(data, minlength=256)).all()


def test_high_order_entropy_random_vs_repetitive():
    rng = np.random.default_rng(1)
    random_soup = rng.integers(0, 256, (4096, 64), dtype=np.uint8)
    assert abs(high_order_entropy(random_soup)) < 0.05
    one = rng.integers(0, 256, 64, dtype=np.uint8)
    copies = np.tile(one, (4096, 1))
    assert high_order_entropy(copies) > 5.5  # ~6 bits of byte entropy, almost free to compress


def test_metrics_fields_on_a_constructed_soup():
    rng = np.random.default_rng(2)
    a, b = rng.integers(0, 256, (2, 64), dtype=np.uint8)
    programs = rng.integers(0, 256, (100, 64), dtype=np.uint8)
    programs[10:40] = a        # 30 copies
    programs[50:60] = b        # 10 copies
    m = compute_metrics(programs, epoch=7, ops=np.array([1, 2, 3], np.uint32))
    assert m.epoch == 7
    assert m.distinct == 100 - 30 - 10 + 2
    assert m.diversity == pytest.approx(m.distinct / 100)
    assert m.top_programs[0] == (a.tobytes(), 30) and m.top_programs[1] == (b.tobytes(), 10)
    assert all(c == 1 for _, c in m.top_programs[2:])
    p = np.array([0.3, 0.1] + [0.01] * 60)
    assert m.program_entropy == pytest.approx(float(-(p * np.log2(p)).sum()))
    assert m.ops_per_pair == pytest.approx(2.0)
    assert m.brotli_bytes == len(brotli.compress(programs.tobytes(), quality=2, lgwin=24))
    assert m.zlib_bytes == len(zlib.compress(programs.tobytes(), 6))
    assert m.compressed_bits_per_byte == pytest.approx(8 * m.brotli_bytes / programs.size)
    assert m.high_order_entropy == pytest.approx(m.shannon - m.compressed_bits_per_byte)
    assert set(m.summary()) == {"epoch", "shannon", "compressed_bits_per_byte", "high_order_entropy",
                                "distinct", "program_entropy", "ops_per_pair"}


def test_count_programs_exact_and_ordered():
    programs = np.zeros((6, 3), np.uint8)
    programs[1] = programs[4] = [1, 2, 3]
    programs[2] = [9, 9, 9]
    index, count = _core.soup.count_programs(programs)
    assert count.tolist() == [3, 2, 1]
    assert index.tolist() == [0, 1, 2]


def test_known_replicator_is_detected_and_random_programs_are_not():
    rng = np.random.default_rng(3)
    randoms = rng.integers(0, 256, (50, 64), dtype=np.uint8)
    assert is_replicator(KNOWN_REPLICATOR)
    scores = replicator_scores(randoms)
    assert (scores < 0.5).all()
    programs = np.vstack([randoms[:5], np.frombuffer(KNOWN_REPLICATOR, np.uint8)])
    assert detect_replicators(programs) == [KNOWN_REPLICATOR]
    # a program that only zeroes its partner is not a replicator
    assert not is_replicator(b"}" * 64 + b"")


def test_soup_metrics_report_an_injected_replicator():
    soup = Soup(size=1024, seed=5, device="cpu")
    soup.inject(KNOWN_REPLICATOR, 50)
    m = soup.metrics()
    assert m.top_programs[0] == (KNOWN_REPLICATOR, 50)
    assert KNOWN_REPLICATOR in m.replicators
    soup.run(1)
    assert soup.metrics(use_zlib=False).zlib_bytes is None


def test_replicator_spreads_in_a_soup():
    soup = Soup(size=2048, seed=6, device="cpu")
    soup.inject(KNOWN_REPLICATOR, 64)
    before = soup.metrics().high_order_entropy
    soup.run(30)
    m = soup.metrics()
    # the replicator (or its reversed copy) multiplies, and the soup becomes more compressible
    copies = sum(c for p, c in m.top_programs if p in (KNOWN_REPLICATOR, KNOWN_REPLICATOR[::-1]))
    assert copies > 96
    assert m.high_order_entropy > before
    assert set(m.replicators) & {KNOWN_REPLICATOR, KNOWN_REPLICATOR[::-1]}


def test_bad_metric_arguments():
    with pytest.raises(ValueError, match="2-D"):
        compute_metrics(np.zeros(10, np.uint8))
    with pytest.raises(ValueError, match="top_k"):
        compute_metrics(np.zeros((2, 2), np.uint8), top_k=-1)
    with pytest.raises(ValueError, match="trials"):
        replicator_scores(np.zeros((1, 64), np.uint8), trials=0)
    with pytest.raises(ValueError, match="threshold"):
        detect_replicators(np.zeros((1, 64), np.uint8), threshold=1.0)
