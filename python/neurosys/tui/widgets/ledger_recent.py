"""Recent ledger rewards and transfers, newest first, with their local time."""

from __future__ import annotations

from typing import Any

from neurosys.timefmt import local_time
from neurosys.tui.widgets.table_view import TableView
from neurosys.workspace import keys


class LedgerRecent(TableView):
    KEYS = (keys.LEDGER_RECENT,)
    COLUMNS = ("time", "kind", "from", "to", "amount", "reason")

    def table_rows(self, values: dict[str, Any]) -> list[tuple[Any, ...]]:
        entries = [e for e in values[keys.LEDGER_RECENT] or [] if isinstance(e, dict)]
        return [(local_time(e.get("time")), *(e.get(k) for k in ("kind", "src", "dst", "amount",
                                                                  "reason")))
                for e in reversed(entries)]
