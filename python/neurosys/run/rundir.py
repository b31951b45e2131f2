"""The run directory (runs/<timestamp>/: config.toml, run.db, neurosys.log, summary.txt) and the
central logging that writes to the console (rich), the log file and the run store."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

__all__ = ["make_run_dir", "StoreLogHandler", "setup_logging", "LOG_TABLE"]

LOG_TABLE = "system_log"


def make_run_dir(root: str | Path) -> Path:
    """A new, empty ``root/<YYYYmmdd-HHMMSS>`` folder (suffixed -2, -3... when taken)."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for n in range(1, 1000):
        path = root / (stamp if n == 1 else f"{stamp}-{n}")
        try:
            path.mkdir()
            return path
        except FileExistsError:
            continue
    raise FileExistsError(f"no free run directory name under {str(root)!r} for {stamp}")


class StoreLogHandler(logging.Handler):
    """Queues every record into the run store's log table (never blocks on the disk)."""

    def __init__(self, store: Any, level: int = logging.INFO) -> None:
        super().__init__(level)
        self.store = store
        store.create_table(LOG_TABLE, "time REAL, level TEXT, logger TEXT, message TEXT",
                           component="system", version=1, indexes=("time",))

    def emit(self, record: logging.LogRecord) -> None:
        if self.store.closed:
            return
        try:
            self.store.insert(LOG_TABLE, (record.created, record.levelname, record.name,
                                          self.format(record)))
        except Exception:  # logging must never take the system down
            self.handleError(record)


def setup_logging(level: str, log_file: Path | None, store: Any | None,
                  console: bool = True) -> list[logging.Handler]:
    """Attach console, file and store handlers to the ``neurosys`` logger; returns them so the
    caller can detach them at the end of the run."""
    logger = logging.getLogger("neurosys")
    logger.setLevel(level)
    handlers: list[logging.Handler] = []
    if console:
        from rich.console import Console
        from rich.logging import RichHandler

        handlers.append(RichHandler(console=Console(stderr=True), show_path=False,
                                    log_time_format="%H:%M:%S"))
    if log_file is not None:
        fh = logging.FileHandler(log_file, encoding="utf-8")
        fh.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handlers.append(fh)
    if store is not None:
        handlers.append(StoreLogHandler(store))
    for h in handlers:
        h.setLevel(level)
        logger.addHandler(h)
    return handlers


def teardown_logging(handlers: list[logging.Handler]) -> None:
    logger = logging.getLogger("neurosys")
    for h in handlers:
        logger.removeHandler(h)
        h.close()
