"""``Ledger``: rewards and transfers in the run's ERC-20 token, journaled before they are sent.

Every reward has an id derived from (reason, evidence); the journal (hash-chained, in the run
store) is committed before the transaction leaves, and the contract refuses an id it has paid,
so a crash or a restart neither loses a reward nor pays it twice. On start the ledger restores
the chain: for the embedded EVM from its last state snapshot plus the journal tail, for a node
from the node itself; where the contract is gone, it deploys a new one and replays the journal.
Balances, history and ``ledger/*`` workspace keys come from the journal, never from log scans.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_account.signers.local import LocalAccount

from neurosys.storage import RunStore

from .amounts import derive_id, from_wei, reason_hash, to_wei
from .chain import Chain, TxFailed, open_chain
from .contract import encode_call, load_artifact
from .journal import Journal, JournalEntry, canonical_json
from .keystore import Keystore

__all__ = ["Ledger", "LedgerConfig", "InsufficientBalance", "MintCapExceeded", "TREASURY"]

log = logging.getLogger("neurosys.ledger")

ADMIN, MINTER, TREASURY_INDEX, FIRST_AGENT = 0, 1, 2, 3
TREASURY = "treasury"
MAX_BATCH = 256  # the contract's DynArray bound
STORE_NAME = "run.db"


class InsufficientBalance(ValueError):
    """A transfer or charge larger than the payer's balance."""


class MintCapExceeded(ValueError):
    """A reward larger than what the contract's per-period cap still allows."""


@dataclass(frozen=True)
class LedgerConfig:
    token_name: str = "Neurosys"
    token_symbol: str = "NSY"
    cap_per_period: float = 1_000_000.0  # tokens mintable per period
    period_seconds: int = 3600
    snapshot_every: int = 256            # embedded chain: snapshot after this many new entries
    recent: int = 50                     # entries in ledger/recent
    gas_mint: int = 200_000
    gas_batch_base: int = 80_000
    gas_batch_item: int = 60_000
    gas_transfer: int = 100_000
    gas_admin: int = 100_000
    gas_deploy: int = 3_000_000
    operator_ether: int = 10             # ether given to admin and minter for gas (topped up)
    agent_ether: int = 1                 # ether given to each agent account for gas
    tx_timeout: float = 120.0

    def __post_init__(self) -> None:
        for name in ("period_seconds", "snapshot_every", "recent", "gas_mint", "gas_batch_base",
                     "gas_batch_item", "gas_transfer", "gas_admin", "gas_deploy"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"LedgerConfig.{name} must be >= 1, got {getattr(self, name)!r}")
        to_wei(self.cap_per_period, "LedgerConfig.cap_per_period")


def _resolve_paths(path: str | Path) -> tuple[Path, Path]:
    """(run store file, ledger folder) from a run directory or a run store file."""
    path = Path(path)
    if path.suffix in (".db", ".sqlite", ".sqlite3") or path.is_file():
        return path, path.parent / "ledger"
    return path / STORE_NAME, path / "ledger"


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
        store_path, self.dir = _resolve_paths(store.path if store is not None else path)
        self.dir.mkdir(parents=True, exist_ok=True)
        self._owns_store = store is None
        self.store = store if store is not None else RunStore(store_path)
        self.workspace = workspace
        self._lock = threading.RLock()
        self._closed = False
        try:
            self.journal = Journal(self.store)
            self.keys = Keystore(self.dir / "keystore.json", passphrase)
            self._load_journal()
            self._open_chain(chain)
        except BaseException:
            if self._owns_store:
                self.store.close()
            raise
        self._publish()

    # -- start-up -----------------------------------------------------------------------------
    def _load_journal(self) -> None:
        self.entries: list[JournalEntry] = self.journal.load(verify=True)
        self.by_id: dict[str, JournalEntry] = {e.entry_id: e for e in self.entries}
        self.status = {k: v[0] for k, v in self.journal.statuses().items()}
        self.agents: dict[str, int] = self.journal.accounts()
        self.agents.setdefault(TREASURY, TREASURY_INDEX)
        self.balances: dict[str, int] = {}
        for e in self.entries:
            if self.status.get(e.entry_id) != "failed":
                self._apply_local(e)
        self.recent: deque[JournalEntry] = deque(self.entries[-self.config.recent:],
                                                 maxlen=self.config.recent)

    def _open_chain(self, chain: str) -> None:
        meta = self.journal.meta()
        snap_seq = 0
        if chain == "embedded":
            snap = self.dir / "evm-snapshot.bin"
            self.chain: Chain = open_chain(chain, snap, writable=not self.read_only)
            info = self.chain.snapshot_info  # type: ignore[attr-defined]
            if info and meta.get("contract") and info.get("contract") == meta["contract"]:
                snap_seq = int(info["seq"])
            elif info:  # a snapshot of another deployment: start from a fresh chain
                self.chain = open_chain(chain, snap, restore=False, writable=not self.read_only)
        else:
            self.chain = open_chain(chain)
        self._snapshot_seq = snap_seq
        self._nonces: dict[str, int] = {}
        self._mints_since_topup = 0
        self._fund(self.keys.address(ADMIN), self.config.operator_ether)
        self._fund(self.keys.address(MINTER), self.config.operator_ether)
        artifact = load_artifact()
        address = meta.get("contract")
        if address and self.chain.has_code(address):
            self.token = self.chain.w3.eth.contract(address=address, abi=artifact.abi)
            if self.chain.kind == "embedded":
                self._replay([e for e in self.entries if e.seq > snap_seq])
            else:
                self._reconcile()
        else:
            if self.read_only and self.chain.kind != "embedded":
                raise ValueError(f"the token contract {address or '(none)'} is not on the node;"
                                 " open the ledger writable to deploy it and replay the journal")
            if address:
                log.warning("token contract %s not on chain; deploying anew and replaying %d"
                            " journal entries", address, len(self.entries))
            self._deploy(artifact)
            self._replay(self.entries)
        if not self.read_only:
            self.journal.set_meta({"contract": self.token.address, "chain_id": self.chain.chain_id,
                                   "chain": chain})

    def _deploy(self, artifact: Any) -> None:
        admin = self.keys.account(ADMIN)
        factory = self.chain.w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
        cap = to_wei(self.config.cap_per_period)
        data = factory.constructor(self.config.token_name, self.config.token_symbol,
                                   self.keys.address(MINTER), cap,
                                   self.config.period_seconds).data_in_transaction
        receipt = self._send(admin, None, data, self.config.gas_deploy)
        self.token = self.chain.w3.eth.contract(address=receipt["contractAddress"], abi=artifact.abi)

    def _fund(self, address: str, ether: int) -> None:
        if self.read_only and self.chain.kind != "embedded":
            return
        if self.chain.w3.eth.get_balance(address) < ether * 10**18 // 2:
            self.chain.fund(address, ether * 10**18)

    def _ensure_funded(self, agent_id: str) -> None:
        self._fund(self.address(agent_id), self.config.agent_ether)

    # -- accounts -----------------------------------------------------------------------------
    def _index(self, agent_id: str) -> int:
        if not isinstance(agent_id, str) or not agent_id or len(agent_id) > 128:
            raise ValueError(f"agent_id must be a non-empty str of at most 128 characters,"
                             f" got {agent_id!r}")
        index = self.agents.get(agent_id)
        if index is None:
            if self.read_only:
                raise ValueError(f"unknown agent {agent_id!r} (the ledger is open read-only)")
            index = max(self.agents.values(), default=FIRST_AGENT - 1) + 1
            index = max(index, FIRST_AGENT)
            self.journal.add_account(agent_id, index, self.keys.address(index))
            self.agents[agent_id] = index
            self._ensure_funded(agent_id)
        return index

    def address(self, agent_id: str) -> str:
        """The agent's account address (created on first use)."""
        with self._lock:
            return self.keys.address(self._index(agent_id))

    # -- transactions -------------------------------------------------------------------------
    def _sign(self, account: LocalAccount, to: str | None, data: str, gas: int) -> tuple[bytes, str]:
        nonce = self._nonces.get(account.address)
        if nonce is None:
            nonce = self.chain.w3.eth.get_transaction_count(account.address, "pending")
        if not hasattr(self, "_gas_price"):
            self._gas_price = self.chain.gas_price()
        tx = {"nonce": nonce, "gas": gas, "gasPrice": self._gas_price, "data": data, "value": 0,
              "chainId": self.chain.chain_id}
        if to is not None:
            tx["to"] = to
        signed = account.sign_transaction(tx)
        self._nonces[account.address] = nonce + 1
        return bytes(signed.raw_transaction), "0x" + bytes(signed.hash).hex()

    def _submit(self, raw: bytes, account: LocalAccount) -> dict[str, Any]:
        try:
            try:
                return self.chain.send_raw(raw, self.config.tx_timeout)
            except Exception as exc:
                text = str(exc).lower()
                if not any(m in text for m in ("insufficient funds", "cannot afford")):
                    raise
                # out of gas money: top the account up and send the same transaction again
                operator = account.address in (self.keys.address(ADMIN), self.keys.address(MINTER))
                self._fund(account.address, self.config.operator_ether if operator
                           else self.config.agent_ether)
                return self.chain.send_raw(raw, self.config.tx_timeout)
        except Exception:
            self._nonces.pop(account.address, None)  # resynchronise from the chain next time
            raise

    def _send(self, account: LocalAccount, to: str | None, data: str, gas: int) -> dict[str, Any]:
        raw, _ = self._sign(account, to, data, gas)
        receipt = self._submit(raw, account)
        if receipt.get("status") != 1:
            raise TxFailed(f"transaction from {account.address} reverted")
        return receipt

    def _admin_call(self, fn: str, *args: Any) -> None:
        self._send(self.keys.account(ADMIN), self.token.address, encode_call(fn, list(args)),
                   self.config.gas_admin)

    def _mint_tx(self, entries: list[JournalEntry]) -> tuple[bytes, str]:
        minter = self.keys.account(MINTER)
        reasons: dict[str, bytes] = {}
        args = ([self.keys.address(self._index(e.dst)) for e in entries],
                [e.amount_wei for e in entries], [bytes.fromhex(e.entry_id[2:]) for e in entries],
                [reasons.get(e.reason) or reasons.setdefault(e.reason, reason_hash(e.reason))
                 for e in entries])
        if len(entries) == 1:
            data = encode_call("mint", [a[0] for a in args])
            return self._sign(minter, self.token.address, data, self.config.gas_mint)
        data = encode_call("mintBatch", list(args))
        gas = self.config.gas_batch_base + self.config.gas_batch_item * len(entries)
        return self._sign(minter, self.token.address, data, gas)

    def _transfer_tx(self, src: str, dst: str, wei: int) -> tuple[bytes, str]:
        data = encode_call("transfer", [self.address(dst), wei])
        return self._sign(self.keys.account(self._index(src)), self.token.address, data,
                          self.config.gas_transfer)

    def _finish(self, entries: list[JournalEntry], receipt: dict[str, Any], tx_hash: str) -> bool:
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
                self._apply_local(e, sign=-1)
        return ok

    def _apply_local(self, e: JournalEntry, sign: int = 1) -> None:
        if e.src:
            self.balances[e.src] = self.balances.get(e.src, 0) - sign * e.amount_wei
        self.balances[e.dst] = self.balances.get(e.dst, 0) + sign * e.amount_wei

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
                if rid in self.by_id or rid in seen:
                    continue
                seen.add(rid)
                self._index(agent_id)
                fresh.append((agent_id, wei, reason, ev, rid))
            for start in range(0, len(fresh), MAX_BATCH):
                self._mint_chunk(fresh[start:start + MAX_BATCH])
        self._publish()
        return ids

    def _mint_chunk(self, chunk: list[tuple]) -> None:
        total = sum(c[1] for c in chunk)
        remaining = self.chain.call_uint(self.keys.address(MINTER), self.token.address,
                                         encode_call("remaining_cap", []))
        if total > remaining:
            raise MintCapExceeded(f"rewards of {from_wei(total)} tokens exceed the mint cap left in"
                                  f" this period ({from_wei(remaining)} of"
                                  f" {self.config.cap_per_period} per {self.config.period_seconds} s)")
        now = time.time()
        # Sign first (the hash goes into the journal), journal durably, then send.
        drafts = [JournalEntry(0, now, "reward", rid, "", agent_id, wei, reason, ev, "", "", "")
                  for agent_id, wei, reason, ev, rid in chunk]
        raw, tx_hash = self._mint_tx(drafts)
        entries = [self.journal.make(now, "reward", d.entry_id, "", d.dst, d.amount_wei, d.reason,
                                     d.evidence, tx_hash) for d in drafts]
        self._commit_entries(entries)
        receipt = self._submit(raw, self.keys.account(MINTER))
        if not self._finish(entries, receipt, tx_hash):
            raise TxFailed(f"mint transaction {tx_hash} reverted")
        self._mints_since_topup += 1
        if self._mints_since_topup >= 200:  # keep the minter in gas money
            self._fund(self.keys.address(MINTER), self.config.operator_ether)
            self._mints_since_topup = 0
        self._maybe_snapshot()

    def _commit_entries(self, entries: list[JournalEntry]) -> None:
        try:
            self.journal.append(entries)
        except BaseException:
            self._load_journal_head()
            raise
        for e in entries:
            self.entries.append(e)
            self.by_id[e.entry_id] = e
            self.recent.append(e)
            self._apply_local(e)

    def _load_journal_head(self) -> None:
        last = self.entries[-1] if self.entries else None
        self.journal.head_seq = last.seq if last else 0
        self.journal.head_hash = last.hash if last else "0" * 64

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
            if tid in self.by_id:
                return tid
            self._index(src), self._index(dst)
            have = self.balances.get(src, 0)
            if have < wei:
                raise InsufficientBalance(f"{src!r} has {from_wei(have)} tokens, cannot pay"
                                          f" {from_wei(wei)}")
            raw, tx_hash = self._transfer_tx(src, dst, wei)
            entry = self.journal.make(time.time(), "transfer", tid, src, dst, wei, reason, ev, tx_hash)
            self._commit_entries([entry])
            receipt = self._submit(raw, self.keys.account(self._index(src)))
            if not self._finish([entry], receipt, tx_hash):
                raise TxFailed(f"transfer {tid} reverted on chain")
            self._maybe_snapshot()
        self._publish()
        return tid

    # -- reading ------------------------------------------------------------------------------
    def balance(self, agent_id: str) -> float:
        """Tokens held by ``agent_id`` according to the journal (0 for an unknown agent)."""
        with self._lock:
            return from_wei(self.balances.get(agent_id, 0))

    def balances_all(self) -> dict[str, float]:
        with self._lock:
            return {a: from_wei(w) for a, w in sorted(self.balances.items())}

    def chain_balance(self, agent_id: str) -> float:
        """Tokens held by ``agent_id`` according to the contract."""
        with self._lock:
            return from_wei(self.token.functions.balanceOf(self.address(agent_id)).call())

    def history(self, agent_id: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        """Journal entries (oldest first), optionally those involving ``agent_id``, the last
        ``limit`` of them."""
        with self._lock:
            rows = [e for e in self.entries if agent_id is None or agent_id in (e.src, e.dst)]
            if limit is not None:
                rows = rows[-int(limit):] if limit > 0 else []
            return [self._as_dict(e) for e in rows]

    def _as_dict(self, e: JournalEntry) -> dict[str, Any]:
        return {"seq": e.seq, "time": e.time, "kind": e.kind, "id": e.entry_id, "src": e.src,
                "dst": e.dst, "amount": from_wei(e.amount_wei), "reason": e.reason,
                "evidence": e.evidence, "tx_hash": e.tx_hash,
                "status": self.status.get(e.entry_id, "pending")}

    # -- recovery, verification, snapshots -----------------------------------------------------
    from .recovery import _reconcile, _replay, verify  # noqa: E402  (methods kept in their own file)

    def _maybe_snapshot(self, force: bool = False) -> None:
        if not self.chain.supports_snapshot or not self.entries or self.read_only:
            return
        head = self.entries[-1].seq
        if head == self._snapshot_seq or (not force and head - self._snapshot_seq < self.config.snapshot_every):
            return
        if any(self.status.get(e.entry_id) is None for e in self.entries[self._snapshot_seq:]):
            return  # an unresolved send: the chain may or may not hold it yet
        self.chain.snapshot({"seq": head, "contract": self.token.address})  # type: ignore[attr-defined]
        self._snapshot_seq = head

    def snapshot(self) -> None:
        """Save the embedded chain's state now (also done every ``snapshot_every`` entries and
        on close); a no-op on a node."""
        with self._lock:
            self._maybe_snapshot(force=True)

    def _publish(self) -> None:
        if self.workspace is None:
            return
        with self._lock:
            balances = {a: from_wei(w) for a, w in self.balances.items()}
            recent = [{"time": e.time, "kind": e.kind, "src": e.src, "dst": e.dst,
                       "amount": from_wei(e.amount_wei), "reason": e.reason} for e in self.recent]
        self.workspace.write("ledger/balances", balances)
        self.workspace.write("ledger/recent", recent)

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
                self._maybe_snapshot(force=True)
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
