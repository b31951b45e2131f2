"""``neurosys ledger balances|history|transfer|verify`` on a run directory and a run store file."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from neurosys.cli import main
from neurosys.ledger import Ledger


def test_cli_balances_history_transfer_verify(tmp_path: Path, chain: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    with Ledger(tmp_path, chain=chain) as ledger:
        ledger.reward("alice", 5, "invention", {"p": 1})
        ledger.reward("bob", 2, "learning", {"p": 2})
    assert main(["ledger", "balances", str(tmp_path), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows["alice"]["journal"] == rows["alice"]["chain"] == 5.0
    assert main(["ledger", "transfer", str(tmp_path / "run.db"), "alice", "bob", "1.5"]) == 0
    assert "transferred 1.5" in capsys.readouterr().out
    assert main(["ledger", "history", str(tmp_path), "--json", "--agent", "bob"]) == 0
    hist = json.loads(capsys.readouterr().out)
    assert [(h["kind"], h["amount"], h["status"]) for h in hist] == [
        ("reward", 2.0, "confirmed"), ("transfer", 1.5, "confirmed")]
    assert main(["ledger", "verify", str(tmp_path), "--deep"]) == 0
    assert capsys.readouterr().out.strip().endswith("OK")
    assert main(["ledger", "balances", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "alice" in out and "3.500000" in out


def test_cli_verify_reports_a_broken_journal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with Ledger(tmp_path) as ledger:
        ledger.reward("alice", 5, "invention", {"p": 1})
    conn = sqlite3.connect(tmp_path / "run.db")
    conn.execute("UPDATE ledger_journal SET reason = 'forged' WHERE seq = 1")
    conn.commit()
    conn.close()
    assert main(["ledger", "verify", str(tmp_path)]) == 1
    assert "does not match its hash" in capsys.readouterr().out
    assert main(["ledger", "balances", str(tmp_path)]) == 2
    assert "does not match its hash" in capsys.readouterr().err
    assert main(["ledger", "balances", str(tmp_path / "nothing")]) == 2
    assert "no run store" in capsys.readouterr().err
