"""Spawn and retire events of the agent manager, newest first."""

from __future__ import annotations

from typing import Any

from neurosys.tui.widgets.table_view import TableView
from neurosys.workspace import keys


class AgentEvents(TableView):
    KEYS = (keys.AGENTS_EVENTS,)
    COLUMNS = ("time", "event", "id", "role", "reason")

    def table_rows(self, values: dict[str, Any]) -> list[tuple[Any, ...]]:
        events = [e for e in values[keys.AGENTS_EVENTS] or [] if isinstance(e, dict)]
        return [tuple(e.get(k) for k in ("time", "kind", "id", "role", "reason"))
                for e in reversed(events)]
