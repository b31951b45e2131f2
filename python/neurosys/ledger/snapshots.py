"""When the ledger saves the embedded chain's state, and which saved state it starts from:
``open_ledger_chain`` restores the snapshot of the journal's own deployment (another
deployment's is ignored); ``Snapshots`` saves every ``snapshot_every`` new journal entries, on
request and at close, never while a send's outcome is unknown. The file format is
``evm_snapshot.py``'s; a node keeps its own state and takes no snapshots."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .book import Book
from .chain import Chain, EmbeddedChain, open_chain

__all__ = ["open_ledger_chain", "Snapshots", "SNAPSHOT_NAME"]

SNAPSHOT_NAME = "evm-snapshot.bin"  # in the ledger folder


def open_ledger_chain(chain: str, folder: Path, contract: str | None,
                      read_only: bool) -> tuple[Chain, int]:
    """The chain named by ``chain`` and the journal seq its restored state has reached (0 when
    nothing was restored). ``contract`` is the journal's token address."""
    if chain != "embedded":
        return open_chain(chain), 0
    snap = folder / SNAPSHOT_NAME
    opened = open_chain(chain, snap, writable=not read_only)
    info = opened.snapshot_info if isinstance(opened, EmbeddedChain) else {}
    if info and contract and info.get("contract") == contract:
        return opened, int(info["seq"])
    if info:  # a snapshot of another deployment: start from a fresh chain
        return open_chain(chain, snap, restore=False, writable=not read_only), 0
    return opened, 0


@dataclass
class Snapshots:
    """Saves the embedded chain's state with the journal seq it reached (nothing happens on a
    chain without snapshots, or when the ``book`` is read-only)."""

    chain: Chain
    book: Book      # the journal in memory: the head seq, and whether every send is settled
    every: int      # save after this many new entries
    seq: int        # the journal seq the chain's saved (or restored) state reached
    contract: str   # the token's address, saved with each snapshot

    def maybe_save(self, force: bool = False) -> None:
        """Save when ``every`` entries are new since the last save (any new one with ``force``)
        and each has a known outcome."""
        book = self.book
        if not isinstance(self.chain, EmbeddedChain) or not book.entries or book.read_only:
            return
        head = book.entries[-1].seq
        if head == self.seq or (not force and head - self.seq < self.every):
            return
        if not book.settled_since(self.seq):
            return  # an unresolved send: the chain may or may not hold it yet
        self.chain.snapshot({"seq": head, "contract": self.contract})
        self.seq = head
