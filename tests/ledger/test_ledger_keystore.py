"""Accounts: BIP-44 HD keys from one encrypted master secret; no key in the store or logs."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import eth_keyfile
import pytest
from eth_account import Account
from eth_account.hdaccount.mnemonic import Mnemonic

from neurosys.ledger import Keystore, Ledger
PASSPHRASE = "correct horse battery staple"  # as set by conftest.py


def test_accounts_follow_bip44_from_the_encrypted_secret(tmp_path: Path) -> None:
    ks = Keystore(tmp_path / "k.json", PASSPHRASE, scrypt_n=2**12)
    data = json.loads((tmp_path / "k.json").read_text())
    assert data["crypto"]["kdf"] == "scrypt"
    assert (tmp_path / "k.json").stat().st_mode & 0o777 == 0o600
    entropy = eth_keyfile.decode_keyfile_json(data, PASSPHRASE.encode())
    words = Mnemonic().to_mnemonic(bytes(entropy))
    Account.enable_unaudited_hdwallet_features()
    for i in (0, 1, 5):
        assert ks.address(i) == Account.from_mnemonic(words, account_path=f"m/44'/60'/0'/0/{i}").address
    raw = (tmp_path / "k.json").read_text()
    assert words.split()[0] not in raw.split('"') and ks.account(0).key.hex() not in raw
    # reopening yields the same accounts; a wrong passphrase is refused
    assert Keystore(tmp_path / "k.json", PASSPHRASE).address(5) == ks.address(5)
    with pytest.raises(ValueError, match="cannot open the keystore"):
        Keystore(tmp_path / "k.json", "wrong")
    assert "key" not in repr(ks).lower().replace("keystore", "")


def test_passphrase_required(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEUROSYS_LEDGER_PASSPHRASE")
    monkeypatch.setattr("sys.stdin", None)
    with pytest.raises(ValueError, match="NEUROSYS_LEDGER_PASSPHRASE"):
        Keystore(tmp_path / "k.json")
    with pytest.raises(ValueError, match="scrypt_n"):
        Keystore(tmp_path / "k.json", "x", scrypt_n=1000)


def test_no_private_key_in_store_or_logs(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with Ledger(tmp_path) as ledger:
        ledger.reward("alice", 2, "r", {"n": 1})
        ledger.transfer("alice", "bob", 1)
        keys = [ledger.keys.account(i).key for i in range(ledger.accounts.index("bob") + 1)]
    blobs = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()
                     and p.name != "keystore.json")
    text = caplog.text
    for key in keys:
        assert bytes(key) not in blobs
        assert key.hex().encode() not in blobs.lower()
        assert key.hex() not in text
