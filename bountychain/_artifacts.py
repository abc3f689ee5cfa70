"""The compiled contracts shipped inside the package, so the SDK needs no compiler."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class Artifact:
    """A compiled contract: its ABI and creation bytecode, and how it was compiled."""

    name: str
    abi: list[dict[str, Any]]
    bytecode: str
    deployed_bytecode: str
    compiler: dict[str, Any]
    # Immutable id -> where the constructor writes it in the runtime code ({"start", "length"}).
    immutable_references: dict[str, list[dict[str, int]]]


@cache
def load_artifact(name: str) -> Artifact:
    """Loads `bountychain/artifacts/<name>.json` (BountyEscrow or TestToken)."""
    text = resources.files("bountychain").joinpath("artifacts", f"{name}.json").read_text()
    data = json.loads(text)
    return Artifact(
        name=data["contractName"],
        abi=data["abi"],
        bytecode=data["bytecode"],
        deployed_bytecode=data["deployedBytecode"],
        compiler=data["compiler"],
        immutable_references=data.get("immutableReferences", {}),
    )
