"""Accounts: one HD master secret per run, an account per agent on the BIP-44 path
m/44'/60'/0'/0/i. The secret (32 bytes of BIP-39 entropy) is kept only as an encrypted keystore
file (scrypt + AES-128-CTR, the Ethereum keystore v3 format, via eth-keyfile); private keys live
in memory only and are never written to a log, the workspace or the run store."""

from __future__ import annotations

import getpass
import json
import os
import sys
from pathlib import Path

import eth_keyfile
from eth_account import Account
from eth_account.hdaccount import key_from_seed, seed_from_mnemonic
from eth_account.hdaccount.mnemonic import Mnemonic
from eth_account.signers.local import LocalAccount

__all__ = ["Keystore", "PASSPHRASE_ENV", "hd_path"]

PASSPHRASE_ENV = "NEUROSYS_LEDGER_PASSPHRASE"


def hd_path(index: int) -> str:
    if not isinstance(index, int) or index < 0 or index >= 2**31:
        raise ValueError(f"index must be an int in [0, 2**31), got {index!r}")
    return f"m/44'/60'/0'/0/{index}"


def read_passphrase(prompt: str = "ledger keystore passphrase: ") -> str:
    """The passphrase from $NEUROSYS_LEDGER_PASSPHRASE, else a prompt on a terminal."""
    value = os.environ.get(PASSPHRASE_ENV)
    if value:
        return value
    if sys.stdin is not None and sys.stdin.isatty():
        return getpass.getpass(prompt)
    raise ValueError(f"no keystore passphrase: set the environment variable {PASSPHRASE_ENV} "
                     "or run on a terminal to be prompted")


class Keystore:
    """The run's HD wallet, opened from (or created as) an encrypted keystore file.

    Args:
        path: the keystore JSON file; created (mode 0600) with a fresh secret when missing.
        passphrase: None reads it from the environment or a prompt.
        scrypt_n: scrypt work factor used when creating the file (a power of two >= 2**10).
    """

    def __init__(self, path: str | Path, passphrase: str | None = None, *,
                 scrypt_n: int = 2**15) -> None:
        if scrypt_n < 2**10 or scrypt_n & (scrypt_n - 1):
            raise ValueError(f"scrypt_n must be a power of two >= 1024, got {scrypt_n!r}")
        self.path = Path(path)
        secret_pw = (passphrase if passphrase is not None else read_passphrase()).encode()
        if self.path.exists():
            try:
                entropy = eth_keyfile.decode_keyfile_json(json.loads(self.path.read_text()), secret_pw)
            except ValueError as exc:  # wrong MAC: wrong passphrase or a damaged file
                raise ValueError(f"cannot open the keystore {str(self.path)!r}: {exc}") from None
        else:
            entropy = os.urandom(32)
            data = eth_keyfile.create_keyfile_json(entropy, secret_pw, kdf="scrypt",
                                                   iterations=scrypt_n)
            data.pop("address", None)  # the entropy is not itself an account key
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as fh:
                json.dump(data, fh)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        self._seed = seed_from_mnemonic(Mnemonic().to_mnemonic(bytes(entropy)), "")
        self._accounts: dict[int, LocalAccount] = {}

    def account(self, index: int) -> LocalAccount:
        """The account at m/44'/60'/0'/0/index (derived once, cached in memory)."""
        acct = self._accounts.get(index)
        if acct is None:
            acct = Account.from_key(key_from_seed(self._seed, hd_path(index)))
            self._accounts[index] = acct
        return acct

    def address(self, index: int) -> str:
        return self.account(index).address

    def __repr__(self) -> str:  # never show key material
        return f"Keystore({str(self.path)!r}, {len(self._accounts)} accounts derived)"
