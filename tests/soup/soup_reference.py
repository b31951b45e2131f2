"""A deliberately plain pure-Python reference, written from the issue's formulas (not from the
engine): the BFF/BF interpreter byte by byte, and the cubff random-number scheme."""

from __future__ import annotations

MASK64 = (1 << 64) - 1

BFF_OPS = {ord(c): c for c in "<>{}+-.,[]"}
BF_OPS = {ord(c): c for c in "<>+-.,[]"}


def interpret(tape: bytearray, language: str = "bff", max_steps: int = 8192,
              heads_from_tape: bool = False, origins: list[int] | None = None) -> int:
    """Runs `tape` in place; returns executed instructions (no-ops excluded). `origins`, when
    given, is a tag per byte that follows every copied byte (the paper's tracer)."""
    ops_of = BFF_OPS if language == "bff" else BF_OPS
    n = len(tape)
    pc, h0, h1 = 0, 0, 0
    if heads_from_tape:
        h0, h1, pc = tape[0] % n, tape[1] % n, 2
    executed = 0
    for _ in range(max_steps):
        if pc >= n:
            break
        h0 %= n
        h1 %= n
        op = ops_of.get(tape[pc])
        if op is not None:
            executed += 1
        if op == "<":
            h0 -= 1
        elif op == ">":
            h0 += 1
        elif op == "{":
            h1 -= 1
        elif op == "}":
            h1 += 1
        elif op == "+":
            tape[h0] = (tape[h0] + 1) % 256
        elif op == "-":
            tape[h0] = (tape[h0] - 1) % 256
        elif op == ".":
            tape[h1] = tape[h0]
            if origins is not None:
                origins[h1] = origins[h0]
            if language == "bf":
                h1 += 1
        elif op == ",":
            tape[h0] = tape[h1]
            if origins is not None:
                origins[h0] = origins[h1]
            if language == "bf":
                h1 += 1
        elif op == "[" and tape[h0] == 0:
            depth, pc = 1, pc + 1
            while pc < n:
                if tape[pc] == ord("]"):
                    depth -= 1
                elif tape[pc] == ord("["):
                    depth += 1
                if depth == 0:
                    break
                pc += 1
            if depth:
                break  # unmatched: halt
        elif op == "]" and tape[h0] != 0:
            depth, pc = 1, pc - 1
            while pc >= 0:
                if tape[pc] == ord("["):
                    depth -= 1
                elif tape[pc] == ord("]"):
                    depth += 1
                if depth == 0:
                    break
                pc -= 1
            if depth:
                break
        pc += 1
    return executed


def sm(x: int) -> int:
    """SplitMix64."""
    z = (x + 0x9E3779B97F4A7C15) & MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31)


def cubff_seed(user_seed: int, x: int) -> int:
    return sm(sm(user_seed) ^ sm(x & MASK64))


def cubff_initial(user_seed: int, n: int, length: int) -> bytearray:
    s0 = cubff_seed(user_seed, 0)
    return bytearray(sm((length * n * s0 + k) & MASK64) % 256 for k in range(n * length))


def cubff_shuffle(perm: list[int], user_seed: int, epoch: int) -> None:
    """The reference restarts from the identity every epoch, then shuffles."""
    n = len(perm)
    perm[:] = range(n)
    for i in range(n - 1, -1, -1):
        j = sm(cubff_seed(user_seed, epoch * n + i)) % (i + 1)
        perm[i], perm[j] = perm[j], perm[i]


def cubff_run(user_seed: int, n: int, length: int, epochs: int, mutation_threshold: int = 1 << 18,
              language: str = "bff", max_steps: int = 8192,
              initial: bytearray | None = None) -> tuple[bytearray, list[int]]:
    """The whole cubff-mode soup; returns (soup bytes, ops per pair of the last epoch)."""
    soup = bytearray(initial) if initial is not None else cubff_initial(user_seed, n, length)
    perm = list(range(n))
    ops: list[int] = []
    for e in range(epochs):
        cubff_shuffle(perm, user_seed, e)
        es = cubff_seed(user_seed, e)
        ops = []
        for k in range(n // 2):
            a, b = perm[2 * k], perm[2 * k + 1]
            tape = soup[a * length:(a + 1) * length] + soup[b * length:(b + 1) * length]
            for i in range(2 * length):
                r = sm(((n * es + k) * 2 * length + i) & MASK64)
                if ((r >> 8) & ((1 << 30) - 1)) < mutation_threshold:
                    tape[i] = r & 255
            ops.append(interpret(tape, language, max_steps))
            soup[a * length:(a + 1) * length] = tape[:length]
            soup[b * length:(b + 1) * length] = tape[length:]
    return soup, ops
