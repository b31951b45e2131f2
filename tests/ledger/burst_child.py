"""Child process for the SIGKILL test: pays a deterministic burst of rewards (singles, batches
and transfers) and prints each journal size as it goes, until killed."""

from __future__ import annotations

import sys

from neurosys.ledger import Ledger, LedgerConfig


def burst(ledger: Ledger, n: int) -> None:
    i = 0
    while i < n:
        if i % 10 == 9:
            size = min(5, n - i)
            ledger.reward_many([(f"a{(i + k) % 4}", 1, "burst", {"i": i + k}) for k in range(size)])
            i += size
        else:
            ledger.reward(f"a{i % 4}", 1, "burst", {"i": i})
            i += 1
        if i % 7 == 0:
            # idempotent transfer: the same evidence moves tokens once
            ledger.transfer(f"a{i % 4}", "sink", 0.5, reason="burst_transfer", evidence={"i": i})
        print(len(ledger.entries), flush=True)


if __name__ == "__main__":
    path, chain, n, snapshot_every = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    with Ledger(path, chain=chain, config=LedgerConfig(snapshot_every=snapshot_every)) as led:
        burst(led, n)
        print("done", flush=True)
