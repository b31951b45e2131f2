"""Token balance of every account, largest first."""

from __future__ import annotations

from typing import Any

from neurosys.tui.widgets.table_view import TableView
from neurosys.workspace import keys


class Balances(TableView):
    KEYS = (keys.LEDGER_BALANCES,)
    COLUMNS = ("account", "balance")

    def table_rows(self, values: dict[str, Any]) -> list[tuple[Any, ...]]:
        balances = values[keys.LEDGER_BALANCES] or {}
        return sorted(balances.items(), key=lambda kv: (-float(kv[1]), str(kv[0])))
