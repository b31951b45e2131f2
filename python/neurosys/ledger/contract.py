"""The token contract: the Vyper source and its compiled ABI and bytecode, shipped as package
data in ``contract_artifacts/`` so a run never needs the compiler. ``python -m
neurosys.ledger.contract`` recompiles (needs ``vyper``, a test dependency) and rewrites the
artifact; a test checks they match."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

__all__ = ["Artifact", "load_artifact", "encode_call", "compile_source", "SOURCE_NAME", "VYPER_VERSION"]

SOURCE_NAME = "NeurosysToken.vy"
ARTIFACT_NAME = "NeurosysToken.json"
VYPER_VERSION = "0.4.3"
_PACKAGE = "neurosys.ledger"
_FOLDER = "contract_artifacts"  # package data beside this module (in the wheel with it)


@dataclass(frozen=True)
class Artifact:
    abi: list[dict[str, Any]]
    bytecode: str  # 0x-prefixed creation code
    vyper_version: str
    source_sha256: str


def source_text() -> str:
    return resources.files(_PACKAGE).joinpath(_FOLDER, SOURCE_NAME).read_text()


@lru_cache(maxsize=1)
def load_artifact() -> Artifact:
    """The shipped compiled contract."""
    data = json.loads(resources.files(_PACKAGE).joinpath(_FOLDER, ARTIFACT_NAME).read_text())
    return Artifact(data["abi"], data["bytecode"], data["vyper_version"], data["source_sha256"])


@lru_cache(maxsize=None)
def _function(name: str) -> tuple[bytes, list[str]]:
    from eth_utils import keccak

    for item in load_artifact().abi:
        if item.get("type") == "function" and item["name"] == name:
            types = [i["type"] for i in item["inputs"]]
            return keccak(text=f"{name}({','.join(types)})")[:4], types
    raise ValueError(f"the token has no function {name!r}")


def encode_call(name: str, args: list[Any]) -> str:
    """Calldata for the token's function ``name`` (eth-abi directly: web3's encoder is slow on
    batches of hundreds of items)."""
    import eth_abi

    selector, types = _function(name)
    return "0x" + (selector + eth_abi.encode(types, args)).hex()


def compile_source() -> Artifact:
    """Compile the shipped source with the installed Vyper (must be the pinned version)."""
    import vyper  # test/dev dependency only

    if vyper.__version__.split("+")[0] != VYPER_VERSION:
        raise RuntimeError(f"the token is pinned to vyper {VYPER_VERSION}, found {vyper.__version__}")
    src = source_text()
    out = vyper.compile_code(src, output_formats=["abi", "bytecode"], contract_path=SOURCE_NAME)
    return Artifact(out["abi"], out["bytecode"], VYPER_VERSION,
                    hashlib.sha256(src.encode()).hexdigest())


def _write(artifact: Artifact) -> str:
    path = resources.files(_PACKAGE).joinpath(_FOLDER, ARTIFACT_NAME)
    text = json.dumps({"abi": artifact.abi, "bytecode": artifact.bytecode,
                       "vyper_version": artifact.vyper_version,
                       "source_sha256": artifact.source_sha256}, indent=1) + "\n"
    with open(str(path), "w") as fh:
        fh.write(text)
    return str(path)


if __name__ == "__main__":
    print("wrote", _write(compile_source()))
