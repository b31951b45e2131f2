"""Ledger throughput and restart time, on the embedded EVM and on anvil, in one run.

1. Single rewards per second through ``Ledger.reward`` (journal committed, locally signed raw
   transaction, receipt) against the peer: a plain web3 ``mint(...).transact()`` on the same chain
   (node-side signing, gas estimated by web3, no journal), measured interleaved in rounds.
2. Batched rewards per second through ``Ledger.reward_many`` (mintBatch of 256).
3. Restart with R rewards journaled (default 100,000; target under 10 s): a clean restart (state
   snapshot at the journal head) and, on the embedded chain, a restart after a crash with the
   worst-case tail of ``snapshot_every - 1`` journal entries to replay. CPU seconds and wall
   seconds are both printed.

    PYTHONPATH=. python bench/bench_ledger.py [--singles 60] [--rounds 3]
        [--batched 2048] [--restart-rewards 100000] [--chains embedded,anvil]
anvil comes from $NEUROSYS_ANVIL_URL, else one started here (tests/ledger/anvil_node.py, which
installs @foundry-rs/anvil with npm the first time; hence PYTHONPATH=. from the repository root).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("NEUROSYS_LEDGER_PASSPHRASE", "bench")

from neurosys.ledger import Ledger, LedgerConfig  # noqa: E402
from neurosys.ledger.contract import load_artifact  # noqa: E402

ROWS: list[tuple[str, str, str, str]] = []


def timed(fn):  # (wall s, cpu s, result)
    w, c = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - w, time.process_time() - c, out


def peer_contract(ledger: Ledger):
    """The same token deployed with a node-held (unlocked) account as minter."""
    w3 = ledger.chain.w3
    minter = w3.eth.accounts[0]
    art = load_artifact()
    factory = w3.eth.contract(abi=art.abi, bytecode=art.bytecode)
    tx = factory.constructor("Peer", "PEER", minter, 2**255, 3600).transact({"from": minter})
    addr = w3.eth.wait_for_transaction_receipt(tx)["contractAddress"]
    return w3.eth.contract(address=addr, abi=art.abi), minter


def bench_rates(chain: str, singles: int, rounds: int, batched: int) -> None:
    with tempfile.TemporaryDirectory() as tmp, Ledger(tmp, chain=chain) as ledger:
        token, minter = peer_contract(ledger)
        to = ledger.address("agent-0")
        ours, peer, n = [], [], 0
        for r in range(rounds):
            def run_ours(r=r):
                for i in range(singles):
                    ledger.reward("agent-0", 1, "bench", {"r": r, "i": i})

            def run_peer(r=r):
                for i in range(singles):
                    h = token.functions.mint(to, 10**18, (r * 10**6 + i + 1).to_bytes(32, "big"),
                                             b"\0" * 32).transact({"from": minter})
                    ledger.chain.w3.eth.wait_for_transaction_receipt(h)

            for who, fn in ((ours, run_ours), (peer, run_peer)) if r % 2 == 0 else \
                    ((peer, run_peer), (ours, run_ours)):
                w, c, _ = timed(fn)
                who.append((singles / w, singles / max(c, 1e-9)))
            n += singles
        o_w = statistics.median(x[0] for x in ours)
        p_w = statistics.median(x[0] for x in peer)
        o_c = statistics.median(x[1] for x in ours)
        p_c = statistics.median(x[1] for x in peer)
        ROWS.append((chain, "single rewards/s (wall | CPU)", f"{o_w:.1f} | {o_c:.1f}",
                     f"web3 transact: {p_w:.1f} | {p_c:.1f}  (ratio {o_w / p_w:.2f})"))
        w, c, _ = timed(lambda: ledger.reward_many(
            [(f"agent-{i % 16}", 1, "bench_batch", {"i": i}) for i in range(batched)]))
        ROWS.append((chain, "batched rewards/s (wall | CPU)", f"{batched / w:.1f} | {batched / c:.1f}",
                     f"vs web3 transact singles: {batched / w / p_w:.1f}x"))


def bench_restart(chain: str, n: int) -> None:
    cfg = LedgerConfig(cap_per_period=1e12)
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        with Ledger(tmp_path, chain=chain, config=cfg) as ledger:
            w, c, _ = timed(lambda: [ledger.reward_many(
                [(f"agent-{i % 64}", 1, "fill", {"i": i}) for i in range(s, min(n, s + 4096))])
                for s in range(0, n, 4096)])
            ROWS.append((chain, f"fill: {n} rewards via reward_many", f"{w:.1f} s wall, {c:.1f} s CPU", ""))
            w, c, _ = timed(ledger.snapshot)
            if ledger.chain.supports_snapshot:
                size = (tmp_path / "ledger" / "evm-snapshot.bin").stat().st_size
                ROWS.append((chain, "state snapshot at the head", f"{w:.2f} s, {size / 1e6:.1f} MB", ""))
        times = []
        for _ in range(3):
            w, c, led = timed(lambda: Ledger(tmp_path, chain=chain, config=cfg))
            assert len(led.entries) == n and led.balance("agent-0") == len(range(0, n, 64))
            led.close()
            times.append((w, c))
        ROWS.append((chain, f"restart, {n} rewards journaled (clean)",
                     f"{statistics.median(t[0] for t in times):.2f} s wall,"
                     f" {statistics.median(t[1] for t in times):.2f} s CPU", "target < 10 s"))
        if chain != "embedded":
            return
        tail = cfg.snapshot_every - 1
        led = Ledger(tmp_path, chain=chain, config=cfg)
        for s in range(0, tail, 256):  # batches, as a busy economy would
            led.reward_many([(f"agent-{i % 64}", 1, "tail", {"i": i})
                             for i in range(s, min(tail, s + 256))])
        led.store.close()  # crash: no final snapshot
        w, c, led = timed(lambda: Ledger(tmp_path, chain=chain, config=cfg))
        assert len(led.entries) == n + tail and led.verify()["ok"]
        led.close()
        ROWS.append((chain, f"restart after crash, +{tail} entries to replay",
                     f"{w:.2f} s wall, {c:.2f} s CPU", "target < 10 s"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--singles", type=int, default=60)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--batched", type=int, default=2048)
    ap.add_argument("--restart-rewards", type=int, default=100_000)
    ap.add_argument("--chains", default="embedded,anvil")
    args = ap.parse_args()
    with contextlib.ExitStack() as stack:
        chains = []
        for c in args.chains.split(","):
            if c == "anvil":
                url = os.environ.get("NEUROSYS_ANVIL_URL")
                if not url:
                    from tests.ledger.anvil_node import AnvilNode

                    url = stack.enter_context(AnvilNode())
                chains.append(url)
            else:
                chains.append(c)
        run(chains, args)


def run(chains: list[str], args: argparse.Namespace) -> None:
    for chain in chains:
        bench_rates(chain, args.singles, args.rounds, args.batched)
        bench_restart(chain, args.restart_rewards)
        for row in ROWS:
            if row[0] == chain:
                print(" | ".join(row), flush=True)
    print(f"\n{'chain':<24} | {'measure':<44} | {'neurosys':<26} | peer")
    for chain, what, ours, peer in ROWS:
        name = "anvil" if chain.startswith("http") else chain
        print(f"{name:<24} | {what:<44} | {ours:<26} | {peer}")


if __name__ == "__main__":
    main()
