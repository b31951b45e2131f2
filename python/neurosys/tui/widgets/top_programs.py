"""The most common programs in the soup with their counts."""

from __future__ import annotations

from typing import Any

from neurosys.tui.widgets.table_view import TableView


class TopPrograms(TableView):
    KEYS = ("soup/top_programs",)
    COLUMNS = ("count", "program")

    def table_rows(self, values: dict[str, Any]) -> list[tuple[Any, ...]]:
        return [(p.get("count"), p.get("program")) for p in values["soup/top_programs"] or []
                if isinstance(p, dict)]
