"""Restart: balances restored exactly (snapshot + journal tail, or replay), SIGKILL in the middle
of a burst of rewards, and a tampered journal detected."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from neurosys.ledger import JournalCorrupt, Ledger, LedgerConfig

HERE = Path(__file__).resolve().parent


def _fill(ledger: Ledger) -> None:
    ledger.reward_many([(f"agent-{i % 3}", 1.5 + i, "seed", {"i": i}) for i in range(12)])
    ledger.reward("agent-0", 2.25, "invention", {"program": "0x2b2d"})
    ledger.transfer("agent-0", "agent-1", 3.5)
    ledger.transfer("agent-2", "agent-0", 1.125, reason="collab", evidence={"svc": 1})


def test_restart_restores_balances_exactly(tmp_path: Path, chain: str) -> None:
    with Ledger(tmp_path, chain=chain, config=LedgerConfig(snapshot_every=5)) as ledger:
        _fill(ledger)
        before = ledger.balances_all()
        history = ledger.history()
        address = ledger.token.address
    with Ledger(tmp_path, chain=chain) as again:
        assert again.token.address == address  # same contract: snapshot or node state
        assert again.balances_all() == before
        assert {a: again.chain_balance(a) for a in before} == before
        assert again.history() == history
        assert again.verify(deep=True)["ok"]
        again.reward("agent-1", 1, "after_restart", {"n": 1})
        assert again.balance("agent-1") == before["agent-1"] + 1


def test_replay_when_the_snapshot_is_gone(tmp_path: Path) -> None:
    with Ledger(tmp_path) as ledger:
        _fill(ledger)
        before = ledger.balances_all()
    (tmp_path / "ledger" / "evm-snapshot.bin").unlink()
    with Ledger(tmp_path) as again:  # a fresh chain: deploy and replay the whole journal
        assert again.balances_all() == before
        assert {a: again.chain_balance(a) for a in before} == before
        assert again.verify(deep=True)["ok"]


def _run_burst_and_kill(path: Path, chain: str, n: int, kill_after: int) -> int:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    proc = subprocess.Popen([sys.executable, str(HERE / "burst_child.py"), str(path), chain, str(n),
                             "25"], stdout=subprocess.PIPE, text=True, env=env)
    seen = 0
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.strip().isdigit():
            seen = int(line)
        if seen >= kill_after:
            proc.send_signal(signal.SIGKILL)
            break
    proc.communicate(timeout=60)  # waits, and closes the pipe
    assert proc.returncode == -signal.SIGKILL, "the burst ended before it was killed"
    return seen


def test_sigkill_mid_burst_then_restart(tmp_path: Path, chain: str) -> None:
    n = 120
    killed_at = _run_burst_and_kill(tmp_path, chain, n, kill_after=60)
    with Ledger(tmp_path, chain=chain) as ledger:
        assert len(ledger.entries) >= killed_at
        report = ledger.verify(deep=True)
        assert report["ok"], report
        # balances equal the journal: recompute from the journal rows themselves
        want: dict[str, int] = {}
        for e in ledger.entries:
            assert ledger.status[e.entry_id] == "confirmed"
            if e.src:
                want[e.src] = want.get(e.src, 0) - e.amount_wei
            want[e.dst] = want.get(e.dst, 0) + e.amount_wei
        for agent, wei in want.items():
            assert ledger.token.functions.balanceOf(ledger.address(agent)).call() == wei
        # finish the same burst: what was paid before the kill is not paid again
        from tests.ledger.burst_child import burst

        burst(ledger, n)
        assert ledger.token.functions.totalSupply().call() == n * 10**18
        n_transfers = sum(1 for i in range(1, n + 1) if i % 7 == 0)
        assert ledger.chain_balance("sink") <= 0.5 * n_transfers
        rewards = [e for e in ledger.entries if e.kind == "reward"]
        assert len(rewards) == len({e.entry_id for e in rewards}) == n
        assert ledger.verify(deep=True)["ok"]


def test_tampered_journal_is_detected(tmp_path: Path) -> None:
    with Ledger(tmp_path) as ledger:
        _fill(ledger)
    edits = [("UPDATE ledger_journal SET amount_wei = '999000000000000000000' WHERE seq = 3",
              "seq 3"),
             ("DELETE FROM ledger_journal WHERE seq = 3", "seq 4")]  # applied one after another
    for sql, broken_at in edits:
        conn = sqlite3.connect(tmp_path / "run.db")
        conn.execute(sql)
        conn.commit()
        conn.close()
        with pytest.raises(JournalCorrupt, match=broken_at):
            Ledger(tmp_path)


def test_torn_snapshot_record_is_ignored(tmp_path: Path) -> None:
    with Ledger(tmp_path, config=LedgerConfig(snapshot_every=4)) as ledger:
        _fill(ledger)
        before = ledger.balances_all()
    snap = tmp_path / "ledger" / "evm-snapshot.bin"
    good = snap.read_bytes()
    snap.write_bytes(good + b"NSS1" + (10**6).to_bytes(8, "little") + b"torn by a crash")
    torn = snap.read_bytes()
    with Ledger(tmp_path, read_only=True) as reader:  # a reader never touches the file
        assert reader.balances_all() == before
        with pytest.raises(ValueError, match="read-only"):
            reader.reward("agent-0", 1, "r", {})
    assert snap.read_bytes() == torn
    with Ledger(tmp_path) as again:
        assert again.balances_all() == before and again.verify()["ok"]
        assert snap.read_bytes()[:len(good)] == good
