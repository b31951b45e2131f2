"""The reward ledger: the system's own ERC-20 token (Vyper, compiled offline) on an embedded
EVM or a JSON-RPC node, a hash-chained journal in the run store, and the economy rules that
turn what agents did into rewards and costs."""

from .amounts import derive_id, from_wei, to_wei
from .chain import TxFailed
from .economy import Economy, EconomyConfig
from .journal import JournalCorrupt
from .keystore import PASSPHRASE_ENV, Keystore
from .ledger import TREASURY, InsufficientBalance, Ledger, LedgerConfig, MintCapExceeded

__all__ = ["Ledger", "LedgerConfig", "Economy", "EconomyConfig", "Keystore", "PASSPHRASE_ENV",
           "InsufficientBalance", "MintCapExceeded", "TxFailed", "JournalCorrupt", "TREASURY",
           "derive_id", "to_wei", "from_wei"]
