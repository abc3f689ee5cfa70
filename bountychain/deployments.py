"""The deployment registry: one JSON file per chain, `deployments/<chain id>.json`, written
by the deploy script and read by the SDK and the command line, so that users pass only an
RPC URL and the escrow of the connected chain is found."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bountychain._artifacts import load_artifact
from bountychain.errors import BountychainError


class RegistryError(BountychainError):
    """No deployment recorded for a chain, or one that would be overwritten."""


@dataclass(frozen=True)
class DeploymentRecord:
    """Everything needed to use, audit and verify one deployed escrow."""

    chain_id: int
    address: str
    block_number: int
    tx_hash: str
    deployer: str
    fee_recipient: str
    fee_bps: int
    constructor_args: str  # ABI-encoded, 0x-hex: what block explorers ask for
    compiler: dict[str, Any]  # version and settings
    abi_sha256: str


def constructor_args(fee_recipient: str, fee_bps: int) -> str:
    """The escrow's ABI-encoded constructor arguments, 0x-hex."""
    from eth_abi import encode

    return "0x" + encode(["address", "uint256"], [fee_recipient, fee_bps]).hex()


def record_for(chain_id: int, deployment: Any, deployer: str) -> DeploymentRecord:
    """A registry record for a `bountychain.Deployment` (what `BountyClient.deploy` returns)."""
    artifact = load_artifact("BountyEscrow")
    return DeploymentRecord(
        chain_id=chain_id,
        address=deployment.address,
        block_number=deployment.block_number,
        tx_hash=deployment.tx_hash,
        deployer=deployer,
        fee_recipient=deployment.fee_recipient,
        fee_bps=deployment.fee_bps,
        constructor_args=constructor_args(deployment.fee_recipient, deployment.fee_bps),
        compiler=artifact.compiler,
        abi_sha256=abi_sha256(artifact.abi),
    )


def abi_sha256(abi: list[dict[str, Any]] | None = None) -> str:
    """A hash of the ABI (canonical JSON), to tell which interface a deployment speaks."""
    abi = load_artifact("BountyEscrow").abi if abi is None else abi
    return hashlib.sha256(json.dumps(abi, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def registry_dir(directory: str | Path | None = None) -> Path:
    """`directory`, else $BOUNTYCHAIN_DEPLOYMENTS, else ./deployments."""
    return Path(directory or os.environ.get("BOUNTYCHAIN_DEPLOYMENTS") or "deployments")


def load(chain_id: int, directory: str | Path | None = None) -> DeploymentRecord:
    """The escrow recorded for a chain; RegistryError if there is none."""
    path = registry_dir(directory) / f"{chain_id}.json"
    if not path.exists():
        raise RegistryError(f"no escrow recorded for chain {chain_id} in {path.parent}/: deploy one, or pass its address")
    return DeploymentRecord(**json.loads(path.read_text()))


def save(record: DeploymentRecord, directory: str | Path | None = None, *, replace: bool = False) -> Path:
    """Records a deployment; refuses to overwrite one unless `replace`."""
    path = registry_dir(directory) / f"{record.chain_id}.json"
    if path.exists() and not replace:
        existing = json.loads(path.read_text())
        raise RegistryError(
            f"chain {record.chain_id} already has an escrow recorded at {existing.get('address')} ({path}); "
            "pass replace to record a new one"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(asdict(record), indent=2) + "\n")
    return path
