"""The workspace's shared Python layer: subscriptions (a watcher thread and a small dispatcher
pool), persistence to a file and restore from it, and lifetime (close, context manager).

Every backend (``shm.Workspace`` on a POSIX shared-memory segment, ``redis.RedisWorkspace`` on a
Redis server) inherits ``WorkspaceLayer`` and supplies the primitives it runs on:
``read``, ``_change_counter``, ``_wait_change``, ``_poll_changes``, ``_dump``, ``_restore``,
``_close``, ``unlink`` and the ``name``/``created``/``closed`` properties. One implementation of
each piece of logic serves both backends.
"""

from __future__ import annotations

import atexit
import logging
import os
import queue
import struct
import threading
import time
import weakref
import zlib
from collections.abc import Callable
from typing import Any

from neurosys._core import workspace as _native

__all__ = ["WorkspaceLayer", "WorkspaceUnavailable", "WorkspaceEntry", "WorkspaceFullError",
           "WorkspaceClosedError", "DEFAULT_CAPACITY", "DEFAULT_MAX_VALUE_BYTES", "check_open_args",
           "Callback"]

logger = logging.getLogger("neurosys.workspace")

WorkspaceEntry = _native.WorkspaceEntry
WorkspaceFullError = _native.WorkspaceFullError
WorkspaceClosedError = _native.WorkspaceClosedError


class WorkspaceUnavailable(WorkspaceClosedError):
    """A networked workspace's server cannot be reached (stopped, restarted or unreachable)."""


DEFAULT_CAPACITY = 256
DEFAULT_MAX_VALUE_BYTES = 256 * 1024
Callback = Callable[[str, Any], Any]

# Handles whose segment name must go when the process ends, even if close() was never called.
_unlink_at_exit: weakref.WeakSet = weakref.WeakSet()


@atexit.register
def _unlink_leftovers() -> None:
    for ws in list(_unlink_at_exit):
        try:
            if not ws.closed:
                ws.unlink()
        except Exception:  # interpreter shutdown: best effort only
            pass


_PERSIST_MAGIC = b"NSWSPERS"
_PERSIST_VERSION = 1
_HEAD = struct.Struct("<8sII")  # magic, format version, entry count
_ENTRY = struct.Struct("<HQddI")  # key bytes, version, timestamp, expires, payload bytes


def check_open_args(name: Any, capacity: Any, max_value_bytes: Any, persist_path: Any,
                    persist_interval: Any, dispatcher_threads: Any) -> None:
    """The checks of a workspace's constructor arguments that every backend shares."""
    if name is not None and not isinstance(name, str):
        raise TypeError(f"name: expected str or None, got {type(name).__name__}")
    for arg, v in (("capacity", capacity), ("max_value_bytes", max_value_bytes)):
        if isinstance(v, bool) or not isinstance(v, int):
            raise TypeError(f"{arg}: expected int, got {type(v).__name__}")
    if persist_interval is not None and not (float(persist_interval) > 0):
        raise ValueError(f"persist_interval: expected seconds > 0 or None, got {persist_interval!r}")
    if persist_interval is not None and persist_path is None:
        raise ValueError("persist_interval: needs persist_path")
    if not isinstance(dispatcher_threads, int) or not 1 <= dispatcher_threads <= 64:
        raise ValueError(f"dispatcher_threads: expected 1..64, got {dispatcher_threads!r}")


class _Dispatcher:
    """A few worker threads; one key always goes to the same worker, so its calls stay ordered."""

    def __init__(self, workers: int) -> None:
        self._queues: list[queue.SimpleQueue] = [queue.SimpleQueue() for _ in range(workers)]
        self._threads = [
            threading.Thread(target=self._run, args=(q,), name=f"workspace-dispatch-{i}", daemon=True)
            for i, q in enumerate(self._queues)
        ]
        for t in self._threads:
            t.start()

    def submit(self, key: str, callbacks: list[Callback], value: Any) -> None:
        self._queues[hash(key) % len(self._queues)].put((key, callbacks, value))

    @staticmethod
    def _run(q: queue.SimpleQueue) -> None:
        while True:
            item = q.get()
            if item is None:
                return
            key, callbacks, value = item
            for cb in callbacks:
                try:
                    cb(key, value)
                except Exception:  # a failing callback must never reach the writer
                    logger.exception("workspace callback %r for key %r raised", cb, key)

    def stop(self) -> None:
        for q in self._queues:
            q.put(None)
        for t in self._threads:
            if t is not threading.current_thread():
                t.join(timeout=5)


class WorkspaceLayer:
    """Subscriptions, persistence and lifetime over a backend's primitives (see the module
    docstring); a backend class lists it first among its bases."""

    def _restore_on_create(self) -> None:
        """A workspace this handle created starts from its persist file, when there is one."""
        if self.created and self._persist_path and os.path.exists(self._persist_path):
            try:
                self.restore(self._persist_path)
            except BaseException:
                self._persist_path = None  # do not overwrite the file we could not read
                self.close()
                raise


    def _setup(self, persist_path: Any, persist_interval: float | None, unlink_on_close: bool,
               dispatcher_threads: int) -> None:
        self._segment_name = self.name  # kept for unlink() after close()
        self._persist_path = os.fspath(persist_path) if persist_path is not None else None
        self._unlink_on_close = unlink_on_close
        if unlink_on_close:
            _unlink_at_exit.add(self)
        self._dispatcher_threads = dispatcher_threads
        self._lock = threading.Lock()
        self._subscribers: dict[str, list[Callback]] = {}
        self._observers: list[Callback] = []
        self._dispatcher: _Dispatcher | None = None
        self._watcher: threading.Thread | None = None
        self._stop = threading.Event()
        self._persister: threading.Thread | None = None
        if persist_interval is not None:
            self._persister = threading.Thread(target=self._persist_loop, args=(float(persist_interval),),
                                               name="workspace-persist", daemon=True)
            self._persister.start()

    # -- subscriptions -------------------------------------------------------------------------
    def subscribe(self, key: str, callback: Callback) -> None:
        """Calls ``callback(key, value)`` after each write of ``key`` (by any process)."""
        if not isinstance(key, str):
            raise TypeError(f"key: expected str, got {type(key).__name__}")
        if not callable(callback):
            raise TypeError("callback: expected a callable taking (key, value)")
        with self._lock:
            self._subscribers[key] = [*self._subscribers.get(key, ()), callback]
            self._ensure_watcher()

    def unsubscribe(self, key: str, callback: Callback) -> None:
        with self._lock:
            callbacks = [cb for cb in self._subscribers.get(key, ()) if cb != callback]
            if callbacks:
                self._subscribers[key] = callbacks
            else:
                self._subscribers.pop(key, None)

    def add_observer(self, callback: Callback) -> None:
        """Calls ``callback(key, value)`` after writes of every key."""
        if not callable(callback):
            raise TypeError("callback: expected a callable taking (key, value)")
        with self._lock:
            self._observers = [*self._observers, callback]
            self._ensure_watcher()

    def remove_observer(self, callback: Callback) -> None:
        with self._lock:
            self._observers = [cb for cb in self._observers if cb != callback]

    def _ensure_watcher(self) -> None:
        if self._watcher is not None:
            return
        self._poll_changes(True)  # only writes from now on are delivered
        self._dispatcher = _Dispatcher(self._dispatcher_threads)
        self._watcher = threading.Thread(target=self._watch, name="workspace-watcher", daemon=True)
        self._watcher.start()

    def _watch(self) -> None:
        # One thread per handle sleeps on the shared futex change counter, so writes made by
        # other processes are seen as quickly as our own.
        try:
            seen = self._change_counter()
            while not self._stop.is_set():
                for key in self._poll_changes():
                    callbacks = [*self._subscribers.get(key, ()), *self._observers]
                    if callbacks:
                        value = self.read(key)
                        self._dispatcher.submit(key, callbacks, value)
                counter = self._wait_change(seen, 0.25)
                if counter is None:
                    return
                seen = counter
        except WorkspaceClosedError:
            return

    # -- persistence ---------------------------------------------------------------------------
    def persist(self, path: str | os.PathLike[str] | None = None) -> int:
        """Saves every live value to ``path`` (default: persist_path) atomically; returns count."""
        target = os.fspath(path) if path is not None else self._persist_path
        if target is None:
            raise ValueError("path: no path given and the workspace has no persist_path")
        rows = self._dump()
        parts = [_HEAD.pack(_PERSIST_MAGIC, _PERSIST_VERSION, len(rows))]
        for key, version, timestamp, expires, payload in rows:
            kb = key.encode()
            parts += [_ENTRY.pack(len(kb), version, timestamp, expires, len(payload)), kb, payload]
        blob = b"".join(parts)
        blob += struct.pack("<I", zlib.crc32(blob))
        tmp = f"{target}.tmp-{os.getpid()}-{threading.get_ident()}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(blob)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, target)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        return len(rows)

    def restore(self, path: str | os.PathLike[str]) -> int:
        """Loads values saved by ``persist``; returns how many were restored (expired ones skip)."""
        with open(path, "rb") as f:
            blob = f.read()
        if len(blob) < _HEAD.size + 4 or zlib.crc32(blob[:-4]) != struct.unpack("<I", blob[-4:])[0]:
            raise ValueError(f"path: {os.fspath(path)!r} is not an intact workspace file (bad checksum)")
        magic, fmt, count = _HEAD.unpack_from(blob, 0)
        if magic != _PERSIST_MAGIC or fmt != _PERSIST_VERSION:
            raise ValueError(f"path: {os.fspath(path)!r} is not a workspace file of format {_PERSIST_VERSION}")
        pos, end, restored = _HEAD.size, len(blob) - 4, 0
        now = time.time()
        for _ in range(count):
            if pos + _ENTRY.size > end:
                raise ValueError("path: truncated workspace file")
            klen, version, timestamp, expires, plen = _ENTRY.unpack_from(blob, pos)
            pos += _ENTRY.size
            if pos + klen + plen > end:
                raise ValueError("path: truncated workspace file")
            key = blob[pos:pos + klen].decode()
            payload = blob[pos + klen:pos + klen + plen]
            pos += klen + plen
            if expires and expires <= now:
                continue
            self._restore(key, payload, version, timestamp, expires)
            restored += 1
        return restored

    def _persist_loop(self, interval: float) -> None:
        while not self._stop.wait(interval):
            try:
                self.persist()
            except WorkspaceClosedError:
                return
            except Exception:
                logger.exception("workspace: periodic persist to %s failed", self._persist_path)

    # -- lifetime ------------------------------------------------------------------------------
    def close(self, *, unlink: bool | None = None) -> None:
        """Stops the watcher and persister, saves to persist_path, and unmaps the segment;
        ``unlink`` overrides ``unlink_on_close`` (False: leave the name to another owner)."""
        if self.closed:
            return
        if unlink is not None:
            self._unlink_on_close = unlink
        self._stop.set()
        if self._persister is not None and self._persister is not threading.current_thread():
            self._persister.join(timeout=10)
        if self._persist_path:
            self.persist()
        if self._unlink_on_close:
            self.unlink()
        self._close()  # wakes the watcher's futex sleep
        if self._watcher is not None and self._watcher is not threading.current_thread():
            self._watcher.join(timeout=5)
        if self._dispatcher is not None:
            self._dispatcher.stop()

    def __enter__(self) -> WorkspaceLayer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __contains__(self, key: str) -> bool:
        try:
            self.read_meta(key)
        except KeyError:
            return False
        return True

