"""The interpreter, instruction by instruction, against hand-computed tapes and a plain Python
reference (soup_reference.interpret)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neurosys import _core
from neurosys.soup import KNOWN_REPLICATOR, run_tape
from tests.soup.soup_reference import interpret


def pad(prefix: bytes, n: int = 16) -> bytes:
    return prefix + bytes(n - len(prefix))


@pytest.mark.parametrize("tape, expected, ops", [
    (pad(b"+"), pad(b","), 1),        # head0 = 0: '+' (43) becomes ',' (44)
    (pad(b"-"), pad(b","), 1),        # '-' (45) becomes ',' (44)
    (pad(b">+"), pad(b">,"), 2),      # head0 = 1: the '+' itself becomes ','
    (pad(b"}}."), pad(b"}}}"), 3),    # head1 = 2: '.' copies T[0] ('}') over itself at T[2]
    (pad(b"},"), pad(b",,"), 2),      # head1 = 1: ',' copies T[1] (',') into T[0]
    (pad(b"<-"), pad(b"<-")[:15] + b"\xff", 2),   # head0 wraps to 15: 0 - 1 = 255
])
def test_single_instructions(tape, expected, ops):
    assert run_tape(tape) == (expected, ops)
    ref = bytearray(tape)
    assert interpret(ref) == ops and bytes(ref) == expected


def test_plus_minus_wrap_mod_256():
    out, ops = run_tape(b"<<-+" + bytes(12))  # head0 = 14: 0 - 1 + 1 = 0
    assert out[14] == 0 and ops == 4
    # Self-modification: head0 = 15; the '+' at 1..14 raise T[15] from 43 to 57 ('9'), so by the
    # time the pointer reaches 15 it is a no-op.
    out, ops = run_tape(b"<" + b"+" * 15)
    assert out[15] == 57 and ops == 15
    out, ops = run_tape(b"<" + b"-" * 14 + b"\x01")  # 1 - 14 wraps to 243
    assert out[15] == 243 and ops == 15


def test_copy_between_heads():
    # head1 -> 15 ('{'), '.' copies T[0] ('{') to T[15]
    out, ops = run_tape(b"{." + bytes(14))
    assert out[15] == ord("{") and ops == 3   # the copied '{' at 15 then runs too
    # ',' copies T[head1] into T[head0]: head1 -> 15 (holds 7), head0 = 0 gets 7
    out, ops = run_tape(b"{," + bytes(13) + b"\x07")
    assert out[0] == 7 and ops == 2


def test_head_wraparound_both_directions():
    out, _ = run_tape(b">" * 49 + b"+" + bytes(14))   # 64 bytes: head0 = 49 mod 64, the '+'
    assert out[49] == ord("+") + 1
    out, _ = run_tape(b"<" * 33 + b"+" + bytes(30))   # 64 bytes: head0 = -33 mod 64 = 31, a '<'
    assert out[31] == ord("<") + 1
    out, _ = run_tape(b"{" * 3 + b"." + bytes(12))     # head1 = -3 mod 16 = 13 gets T[0]
    assert out[13] == ord("{")


def test_loop_forward_jump_skips_body():
    # head0 = 15 holds 0: '[' jumps past its ']', so '+' never runs
    assert run_tape(b"<[+]" + bytes(12)) == (b"<[+]" + bytes(12), 2)


def test_loop_body_repeats_until_zero():
    # head0 = 0 holds '}' (125): the body '+' runs 131 times until T[0] wraps to 0
    out, ops = run_tape(b"}[+]" + bytes(12))
    assert out == b"\x00[+]" + bytes(12)
    assert ops == 1 + 1 + 131 * 2


def test_loop_nesting_and_back_jump():
    # Count down byte 15 from 3 with a loop: '<' moves head0 to 15.
    tape = b"<[-]" + bytes(11) + b"\x03"
    out, ops = run_tape(tape)
    assert out[15] == 0
    assert ops == 1 + 1 + 3 * 2  # '<', '[', then ('-', ']') three times (last ']' falls through)
    # nested brackets: the forward jump must skip the inner pair
    tape = bytearray(b">>>[[]+]" + bytes(8))
    tape[3] = ord("[")
    ref = bytearray(tape)
    assert run_tape(bytes(tape)) == (bytes(ref), interpret(ref))


def test_unmatched_brackets_halt():
    out, ops = run_tape(b">" + b"[" + bytes(14))      # head0 -> 1 ('['), nonzero: falls into body
    assert ops == 2
    out, ops = run_tape(b">>[" + bytes(13))            # T[2] = '[' != 0 -> continue; then no-ops
    assert ops == 3
    out, ops = run_tape(b">>>[" + bytes(12))           # T[3] = '[' nonzero, fine
    out, ops = run_tape(b"<[" + bytes(14))              # T[15] = 0: '[' scans forward, no ']' -> halt
    assert ops == 2
    out, ops = run_tape(b"]+" + bytes(14))              # T[0] = ']' != 0: no '[' behind -> halt
    assert ops == 1 and out[1] == ord("+")


def test_step_limit_counts_noops():
    # An endless loop '[]' at 1..2 with T[0] != 0: stops at exactly max_steps iterations.
    tape = b"\x01[]" + bytes(13)
    for limit in (1, 2, 3, 10, 101):
        _, ops = run_tape(tape, max_steps=limit)
        assert ops == interpret(bytearray(tape), max_steps=limit)
    _, ops = run_tape(tape, max_steps=1)
    assert ops == 0  # the first iteration is the no-op byte 1
    # No-ops count towards the limit: 10 no-ops then '+' needs 11 iterations.
    tape = bytes(10) + b"+" + bytes(5)
    assert run_tape(tape, max_steps=10)[1] == 0
    assert run_tape(tape, max_steps=11)[1] == 1


def test_heads_from_tape_variant():
    # head0 = T[0] % 16 = 3, head1 = T[1] % 16 = 5, execution starts at 2
    tape = bytes([3, 21]) + b"." + bytes(13)
    out, ops = run_tape(tape, heads_from_tape=True)
    assert out[5] == out[3] == 0 and ops == 1
    tape = bytes([2, 21]) + b"." + bytes(13)    # T[2] = '.' copied to T[5]
    out, ops = run_tape(tape, heads_from_tape=True)
    assert out[5] == ord(".")


def test_bf_language_output_advances_cursor():
    # BF '.': copy T[head0] to the cursor (head1), then the cursor advances; '{' is a no-op in BF.
    out, ops = run_tape(b">..{" + bytes(12), language="bf")
    assert out[0] == ord(".") and out[1] == ord(".") and ops == 3
    ref = bytearray(b">..{" + bytes(12))
    assert interpret(ref, "bf") == ops and bytes(ref) == out


def test_known_replicator_copies_itself_reversed():
    rng = np.random.default_rng(7)
    for _ in range(20):
        partner = rng.integers(0, 256, 64, dtype=np.uint8).tobytes()
        out, _ = run_tape(KNOWN_REPLICATOR + partner)
        assert out[64:] == KNOWN_REPLICATOR[::-1]
        # and the reversed copy makes the original again
        out2, _ = run_tape(out[64:] + partner)
        assert out2[64:] == KNOWN_REPLICATOR


@settings(max_examples=300, deadline=None)
@given(tape=st.binary(min_size=2, max_size=160), language=st.sampled_from(["bff", "bf"]),
       heads=st.booleans(), limit=st.integers(1, 3000))
def test_arbitrary_bytes_match_reference(tape, language, heads, limit):
    ref = bytearray(tape)
    ops = interpret(ref, language, limit, heads)
    assert run_tape(tape, language, limit, heads) == (bytes(ref), ops)


@settings(max_examples=200, deadline=None)
@given(tape=st.lists(st.sampled_from(list(b"<>{}+-.,[]\x00")), min_size=2, max_size=128))
def test_instruction_dense_tapes_match_reference(tape):
    data = bytes(tape)
    ref = bytearray(data)
    ops = interpret(ref, "bff", 2000)
    assert run_tape(data, "bff", 2000) == (bytes(ref), ops)


def test_bad_tapes_are_rejected():
    with pytest.raises(ValueError, match="tapes"):
        _core.soup.run_tapes(np.zeros((2, 2000), np.uint8))
    with pytest.raises(ValueError, match="language"):
        run_tape(b"ab", language="brainfuck")
    with pytest.raises(ValueError, match="max_steps"):
        run_tape(b"ab", max_steps=0)
    with pytest.raises(ValueError, match="2-D"):
        _core.soup.run_tapes(np.zeros(4, np.uint8))
    with pytest.raises(ValueError, match="writable"):
        _core.soup.run_tapes(np.zeros((4, 8), np.uint8)[:, ::2])
