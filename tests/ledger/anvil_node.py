"""A real anvil node (Foundry's dev chain) for the ledger tests and bench, from the npm package
``@foundry-rs/anvil``, which ships its binary: installed with npm into build/tools/anvil (ignored
by git) the first time, then started on 127.0.0.1 on a free port.

    with AnvilNode() as url:         # http://127.0.0.1:PORT
        ...
    python -m tests.ledger.anvil_node   # start one, print its URL, stop on Ctrl-C
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

from neurosys.cluster.redis_server import free_port, stop_process

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "@foundry-rs/anvil"
VERSION = os.environ.get("NEUROSYS_ANVIL_VERSION", "1.7.1")
PREFIX = Path(os.environ.get("NEUROSYS_ANVIL_PREFIX", ROOT / "build" / "tools" / "anvil"))


class AnvilUnavailable(RuntimeError):
    """No anvil binary, and no npm to install one with."""


def installed_binary(prefix: Path = PREFIX) -> str | None:
    """The platform package's binary under ``prefix`` (npm's .bin wrapper is a node script that
    execs it), else an anvil on PATH."""
    for candidate in sorted((prefix / "node_modules" / "@foundry-rs").glob("anvil-*/bin/anvil")):
        if os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which("anvil")


def install(prefix: Path = PREFIX, timeout: float = 600.0) -> str:
    """The anvil binary, installed with npm into ``prefix`` if it is not there yet."""
    binary = installed_binary(prefix)
    if binary is not None:
        return binary
    npm = shutil.which("npm")
    if npm is None:
        raise AnvilUnavailable(f"no anvil on PATH or under {prefix}, and no npm to install "
                               f"{PACKAGE} with")
    prefix.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([npm, "install", "--prefix", str(prefix), "--no-save", "--no-audit",
                           "--no-fund", f"{PACKAGE}@{VERSION}"],
                          capture_output=True, text=True, timeout=timeout)
    binary = installed_binary(prefix)
    if done.returncode != 0 or binary is None:
        raise AnvilUnavailable(f"npm install {PACKAGE}@{VERSION} failed (exit {done.returncode}): "
                               f"{done.stderr.strip()[-800:]}")
    return binary


def rpc_ready(url: str) -> bool:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}).encode()
    try:
        req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
        urllib.request.urlopen(req, timeout=1).read()
        return True
    except OSError:
        return False


class AnvilNode:
    """``with AnvilNode() as url:`` a running anvil at ``url``, stopped at the end."""

    def __init__(self, binary: str | None = None) -> None:
        self.binary = binary
        self.url = ""
        self._proc: subprocess.Popen | None = None

    def start(self, timeout: float = 30.0) -> str:
        binary = self.binary or install()
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self._proc = subprocess.Popen([binary, "--host", "127.0.0.1", "--port", str(port), "--silent"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while not rpc_ready(self.url):
            if self._proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"anvil at {binary} did not answer on {self.url} within {timeout} s")
            time.sleep(0.1)
        return self.url

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            stop_process(proc)

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


if __name__ == "__main__":
    with AnvilNode() as url:
        print(url, flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
