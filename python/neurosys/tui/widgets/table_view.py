"""A DataTable that shows a list of rows from one workspace key (the tables' shared logic)."""

from __future__ import annotations

from typing import Any

from textual.widgets import DataTable

from neurosys.soup.language import program_text
from neurosys.tui.widgets.base import WorkspaceView


def cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, bytes):  # the only bytes the monitor shows are soup programs
        return program_text(value)
    return "" if value is None else str(value)


class TableView(WorkspaceView, DataTable):
    """Subclasses set KEYS, COLUMNS and implement ``table_rows(values)``."""

    COLUMNS: tuple[str, ...] = ()

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(zebra_stripes=True, cursor_type="row", **kwargs)
        self.add_columns(*self.COLUMNS)

    def table_rows(self, values: dict[str, Any]) -> list[tuple[Any, ...]]:  # pragma: no cover
        raise NotImplementedError

    def show(self, values: dict[str, Any]) -> None:
        self.clear()
        for row in self.table_rows(values):
            self.add_row(*(cell(v) for v in row))
