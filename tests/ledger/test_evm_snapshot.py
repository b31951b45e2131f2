"""The embedded EVM's snapshot file on its own: the head header (of eth-tester's current fork,
read back through py-evm's public HeaderDB), the state and further mining survive a save and a
load into a fresh chain."""

from __future__ import annotations

from pathlib import Path

from web3 import Web3

from neurosys.ledger.chain import EmbeddedChain

ADDRESS = Web3.to_checksum_address("0x" + "00" * 19 + "aa")


def test_snapshot_round_trip_keeps_head_and_state(tmp_path: Path) -> None:
    snap = tmp_path / "evm-snapshot.bin"
    first = EmbeddedChain(snap)
    first.fund(ADDRESS, 3 * 10**18)  # mines a block that changes the state
    first.snapshot({"seq": 7, "contract": "0xabc"})
    head = first.backend.chain.get_canonical_head()

    again = EmbeddedChain(snap)
    assert again.snapshot_info == {"seq": 7, "contract": "0xabc"}
    restored = again.backend.chain.get_canonical_head()
    assert (restored.hash, restored.state_root) == (head.hash, head.state_root)
    assert type(restored) is type(head)
    assert again.w3.eth.get_balance(ADDRESS) == 3 * 10**18
    again.fund(ADDRESS, 10**18)  # mining continues on top of the restored head
    assert again.backend.chain.get_canonical_head().block_number == head.block_number + 1
    assert again.w3.eth.get_balance(ADDRESS) == 4 * 10**18
