"""State snapshots of the embedded EVM (eth-tester's py-evm backend).

A snapshot keeps only what the next block needs: the head header, the head block's body and the
trie nodes and code reachable from its state root, not old blocks, receipts or superseded nodes,
so its size follows the live state rather than the chain's history. Trie nodes are keyed by
their hash and never change, so a node already saved stands for its whole subtree: later
snapshots append only the nodes that are new since the last one (a record per snapshot), which
keeps frequent snapshots cheap. When the appended records outgrow the full one, the file is
rewritten whole (temporary file, fsync, rename). A record cut short by a crash is ignored (each
carries its length and a SHA-256). Restoring makes the head a checkpoint header of a fresh chain
database; mining continues on top of it."""

from __future__ import annotations

import hashlib
import json
import os
import struct
from pathlib import Path
from typing import Any

import rlp
from eth.constants import BLANK_ROOT_HASH, EMPTY_SHA3
from eth.db.atomic import AtomicDB
from eth.db.backends.memory import MemoryDB
from eth.db.header import HeaderDB
from eth_utils import keccak

__all__ = ["SnapshotFile"]

_MAGIC = b"NSS1"
_REC = struct.Struct("<4sQ")  # magic, payload length; then payload, then sha256(payload)
_LEN = struct.Struct("<I")


def _kv_store(chain: Any) -> dict[bytes, bytes]:
    db = chain.chaindb.db
    return db.wrapped_db.kv_store if hasattr(db, "wrapped_db") else db.kv_store


def _new_nodes(kv: dict[bytes, bytes], head: Any, saved: set[bytes]) -> dict[bytes, bytes]:
    """Trie nodes and code reachable from the head (state and head-block body tries) that are
    not in ``saved``; a saved node's subtree is saved too, so the walk stops there."""
    out: dict[bytes, bytes] = {}
    stack: list[tuple[Any, bool]] = [(head.state_root, True)]  # (node reference, account trie?)
    for root in ("transaction_root", "receipt_root", "withdrawals_root"):
        if hasattr(head, root):
            stack.append((getattr(head, root), False))
    if head.uncles_hash in kv and head.uncles_hash not in saved:
        out[head.uncles_hash] = kv[head.uncles_hash]
    while stack:
        ref, accounts = stack.pop()
        if isinstance(ref, bytes):
            if ref == BLANK_ROOT_HASH or not ref or ref in out or ref in saved:
                continue
            raw = kv[ref]
            out[ref] = raw
            node = rlp.decode(raw)
        else:  # a node shorter than 32 bytes, embedded in its parent
            node = ref
        if len(node) == 17:
            stack.extend((child, accounts) for child in node[:16] if child)
        elif len(node) == 2:
            if node[0][0] >> 4 in (0, 1):  # extension
                stack.append((node[1], accounts))
            elif accounts:  # account leaf: [nonce, balance, storage_root, code_hash]
                _nonce, _balance, storage_root, code_hash = rlp.decode(node[1])
                stack.append((storage_root, False))
                if code_hash != EMPTY_SHA3 and code_hash not in saved:
                    out[code_hash] = kv[code_hash]
    return out


def _record(info: dict[str, Any], head: Any, nodes: dict[bytes, bytes]) -> bytes:
    info_raw = json.dumps(info, sort_keys=True).encode()
    header = rlp.encode(head)
    parts = [_LEN.pack(len(info_raw)), info_raw, _LEN.pack(len(header)), header]
    for key, value in nodes.items():
        parts += (_LEN.pack(len(key)), key, _LEN.pack(len(value)), value)
    payload = b"".join(parts)
    return _REC.pack(_MAGIC, len(payload)) + payload + hashlib.sha256(payload).digest()


class SnapshotFile:
    """One snapshot file: ``load`` it into a chain, ``save`` the chain's head into it."""

    def __init__(self, path: str | Path, writable: bool = True) -> None:
        self.path = Path(path)
        self.writable = writable  # False: never truncate or write (a reader beside a live run)
        self._saved: set[bytes] = set()
        self._full_size = 0
        self._size = 0

    def exists(self) -> bool:
        return self.path.exists()

    def load(self, chain_class: Any) -> tuple[Any, dict[str, Any]]:
        """A ``chain_class`` chain on a fresh database holding the latest complete snapshot, and
        the ``info`` saved with it."""
        blob = self.path.read_bytes()
        kv: dict[bytes, bytes] = {}
        pos, info, head_rlp, first = 0, None, None, 0
        while pos + _REC.size <= len(blob):
            magic, n = _REC.unpack_from(blob, pos)
            end = pos + _REC.size + n
            if magic != _MAGIC or end + 32 > len(blob):
                break
            payload = memoryview(blob)[pos + _REC.size:end]
            if hashlib.sha256(payload).digest() != blob[end:end + 32]:
                break  # torn by a crash mid-append: the records before it stand
            info, head_rlp = self._parse(payload, kv)
            first = first or end + 32
            pos = end + 32
        if head_rlp is None:
            raise ValueError(f"{str(self.path)!r} holds no complete neurosys EVM snapshot")
        if pos < len(blob) and self.writable:
            with open(self.path, "r+b") as fh:  # drop the torn tail before appending again
                fh.truncate(pos)
        self._saved = set(kv)
        self._full_size, self._size = first, pos
        # py-evm keeps a header as its RLP under its hash (keccak of that RLP) and decodes it,
        # whichever fork's shape it has, when read by hash: store it so, read it back
        head_hash = keccak(head_rlp)
        kv[head_hash] = head_rlp
        db = AtomicDB(MemoryDB(kv))
        headers = HeaderDB(db)
        head = headers.get_block_header_by_hash(head_hash)
        headers.persist_checkpoint_header(head, head.block_number)
        return chain_class(db), info

    @staticmethod
    def _parse(payload: memoryview, kv: dict[bytes, bytes]) -> tuple[dict[str, Any], bytes]:
        """The record's info and head header (RLP); its trie nodes and code go into ``kv``."""
        unpack, pos = _LEN.unpack_from, 0
        (n,) = unpack(payload, pos)
        info = json.loads(bytes(payload[pos + 4:pos + 4 + n]))
        pos += 4 + n
        (n,) = unpack(payload, pos)
        head_rlp = bytes(payload[pos + 4:pos + 4 + n])
        pos += 4 + n
        end = len(payload)
        while pos < end:
            (n,) = unpack(payload, pos)
            key = bytes(payload[pos + 4:pos + 4 + n])
            pos += 4 + n
            (n,) = unpack(payload, pos)
            kv[key] = bytes(payload[pos + 4:pos + 4 + n])
            pos += 4 + n
        return info, head_rlp

    def save(self, chain: Any, info: dict[str, Any]) -> int:
        """Save the head of ``chain`` with ``info``; appends the new nodes, or rewrites the file
        whole when it has none yet or the appended records outgrew the full one. Returns the
        bytes written."""
        if not self.writable:
            raise ValueError(f"the snapshot {str(self.path)!r} is open read-only")
        kv = _kv_store(chain)
        head = chain.get_canonical_head()
        full = not self.path.exists() or self._size == 0 or \
            self._size - self._full_size > max(self._full_size, 8 << 20)
        nodes = _new_nodes(kv, head, set() if full else self._saved)
        rec = _record(info, head, nodes)
        if full:
            tmp = self.path.with_name(self.path.name + ".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(rec)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
            self._saved = set(nodes)
            self._full_size = self._size = len(rec)
        else:
            with open(self.path, "ab") as fh:
                fh.write(rec)
                fh.flush()
                os.fsync(fh.fileno())
            self._saved.update(nodes)
            self._size += len(rec)
        return len(rec)
