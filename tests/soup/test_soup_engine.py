"""The pairwise soup: cubff golden runs against the pure-Python reference, reproducibility across
thread counts and devices, checkpoints, injection, zero-copy access and argument checking."""

import numpy as np
import pytest

from neurosys.soup import KNOWN_REPLICATOR, Soup
from tests.soup.soup_reference import cubff_initial, cubff_run, cubff_seed, sm


def test_splitmix_reference_is_the_published_constant_chain():
    # SplitMix64 of 0 is a well-known value (Vigna's reference generator, first output).
    assert sm(0) == 0xE220A8397B1DCDAF


def test_cubff_initial_soup_matches_formula():
    soup = Soup(size=16, program_length=64, seed=5, rng="cubff")
    assert soup.programs.tobytes() == bytes(cubff_initial(5, 16, 64))


@pytest.mark.parametrize("seed, epochs", [(0, 3), (11, 4)])
def test_cubff_golden_run_matches_reference(seed, epochs):
    # high mutation so that mutation, pairing and execution all matter within a few epochs
    threshold = 1 << 24  # 2^-6 per byte
    soup = Soup(size=8, program_length=64, seed=seed, rng="cubff", mutation_rate=2.0**-6, device="cpu")
    soup.run(epochs)
    ref, ops = cubff_run(seed, 8, 64, epochs, mutation_threshold=threshold)
    assert soup.programs.tobytes() == bytes(ref)
    assert soup.last_ops.tolist() == ops


def test_cubff_golden_run_with_replicator_and_default_rate():
    soup = Soup(size=8, program_length=64, seed=3, rng="cubff", device="cpu")
    ref = cubff_initial(3, 8, 64)
    soup.programs[2] = np.frombuffer(KNOWN_REPLICATOR, np.uint8)
    ref[128:192] = KNOWN_REPLICATOR
    soup.run(3)
    expected, ops = cubff_run(3, 8, 64, 3, initial=ref)
    assert soup.programs.tobytes() == bytes(expected)
    assert soup.last_ops.tolist() == ops


# The published code's own golden logs (cubff testdata/bff_noheads.txt and testdata/bff.txt:
# `--lang bff_noheads|bff --seed 10248`, 2^17 programs, logged after epochs 1, 65, 129, 193,
# 257): brotli size (quality 2, window 24) of the whole soup and high-order entropy. cubff's
# "bff" takes its heads from the tape's first two bytes (heads_from_tape=True).
CUBFF_GOLDEN_SEED_10248 = {
    False: [(1, 8388776, -0.000190), (65, 8286015, 0.097342), (129, 8216575, 0.162708),
            (193, 8161711, 0.213831), (257, 8114689, 0.256865)],
    True: [(1, 8388742, -0.000157), (65, 8364594, 0.021187), (129, 8358994, 0.023582),
           (193, 8356638, 0.022171), (257, 8352623, 0.021592)],
}


@pytest.mark.parametrize("heads_from_tape", [False, True])
def test_cubff_mode_reproduces_the_published_golden_log(heads_from_tape):
    import brotli

    from neurosys.soup import high_order_entropy

    soup = Soup(size=2**17, program_length=64, seed=10248, rng="cubff", device="cpu",
                heads_from_tape=heads_from_tape)
    for epoch, brotli_size, hoe in CUBFF_GOLDEN_SEED_10248[heads_from_tape]:
        soup.run(epoch - soup.epoch)
        data = soup.programs.tobytes()
        assert len(brotli.compress(data, quality=2, lgwin=24)) == brotli_size, epoch
        assert high_order_entropy(soup.programs) == pytest.approx(hoe, abs=5e-7), epoch


@pytest.mark.parametrize("rng", ["default", "cubff"])
@pytest.mark.parametrize("language", ["bff", "bf"])
def test_thread_count_does_not_change_results(rng, language):
    runs = []
    for threads in (1, 2, 3):
        soup = Soup(language=language, size=2048, seed=42, rng=rng, threads=threads, device="cpu",
                    mutation_rate=2.0**-8)
        soup.run(12)
        runs.append((soup.programs.tobytes(), soup.last_ops.tobytes(), soup.total_ops))
    assert runs[0] == runs[1] == runs[2]


def test_same_seed_same_run_other_seed_other_run():
    a, b, c = (Soup(size=512, seed=s, device="cpu") for s in (1, 1, 2))
    for s in (a, b, c):
        s.run(5)
    assert a.programs.tobytes() == b.programs.tobytes() != c.programs.tobytes()


def test_default_mutation_rate_is_respected():
    # max_steps=1 and a soup of zero bytes: only the first byte of a tape can run, so almost every
    # changed byte is a mutation. Expected changes: rate * bytes * epochs.
    soup = Soup(size=4096, program_length=64, seed=9, mutation_rate=0.01, max_steps=1, device="cpu")
    soup.programs[...] = 0
    before = soup.programs.copy()
    soup.run(1)
    changed = int((soup.programs != before).sum())
    expected = 0.01 * soup.programs.size
    assert abs(changed - expected) < 5 * np.sqrt(expected)
    # rate 0: nothing changes on a soup of no-ops
    soup = Soup(size=256, seed=9, mutation_rate=0.0, device="cpu")
    soup.programs[...] = 0
    soup.run(3)
    assert not soup.programs.any()


def test_pairing_is_a_permutation_each_epoch():
    soup = Soup(size=1000, seed=4, mutation_rate=0.0, device="cpu")
    soup.run(1)
    assert sorted(soup._core.permutation.tolist()) == list(range(1000))
    assert soup.last_ops.shape == (500,)
    assert soup.total_ops == int(soup.last_ops.sum())


def test_programs_are_zero_copy():
    soup = Soup(size=64, seed=1, device="cpu")
    view = soup.programs
    assert view.shape == (64, 64) and view.dtype == np.uint8 and not view.flags.owndata
    view[3] = 7
    assert (soup.programs[3] == 7).all()
    assert np.shares_memory(view, soup.programs)
    soup.run(1)
    assert np.shares_memory(view, soup.programs)


def test_programs_outlive_the_soup_object():
    soup = Soup(size=32, seed=1, device="cpu")
    view = soup.programs
    expected = view.copy()
    del soup
    assert (view == expected).all()


@pytest.mark.parametrize("rng", ["default", "cubff"])
def test_checkpoint_resumes_bit_exactly(tmp_path, rng):
    straight = Soup(size=1024, seed=8, rng=rng, mutation_rate=2.0**-8, device="cpu")
    straight.run(10)
    split = Soup(size=1024, seed=8, rng=rng, mutation_rate=2.0**-8, device="cpu")
    split.run(4)
    split.inject(KNOWN_REPLICATOR, 3)
    straight_inject = Soup(size=1024, seed=8, rng=rng, mutation_rate=2.0**-8, device="cpu")
    straight_inject.run(4)
    straight_inject.inject(KNOWN_REPLICATOR, 3)
    split.save(tmp_path / "soup.npz")
    resumed = Soup.load(tmp_path / "soup.npz", device="cpu")
    assert resumed.epoch == 4 and resumed.rng == rng
    resumed.run(6)
    straight_inject.run(6)
    assert resumed.programs.tobytes() == straight_inject.programs.tobytes()
    assert resumed.total_ops == straight_inject.total_ops
    assert resumed.inject(b"+", 2).tolist() == straight_inject.inject(b"+", 2).tolist()


def test_load_rejects_garbage(tmp_path):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError):
        Soup.load(bad)
    np.savez(tmp_path / "other.npz", meta=np.frombuffer(b'{"format": "x"}', np.uint8),
             programs=np.zeros((2, 2), np.uint8), permutation=np.zeros(2, np.uint32),
             last_ops=np.zeros(1, np.uint32))
    with pytest.raises(ValueError, match="format"):
        Soup.load(tmp_path / "other.npz")


def test_inject_writes_distinct_programs():
    soup = Soup(size=100, seed=2, device="cpu")
    where = soup.inject(KNOWN_REPLICATOR, 10)
    assert len(set(where.tolist())) == 10
    assert all(soup.programs[i].tobytes() == KNOWN_REPLICATOR for i in where)
    where = soup.inject("[.]", 1)
    assert soup.programs[where[0]].tobytes() == b"[.]" + bytes(61)


@pytest.mark.parametrize("kwargs, match", [
    ({"size": 3}, "size"), ({"size": 0}, "size"), ({"program_length": 0}, "program_length"),
    ({"program_length": 600}, "program_length"), ({"mutation_rate": 1.5}, "mutation_rate"),
    ({"mutation_rate": float("nan")}, "mutation_rate"), ({"max_steps": 0}, "max_steps"),
    ({"language": "c"}, "language"), ({"rng": "mt"}, "rng"), ({"device": "tpu"}, "device"),
    ({"threads": -1}, "threads"), ({"seed": -1}, "seed"), ({"size": 2.5}, "size"),
])
def test_bad_arguments_raise_value_error(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Soup(**kwargs)


def test_bad_run_and_inject_arguments():
    soup = Soup(size=16, device="cpu")
    with pytest.raises(ValueError, match="epochs"):
        soup.run(-1)
    with pytest.raises(ValueError, match="program"):
        soup.inject(b"x" * 65)
    with pytest.raises(ValueError, match="count"):
        soup.inject(b"x", 17)
    with pytest.raises(ValueError, match="mutation_rate"):
        soup.mutation_rate = -0.1


@pytest.mark.parametrize("rng", ["default", "cubff"])
@pytest.mark.parametrize("language, heads", [("bff", False), ("bff", True), ("bf", False)])
def test_every_device_matches_the_cpu_bit_for_bit(device, rng, language, heads):
    def soup(on: str) -> Soup:
        return Soup(language=language, size=4096, seed=5, rng=rng, heads_from_tape=heads,
                    device=on, mutation_rate=2.0**-8)

    cpu, ours = soup("cpu"), soup(device)
    assert ours.device == device
    for _ in range(3):
        assert cpu.run(7) == ours.run(7)
        assert cpu.programs.tobytes() == ours.programs.tobytes()
        assert cpu.last_ops.tobytes() == ours.last_ops.tobytes()
