"""Recent ledger rewards and transfers, newest first."""

from __future__ import annotations

from typing import Any

from neurosys.tui.widgets.table_view import TableView


class LedgerRecent(TableView):
    KEYS = ("ledger/recent",)
    COLUMNS = ("time", "kind", "from", "to", "amount", "reason")

    def table_rows(self, values: dict[str, Any]) -> list[tuple[Any, ...]]:
        entries = [e for e in values["ledger/recent"] or [] if isinstance(e, dict)]
        return [tuple(e.get(k) for k in ("time", "kind", "src", "dst", "amount", "reason"))
                for e in reversed(entries)]
