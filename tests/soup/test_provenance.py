"""Provenance (Soup(provenance=True)): an origin tag per byte, carried by every instruction that
copies a byte, set by mutation, the initial soup and injections; the same bytes as without it;
saved and loaded; identical on every device (the `device` fixture)."""

from __future__ import annotations

import numpy as np
import pytest

from neurosys.soup import KNOWN_REPLICATOR, ORIGIN_MUTATION, ORIGIN_PRIMORDIAL, Soup
from neurosys.soup.engine import COPY_EDITS
from tests.soup.soup_reference import interpret


def test_off_by_default_and_on_at_the_start():
    plain = Soup(size=64, seed=1, device="cpu")
    assert plain.provenance is False
    with pytest.raises(ValueError, match="provenance=True"):
        plain.origins()
    with pytest.raises(ValueError, match="provenance=True"):
        plain.inject(b"[]", 2, origin=5)
    traced = Soup(size=64, seed=1, device="cpu", provenance=True)
    assert traced.origins().shape == (64, 64) and traced.origins().dtype == np.uint32
    assert (traced.origins() == ORIGIN_PRIMORDIAL).all()
    with pytest.raises(ValueError, match="provenance"):
        Soup(size=64, provenance="yes")


@pytest.mark.parametrize("language", ["bff", "bf"])
def test_tags_follow_every_copied_byte_as_the_reference_tracer_does(language):
    """Two programs, no mutation: one epoch is one tape run; the engine's bytes and tags after it
    equal the plain Python reference's, for many random tapes rich in copy instructions."""
    rng = np.random.default_rng(3)
    alphabet = np.frombuffer(b"<>{}+-.,[]" if language == "bff" else b"<>+-.,[]", np.uint8)
    for trial in range(150):
        soup = Soup(language=language, size=2, program_length=32, seed=trial, mutation_rate=0.0,
                    max_steps=2048, device="cpu", provenance=True)
        soup.programs[...] = np.where(rng.random((2, 32)) < 0.7, rng.choice(alphabet, (2, 32)),
                                      rng.integers(0, 256, (2, 32)))
        soup.origins()[...] = rng.integers(1, 1000, (2, 32))
        before, tags = soup.programs.copy(), soup.origins().copy()
        soup.run(1)
        first, second = soup._core.permutation[:2]
        tape = bytearray(before[first].tobytes() + before[second].tobytes())
        origins = list(tags[first]) + list(tags[second])
        interpret(tape, language, max_steps=2048, origins=origins)
        assert soup.programs[first].tobytes() + soup.programs[second].tobytes() == bytes(tape)
        assert list(soup.origins()[first]) + list(soup.origins()[second]) == origins, trial


@pytest.mark.parametrize("rng", ["default", "cubff"])
def test_the_same_bytes_as_without_provenance_and_mutations_tagged(device, rng):
    args = dict(size=2048, seed=4, rng=rng, device=device, mutation_rate=2**-8)
    plain, traced = Soup(**args), Soup(**args, provenance=True)
    for s in (plain, traced):
        s.inject(KNOWN_REPLICATOR, 64, **({"origin": 7} if s is traced else {}))
        s.run(64)
    assert np.array_equal(plain.programs, traced.programs)
    assert np.array_equal(plain.last_ops, traced.last_ops)
    tags = traced.origins()
    assert set(np.unique(tags)) <= {ORIGIN_PRIMORDIAL, ORIGIN_MUTATION, 7}
    assert (tags == ORIGIN_MUTATION).any() and (tags == 7).sum() > 64 * 64  # it copied itself
    if device == "cpu":  # the same soup on one thread and two
        again = Soup(**{**args, "device": "cpu"}, provenance=True, threads=2)
        again.inject(KNOWN_REPLICATOR, 64, origin=7)
        again.run(64)
        assert np.array_equal(again.origins(), tags)


def test_cuda_matches_cpu_tags(device):
    if device != "cuda":
        pytest.skip("compares the two devices")
    soups = [Soup(size=4096, seed=9, device=d, provenance=True) for d in ("cpu", "cuda")]
    for s in soups:
        s.inject(KNOWN_REPLICATOR, 32, origin=3)
        s.run(128)
    assert np.array_equal(soups[0].programs, soups[1].programs)
    assert np.array_equal(soups[0].origins(), soups[1].origins())


def test_without_mutation_or_injection_every_tag_stays_primordial():
    soup = Soup(size=512, seed=2, mutation_rate=0.0, device="cpu", provenance=True)
    soup.run(32)
    assert (soup.origins() == ORIGIN_PRIMORDIAL).all()


def test_an_injection_that_copies_the_soup_inherits_its_tags():
    soup = Soup(size=1024, seed=5, device="cpu", provenance=True)
    rows = soup.inject(KNOWN_REPLICATOR, 16, origin=11)
    assert (soup.origins()[rows][:, :len(KNOWN_REPLICATOR)] == 11).all()
    copycat = soup.inject(KNOWN_REPLICATOR, 4, origin=12)  # the same program again: a copy
    assert (soup.origins()[copycat] == 11).all()
    near = bytearray(KNOWN_REPLICATOR)
    near[0] ^= 1  # one byte off: still a copy, that byte a mutation
    assert COPY_EDITS >= 1
    edited = soup.inject(bytes(near), 2, origin=13)
    tags = soup.origins()[edited]
    assert (tags[:, 0] == ORIGIN_MUTATION).all() and (tags[:, 1:] == 11).all()
    novel = soup.inject(b"<<<<>>>>{{{{}}}}", 2, origin=14)  # far from everything: its own tag
    assert (soup.origins()[novel] == 14).all()
    with pytest.raises(ValueError, match="origin must be"):
        soup.inject(b"[]", 1, origin=0)
    with pytest.raises(ValueError, match="origin must be"):
        soup.inject(b"[]", 1, origin=ORIGIN_MUTATION)


def test_saved_and_loaded_with_the_soup(tmp_path):
    soup = Soup(size=512, seed=6, device="cpu", provenance=True)
    soup.inject(KNOWN_REPLICATOR, 32, origin=21)
    soup.run(16)
    soup.save(tmp_path / "s.npz")
    back = Soup.load(tmp_path / "s.npz", device="cpu")
    assert back.provenance and np.array_equal(back.origins(), soup.origins())
    soup.run(16)
    back.run(16)
    assert np.array_equal(back.programs, soup.programs) and np.array_equal(back.origins(), soup.origins())
    plain = Soup(size=64, seed=1, device="cpu")
    plain.save(tmp_path / "p.npz")
    assert Soup.load(tmp_path / "p.npz").provenance is False
