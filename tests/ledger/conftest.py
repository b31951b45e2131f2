"""Ledger fixtures: every chain-facing test runs on the embedded EVM and on anvil.

The anvil cases use $NEUROSYS_ANVIL_URL when set, else a real anvil node this session starts
itself (installed with npm the first time, tests/ledger/anvil_node.py); they skip, with the
reason, only where there is neither an anvil nor npm."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from neurosys.ledger import Ledger, LedgerConfig
from tests.ledger.anvil_node import AnvilNode, AnvilUnavailable, install

PASSPHRASE = "correct horse battery staple"


@pytest.fixture(scope="session")
def anvil_url() -> Iterator[str]:
    url = os.environ.get("NEUROSYS_ANVIL_URL")
    if url:
        yield url
        return
    try:
        binary = install()
    except AnvilUnavailable as exc:
        pytest.skip(f"no anvil node: {exc}")
    with AnvilNode(binary) as url:
        yield url


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
