"""``Book``: the journal as the ledger holds it in memory: every entry, each one's settled status,
the balances the entries add up to and the most recent few, kept in step with the journal's
tables as entries are committed and settled."""

from __future__ import annotations

import time
from collections import deque
from typing import Any

from .amounts import from_wei
from .journal import GENESIS_HASH, Journal, JournalCorrupt, JournalEntry

__all__ = ["Book"]


class Book:
    """The journal's entries in memory, loaded (hash chain verified) at construction.

    Args:
        journal: the run store's journal tables.
        recent: how many of the newest entries ``recent`` keeps.
        read_only: statuses are kept in memory only, never written.
    """

    def __init__(self, journal: Journal, recent: int, read_only: bool) -> None:
        self.journal = journal
        self.read_only = read_only
        self.entries: list[JournalEntry] = journal.load(verify=True)
        self.by_id: dict[str, JournalEntry] = {e.entry_id: e for e in self.entries}
        self.status: dict[str, str] = {k: v[0] for k, v in journal.statuses().items()}
        self.balances: dict[str, int] = {}
        for e in self.entries:
            if self.status.get(e.entry_id) != "failed":
                self._apply(e)
        self.recent: deque[JournalEntry] = deque(self.entries[-recent:], maxlen=recent)

    def _apply(self, e: JournalEntry, sign: int = 1) -> None:
        if e.src:
            self.balances[e.src] = self.balances.get(e.src, 0) - sign * e.amount_wei
        self.balances[e.dst] = self.balances.get(e.dst, 0) + sign * e.amount_wei

    def commit(self, entries: list[JournalEntry]) -> None:
        """Write entries made by ``journal.make`` durably, then count them (before they are sent,
        so that a crash after the send finds them journaled)."""
        try:
            self.journal.append(entries)
        except BaseException:
            last = self.entries[-1] if self.entries else None  # un-make what was not written
            self.journal.head_seq = last.seq if last else 0
            self.journal.head_hash = last.hash if last else GENESIS_HASH
            raise
        for e in entries:
            self.entries.append(e)
            self.by_id[e.entry_id] = e
            self.recent.append(e)
            self._apply(e)

    def finish(self, entries: list[JournalEntry], receipt: dict[str, Any], tx_hash: str) -> bool:
        """Record how the transaction carrying ``entries`` went; a reverted one's amounts are
        taken back out of the balances. True when it succeeded."""
        ok = receipt.get("status") == 1
        ids = [e.entry_id for e in entries]
        if not self.read_only:
            self.journal.set_status(ids, "confirmed" if ok else "failed", tx_hash,
                                    receipt.get("blockNumber"), "" if ok else "reverted",
                                    time.time(), wait=not ok)
        for i in ids:
            self.status[i] = "confirmed" if ok else "failed"
        if not ok:
            for e in entries:
                self._apply(e, sign=-1)
        return ok

    def confirm_paid(self, e: JournalEntry) -> None:
        """Settle a reward whose transaction is unknown but whose id the contract has paid."""
        if not self.read_only:
            self.journal.set_status([e.entry_id], "confirmed", "", None, "paid on chain", time.time())
        self.status[e.entry_id] = "confirmed"

    def settled_since(self, seq: int) -> bool:
        """Whether every entry after ``seq`` has a known outcome."""
        return all(self.status.get(e.entry_id) is not None for e in self.entries[seq:])

    def check_on_disk(self) -> None:
        """Reload the journal and verify its hash chain; JournalCorrupt when it is broken or has
        lost entries written by this process."""
        if len(self.journal.load(verify=True)) < len(self.entries):
            raise JournalCorrupt("the journal on disk has fewer entries than were written")

    def as_dict(self, e: JournalEntry) -> dict[str, Any]:
        """An entry as ``Ledger.history`` returns it."""
        return {"seq": e.seq, "time": e.time, "kind": e.kind, "id": e.entry_id, "src": e.src,
                "dst": e.dst, "amount": from_wei(e.amount_wei), "reason": e.reason,
                "evidence": e.evidence, "tx_hash": e.tx_hash,
                "status": self.status.get(e.entry_id, "pending")}
