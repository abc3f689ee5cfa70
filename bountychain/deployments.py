"""The deployment registry: one JSON file per chain, `<chain id>.json`, written by the deploy
script and read by the SDK and the command line, so that users pass only an RPC URL and the
escrow of the connected chain is found.

Where a record is read from, and why (a folder anyone can ship is not trusted by accident):

- the folder the caller names (`--deployments DIR`, `deployments=`), else
  `$BOUNTYCHAIN_DEPLOYMENTS`: the user's explicit choice;
- else the official registry shipped inside the package (`bountychain/registry/`), never the
  current directory: a cloned repository with its own `./deployments` folder must not redirect
  pledges to a look-alike escrow. A `./deployments` record is named in the error, with the flag
  that opts in to it;
- else (`locate`, with no folder named) the canonical escrow, if the chain holds it at the
  address a fee-free escrow of this version has on every chain (deployed through the CREATE2
  proxy: `bountychain.create2`), its code checked.

`check_escrow` then tells whether the contract at an address really is this version's escrow
(its runtime code, immutables masked, equals the shipped artifact's; its immutables are
consistent, and its review contract is the one it deployed) and whether it is an official
deployment. The command line refuses any other escrow on a public chain unless
`--allow-unofficial-escrow`; on a local dev chain (ids 1337, 31337) an escrow with the right
code is fine: nobody publishes official ones there.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, fields
from importlib import resources
from pathlib import Path
from typing import Any

from eth_utils import keccak, to_checksum_address

from bountychain._artifacts import Artifact, load_artifact
from bountychain.chains import chain_name
from bountychain.create2 import (
    CANONICAL_FEE_BPS,
    CANONICAL_FEE_RECIPIENT,
    DEPLOYMENT_PROXY,
    canonical_escrow,
    constructor_args,
)
from bountychain.errors import BountychainError

# Local development chains (anvil, hardhat, ganache): escrows there are throwaway, never official.
DEV_CHAIN_IDS = frozenset({1337, 31337})


class RegistryError(BountychainError):
    """No deployment recorded for a chain, or one that would be overwritten."""


class UnofficialEscrow(BountychainError):
    """The contract is not this version's escrow, or not an official deployment of it."""


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
    # "pending" from the moment the deployment is sent until it has its confirmations
    # (`block_number` is 0 until it is mined), then "confirmed".
    status: str = "confirmed"
    # The escrows this chain's record held before (`--replace`), oldest first, each a record's
    # fields: they may still hold pledges, so they stay listed and reachable.
    previous: tuple[dict[str, Any], ...] = ()

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DeploymentRecord:
        """A record from its JSON, ignoring fields a newer version may add."""
        known = {f.name for f in fields(cls)}
        values = {key: value for key, value in data.items() if key in known}
        values["previous"] = tuple(values.get("previous") or ())
        return cls(**values)

    def escrows(self) -> list[dict[str, Any]]:
        """Every escrow recorded for this chain, the current one last."""
        current = {key: value for key, value in asdict(self).items() if key != "previous"}
        return [*self.previous, current]


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
    """Where deployments are written: `directory`, else $BOUNTYCHAIN_DEPLOYMENTS, else
    ./deployments (reading never falls back to the current directory: see `load`)."""
    return Path(directory or os.environ.get("BOUNTYCHAIN_DEPLOYMENTS") or "deployments")


def official_dir() -> Path:
    """The official registry shipped with the package (maintainers record public deployments
    there: `ape run deploy ... --deployments-dir bountychain/registry`)."""
    return Path(str(resources.files("bountychain").joinpath("registry")))


def official_record(chain_id: int) -> DeploymentRecord | None:
    path = official_dir() / f"{chain_id}.json"
    return DeploymentRecord.from_json(json.loads(path.read_text())) if path.is_file() else None


def load(chain_id: int, directory: str | Path | None = None) -> DeploymentRecord:
    """The escrow recorded for a chain in `directory`, else $BOUNTYCHAIN_DEPLOYMENTS, else the
    official registry; RegistryError if there is none."""
    chosen = directory or os.environ.get("BOUNTYCHAIN_DEPLOYMENTS")
    if chosen:
        path = Path(chosen) / f"{chain_id}.json"
        if not path.exists():
            raise RegistryError(f"no escrow recorded for chain {chain_id} in {path.parent}/: deploy one, "
                                "or pass its address")
        return DeploymentRecord.from_json(json.loads(path.read_text()))
    record = official_record(chain_id)
    if record is not None:
        return record
    raise RegistryError(f"no official escrow is recorded for {_chain_words(chain_id)}{_where_else(chain_id)}")


def locate(w3: Any, chain_id: int, directory: str | Path | None = None) -> DeploymentRecord:
    """The escrow to use on a chain: `load`'s record; where no folder is named and the official
    registry has none for the chain, the canonical escrow (no fee, `bountychain.create2`) at the
    address it has on every chain, if the chain holds it with this version's code. RegistryError,
    in one sentence saying what to do, if there is neither. (Why finding it there is safe:
    docs/DESIGN.md, "One escrow address on every chain".)"""
    try:
        return load(chain_id, directory)
    except RegistryError:
        if directory or os.environ.get("BOUNTYCHAIN_DEPLOYMENTS"):
            raise  # the folder the user named is the only place to look
    found = canonical_record(w3, chain_id)
    if found is None:
        raise RegistryError(f"no official escrow is recorded for {_chain_words(chain_id)}, and none is deployed at "
                            f"the address a fee-free escrow of this version has on every chain ({canonical_escrow()})"
                            f"{_where_else(chain_id)}")
    return found


def canonical_record(w3: Any, chain_id: int) -> DeploymentRecord | None:
    """A record for the canonical escrow if the chain holds it (its code checked by
    `check_escrow`, which raises UnofficialEscrow if something else is there), else None. Its
    deployment block is found from the code's history where the node keeps it (else 0: log
    scans then start at the genesis block); its transaction is not known."""
    address = canonical_escrow()
    if not w3.eth.get_code(address):
        return None
    check_escrow(w3, address, chain_id)
    artifact = load_artifact("BountyEscrow")
    return DeploymentRecord(
        chain_id=chain_id, address=address, block_number=_first_block_with_code(w3, address), tx_hash="",
        deployer=DEPLOYMENT_PROXY, fee_recipient=CANONICAL_FEE_RECIPIENT, fee_bps=CANONICAL_FEE_BPS,
        constructor_args=constructor_args(CANONICAL_FEE_RECIPIENT, CANONICAL_FEE_BPS), compiler=artifact.compiler,
        abi_sha256=abi_sha256(artifact.abi))


def _first_block_with_code(w3: Any, address: str) -> int:
    """The first block whose state holds code at `address` (a binary search over eth_getCode
    at past blocks: about log2(height) requests); 0 if the node keeps no such history."""
    low, high = 0, int(w3.eth.block_number)
    try:
        while low < high:
            middle = (low + high) // 2
            if w3.eth.get_code(address, block_identifier=middle):
                high = middle
            else:
                low = middle + 1
    except Exception:  # a pruned node refuses old state: scan logs from the start instead
        return 0
    return low


def _chain_words(chain_id: int) -> str:
    name = chain_name(chain_id)
    return name if name == f"chain {chain_id}" else f"{name} (chain {chain_id})"


def _where_else(chain_id: int) -> str:
    """What to do when no escrow is known for a chain, with a word on a `./deployments` record
    of the current directory, which is never read unless named."""
    local = Path("deployments") / f"{chain_id}.json"
    if not local.is_file():
        return (": pass the escrow's address (--escrow ADDRESS on the command line, escrow= in the SDK), or deploy "
                "one (`ape run deploy`, or `bountychain node` for a local chain)")
    if chain_id in DEV_CHAIN_IDS:  # `bountychain node` wrote it: say how to use it, calmly
        return (f"; {local} in the current directory is read only when named: pass --deployments deployments "
                "or export BOUNTYCHAIN_DEPLOYMENTS as `bountychain node` prints")
    return (f"; {local} in the current directory is not read unless you ask for it (a cloned repository "
            "could point you at someone else's escrow): pass --deployments deployments if you trust it")


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
    data = asdict(record)
    data["previous"] = list(record.previous)
    path.write_text(json.dumps(data, indent=2) + "\n")
    return path


# --- is it really the escrow? -------------------------------------------------------------

@dataclass(frozen=True)
class EscrowCheck:
    """What `check_escrow` found: the escrow's code is this version's; `official` if the
    package's registry lists it for its chain, or it is the canonical escrow (no fee, at the
    address this version's code has on every chain)."""

    address: str
    review: str
    chain_id: int
    official: bool

    @property
    def dev_chain(self) -> bool:
        return self.chain_id in DEV_CHAIN_IDS


def runtime_code_hash(code: bytes, artifact: Artifact) -> bytes:
    """keccak256 of runtime code with its immutables zeroed (the constructor writes them, so
    they differ between deployments): equal for every deployment of the same artifact."""
    masked = bytearray(code)
    for references in artifact.immutable_references.values():
        for ref in references:
            masked[ref["start"]:ref["start"] + ref["length"]] = bytes(ref["length"])
    return keccak(bytes(masked))


def immutable_values(code: bytes, artifact: Artifact) -> dict[str, set[bytes]]:
    """Each immutable's values in the code: one per immutable in code a constructor wrote; a
    crafted code could write different ones at the places it is read."""
    return {key: {code[ref["start"]:ref["start"] + ref["length"]] for ref in refs}
            for key, refs in artifact.immutable_references.items()}


def _is_artifact_code(code: bytes, name: str) -> bool:
    artifact = load_artifact(name)
    expected = bytes.fromhex(artifact.deployed_bytecode.removeprefix("0x"))
    return (len(code) == len(expected) and runtime_code_hash(code, artifact) == runtime_code_hash(expected, artifact)
            and all(len(values) == 1 for values in immutable_values(code, artifact).values()))


def check_escrow(w3: Any, address: str, chain_id: int) -> EscrowCheck:
    """Checks, from the chain, that `address` holds this version's BountyEscrow, deployed by
    its constructor as far as code can tell: runtime code equal to the artifact's with its
    immutables masked, each immutable one value, a fee within the cap, a domain separator of
    its own, and a review contract that is BountyReview's code bound to this escrow. Raises
    UnofficialEscrow naming what differs."""
    address = to_checksum_address(address)
    where = f"{address} on chain {chain_id}"
    code = bytes(w3.eth.get_code(address))
    if not code:
        raise UnofficialEscrow(f"there is no contract at {where}")
    if not _is_artifact_code(code, "BountyEscrow"):
        raise UnofficialEscrow(f"the contract at {where} is not this version's BountyEscrow: its runtime code "
                               "differs from the shipped artifact's")
    escrow = w3.eth.contract(address=address, abi=load_artifact("BountyEscrow").abi)
    # The cap is a constant of the code just checked; the fee, an immutable a crafted code could set.
    fee_bps, cap = int(escrow.functions.feeBps().call()), int(escrow.functions.MAX_FEE_BPS().call())
    if fee_bps > cap:
        raise UnofficialEscrow(f"the escrow at {where} charges a fee of {fee_bps / 100:g}%, above the "
                               f"{cap / 100:g}% its constructor allows: it was not deployed by it")
    name, version, domain_chain, verifying = escrow.functions.eip712Domain().call()[1:5]
    expected_domain = _domain_separator(name, version, domain_chain, verifying)
    if verifying != address or bytes(escrow.functions.DOMAIN_SEPARATOR().call()) != expected_domain:
        raise UnofficialEscrow(f"the escrow at {where} signs solutions for another domain than its own")
    review = to_checksum_address(escrow.functions.review().call())
    if not _is_artifact_code(bytes(w3.eth.get_code(review)), "BountyReview"):
        raise UnofficialEscrow(f"the escrow at {where} uses a review contract ({review}) that is not BountyReview's code")
    bound_to = w3.eth.contract(address=review, abi=load_artifact("BountyReview").abi).functions.escrow().call()
    if to_checksum_address(bound_to) != address:
        raise UnofficialEscrow(f"the review contract {review} of the escrow at {where} serves another escrow ({bound_to})")
    record = official_record(chain_id)
    listed = {entry["address"] for entry in record.escrows()} if record is not None else set()
    canonical = address == canonical_escrow()
    if canonical and (fee_bps, to_checksum_address(escrow.functions.feeRecipient().call())) != (
            CANONICAL_FEE_BPS, CANONICAL_FEE_RECIPIENT):
        raise UnofficialEscrow(f"the contract at {where}, the canonical escrow's address, charges a fee: it was not "
                               "deployed by the canonical escrow's creation code")
    # The canonical escrow is as good as a listed one: its address is a function of this
    # version's creation code with no fee, so nobody chose anything about it.
    return EscrowCheck(address, review, chain_id, official=address in listed or canonical)


def _domain_separator(name: str, version: str, chain_id: int, verifying_contract: str) -> bytes:
    from eth_abi import encode

    typehash = keccak(b"EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)")
    return keccak(encode(["bytes32", "bytes32", "bytes32", "uint256", "address"],
                         [typehash, keccak(name.encode()), keccak(version.encode()), chain_id, verifying_contract]))
