# pragma version 0.4.3
# @title NeurosysToken
# @notice The neurosys reward token: ERC-20 with 18 decimals, a minter role separate from the
#         admin, a per-period mint cap, and a Reward event per reward id (paid at most once).
# @license Apache-2.0

from ethereum.ercs import IERC20

implements: IERC20

MAX_BATCH: constant(uint256) = 256

event Transfer:
    sender: indexed(address)
    receiver: indexed(address)
    value: uint256

event Approval:
    owner: indexed(address)
    spender: indexed(address)
    value: uint256

event Reward:
    reward_id: indexed(bytes32)
    recipient: indexed(address)
    amount: uint256
    reason_hash: bytes32

event MinterChanged:
    minter: indexed(address)

event AdminChanged:
    admin: indexed(address)

event CapChanged:
    cap_per_period: uint256
    period_seconds: uint256

name: public(String[32])
symbol: public(String[8])
decimals: public(constant(uint8)) = 18
totalSupply: public(uint256)
balanceOf: public(HashMap[address, uint256])
allowance: public(HashMap[address, HashMap[address, uint256]])

admin: public(address)
minter: public(address)
# Reward ids already minted: the chain itself refuses to pay an id twice.
paid: public(HashMap[bytes32, bool])

cap_per_period: public(uint256)
period_seconds: public(uint256)
period_index: public(uint256)
minted_in_period: public(uint256)


@deploy
def __init__(_name: String[32], _symbol: String[8], _minter: address,
             _cap_per_period: uint256, _period_seconds: uint256):
    assert _period_seconds > 0, "period must be > 0"
    self.name = _name
    self.symbol = _symbol
    self.admin = msg.sender
    self.minter = _minter
    self.cap_per_period = _cap_per_period
    self.period_seconds = _period_seconds
    self.period_index = block.timestamp // _period_seconds
    log MinterChanged(minter=_minter)
    log AdminChanged(admin=msg.sender)
    log CapChanged(cap_per_period=_cap_per_period, period_seconds=_period_seconds)


@view
@external
def remaining_cap() -> uint256:
    if block.timestamp // self.period_seconds != self.period_index:
        return self.cap_per_period
    if self.minted_in_period >= self.cap_per_period:
        return 0
    return self.cap_per_period - self.minted_in_period


@external
def transfer(receiver: address, amount: uint256) -> bool:
    self._transfer(msg.sender, receiver, amount)
    return True


@external
def transferFrom(sender: address, receiver: address, amount: uint256) -> bool:
    allowed: uint256 = self.allowance[sender][msg.sender]
    assert allowed >= amount, "allowance exceeded"
    if allowed != max_value(uint256):
        self.allowance[sender][msg.sender] = allowed - amount
    self._transfer(sender, receiver, amount)
    return True


@external
def approve(spender: address, amount: uint256) -> bool:
    self.allowance[msg.sender][spender] = amount
    log Approval(owner=msg.sender, spender=spender, value=amount)
    return True


@external
def mint(recipient: address, amount: uint256, reward_id: bytes32, reason_hash: bytes32):
    assert msg.sender == self.minter, "only the minter mints"
    self._use_cap(amount)
    self._mint(recipient, amount, reward_id, reason_hash)


@external
def mintBatch(recipients: DynArray[address, MAX_BATCH], amounts: DynArray[uint256, MAX_BATCH],
              reward_ids: DynArray[bytes32, MAX_BATCH], reason_hashes: DynArray[bytes32, MAX_BATCH]):
    assert msg.sender == self.minter, "only the minter mints"
    n: uint256 = len(recipients)
    assert len(amounts) == n and len(reward_ids) == n and len(reason_hashes) == n, "length mismatch"
    total: uint256 = 0
    for a: uint256 in amounts:
        total += a
    self._use_cap(total)
    for i: uint256 in range(n, bound=MAX_BATCH):
        self._mint(recipients[i], amounts[i], reward_ids[i], reason_hashes[i])


@external
def set_minter(new_minter: address):
    assert msg.sender == self.admin, "only the admin sets the minter"
    self.minter = new_minter
    log MinterChanged(minter=new_minter)


@external
def set_admin(new_admin: address):
    assert msg.sender == self.admin, "only the admin sets the admin"
    assert new_admin != empty(address), "admin cannot be empty"
    self.admin = new_admin
    log AdminChanged(admin=new_admin)


@external
def set_cap(cap_per_period: uint256, period_seconds: uint256):
    assert msg.sender == self.admin, "only the admin sets the cap"
    assert period_seconds > 0, "period must be > 0"
    self.cap_per_period = cap_per_period
    self.period_seconds = period_seconds
    self.period_index = block.timestamp // period_seconds
    self.minted_in_period = 0
    log CapChanged(cap_per_period=cap_per_period, period_seconds=period_seconds)


@internal
def _use_cap(amount: uint256):
    current: uint256 = block.timestamp // self.period_seconds
    if current != self.period_index:
        self.period_index = current
        self.minted_in_period = 0
    used: uint256 = self.minted_in_period + amount
    assert used <= self.cap_per_period, "mint cap exceeded"
    self.minted_in_period = used


@internal
def _mint(recipient: address, amount: uint256, reward_id: bytes32, reason_hash: bytes32):
    assert recipient != empty(address), "mint to the zero address"
    assert not self.paid[reward_id], "reward already paid"
    self.paid[reward_id] = True
    self.totalSupply += amount
    self.balanceOf[recipient] += amount
    log Transfer(sender=empty(address), receiver=recipient, value=amount)
    log Reward(reward_id=reward_id, recipient=recipient, amount=amount, reason_hash=reason_hash)


@internal
def _transfer(sender: address, receiver: address, amount: uint256):
    assert receiver != empty(address), "transfer to the zero address"
    assert self.balanceOf[sender] >= amount, "insufficient balance"
    self.balanceOf[sender] -= amount
    self.balanceOf[receiver] += amount
    log Transfer(sender=sender, receiver=receiver, value=amount)
