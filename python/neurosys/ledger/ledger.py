"""``Ledger``: rewards and transfers in the run's ERC-20 token, journaled before they are sent.

Every reward has an id derived from (reason, evidence); the journal (hash-chained, in the run
store) is committed before the transaction leaves, and the contract refuses an id it has paid,
so a crash or a restart neither loses a reward nor pays it twice. On start the ledger restores
the chain: for the embedded EVM from its last state snapshot plus the journal tail, for a node
from the node itself; where the contract is gone, it deploys a new one and replays the journal.
Balances, history and ``ledger/*`` workspace keys come from the journal, never from log scans.

The Ledger composes collaborators with one job each: ``Book`` (the journal in memory),
``Accounts`` (agent ids to keys), ``TxSender`` (signing, gas, sending), ``Recovery`` (replay,
reconcile, verify) and ``Snapshots`` (when the embedded chain is saved); it holds the lock and
orders their steps.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from neurosys.run.storage import RunStore

from .accounts import TREASURY, Accounts
from .amounts import derive_id, from_wei, to_wei
from .book import Book
from .chain import TxFailed
from .config import LedgerConfig, resolve_paths
from .contract import load_artifact
from .journal import Journal, JournalEntry, canonical_json
from .keystore import Keystore
from .recovery import Recovery
from .sender import MAX_BATCH, TxSender
from .snapshots import Snapshots, open_ledger_chain
from neurosys.workspace import keys

__all__ = ["Ledger", "LedgerConfig", "InsufficientBalance", "MintCapExceeded", "TREASURY"]

log = logging.getLogger("neurosys.ledger")


class InsufficientBalance(ValueError):
    """A transfer or charge larger than the payer's balance."""


class MintCapExceeded(ValueError):
    """A reward larger than what the contract's per-period cap still allows."""


class Ledger:
    """The run's token ledger.

    Args:
        path: the run directory (store ``run.db`` inside) or the run store file; the keystore
            and chain snapshots go to ``ledger/`` beside the store.
        chain: ``"embedded"`` (in-process EVM) or the http(s) URL of a JSON-RPC node.
        store: an open RunStore to journal into (shared with the system; not closed here).
        workspace: where ``ledger/balances`` and ``ledger/recent`` are published (optional).
        passphrase: the keystore passphrase; None reads $NEUROSYS_LEDGER_PASSPHRASE or prompts.
        config: token, cap, gas and snapshot settings.
        read_only: inspect only (the CLI beside a live run): nothing is written to the store or
            the snapshot, and rewards and transfers are refused.
    """

    def __init__(self, path: str | Path, chain: str = "embedded", *, store: RunStore | None = None,
                 workspace: Any = None, passphrase: str | None = None,
                 config: LedgerConfig | None = None, read_only: bool = False) -> None:
        self.config = config or LedgerConfig()
        self.read_only = bool(read_only)
        store_path, self.dir = resolve_paths(store.path if store is not None else path)
        self.dir.mkdir(parents=True, exist_ok=True)
        self._owns_store = store is None
        self.store = store if store is not None else RunStore(store_path)
        self.workspace = workspace
        self._lock = threading.RLock()
        self._closed = False
        try:
            self.journal = Journal(self.store)
            self.keys = Keystore(self.dir / "keystore.json", passphrase)
            self.book = Book(self.journal, self.config.recent, self.read_only)
            self._open_chain(chain)
        except BaseException:
            if self._owns_store:
                self.store.close()
            raise
        self._publish()

    def _open_chain(self, chain: str) -> None:
        """Open the chain, find or deploy the token, and bring the chain in line with the
        journal (replay on the embedded chain or a fresh deployment, reconcile on a node)."""
        meta = self.journal.meta()
        address = meta.get("contract")
        self.chain, snap_seq = open_ledger_chain(chain, self.dir, address, self.read_only)
        self.sender = TxSender(self.chain, self.keys, self.config, self.read_only)
        self.accounts = Accounts(self.keys, self.journal, self.sender, self.read_only)
        self.sender.fund_operators()
        artifact = load_artifact()
        on_chain = address if address and self.chain.has_code(address) else None
        if on_chain is not None:
            self.sender.token = on_chain
        else:
            if self.read_only and self.chain.kind != "embedded":
                raise ValueError(f"the token contract {address or '(none)'} is not on the node;"
                                 " open the ledger writable to deploy it and replay the journal")
            if address:
                log.warning("token contract %s not on chain; deploying anew and replaying %d"
                            " journal entries", address, len(self.entries))
            self.sender.deploy(artifact)
        self.token = self.chain.w3.eth.contract(address=self.sender.token, abi=artifact.abi)
        self.recovery = Recovery(self.book, self.accounts, self.sender, self.token)
        if on_chain is None:  # a fresh deployment holds none of the journal
            self.recovery.replay(self.entries)
        elif self.chain.kind == "embedded":
            self.recovery.replay([e for e in self.entries if e.seq > snap_seq])
        else:
            self.recovery.reconcile()
        self.snapshots = Snapshots(self.chain, self.book, self.config.snapshot_every, snap_seq,
                                   self.token.address)
        if not self.read_only:
            self.journal.set_meta({"contract": self.token.address, "chain_id": self.chain.chain_id,
                                   "chain": chain})

    # -- the journal in memory and the accounts: the Book's and Accounts' own objects, as
    # attributes of the Ledger for its callers
    entries = property(lambda self: self.book.entries)  # list[JournalEntry], oldest first
    by_id = property(lambda self: self.book.by_id)      # entry id -> JournalEntry
    status = property(lambda self: self.book.status)    # entry id -> "confirmed" or "failed"
    balances = property(lambda self: self.book.balances)  # agent id -> wei
    recent = property(lambda self: self.book.recent)    # the newest entries (a deque)
    agents = property(lambda self: self.accounts.agents)  # agent id -> HD index

    def address(self, agent_id: str) -> str:
        """The agent's account address (created on first use)."""
        with self._lock:
            return self.accounts.address(agent_id)

    # -- rewards ------------------------------------------------------------------------------
    def reward(self, agent_id: str, amount: Any, reason: str, evidence: Any, *,
               key: Any = None) -> str:
        """Mint ``amount`` tokens to ``agent_id`` for ``reason`` with ``evidence`` (JSON-like).
        The reward id is derived from (reason, key if given else evidence); an id already in
        the journal is not paid again. Returns the reward id."""
        return self.reward_many([(agent_id, amount, reason, evidence, key)])[0]

    def reward_many(self, rewards: Iterable[tuple]) -> list[str]:
        """Many rewards, each (agent_id, amount, reason, evidence[, key]), minted with
        ``mintBatch`` in groups of up to 256 transactions. Returns their reward ids in order."""
        items = []
        for r in rewards:
            if len(r) not in (4, 5):
                raise ValueError("each reward must be (agent_id, amount, reason, evidence[, key])")
            agent_id, amount, reason, evidence = r[:4]
            key = r[4] if len(r) == 5 else None
            if not isinstance(reason, str) or not reason:
                raise ValueError(f"reason must be a non-empty str, got {reason!r}")
            wei = to_wei(amount)
            ev = canonical_json(evidence)
            items.append((agent_id, wei, reason, ev,
                          derive_id(reason, evidence if key is None else key)))
        ids = [i[4] for i in items]
        with self._lock:
            self._check_open()
            fresh, seen = [], set()
            for agent_id, wei, reason, ev, rid in items:
                if rid in self.book.by_id or rid in seen:
                    continue
                seen.add(rid)
                self.accounts.index(agent_id)
                fresh.append((agent_id, wei, reason, ev, rid))
            for start in range(0, len(fresh), MAX_BATCH):
                self._mint_chunk(fresh[start:start + MAX_BATCH])
        self._publish()
        return ids

    def _mint_chunk(self, chunk: list[tuple]) -> None:
        total = sum(c[1] for c in chunk)
        remaining = self.sender.remaining_cap()
        if total > remaining:
            raise MintCapExceeded(f"rewards of {from_wei(total)} tokens exceed the mint cap left in"
                                  f" this period ({from_wei(remaining)} of"
                                  f" {self.config.cap_per_period} per {self.config.period_seconds} s)")
        now = time.time()
        # Sign first (the hash goes into the journal), journal durably, then send.
        drafts = [JournalEntry(0, now, "reward", rid, "", agent_id, wei, reason, ev, "", "", "")
                  for agent_id, wei, reason, ev, rid in chunk]
        raw, tx_hash = self.sender.mint_tx([self.accounts.address(d.dst) for d in drafts], drafts)
        entries = [self.journal.make(now, "reward", d.entry_id, "", d.dst, d.amount_wei, d.reason,
                                     d.evidence, tx_hash) for d in drafts]
        self.book.commit(entries)
        receipt = self.sender.submit_mint(raw)
        if not self.book.finish(entries, receipt, tx_hash):
            raise TxFailed(f"mint transaction {tx_hash} reverted")
        self.sender.keep_minter_funded()
        self.snapshots.maybe_save()

    # -- transfers ----------------------------------------------------------------------------
    def transfer(self, src: str, dst: str, amount: Any, *, reason: str = "transfer",
                 evidence: Any = None, key: Any = None) -> str:
        """Move ``amount`` tokens from ``src`` to ``dst`` (agent ids). With ``evidence`` (or
        ``key``) the transfer id is derived from it and the transfer happens once; without, each
        call is a new transfer. Raises InsufficientBalance when ``src`` cannot pay."""
        wei = to_wei(amount)
        if not isinstance(reason, str) or not reason:
            raise ValueError(f"reason must be a non-empty str, got {reason!r}")
        if src == dst:
            raise ValueError(f"src and dst must differ, got {src!r} for both")
        ev = canonical_json(evidence)
        tid = (derive_id(reason, key if key is not None else evidence)
               if key is not None or evidence is not None else derive_id(reason, os.urandom(32)))
        with self._lock:
            self._check_open()
            if tid in self.book.by_id:
                return tid
            self.accounts.index(src), self.accounts.index(dst)
            have = self.book.balances.get(src, 0)
            if have < wei:
                raise InsufficientBalance(f"{src!r} has {from_wei(have)} tokens, cannot pay"
                                          f" {from_wei(wei)}")
            payer = self.accounts.account(src)
            raw, tx_hash = self.sender.transfer_tx(payer, self.accounts.address(dst), wei)
            entry = self.journal.make(time.time(), "transfer", tid, src, dst, wei, reason, ev, tx_hash)
            self.book.commit([entry])
            receipt = self.sender.submit(raw, payer)
            if not self.book.finish([entry], receipt, tx_hash):
                raise TxFailed(f"transfer {tid} reverted on chain")
            self.snapshots.maybe_save()
        self._publish()
        return tid

    # -- reading ------------------------------------------------------------------------------
    def balance(self, agent_id: str) -> float:
        """Tokens held by ``agent_id`` according to the journal (0 for an unknown agent)."""
        with self._lock:
            return from_wei(self.book.balances.get(agent_id, 0))

    def balances_all(self) -> dict[str, float]:
        with self._lock:
            return {a: from_wei(w) for a, w in sorted(self.book.balances.items())}

    def chain_balance(self, agent_id: str) -> float:
        """Tokens held by ``agent_id`` according to the contract."""
        with self._lock:
            return from_wei(self.token.functions.balanceOf(self.address(agent_id)).call())

    def history(self, agent_id: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        """Journal entries (oldest first), optionally those involving ``agent_id``, the last
        ``limit`` of them."""
        with self._lock:
            rows = [e for e in self.book.entries if agent_id is None or agent_id in (e.src, e.dst)]
            if limit is not None:
                rows = rows[-int(limit):] if limit > 0 else []
            return [self.book.as_dict(e) for e in rows]

    def verify(self, deep: bool = False) -> dict[str, Any]:
        """Check the chain against the journal (see ``Recovery.verify``); ``report["ok"]`` is
        True when all agree."""
        with self._lock:
            return self.recovery.verify(deep)

    # -- snapshots, publishing, closing --------------------------------------------------------
    def snapshot(self) -> None:
        """Save the embedded chain's state now (also done every ``snapshot_every`` entries and
        on close); a no-op on a node."""
        with self._lock:
            self.snapshots.maybe_save(force=True)

    def _publish(self) -> None:
        if self.workspace is None:
            return
        with self._lock:
            balances = {a: from_wei(w) for a, w in self.book.balances.items()}
            recent = [{"time": e.time, "kind": e.kind, "src": e.src, "dst": e.dst,
                       "amount": from_wei(e.amount_wei), "reason": e.reason}
                      for e in self.book.recent]
        self.workspace.write(keys.LEDGER_BALANCES, balances)
        self.workspace.write(keys.LEDGER_RECENT, recent)

    def _check_open(self) -> None:
        if self._closed:
            raise ValueError("the ledger is closed")
        if self.read_only:
            raise ValueError("the ledger is open read-only")

    def close(self) -> None:
        """Snapshot the embedded chain, commit the journal and close the store (if owned)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            try:
                self.snapshots.maybe_save(force=True)
            finally:
                self.chain.close()
                if self._owns_store:
                    self.store.close()
                else:
                    self.store.flush()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return (f"Ledger({str(self.store.path)!r}, chain={self.chain.kind!r},"
                f" {len(self.entries)} entries)")
