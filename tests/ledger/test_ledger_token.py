"""The token contract through the ledger: mint, batch mint, transfer, overdraw, cap, minter role,
and the shipped ABI and bytecode against a fresh compile."""

from __future__ import annotations

import pytest
from web3.logs import DISCARD

from neurosys.ledger import InsufficientBalance, MintCapExceeded, TxFailed
from neurosys.ledger.contract import compile_source, load_artifact

ONE = 10**18


def test_shipped_artifact_matches_fresh_compile() -> None:
    shipped, fresh = load_artifact(), compile_source()
    assert shipped.source_sha256 == fresh.source_sha256, "NeurosysToken.vy changed: recompile"
    assert shipped.abi == fresh.abi
    assert shipped.bytecode == fresh.bytecode


def test_mint_pays_once_and_emits_reward(open_ledger) -> None:
    ledger = open_ledger()
    rid = ledger.reward("alice", 3, "invention", {"program": "ab", "epoch": 7})
    again = ledger.reward("alice", 3, "invention", {"epoch": 7, "program": "ab"})  # same evidence
    assert rid == again
    assert ledger.balance("alice") == 3.0
    assert ledger.chain_balance("alice") == 3.0
    assert ledger.token.functions.paid(bytes.fromhex(rid[2:])).call()
    assert ledger.token.functions.totalSupply().call() == 3 * ONE
    receipt = ledger.chain.w3.eth.get_transaction_receipt(ledger.history()[-1]["tx_hash"])
    events = ledger.token.events.Reward().process_receipt(receipt, errors=DISCARD)
    assert [e["args"]["reward_id"].hex() for e in events] == [rid[2:]]
    assert events[0]["args"]["amount"] == 3 * ONE


def test_batch_mint_many_recipients(open_ledger) -> None:
    ledger = open_ledger()
    rewards = [(f"agent-{i % 5}", 0.25 * (i + 1), "learning", {"i": i}) for i in range(260)]
    ids = ledger.reward_many(rewards)
    assert len(set(ids)) == 260
    for k in range(5):
        want = sum(0.25 * (i + 1) for i in range(260) if i % 5 == k)
        assert ledger.chain_balance(f"agent-{k}") == pytest.approx(want, abs=1e-12)
        assert ledger.balance(f"agent-{k}") == ledger.chain_balance(f"agent-{k}")
    # 260 rewards went out as two mintBatch transactions (256 + 4)
    assert len({h["tx_hash"] for h in ledger.history() if h["kind"] == "reward"}) == 2
    assert ledger.reward_many(rewards) == ids  # idempotent as a batch too
    assert ledger.verify(deep=True)["ok"]


def test_transfer_and_overdraw_refused(open_ledger) -> None:
    ledger = open_ledger()
    ledger.reward("alice", 10, "seed", {"n": 1})
    ledger.transfer("alice", "bob", 4)
    assert (ledger.balance("alice"), ledger.balance("bob")) == (6.0, 4.0)
    assert (ledger.chain_balance("alice"), ledger.chain_balance("bob")) == (6.0, 4.0)
    entries = len(ledger.history())
    with pytest.raises(InsufficientBalance, match="cannot pay"):
        ledger.transfer("alice", "bob", 6.5)
    assert len(ledger.history()) == entries  # nothing journaled
    # the contract itself refuses an overdraw signed by the account
    alice = ledger.keys.account(ledger.accounts.index("alice"))
    data = ledger.token.encode_abi("transfer", [ledger.address("bob"), 7 * ONE])
    with pytest.raises(TxFailed):
        ledger.sender.send(alice, ledger.token.address, data, 100_000)
    assert ledger.chain_balance("alice") == 6.0


def test_mint_cap_enforced(open_ledger) -> None:
    ledger = open_ledger(cap_per_period=10.0, period_seconds=10**9)
    ledger.reward("alice", 6, "r", {"n": 1})
    with pytest.raises(MintCapExceeded, match="cap"):
        ledger.reward("alice", 5, "r", {"n": 2})
    with pytest.raises(MintCapExceeded):
        ledger.reward_many([("bob", 2, "r", {"n": 3}), ("bob", 3, "r", {"n": 4})])
    ledger.reward("alice", 4, "r", {"n": 5})  # exactly up to the cap
    assert ledger.balance("alice") == 10.0
    # the contract enforces it too, whatever the caller checks
    minter = ledger.keys.account(1)
    data = ledger.token.encode_abi("mint", [ledger.address("bob"), 1, b"\x01" * 32, b"\x00" * 32])
    with pytest.raises(TxFailed):
        ledger.sender.send(minter, ledger.token.address, data, 200_000)
    assert ledger.verify()["ok"]


def test_only_the_minter_mints(open_ledger) -> None:
    ledger = open_ledger()
    assert ledger.token.functions.minter().call() == ledger.keys.address(1)
    assert ledger.token.functions.admin().call() == ledger.keys.address(0)
    data = ledger.token.encode_abi("mint", [ledger.address("eve"), ONE, b"\x02" * 32, b"\x00" * 32])
    for signer in (ledger.keys.account(0), ledger.keys.account(ledger.accounts.index("eve"))):
        with pytest.raises(TxFailed):
            ledger.sender.send(signer, ledger.token.address, data, 200_000)
    # the minter cannot change roles or the cap; only the admin can
    with pytest.raises(TxFailed):
        ledger.sender.send(ledger.keys.account(1), ledger.token.address,
                     ledger.token.encode_abi("set_minter", [ledger.keys.address(1)]), 100_000)
    assert ledger.chain_balance("eve") == 0.0
    assert ledger.token.functions.totalSupply().call() == 0


def test_bad_amounts_rejected(open_ledger) -> None:
    ledger = open_ledger()
    for bad in (0, -1, float("nan"), float("inf"), "3", 1e-19, True):
        with pytest.raises(ValueError, match="amount"):
            ledger.reward("alice", bad, "r", {"bad": repr(bad)})
    with pytest.raises(ValueError, match="reason"):
        ledger.reward("alice", 1, "", {})
    with pytest.raises(ValueError, match="agent_id"):
        ledger.reward("", 1, "r", {})
    with pytest.raises(ValueError, match="differ"):
        ledger.transfer("alice", "alice", 1)
    assert ledger.history() == []


def test_history_and_workspace_keys(tmp_path, chain: str) -> None:
    workspace_mod = pytest.importorskip("neurosys.workspace",
                                        reason="neurosys.workspace (issue: workspace) not built yet")
    from neurosys.ledger import Ledger

    ws = workspace_mod.Workspace(f"nsledger{abs(hash(str(tmp_path))) % 10**8}")
    try:
        with Ledger(tmp_path, chain=chain, workspace=ws) as ledger:
            ledger.reward("alice", 2, "invention", {"n": 1})
            ledger.transfer("alice", "bob", 0.5, reason="collaboration", evidence={"s": 1})
            assert ws.read("ledger/balances") == {"alice": 1.5, "bob": 0.5}
            recent = ws.read("ledger/recent")
            assert [(r["kind"], r["src"], r["dst"], r["amount"], r["reason"]) for r in recent] == [
                ("reward", "", "alice", 2.0, "invention"),
                ("transfer", "alice", "bob", 0.5, "collaboration")]
            assert [h["reason"] for h in ledger.history("bob")] == ["collaboration"]
            assert len(ledger.history(limit=1)) == 1
    finally:
        ws.close()
        ws.unlink()


def test_account_out_of_gas_money_is_topped_up(tmp_path) -> None:
    from neurosys.ledger import Ledger

    with Ledger(tmp_path) as ledger:
        ledger.reward("alice", 5, "r", {})
        alice = ledger.keys.account(ledger.accounts.index("alice"))
        w3, gas_price = ledger.chain.w3, ledger.chain.gas_price()
        drain = alice.sign_transaction({
            "to": ledger.keys.address(0), "gas": 21000, "gasPrice": gas_price, "chainId": ledger.chain.chain_id,
            "value": w3.eth.get_balance(alice.address) - 21000 * gas_price,
            "nonce": w3.eth.get_transaction_count(alice.address)})
        w3.eth.send_raw_transaction(drain.raw_transaction)
        assert w3.eth.get_balance(alice.address) == 0
        ledger.sender.nonces.clear()
        ledger.transfer("alice", "bob", 1)  # journaled, then sent again after the top-up
        assert ledger.chain_balance("bob") == 1.0 and ledger.verify()["ok"]
