"""Deploys BountyEscrow and records it in deployments/<chain id>.json.

    ape run deploy --network ethereum:local:foundry --account ALIAS [--fee-recipient ADDR --fee-bps N]

Refuses, before sending anything, to deploy over a recorded deployment unless --replace.
"""

import click
from ape.cli import ConnectedProviderCommand, account_option

from bountychain import deployments
from bountychain._artifacts import load_artifact
from bountychain.sdk import checksum
from bountychain.sdk.constants import MAX_FEE_BPS
from bountychain.results import ETH
from scripts._escrow import escrow_container


@click.command(cls=ConnectedProviderCommand)
@account_option()
@click.option("--fee-recipient", default=None, help="Who is credited the fee (required with --fee-bps > 0).")
@click.option("--fee-bps", default=0, type=click.IntRange(0, MAX_FEE_BPS), help="Fee on awards, basis points.")
@click.option("--confirmations", default=None, type=click.IntRange(0), help="Blocks to wait (default: the network's).")
@click.option("--deployments-dir", default=None, help="Registry folder (default: ./deployments; "
              "bountychain/registry for an official deployment, shipped with the package).")
@click.option("--replace", is_flag=True, help="Record a new deployment over the existing one.")
def cli(provider, account, fee_recipient, fee_bps, confirmations, deployments_dir, replace):
    chain_id = provider.chain_id
    recipient = checksum(fee_recipient, "--fee-recipient") if fee_recipient else ETH
    if fee_bps and recipient == ETH:
        raise click.UsageError("--fee-bps above 0 needs --fee-recipient")
    try:
        existing = deployments.load(chain_id, deployments.registry_dir(deployments_dir))
    except deployments.RegistryError:
        existing = None
    if existing and not replace:
        raise click.ClickException(
            f"chain {chain_id} already has an escrow at {existing.address}; pass --replace to deploy a new one"
        )

    kwargs = {} if confirmations is None else {"required_confirmations": confirmations}
    escrow = account.deploy(escrow_container(), recipient, fee_bps, **kwargs)
    receipt = provider.get_receipt(escrow.txn_hash)
    record = deployments.DeploymentRecord(
        chain_id=chain_id,
        address=escrow.address,
        block_number=receipt.block_number,
        tx_hash=receipt.txn_hash if receipt.txn_hash.startswith("0x") else "0x" + receipt.txn_hash,
        deployer=account.address,
        fee_recipient=recipient,
        fee_bps=fee_bps,
        constructor_args=deployments.constructor_args(recipient, fee_bps),
        compiler=load_artifact("BountyEscrow").compiler,
        abi_sha256=deployments.abi_sha256(),
    )
    path = deployments.save(record, deployments_dir, replace=replace)
    click.echo(f"BountyEscrow deployed at {escrow.address} on chain {chain_id} (block {record.block_number}); "
               f"recorded in {path}")
