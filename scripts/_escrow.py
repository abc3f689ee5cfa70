"""Shared by the ape scripts: the escrow's shipped artifact as an ape contract container."""

from ape.contracts import ContractContainer
from ethpm_types import ContractType

from bountychain._artifacts import load_artifact


def escrow_container() -> ContractContainer:
    artifact = load_artifact("BountyEscrow")
    contract_type = ContractType.model_validate({
        "contractName": artifact.name,
        "sourceId": "contracts/BountyEscrow.sol",
        "abi": artifact.abi,
        "deploymentBytecode": {"bytecode": artifact.bytecode},
        "runtimeBytecode": {"bytecode": artifact.deployed_bytecode},
    })
    return ContractContainer(contract_type)
