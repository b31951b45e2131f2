"""Every workspace key with its version and age. Polls the key list itself, since any key
may appear; ages tick, so it redraws each frame while visible."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from textual.widgets import DataTable

from neurosys.tui.widgets.base import key_entry


class WorkspaceKeys(DataTable):
    def __init__(self, clock: Callable[[], float] = time.time, **kwargs: Any) -> None:
        super().__init__(zebra_stripes=True, cursor_type="row", **kwargs)
        self._clock = clock
        self.add_columns("key", "version", "age (s)")

    def poll(self, workspace: Any) -> bool:
        now = self._clock()
        rows = []
        for key in sorted(workspace.keys()):
            meta = key_entry(workspace, key)
            if meta is not None:
                rows.append((key, str(meta[0]), f"{max(0.0, now - meta[1]):.1f}"))
        self.clear()
        for row in rows:
            self.add_row(*row)
        return True
