"""Where the token lives: the embedded EVM (eth-tester + py-evm, in process, no server) or any
Ethereum JSON-RPC node by URL (anvil in CI). Both take locally signed raw transactions with
explicit gas and nonce, so the ledger's code is the same on either."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from web3 import Web3

__all__ = ["Chain", "EmbeddedChain", "RpcChain", "open_chain", "TxFailed"]


class TxFailed(RuntimeError):
    """A transaction was mined but reverted, or never got a receipt."""


def _int(value: Any) -> int | None:
    if value is None:
        return None
    return int(value, 16) if isinstance(value, str) else int(value)


class Chain:
    """Common surface of the two backends."""

    w3: Web3
    kind: str
    supports_snapshot = False

    def __init__(self) -> None:
        self.chain_id = int(self.w3.eth.chain_id)

    def _rpc(self, method: str, params: list[Any]) -> Any:
        # Straight to the provider: web3's result formatters cost more than the node itself for
        # a batch receipt with hundreds of logs, and only a few fields are needed here.
        response = self.w3.provider.make_request(method, params)  # type: ignore[arg-type]
        if response.get("error"):
            raise TxFailed(f"{method} failed: {response['error']}")
        return response.get("result")

    def send_raw(self, raw: bytes, timeout: float = 120.0) -> dict[str, Any]:
        """Submit a signed transaction and return its receipt (status, blockNumber,
        contractAddress)."""
        tx_hash = self._rpc("eth_sendRawTransaction", ["0x" + raw.hex()])
        tx_hash = tx_hash if isinstance(tx_hash, str) else "0x" + bytes(tx_hash).hex()
        deadline = time.monotonic() + timeout
        while True:
            receipt = self.receipt(tx_hash)
            if receipt is not None:
                return receipt
            if time.monotonic() > deadline:
                raise TxFailed(f"no receipt for {tx_hash} within {timeout} s")
            time.sleep(0.02)

    def call_uint(self, sender: str, to: str, data: str) -> int:
        """eth_call returning one uint256 (raw, without web3's request middleware)."""
        out = self._rpc("eth_call", [{"from": sender, "to": to, "data": data}, "latest"])
        return int(out, 16) if isinstance(out, str) else int.from_bytes(bytes(out), "big")

    def receipt(self, tx_hash: str) -> dict[str, Any] | None:
        """The receipt's status, blockNumber and contractAddress, or None when not mined."""
        try:
            r = self._rpc("eth_getTransactionReceipt", [tx_hash])
        except TxFailed:
            return None
        if not r:
            return None
        # JSON-RPC nodes answer in camelCase; eth-tester's raw provider in snake_case.
        block = r.get("blockNumber", r.get("block_number"))
        created = r.get("contractAddress", r.get("contract_address"))
        return {"status": _int(r.get("status")), "blockNumber": _int(block),
                "contractAddress": created and Web3.to_checksum_address(created)}

    def gas_price(self) -> int:
        """A legacy gas price comfortably above the current base fee."""
        block = self.w3.eth.get_block("latest")
        base = int(block.get("baseFeePerGas", 0) or 0)
        return max(2 * base + 10**9, int(self.w3.eth.gas_price))

    def fund(self, address: str, wei: int) -> None:
        """Give ``address`` ether for gas from the node's richest unlocked account (a dev node's
        prefunded accounts: eth-tester's, anvil's)."""
        rich = getattr(self, "_faucet", None)
        if rich is None or self.w3.eth.get_balance(rich) < 2 * wei:
            rich = max(self.w3.eth.accounts, key=self.w3.eth.get_balance, default=None)
            if rich is None or self.w3.eth.get_balance(rich) < 2 * wei:
                raise RuntimeError(f"the node has no unlocked account with ether to fund"
                                   f" {address} with gas; send it ether and retry")
            self._faucet = rich
        tx_hash = self.w3.eth.send_transaction({"from": rich, "to": address, "value": wei})
        self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=60, poll_latency=0.02)

    def has_code(self, address: str) -> bool:
        return len(self.w3.eth.get_code(address)) > 0

    def close(self) -> None:
        pass


class EmbeddedChain(Chain):
    """eth-tester's py-evm backend in this process; optionally restored from a state snapshot."""

    kind = "embedded"
    supports_snapshot = True

    def __init__(self, snapshot: str | Path | None = None, restore: bool = True,
                 writable: bool = True) -> None:
        from eth_tester import EthereumTester, PyEVMBackend
        from web3 import EthereumTesterProvider

        from .evm_snapshot import SnapshotFile

        self.backend = PyEVMBackend()
        self.snapshot_info: dict[str, Any] = {}
        self._snapshot: SnapshotFile | None = None
        if snapshot is not None:
            self._snapshot = SnapshotFile(snapshot, writable)
            if restore and self._snapshot.exists():
                self.backend.chain, self.snapshot_info = self._snapshot.load(type(self.backend.chain))
        self.tester = EthereumTester(self.backend)
        self.w3 = Web3(EthereumTesterProvider(self.tester))
        super().__init__()

    def snapshot(self, info: dict[str, Any]) -> int:
        """Save the state (to the snapshot file given at construction) with ``info``."""
        if self._snapshot is None:
            raise ValueError("this embedded chain was opened without a snapshot file")
        return self._snapshot.save(self.backend.chain, info)


class RpcChain(Chain):
    """Any JSON-RPC node (http/https URL)."""

    kind = "rpc"

    def __init__(self, url: str, timeout: float = 30.0) -> None:
        self.url = url
        self.w3 = Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": timeout}))
        deadline = time.monotonic() + timeout
        while True:
            try:
                super().__init__()
                break
            except Exception as exc:
                if time.monotonic() > deadline:
                    raise ConnectionError(f"no Ethereum JSON-RPC node answers at {url!r}: {exc}") from None
                time.sleep(0.2)


def open_chain(chain: str, snapshot: str | Path | None = None, restore: bool = True,
               writable: bool = True) -> Chain:
    """``"embedded"`` (snapshots saved to ``snapshot`` if ``writable``, restored from it if
    ``restore``) or an ``http(s)://`` URL."""
    if chain == "embedded":
        return EmbeddedChain(snapshot, restore, writable)
    if isinstance(chain, str) and chain.startswith(("http://", "https://")):
        return RpcChain(chain)
    raise ValueError(f"chain must be 'embedded' or an http(s):// JSON-RPC URL, got {chain!r}")
