"""Programs the soup's replicator detector confirmed."""

from __future__ import annotations

from typing import Any

from neurosys.tui.widgets.table_view import TableView


class Replicators(TableView):
    KEYS = ("soup/replicators",)
    COLUMNS = ("#", "replicator")

    def table_rows(self, values: dict[str, Any]) -> list[tuple[Any, ...]]:
        return list(enumerate(values["soup/replicators"] or [], 1))
