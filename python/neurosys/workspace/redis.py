"""The workspace over the network: the same API as the shared-memory ``Workspace``, on Redis.

``Workspace(name, backend="redis://host:port/db")`` returns a ``RedisWorkspace``. Values are
encoded by the same C++ codec the segments use (``_core.workspace.encode``/``decode``), so a
value written here and read from shared memory (or persisted by one and restored by the other)
is the same bytes; nothing is pickled.

Layout, all under the hash tag ``{name}`` so one workspace lives on one Redis Cluster slot:
    neurosys:{name}:meta        hash: capacity, max_value_bytes, created
    neurosys:{name}:keys        set of the workspace's keys
    neurosys:{name}:k:<key>     hash: v (payload), n (version), t (timestamp), e (expiry or 0)
    neurosys:{name}:changed     pub/sub channel; each write or delete publishes the key
A Lua script bumps the version and publishes in one step, so versions are per key and strictly
increasing, as in a segment; expired keys stay (reading as absent) until ``cleanup_expired``.
Subscriptions and persistence run on the published changes, through the layer both backends
inherit (``base.WorkspaceLayer``: one implementation of callbacks and files).

A server that goes away raises ``WorkspaceUnavailable`` (a ``WorkspaceClosedError``) from every
call; the caller stops, and the values that reached the server before stay there.
"""

from __future__ import annotations

import math
import os
import re
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlparse

import numpy as np

from neurosys._core import workspace as _native
from neurosys.workspace.base import (DEFAULT_CAPACITY, DEFAULT_MAX_VALUE_BYTES, WorkspaceClosedError,
                                     WorkspaceEntry, WorkspaceFullError, WorkspaceLayer,
                                     WorkspaceUnavailable, check_open_args)

__all__ = ["RedisWorkspace", "parse_url"]
MAX_KEY_BYTES = _native.MAX_KEY_BYTES
_NAME = re.compile(r"[A-Za-z0-9_.-]{1,200}")

_WRITE = """
local exists = redis.call('EXISTS', KEYS[1])
if exists == 0 and redis.call('SCARD', KEYS[2]) >= tonumber(ARGV[5]) then return -1 end
local v
if ARGV[6] == '' then v = redis.call('HINCRBY', KEYS[1], 'n', 1)
else v = tonumber(ARGV[6]); redis.call('HSET', KEYS[1], 'n', v) end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 't', ARGV[3], 'e', ARGV[4])
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('PUBLISH', KEYS[3], ARGV[1])
return v
"""
_DELETE = """
local gone = redis.call('DEL', KEYS[1])
if gone == 1 then
  redis.call('SREM', KEYS[2], ARGV[1])
  redis.call('PUBLISH', KEYS[3], ARGV[1])
end
return gone
"""
# Removes every expired key of the workspace (ARGV[1]: now); its key prefix is KEYS[2].
_CLEANUP = """
local n = 0
for _, k in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local e = tonumber(redis.call('HGET', KEYS[2] .. k, 'e') or '0')
  if e ~= 0 and e <= tonumber(ARGV[1]) then
    redis.call('DEL', KEYS[2] .. k)
    redis.call('SREM', KEYS[1], k)
    n = n + 1
  end
end
return n
"""


def parse_url(url: str) -> str:
    """Checks a ``redis://host:port/db`` backend URL; returns it unchanged."""
    parsed = urlparse(url) if isinstance(url, str) else None
    if parsed is None or parsed.scheme != "redis" or not parsed.hostname:
        raise ValueError(f"backend: expected 'shm' or 'redis://host:port/db', got {url!r}")
    try:
        parsed.port  # noqa: B018 - raises on a bad port
        if parsed.path not in ("", "/"):
            int(parsed.path.strip("/"))
    except ValueError:
        raise ValueError(f"backend: expected 'shm' or 'redis://host:port/db', got {url!r}") from None
    return url


@contextmanager
def _reachable(url: str) -> Iterator[None]:
    import redis

    try:
        yield
    except (redis.ConnectionError, redis.TimeoutError) as exc:
        raise WorkspaceUnavailable(f"workspace server {url} is unavailable: {exc}") from exc


class _Changes:
    """The published changes of one workspace, for the watcher and ``wait_for``: a thread reads
    the pub/sub channel, counts messages and remembers which keys changed since the last poll."""

    def __init__(self, client: Any, channel: str) -> None:
        self._pubsub = client.pubsub(ignore_subscribe_messages=True)
        self._pubsub.subscribe(channel)  # before any read: no change between can be missed
        self._cond = threading.Condition()
        self.counter = 0
        self.pending: dict[str, None] = {}
        self.lost: Exception | None = None
        self._stop = False
        self._thread = threading.Thread(target=self._run, name="workspace-redis-changes", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import redis

        while not self._stop:
            try:
                msg = self._pubsub.get_message(timeout=0.25)
            except (redis.ConnectionError, redis.TimeoutError, ValueError, AttributeError) as exc:
                with self._cond:
                    self.lost = exc if not self._stop else None
                    self._stop = True
                    self._cond.notify_all()
                return
            if msg is None:
                continue
            key = msg["data"].decode("utf-8", "replace")
            with self._cond:
                self.counter += 1
                self.pending[key] = None
                self._cond.notify_all()

    def wait(self, seen: int, timeout: float) -> int | None:
        """The counter once it differs from ``seen`` or after ``timeout``; None once stopped."""
        with self._cond:
            self._cond.wait_for(lambda: self.counter != seen or self._stop, timeout)
            return None if self._stop else self.counter

    def take(self) -> list[str]:
        with self._cond:
            keys, self.pending = list(self.pending), {}
            return keys

    def stop(self) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify_all()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        try:
            self._pubsub.close()
        except Exception:  # noqa: BLE001 - the server may be gone already
            pass


class RedisWorkspace(WorkspaceLayer):
    """A workspace on a Redis server; see the module docstring. Arguments as ``Workspace``."""

    def __init__(self, url: str, name: str | None = None, capacity: int = DEFAULT_CAPACITY,
                 max_value_bytes: int = DEFAULT_MAX_VALUE_BYTES, persist_path: Any = None,
                 persist_interval: float | None = None, *, unlink_on_close: bool | None = None,
                 dispatcher_threads: int = 2, create: bool = True) -> None:
        import redis

        self._url = parse_url(url)
        check_open_args(name, capacity, max_value_bytes, persist_path, persist_interval, dispatcher_threads)
        if name is not None and not _NAME.fullmatch(name):
            raise ValueError(f"name: letters, digits and '_-.' (1-200) are accepted, got {name!r}")
        if capacity < 1:
            raise ValueError("capacity: expected a positive integer")
        if max_value_bytes < 64:
            raise ValueError("max_value_bytes: expected an integer >= 64")
        auto_named = name is None
        self._name = name or f"ws-{os.getpid()}-{secrets.token_hex(6)}"
        self._ns = f"neurosys:{{{self._name}}}:"
        self._client = redis.Redis.from_url(url, socket_connect_timeout=5.0, socket_timeout=60.0,
                                            health_check_interval=30)
        self._scripts = {n: self._client.register_script(s)
                         for n, s in (("write", _WRITE), ("delete", _DELETE), ("cleanup", _CLEANUP))}
        self._changes: _Changes | None = None
        self._changes_lock = threading.Lock()
        self._closed = False
        with _reachable(url):
            self._created = self._open_meta(create, capacity, max_value_bytes)
            meta = self._client.hmget(self._ns + "meta", "capacity", "max_value_bytes")
        self._capacity, self._max_value_bytes = int(meta[0]), int(meta[1])
        self._setup(persist_path, persist_interval,
                         auto_named if unlink_on_close is None else unlink_on_close, dispatcher_threads)
        self._restore_on_create()

    def _open_meta(self, create: bool, capacity: int, max_value_bytes: int) -> bool:
        key = self._ns + "meta"
        if not create:
            if not self._client.exists(key):
                raise FileNotFoundError(f"no workspace named {self._name!r} on {self._url}")
            return False
        created = bool(self._client.hsetnx(key, "created", repr(time.time())))
        if created:
            self._client.hset(key, mapping={"capacity": capacity, "max_value_bytes": max_value_bytes})
        else:  # a concurrent creator may still be between its two commands
            for _ in range(100):
                if self._client.hexists(key, "max_value_bytes"):
                    break
                time.sleep(0.01)
        return created

    @classmethod
    def attach(cls, url: str, name: str, *, dispatcher_threads: int = 2) -> RedisWorkspace:
        if not isinstance(name, str):
            raise TypeError(f"name: expected str, got {type(name).__name__}")
        return cls(url, name, unlink_on_close=False, dispatcher_threads=dispatcher_threads, create=False)

    # -- properties as on the shm handle -------------------------------------------------------
    name = property(lambda self: self._name)
    backend = property(lambda self: self._url)
    capacity = property(lambda self: self._capacity)
    max_value_bytes = property(lambda self: self._max_value_bytes)
    created = property(lambda self: self._created)
    reclaimed = property(lambda self: False)
    closed = property(lambda self: self._closed)

    @property
    def used(self) -> int:
        with self._call():
            return int(self._client.scard(self._ns + "keys"))

    # -- checks --------------------------------------------------------------------------------
    @contextmanager
    def _call(self) -> Iterator[None]:
        if self._closed:
            raise WorkspaceClosedError("the workspace handle is closed")
        with _reachable(self._url):
            yield

    @staticmethod
    def _key(key: Any) -> str:
        if not isinstance(key, str):
            raise TypeError(f"key: expected str, got {type(key).__name__}")
        n = len(key.encode("utf-8"))
        if n > MAX_KEY_BYTES:
            raise ValueError(f"key: at most {MAX_KEY_BYTES} bytes of UTF-8 are accepted, got {n}")
        return key

    @staticmethod
    def _seconds(v: Any, what: str) -> float | None:
        if v is None:
            return None
        if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
            raise TypeError(f"{what}: expected a number of seconds or None")
        x = float(v)
        if not (x >= 0) or x > 1e12:
            raise ValueError(f"{what}: expected 0 <= seconds <= 1e12 or None, got {v!r}")
        return x

    # -- values --------------------------------------------------------------------------------
    def write(self, key: str, value: Any, expiration: float | None = None) -> int:
        """write(key, value, expiration=None) -> version."""
        key = self._key(key)
        expiration = self._seconds(expiration, "expiration")
        if self._closed:
            raise WorkspaceClosedError("the workspace handle is closed")
        payload = _native.encode(value, self._max_value_bytes)
        now = time.time()
        expires = now + expiration if expiration is not None else 0.0
        return self._put(key, payload, now, expires, None)

    def _put(self, key: str, payload: bytes, timestamp: float, expires: float, version: int | None) -> int:
        with self._call():
            v = self._scripts["write"](
                keys=[self._ns + "k:" + key, self._ns + "keys", self._ns + "changed"],
                args=[key, payload, repr(timestamp), repr(expires), self._capacity,
                      "" if version is None else int(version)])
        if v < 0:
            raise WorkspaceFullError(f"workspace {self._name!r} is full ({self._capacity} keys)")
        return int(v)

    def _get(self, key: str) -> tuple[bytes, int, float] | None:
        with self._call():
            payload, n, t, e = self._client.hmget(self._ns + "k:" + key, "v", "n", "t", "e")
        if payload is None or (float(e) != 0 and time.time() >= float(e)):
            return None
        return payload, int(n), float(t)

    def read(self, key: str, default: Any = None) -> Any:
        """read(key, default=None): the current value, or default when absent or expired."""
        got = self._get(self._key(key))
        return default if got is None else _native.decode(got[0])

    def read_meta(self, key: str) -> WorkspaceEntry:
        got = self._get(self._key(key))
        if got is None:
            raise KeyError(key)
        return WorkspaceEntry((_native.decode(got[0]), got[1], got[2]))

    def read_into(self, key: str, out: np.ndarray) -> int:
        """Copies an array value into ``out`` (same dtype and element count); returns the version."""
        if not isinstance(out, np.ndarray):
            raise TypeError("out: expected a numpy array")
        if not out.flags.c_contiguous or not out.flags.writeable:
            raise ValueError("out: expected a writeable C-contiguous array")
        got = self._get(self._key(key))
        if got is None:
            raise KeyError(key)
        value = _native.decode(got[0])
        if not isinstance(value, np.ndarray):
            raise ValueError(f"out: the value of {key!r} is not an array")
        if value.dtype != out.dtype or value.size != out.size:
            raise ValueError(f"out: the array under {key!r} has another dtype or element count")
        out.reshape(-1)[...] = value.reshape(-1)
        return got[1]

    def delete(self, key: str) -> bool:
        key = self._key(key)
        with self._call():
            return bool(self._scripts["delete"](
                keys=[self._ns + "k:" + key, self._ns + "keys", self._ns + "changed"], args=[key]))

    def keys(self) -> list[str]:
        """Keys with a live value (one pipelined round trip for their expiry times)."""
        with self._call():
            names = [k.decode() for k in self._client.smembers(self._ns + "keys")]
            pipe = self._client.pipeline(transaction=False)
            for k in names:
                pipe.hget(self._ns + "k:" + k, "e")
            expiries = pipe.execute()
        now = time.time()
        return [k for k, e in zip(names, expiries) if e is not None and (float(e) == 0 or float(e) > now)]

    def cleanup_expired(self) -> int:
        with self._call():
            return int(self._scripts["cleanup"](keys=[self._ns + "keys", self._ns + "k:"],
                                                args=[repr(time.time())]))

    def wait_for(self, key: str, timeout: float | None = None, after_version: int | None = None) -> Any:
        """The value once present (and newer than after_version); TimeoutError otherwise."""
        key = self._key(key)
        timeout = self._seconds(timeout, "timeout")
        if after_version is not None and (isinstance(after_version, bool) or not isinstance(after_version, int)
                                          or after_version < 0):
            raise ValueError("after_version: expected an int >= 0 or None")
        changes = self._listen()
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            seen = changes.counter
            got = self._get(key)
            if got is not None and (after_version is None or got[1] > after_version):
                return _native.decode(got[0])
            left = math.inf if deadline is None else deadline - time.monotonic()
            if left <= 0:
                what = "value" if after_version is None else "newer version"
                raise TimeoutError(f"wait_for({key!r}): no {what} within {timeout:.6g} s")
            if changes.wait(seen, min(left, 0.5)) is None:
                self._raise_if_gone(changes)

    # -- the primitives the shared layer uses ------------------------------------------------
    def _listen(self) -> _Changes:
        with self._changes_lock:
            if self._closed:
                raise WorkspaceClosedError("the workspace handle is closed")
            if self._changes is None:
                with _reachable(self._url):
                    self._changes = _Changes(self._client, self._ns + "changed")
            return self._changes

    def _raise_if_gone(self, changes: _Changes) -> None:
        if changes.lost is not None:
            raise WorkspaceUnavailable(f"workspace server {self._url} is unavailable: {changes.lost}")
        raise WorkspaceClosedError("the workspace handle is closed")

    def _change_counter(self) -> int:
        return self._listen().counter

    def _wait_change(self, seen: int, timeout: float) -> int | None:
        changes = self._changes
        return None if changes is None or self._closed else changes.wait(seen, timeout)

    def _poll_changes(self, snapshot: bool = False) -> list[str]:
        keys = self._listen().take()
        return [] if snapshot else keys

    def _dump(self) -> list[tuple[str, int, float, float, bytes]]:
        names = self.keys()
        with self._call():
            pipe = self._client.pipeline(transaction=False)
            for k in names:
                pipe.hmget(self._ns + "k:" + k, "n", "t", "e", "v")
            rows = pipe.execute()
        return [(k, int(n), float(t), float(e), v) for k, (n, t, e, v) in zip(names, rows) if v is not None]

    def _restore(self, key: str, payload: bytes, version: int, timestamp: float, expires: float) -> int:
        _native.decode(payload)  # the file is input: refuse what the codec would not read back
        return self._put(self._key(key), payload, timestamp, expires, version)

    def _close(self) -> None:
        with self._changes_lock:
            self._closed = True
            changes, self._changes = self._changes, None
        if changes is not None:
            changes.stop()
        self._client.close()

    def unlink(self) -> bool:
        """Removes the workspace's keys from the server (attached handles see it empty)."""
        import redis

        client = self._client if not self._closed else redis.Redis.from_url(self._url, socket_connect_timeout=2.0)
        with _reachable(self._url):
            names = [k.decode() for k in client.smembers(self._ns + "keys")]
            removed = client.delete(self._ns + "meta", self._ns + "keys",
                                    *[self._ns + "k:" + k for k in names])
        if client is not self._client:
            client.close()
        return removed > 0

    def __repr__(self) -> str:
        if self._closed:
            return f"<{type(self).__name__} (closed)>"
        return f"<{type(self).__name__} name={self._name!r} backend={self._url!r}>"

