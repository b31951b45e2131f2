"""``LedgerConfig``: the ledger's settings (token, mint cap, snapshots, gas), and where a run's
ledger files live (``resolve_paths``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .amounts import to_wei

__all__ = ["LedgerConfig", "resolve_paths", "STORE_NAME"]

STORE_NAME = "run.db"


@dataclass(frozen=True)
class LedgerConfig:
    # the token, deployed once per run
    token_name: str = "Neurosys"
    token_symbol: str = "NSY"
    cap_per_period: float = 1_000_000.0  # tokens mintable per period
    period_seconds: int = 3600
    # the in-memory view and the embedded chain's snapshots
    snapshot_every: int = 256            # embedded chain: snapshot after this many new entries
    recent: int = 50                     # entries in ledger/recent
    # gas limits of each call (upper bounds for the shipped bytecode), used by the TxSender
    gas_mint: int = 200_000              # one reward
    gas_batch_base: int = 80_000         # mintBatch of n rewards: base + n * item
    gas_batch_item: int = 60_000
    gas_transfer: int = 100_000
    gas_admin: int = 100_000             # set_cap during a replay
    gas_deploy: int = 3_000_000
    operator_ether: int = 10             # ether given to admin and minter for gas (topped up)
    agent_ether: int = 1                 # ether given to each agent account for gas
    tx_timeout: float = 120.0

    def __post_init__(self) -> None:
        for name in ("period_seconds", "snapshot_every", "recent", "gas_mint", "gas_batch_base",
                     "gas_batch_item", "gas_transfer", "gas_admin", "gas_deploy"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"LedgerConfig.{name} must be >= 1, got {getattr(self, name)!r}")
        to_wei(self.cap_per_period, "LedgerConfig.cap_per_period")


def resolve_paths(path: str | Path) -> tuple[Path, Path]:
    """(run store file, ledger folder) from a run directory or a run store file."""
    path = Path(path)
    if path.suffix in (".db", ".sqlite", ".sqlite3") or path.is_file():
        return path, path.parent / "ledger"
    return path / STORE_NAME, path / "ledger"
