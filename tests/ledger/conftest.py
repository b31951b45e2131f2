"""Ledger fixtures: every chain-facing test runs on the embedded EVM and on anvil.

The anvil cases use $NEUROSYS_ANVIL_URL (set by .ci/run through .ci/anvil.sh), else start the
anvil binary installed by .ci/anvil.sh (or one on PATH) for the session, else skip with the
reason."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from neurosys.ledger import Ledger, LedgerConfig

ROOT = Path(__file__).resolve().parents[2]
PASSPHRASE = "correct horse battery staple"


def _anvil_binary() -> str | None:
    for candidate in sorted((ROOT / "build/tools/anvil/node_modules/@foundry-rs").glob("anvil-*/bin/anvil")):
        if os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which("anvil")


def _rpc_ready(url: str) -> bool:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}).encode()
    try:
        req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
        urllib.request.urlopen(req, timeout=1).read()
        return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def anvil_url() -> Iterator[str]:
    url = os.environ.get("NEUROSYS_ANVIL_URL")
    if url:
        yield url
        return
    binary = _anvil_binary()
    if binary is None:
        pytest.skip("no anvil: set NEUROSYS_ANVIL_URL, or run `source .ci/anvil.sh; anvil_start`"
                    " (CI does) to install @foundry-rs/anvil")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([binary, "--host", "127.0.0.1", "--port", str(port), "--silent"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while not _rpc_ready(url):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"anvil at {binary} did not start")
        time.sleep(0.1)
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture(params=["embedded", "anvil"])
def chain(request: pytest.FixtureRequest) -> str:
    if request.param == "anvil":
        return request.getfixturevalue("anvil_url")
    return "embedded"


@pytest.fixture(autouse=True)
def _passphrase(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEUROSYS_LEDGER_PASSPHRASE", PASSPHRASE)


@pytest.fixture
def open_ledger(tmp_path: Path, chain: str) -> Iterator[Callable[..., Ledger]]:
    """Open (and at the end close) ledgers on ``chain`` in ``tmp_path``."""
    opened: list[Ledger] = []

    def factory(path: Path | None = None, **config: object) -> Ledger:
        ledger = Ledger(path or tmp_path, chain=chain, config=LedgerConfig(**config))
        opened.append(ledger)
        return ledger

    yield factory
    for ledger in opened:
        ledger.close()
