"""Every agent: id, role, last action, reward, balance, alive."""

from __future__ import annotations

from typing import Any

from neurosys.tui.widgets.table_view import TableView
from neurosys.workspace import keys


class AgentsTable(TableView):
    KEYS = (keys.AGENTS_TABLE,)
    COLUMNS = ("id", "role", "last action", "reward", "balance", "alive")

    def table_rows(self, values: dict[str, Any]) -> list[tuple[Any, ...]]:
        return [tuple(a.get(k) for k in ("id", "role", "last_action", "reward", "balance", "alive"))
                for a in values[keys.AGENTS_TABLE] or [] if isinstance(a, dict)]
