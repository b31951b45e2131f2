"""The reward ledger alone: the system's ERC-20 token on the in-process EVM (or any JSON-RPC
node with --chain http://...). A reward is journaled before it is sent, so paying the same
reward id twice pays once; agents transfer tokens between themselves.

    python examples/ledger_rewards.py [--chain embedded] [--dir runs/example-ledger]
"""

import argparse
import tempfile

from neurosys import ledger

ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
ap.add_argument("--chain", default="embedded", help='"embedded" or a JSON-RPC URL')
ap.add_argument("--dir", default=None, help="ledger folder (default: a temporary one)")
args = ap.parse_args()

folder = args.dir or tempfile.mkdtemp(prefix="neurosys-ledger-")
book = ledger.Ledger(folder, chain=args.chain, passphrase="example passphrase")
evidence = {"program": "5b5b7b2e3e5d", "epoch": 640}
first = book.reward("inventor-1", 5, "invention", evidence)
again = book.reward("inventor-1", 5, "invention", evidence)  # the same event: not paid twice
book.transfer("inventor-1", "observer-2", 2)
print(f"reward ids {first} / {again}")
print(f"balances: inventor-1 {book.balance('inventor-1')}, observer-2 {book.balance('observer-2')}")
print("last entry:", book.history()[-1])
book.close()
