"""Every agent: id, role, last action, reward, balance, alive."""

from __future__ import annotations

from typing import Any

from neurosys.tui.widgets.table_view import TableView


class AgentsTable(TableView):
    KEYS = ("agents/table",)
    COLUMNS = ("id", "role", "last action", "reward", "balance", "alive")

    def table_rows(self, values: dict[str, Any]) -> list[tuple[Any, ...]]:
        return [tuple(a.get(k) for k in ("id", "role", "last_action", "reward", "balance", "alive"))
                for a in values["agents/table"] or [] if isinstance(a, dict)]
