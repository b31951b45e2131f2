"""``TxSender``: the ledger's transactions to its token, built and signed here and sent to the
chain: nonces, the gas price, each call's gas limit (a mintBatch's grows with its size), and gas
money for the operators and for any account that ran out of it."""

from __future__ import annotations

from typing import Any

from eth_account.signers.local import LocalAccount

from .accounts import ADMIN, MINTER
from .amounts import reason_hash, to_wei
from .chain import Chain, TxFailed
from .config import LedgerConfig
from .contract import Artifact, encode_call
from .journal import JournalEntry
from .keystore import Keystore

__all__ = ["TxSender", "MAX_BATCH"]

MAX_BATCH = 256  # the contract's DynArray bound: rewards in one mintBatch
_MINTS_PER_TOPUP = 200  # the minter's gas money is checked after this many mints


class TxSender:
    """Signs with the run's keys and sends to ``chain``; the token's calls once ``token`` is set.

    Args:
        chain: where transactions go.
        keys: the run's keystore (the admin and minter accounts sign the token's own calls).
        config: gas limits, gas money and the receipt timeout.
        read_only: a reader beside a live run on a node: never send ether.
    """

    def __init__(self, chain: Chain, keys: Keystore, config: LedgerConfig, read_only: bool) -> None:
        self.chain = chain
        self.keys = keys
        self.config = config
        self.read_only = read_only
        self.token = ""  # the token's address, once deployed (``deploy``) or found on chain
        # the next nonce of each sending address; dropped after a failed send so that the next
        # one asks the chain again
        self.nonces: dict[str, int] = {}
        self._gas_price: int | None = None
        self._mints_since_topup = 0

    # -- gas money ----------------------------------------------------------------------------
    def fund(self, address: str) -> None:
        """Give ``address`` its gas money (``operator_ether`` for the admin and the minter,
        ``agent_ether`` for an agent) when it holds less than half of that."""
        if self.read_only and self.chain.kind != "embedded":
            return
        operator = address in (self.keys.address(ADMIN), self.keys.address(MINTER))
        ether = self.config.operator_ether if operator else self.config.agent_ether
        if self.chain.w3.eth.get_balance(address) < ether * 10**18 // 2:
            self.chain.fund(address, ether * 10**18)

    def fund_operators(self) -> None:
        for role in (ADMIN, MINTER):
            self.fund(self.keys.address(role))

    def keep_minter_funded(self) -> None:
        """Count a mint; every ``_MINTS_PER_TOPUP`` of them, top the minter up."""
        self._mints_since_topup += 1
        if self._mints_since_topup >= _MINTS_PER_TOPUP:
            self.fund(self.keys.address(MINTER))
            self._mints_since_topup = 0

    # -- signing and sending ------------------------------------------------------------------
    def sign(self, account: LocalAccount, to: str | None, data: str, gas: int) -> tuple[bytes, str]:
        """The raw signed transaction and its hash (the nonce is taken)."""
        nonce = self.nonces.get(account.address)
        if nonce is None:
            nonce = self.chain.w3.eth.get_transaction_count(account.address, "pending")
        if self._gas_price is None:
            self._gas_price = self.chain.gas_price()
        tx = {"nonce": nonce, "gas": gas, "gasPrice": self._gas_price, "data": data, "value": 0,
              "chainId": self.chain.chain_id}
        if to is not None:
            tx["to"] = to
        signed = account.sign_transaction(tx)
        self.nonces[account.address] = nonce + 1
        return bytes(signed.raw_transaction), "0x" + bytes(signed.hash).hex()

    def submit(self, raw: bytes, account: LocalAccount) -> dict[str, Any]:
        """Send a signed transaction of ``account`` and return its receipt (reverted or not)."""
        try:
            try:
                return self.chain.send_raw(raw, self.config.tx_timeout)
            except Exception as exc:
                text = str(exc).lower()
                if not any(m in text for m in ("insufficient funds", "cannot afford")):
                    raise
                # out of gas money: top the account up and send the same transaction again
                self.fund(account.address)
                return self.chain.send_raw(raw, self.config.tx_timeout)
        except Exception:
            self.nonces.pop(account.address, None)  # resynchronise from the chain next time
            raise

    def send(self, account: LocalAccount, to: str | None, data: str, gas: int) -> dict[str, Any]:
        """Sign, send and return the receipt; TxFailed when it reverted."""
        raw, _ = self.sign(account, to, data, gas)
        receipt = self.submit(raw, account)
        if receipt.get("status") != 1:
            raise TxFailed(f"transaction from {account.address} reverted")
        return receipt

    # -- the token's calls --------------------------------------------------------------------
    def deploy(self, artifact: Artifact) -> str:
        """Deploy the token (admin signs; the minter, cap and period from the config) and use it."""
        c = self.config
        factory = self.chain.w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
        data = factory.constructor(c.token_name, c.token_symbol, self.keys.address(MINTER),
                                   to_wei(c.cap_per_period), c.period_seconds).data_in_transaction
        receipt = self.send(self.keys.account(ADMIN), None, data, c.gas_deploy)
        self.token = receipt["contractAddress"]
        return self.token

    def admin_call(self, fn: str, *args: Any) -> None:
        self.send(self.keys.account(ADMIN), self.token, encode_call(fn, list(args)),
                  self.config.gas_admin)

    def mint_tx(self, recipients: list[str], entries: list[JournalEntry]) -> tuple[bytes, str]:
        """The minter's signed ``mint`` (one entry) or ``mintBatch`` (up to MAX_BATCH) of
        ``entries``, paid to ``recipients`` (their addresses, in order)."""
        reasons: dict[str, bytes] = {}
        args = (recipients, [e.amount_wei for e in entries],
                [bytes.fromhex(e.entry_id[2:]) for e in entries],
                [reasons.get(e.reason) or reasons.setdefault(e.reason, reason_hash(e.reason))
                 for e in entries])
        minter = self.keys.account(MINTER)
        if len(entries) == 1:
            data = encode_call("mint", [a[0] for a in args])
            return self.sign(minter, self.token, data, self.config.gas_mint)
        data = encode_call("mintBatch", list(args))
        gas = self.config.gas_batch_base + self.config.gas_batch_item * len(entries)
        return self.sign(minter, self.token, data, gas)

    def submit_mint(self, raw: bytes) -> dict[str, Any]:
        return self.submit(raw, self.keys.account(MINTER))

    def transfer_tx(self, account: LocalAccount, to: str, wei: int) -> tuple[bytes, str]:
        """``account``'s signed token transfer of ``wei`` to the address ``to``."""
        return self.sign(account, self.token, encode_call("transfer", [to, wei]),
                         self.config.gas_transfer)

    def remaining_cap(self) -> int:
        """Wei the minter may still mint in this period."""
        return self.chain.call_uint(self.keys.address(MINTER), self.token,
                                    encode_call("remaining_cap", []))
