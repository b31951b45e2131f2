"""The most common programs in the soup with their counts, and whether the replicator detector
confirmed each one ("yes"/"no"; it checks only programs with more than one copy, so a unique
one shows nothing). Programs print as their instructions, other bytes as ``·``."""

from __future__ import annotations

from typing import Any

from neurosys.tui.widgets.table_view import TableView
from neurosys.workspace import keys


class TopPrograms(TableView):
    KEYS = (keys.SOUP_TOP_PROGRAMS, keys.SOUP_REPLICATORS)
    COLUMNS = ("count", "replicator", "program")

    def table_rows(self, values: dict[str, Any]) -> list[tuple[Any, ...]]:
        replicators = set(values[keys.SOUP_REPLICATORS] or [])
        rows = []
        for p in values[keys.SOUP_TOP_PROGRAMS] or []:
            if not isinstance(p, dict):
                continue
            count, program = p.get("count"), p.get("program")
            checked = isinstance(count, int) and count > 1
            rows.append((count, ("yes" if program in replicators else "no") if checked else "",
                         program))
        return rows
