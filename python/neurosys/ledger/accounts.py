"""``Accounts``: which HD account of the run's keystore belongs to which agent id (recorded in the
journal on first use), the operator roles (admin, minter, treasury), and gas money for an
agent's account."""

from __future__ import annotations

from typing import TYPE_CHECKING

from eth_account.signers.local import LocalAccount

from .journal import Journal
from .keystore import Keystore

if TYPE_CHECKING:
    from .sender import TxSender

__all__ = ["Accounts", "ADMIN", "MINTER", "TREASURY", "TREASURY_INDEX", "FIRST_AGENT"]

ADMIN, MINTER, TREASURY_INDEX, FIRST_AGENT = 0, 1, 2, 3  # HD indices of the roles, then agents
TREASURY = "treasury"  # the agent id of the account that charges are paid to


class Accounts:
    """Agent ids to HD indices and their keys; a new agent's account is journaled and funded.

    Args:
        keys: the run's keystore (derives the account at an index).
        journal: where the agent -> index table lives.
        sender: funds an agent's account with gas money.
        read_only: unknown agents are refused instead of created.
    """

    def __init__(self, keys: Keystore, journal: Journal, sender: TxSender, read_only: bool) -> None:
        self.keys = keys
        self.journal = journal
        self.sender = sender
        self.read_only = read_only
        self.agents: dict[str, int] = journal.accounts()
        self.agents.setdefault(TREASURY, TREASURY_INDEX)

    def index(self, agent_id: str) -> int:
        """The HD index of ``agent_id``; the account is created (and funded) on first use."""
        if not isinstance(agent_id, str) or not agent_id or len(agent_id) > 128:
            raise ValueError(f"agent_id must be a non-empty str of at most 128 characters,"
                             f" got {agent_id!r}")
        index = self.agents.get(agent_id)
        if index is None:
            if self.read_only:
                raise ValueError(f"unknown agent {agent_id!r} (the ledger is open read-only)")
            index = max(self.agents.values(), default=FIRST_AGENT - 1) + 1
            index = max(index, FIRST_AGENT)
            self.journal.add_account(agent_id, index, self.keys.address(index))
            self.agents[agent_id] = index
            self.ensure_funded(agent_id)
        return index

    def address(self, agent_id: str) -> str:
        return self.keys.address(self.index(agent_id))

    def account(self, agent_id: str) -> LocalAccount:
        return self.keys.account(self.index(agent_id))

    def ensure_funded(self, agent_id: str) -> None:
        """Give the agent's account gas money when it runs low (``TxSender.fund``)."""
        self.sender.fund(self.address(agent_id))
