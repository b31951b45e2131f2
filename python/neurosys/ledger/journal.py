"""The ledger journal: an append-only, hash-chained record in the run store of every reward and
transfer, written (and committed) before its transaction is sent. Each entry's hash covers its
fields and the previous entry's hash, so an edited, dropped or reordered row breaks the chain.
Outcomes (confirmed, failed) go to a separate append-only table; the journal rows never change."""

from __future__ import annotations

import hashlib
import json
from typing import Any, NamedTuple

from neurosys.run.storage import RunStore

__all__ = ["Journal", "JournalEntry", "JournalCorrupt", "GENESIS_HASH"]

GENESIS_HASH = "0" * 64
JOURNAL_VERSION = 1

_JOURNAL_COLUMNS = ("seq INTEGER PRIMARY KEY, time REAL NOT NULL, kind TEXT NOT NULL,"
                    " entry_id TEXT NOT NULL UNIQUE, src TEXT NOT NULL, dst TEXT NOT NULL,"
                    " amount_wei TEXT NOT NULL, reason TEXT NOT NULL, evidence TEXT NOT NULL,"
                    " tx_hash TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL")
_STATUS_COLUMNS = ("entry_id TEXT NOT NULL, status TEXT NOT NULL, tx_hash TEXT NOT NULL,"
                   " block INTEGER, detail TEXT NOT NULL, time REAL NOT NULL")
_ACCOUNT_COLUMNS = "agent_id TEXT PRIMARY KEY, hd_index INTEGER NOT NULL UNIQUE, address TEXT NOT NULL"
_META_COLUMNS = "key TEXT PRIMARY KEY, value TEXT NOT NULL"


class JournalCorrupt(ValueError):
    """The journal's hash chain does not verify."""


class JournalEntry(NamedTuple):
    seq: int
    time: float
    kind: str          # "reward" or "transfer"
    entry_id: str      # 0x + 64 hex: the reward id, or a transfer id
    src: str           # agent id ("" for a mint)
    dst: str           # agent id
    amount_wei: int
    reason: str
    evidence: str      # canonical JSON
    tx_hash: str       # the locally signed transaction that carries it
    prev_hash: str
    hash: str

    def row(self) -> tuple:
        return (self.seq, self.time, self.kind, self.entry_id, self.src, self.dst,
                str(self.amount_wei), self.reason, self.evidence, self.tx_hash, self.prev_hash,
                self.hash)


def canonical_json(value: Any) -> str:
    """Deterministic JSON (sorted keys, no spaces); bytes become 0x-hex."""
    def default(obj: Any) -> Any:
        if isinstance(obj, (bytes, bytearray, memoryview)):
            return "0x" + bytes(obj).hex()
        if hasattr(obj, "tolist"):  # numpy scalars and arrays
            return obj.tolist()
        raise TypeError(f"evidence values must be JSON-like, got {type(obj).__name__}")
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=default,
                      allow_nan=False)


def entry_hash(seq: int, time_: float, kind: str, entry_id: str, src: str, dst: str,
               amount_wei: int, reason: str, evidence: str, tx_hash: str, prev_hash: str) -> str:
    """SHA-256 over the fields, each length-prefixed (unambiguous, and cheap enough to check
    100,000 entries at start-up)."""
    fields = (str(seq), repr(float(time_)), kind, entry_id, src, dst, str(amount_wei), reason,
              evidence, tx_hash, prev_hash)
    body = "".join(f"{len(f)}:{f}" for f in fields)
    return hashlib.sha256(body.encode()).hexdigest()


class Journal:
    """The journal tables of one run store."""

    def __init__(self, store: RunStore) -> None:
        self.store = store
        store.create_table("ledger_journal", _JOURNAL_COLUMNS, component="ledger",
                           version=JOURNAL_VERSION)
        store.create_table("ledger_status", _STATUS_COLUMNS, component="ledger",
                           version=JOURNAL_VERSION, indexes=("entry_id",))
        store.create_table("ledger_accounts", _ACCOUNT_COLUMNS, component="ledger",
                           version=JOURNAL_VERSION)
        store.create_table("ledger_meta", _META_COLUMNS, component="ledger", version=JOURNAL_VERSION)
        self.head_seq = 0
        self.head_hash = GENESIS_HASH

    # -- reading ------------------------------------------------------------------------------
    def load(self, verify: bool = True) -> list[JournalEntry]:
        """Every entry in order; with ``verify`` the hash chain is checked (JournalCorrupt)."""
        rows = self.store.query("SELECT * FROM ledger_journal ORDER BY seq")
        entries = []
        prev = GENESIS_HASH
        make = JournalEntry._make
        for row in rows:
            e = make((row[0], row[1], row[2], row[3], row[4], row[5], int(row[6]), row[7],
                      row[8], row[9], row[10], row[11]))
            if verify:
                if e.prev_hash != prev or e.seq != len(entries) + 1:
                    raise JournalCorrupt(f"ledger journal broken at seq {e.seq}: not linked to the"
                                         " entry before it (a row was dropped, reordered or edited)")
                if entry_hash(*e.row()[:11]) != e.hash:
                    raise JournalCorrupt(f"ledger journal entry seq {e.seq} does not match its hash"
                                         " (the row was edited)")
            prev = e.hash
            entries.append(e)
        if entries:
            self.head_seq, self.head_hash = entries[-1].seq, entries[-1].hash
        return entries

    def statuses(self) -> dict[str, tuple[str, str, str]]:
        """entry id -> (latest status, tx hash, detail)."""
        out: dict[str, tuple[str, str, str]] = {}
        for entry_id, status, tx_hash, detail in self.store.query(
                "SELECT entry_id, status, tx_hash, detail FROM ledger_status ORDER BY rowid"):
            out[entry_id] = (status, tx_hash, detail)
        return out

    # -- writing ------------------------------------------------------------------------------
    def make(self, time_: float, kind: str, entry_id: str, src: str, dst: str, amount_wei: int,
             reason: str, evidence: str, tx_hash: str) -> JournalEntry:
        """The next entry, linked to the head (not yet written)."""
        seq = self.head_seq + 1
        h = entry_hash(seq, time_, kind, entry_id, src, dst, amount_wei, reason, evidence,
                       tx_hash, self.head_hash)
        entry = JournalEntry(seq, time_, kind, entry_id, src, dst, amount_wei, reason, evidence,
                             tx_hash, self.head_hash, h)
        self.head_seq, self.head_hash = seq, h
        return entry

    def append(self, entries: list[JournalEntry]) -> None:
        """Write entries made by ``make`` and return once they are durably committed."""
        self.store.insert_many("ledger_journal", [e.row() for e in entries], wait=True)

    def set_status(self, entry_ids: list[str], status: str, tx_hash: str, block: int | None,
                   detail: str, time_: float, wait: bool = False) -> None:
        self.store.insert_many("ledger_status", [(i, status, tx_hash, block, detail, time_)
                                                 for i in entry_ids], wait=wait)

    # -- accounts and metadata ----------------------------------------------------------------
    def accounts(self) -> dict[str, int]:
        return dict(self.store.query("SELECT agent_id, hd_index FROM ledger_accounts"))

    def add_account(self, agent_id: str, index: int, address: str) -> None:
        self.store.insert("ledger_accounts", (agent_id, index, address), wait=True)

    def meta(self) -> dict[str, str]:
        return dict(self.store.query("SELECT key, value FROM ledger_meta"))

    def set_meta(self, values: dict[str, str]) -> None:
        for key, value in values.items():
            self.store.execute("INSERT OR REPLACE INTO ledger_meta VALUES (?, ?)", (key, str(value)))
        self.store.flush()
