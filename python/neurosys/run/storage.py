"""The run store: one SQLite file (WAL mode) that every component logs to.

Writes are queued and committed in batches by one writer thread, so a component never waits on
the disk. WAL mode with ``synchronous=NORMAL`` makes every committed batch survive the process
being killed (SIGKILL loses at most the batch not yet committed) and the file is never left
corrupt. Readers use their own connection and never block the writer.
"""

from __future__ import annotations

import queue
import sqlite3
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

__all__ = ["RunStore", "STORE_SCHEMA_VERSION"]

# Version of the store's own bookkeeping tables (PRAGMA user_version). Components version their
# own tables through create_table(component=..., version=...).
STORE_SCHEMA_VERSION = 1

_IDENT_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def _check_identifier(name: str, argument: str) -> str:
    if not isinstance(name, str) or not name or not set(name) <= _IDENT_CHARS or name[0].isdigit():
        raise ValueError(f"{argument} must be an SQL identifier (letters, digits, _), got {name!r}")
    return name


class _Op:
    """One queued write: an SQL statement with many parameter rows, a schema function run in
    its own savepoint, or (neither) a flush barrier."""

    __slots__ = ("sql", "rows", "fn", "done", "error")

    def __init__(self, sql: str | None, rows: list[Sequence[Any]] | None, wait: bool,
                 fn: Any = None) -> None:
        self.sql = sql
        self.rows = rows
        self.fn = fn
        self.done = threading.Event() if wait else None
        self.error: BaseException | None = None


class RunStore:
    """SQLite run store with a batching writer thread.

    Args:
        path: the database file; created with its parent folder when missing.
        batch_interval: seconds the writer waits to gather a batch before committing.
        max_batch: statements gathered at most in one transaction.
    """

    def __init__(self, path: str | Path, batch_interval: float = 0.1, max_batch: int = 5000) -> None:
        if batch_interval < 0 or batch_interval != batch_interval:
            raise ValueError(f"batch_interval must be >= 0 seconds, got {batch_interval!r}")
        if int(max_batch) < 1:
            raise ValueError(f"max_batch must be >= 1, got {max_batch!r}")
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._batch_interval = float(batch_interval)
        self._max_batch = int(max_batch)
        self._queue: queue.SimpleQueue[_Op | None] = queue.SimpleQueue()
        self._closed = False
        self._lock = threading.Lock()
        self._writer_error: BaseException | None = None

        conn = self._connect()
        try:
            self._init_schema(conn)
        except BaseException:
            conn.close()
            raise
        self._writer_conn = conn
        self._reader = self._connect()
        self._reader_lock = threading.Lock()
        self._thread = threading.Thread(target=self._write_loop, name="neurosys-runstore", daemon=True)
        self._thread.start()

    def _init_schema(self, conn: sqlite3.Connection) -> None:
        with conn:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_versions ("
                " component TEXT NOT NULL, table_name TEXT PRIMARY KEY, version INTEGER NOT NULL,"
                " columns TEXT NOT NULL, created REAL NOT NULL)"
            )
            found = conn.execute("PRAGMA user_version").fetchone()[0]
            if found > STORE_SCHEMA_VERSION:
                raise ValueError(
                    f"path {str(self.path)!r} was written by a newer neurosys (store schema {found},"
                    f" this version reads up to {STORE_SCHEMA_VERSION})"
                )
            conn.execute(f"PRAGMA user_version = {STORE_SCHEMA_VERSION}")

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, check_same_thread=False, timeout=30.0, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA busy_timeout=30000")
        return conn

    # -- schema -----------------------------------------------------------------------------
    def create_table(self, name: str, columns: str, *, component: str, version: int = 1,
                     indexes: Iterable[str] = ()) -> None:
        """Create ``name`` with ``columns`` (SQL column definitions) if it does not exist, and
        record which component owns it and its schema version. A table that exists with an
        older or newer version raises ValueError: migrations are the component's job."""
        _check_identifier(name, "name")
        if not isinstance(columns, str) or not columns.strip():
            raise ValueError("columns must be SQL column definitions, e.g. 'time REAL, value REAL'")
        self._execute_now(
            lambda conn: self._create(conn, name, columns, component, int(version), tuple(indexes)))

    def _create(self, conn: sqlite3.Connection, name: str, columns: str, component: str,
                version: int, indexes: tuple[str, ...]) -> None:
        row = conn.execute("SELECT version FROM schema_versions WHERE table_name=?", (name,)).fetchone()
        if row is not None and row[0] != version:
            raise ValueError(f"table {name!r} has schema version {row[0]} in {str(self.path)!r},"
                             f" component {component!r} expects version {version}")
        conn.execute(f"CREATE TABLE IF NOT EXISTS {name} ({columns})")
        for column in indexes:
            _check_identifier(column, "indexes")
            conn.execute(f"CREATE INDEX IF NOT EXISTS idx_{name}_{column} ON {name} ({column})")
        if row is None:
            conn.execute("INSERT INTO schema_versions VALUES (?, ?, ?, ?, ?)",
                         (component, name, version, columns, time.time()))

    def tables(self) -> dict[str, int]:
        """Table name -> schema version for every component table in the file."""
        return dict(self.query("SELECT table_name, version FROM schema_versions", flush=False))

    # -- writes -----------------------------------------------------------------------------
    def insert(self, table: str, row: Sequence[Any], *, wait: bool = False) -> None:
        """Queue one row for ``table`` (a tuple in column order)."""
        self.insert_many(table, (row,), wait=wait)

    def insert_many(self, table: str, rows: Iterable[Sequence[Any]], *, wait: bool = False) -> None:
        """Queue many rows for ``table``; returns at once unless ``wait`` (then: committed)."""
        rows = list(rows)
        if not rows:
            return
        width = len(rows[0])
        sql = f"INSERT INTO {_check_identifier(table, 'table')} VALUES ({','.join('?' * width)})"
        self._submit(_Op(sql, rows, wait))

    def execute(self, sql: str, params: Sequence[Any] = (), *, wait: bool = False) -> None:
        """Queue one write statement; with ``wait`` return once it is durably committed and
        re-raise its error, if any."""
        self._submit(_Op(sql, [tuple(params)], wait))

    def _submit(self, op: _Op) -> None:
        if self._closed:
            raise ValueError(f"the run store {str(self.path)!r} is closed")
        self._raise_writer_error()
        self._queue.put(op)
        if op.done is not None:
            op.done.wait()
            if op.error is not None:
                raise op.error

    def _execute_now(self, fn: Any) -> None:
        """Run ``fn(conn)`` in its own transaction on the writer thread and wait for it."""
        self._submit(_Op(None, None, True, fn))

    def flush(self, timeout: float | None = None) -> None:
        """Block until every write queued before this call is committed."""
        op = _Op(None, None, True)
        self._queue.put(op)
        if not op.done.wait(timeout):  # type: ignore[union-attr]
            raise TimeoutError(f"run store flush did not finish within {timeout} s")
        self._raise_writer_error()

    def _raise_writer_error(self) -> None:
        if self._writer_error is not None:
            err, self._writer_error = self._writer_error, None
            raise RuntimeError(f"a queued write to {str(self.path)!r} failed: {err}") from err

    def _write_loop(self) -> None:
        conn = self._writer_conn
        stop = False
        while not stop:
            first = self._queue.get()
            batch = [first]
            deadline = time.monotonic() + self._batch_interval
            # Gather more work until the batch is full, the interval is over, or someone waits.
            while len(batch) < self._max_batch and batch[-1] is not None and batch[-1].done is None:
                remaining = deadline - time.monotonic()
                try:
                    batch.append(self._queue.get(timeout=remaining) if remaining > 0
                                 else self._queue.get_nowait())
                except queue.Empty:
                    break
            if batch[-1] is None:
                stop = True
                batch.pop()
            self._commit(conn, batch)
        conn.close()

    def _commit(self, conn: sqlite3.Connection, batch: list[_Op]) -> None:
        waiting = [op for op in batch if op.done is not None]
        try:
            conn.execute("BEGIN")
            for op in batch:
                if op.sql is not None:
                    try:
                        conn.executemany(op.sql, op.rows)
                    except sqlite3.Error as exc:
                        op.error = exc
                        if op.done is None:
                            self._writer_error = exc
                elif op.fn is not None:
                    conn.execute("SAVEPOINT schema_op")
                    try:
                        op.fn(conn)
                        conn.execute("RELEASE schema_op")
                    except (sqlite3.Error, ValueError) as exc:
                        conn.execute("ROLLBACK TO schema_op")
                        conn.execute("RELEASE schema_op")
                        op.error = exc
            conn.execute("COMMIT")
        except sqlite3.Error as exc:  # e.g. disk full: report to every waiter
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            self._writer_error = exc
            for op in waiting:
                op.error = op.error or exc
        for op in waiting:
            op.done.set()  # type: ignore[union-attr]

    # -- reads ------------------------------------------------------------------------------
    def query(self, sql: str, params: Sequence[Any] = (), *, flush: bool = True) -> list[tuple]:
        """Run a read-only query; by default pending writes are committed first so the result
        includes everything written before the call."""
        if self._closed:
            raise ValueError(f"the run store {str(self.path)!r} is closed")
        if flush:
            self.flush()
        with self._reader_lock:
            return self._reader.execute(sql, tuple(params)).fetchall()

    # -- lifecycle --------------------------------------------------------------------------
    def close(self) -> None:
        """Commit everything queued and close the file. Safe to call twice."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._queue.put(None)
        self._thread.join()
        with self._reader_lock:
            self._reader.close()
        self._raise_writer_error()

    @property
    def closed(self) -> bool:
        return self._closed

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"RunStore({str(self.path)!r}{', closed' if self._closed else ''})"
