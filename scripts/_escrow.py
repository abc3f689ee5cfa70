"""Shared by the ape scripts: the escrow's shipped artifact as an ape contract container, and
the command class that turns every failure on the maintainer's path into one clear line and a
non-zero exit (a missing RPC URL, a malformed address, a missing API key, no network)."""

import os
import re
from pathlib import Path

import click
from ape.cli import ConnectedProviderCommand
from ape.contracts import ContractContainer
from ethpm_types import ContractType

from bountychain._artifacts import load_artifact

ROOT = Path(__file__).resolve().parent.parent


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


def rpc_variables(config: Path = ROOT / "ape-config.yaml") -> dict[str, str]:
    """"ecosystem:network" -> the environment variable its node URI comes from, read from the
    `node:` section of ape-config.yaml (`uri: ${SEPOLIA_RPC_URL}`)."""
    import yaml

    try:
        nodes = (yaml.safe_load(config.read_text()) or {}).get("node") or {}
    except (OSError, yaml.YAMLError):
        return {}
    found = {}
    for ecosystem, networks in nodes.items():
        for network, settings in (networks or {}).items() if isinstance(networks, dict) else ():
            match = re.fullmatch(r"\$\{(\w+)\}", str((settings or {}).get("uri", "")))
            if match:
                found[f"{ecosystem}:{network}"] = match[1]
    return found


def _network_choice(args: list[str]) -> str | None:
    for index, arg in enumerate(args):
        if arg == "--network" and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith("--network="):
            return arg.split("=", 1)[1]
    return None


def _expand_shorthand(args: list[str]) -> list[str]:
    """`--network sepolia` (a shorthand of bountychain.chains) becomes ape's `ethereum:sepolia:node`."""
    from bountychain.chains import chain_by_shorthand

    for index, arg in enumerate(args):
        value = args[index + 1] if arg == "--network" and index + 1 < len(args) else None
        if value and ":" not in value and "://" not in value:
            try:
                chain = chain_by_shorthand(value)
            except ValueError as exc:
                raise click.ClickException(str(exc)) from None
            if chain.ape_network is None:
                raise click.ClickException(f"--network {value}: ape has no network for {chain.name}; give "
                                           "ecosystem:network:provider or an RPC URL")
            args[index + 1] = chain.ape_network
    return args


def one_line(exc: BaseException) -> str:
    """An exception as one line: its message, or its type when it has none."""
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


class MaintainerCommand(ConnectedProviderCommand):
    """An ape script command whose every failure is one `Error: ...` line and exit 1."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        args = _expand_shorthand(list(args))
        network = _network_choice(args)
        if network:
            ecosystem_network = ":".join(network.split(":")[:2])
            variable = rpc_variables().get(ecosystem_network)
            if variable and not os.environ.get(variable):
                raise click.ClickException(f"{variable} is not set: export {variable}=https://... (your "
                                           f"{ecosystem_network} node's URL) before using --network {network}")
        try:
            return super().parse_args(ctx, args)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:  # ape's provider errors: a bad URI, a node that does not answer
            raise click.ClickException(f"cannot connect to --network {network or 'the default network'}: "
                                       f"{one_line(exc)}") from None

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            if os.environ.get("BOUNTYCHAIN_DEBUG"):
                raise
            raise click.ClickException(one_line(exc)) from None
