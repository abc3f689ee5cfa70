"""Deploys BountyEscrow and records it in deployments/<chain id>.json.

    ape run deploy --network ethereum:sepolia:node --account ALIAS [--fee-recipient ADDR --fee-bps N]

Where the chain has the deterministic deployment proxy (anvil, and the major chains), the escrow
is deployed through it (CREATE2), so the same settings give the same address on every chain.

The record is written as **pending** as soon as the transaction is signed and sent, with the
address it will have, then marked **confirmed** once the transaction is mined and
`--confirmations` more blocks are on top of it (default: the network's
`required_confirmations` in ape's config, 0 on local chains; `--timeout` seconds at most). If
the wait is interrupted, rerun the same command: a pending record is confirmed from the chain,
never deployed a second time.

Refuses, before sending anything, to deploy over a recorded deployment unless --replace. With
--replace the fee and fee recipient of the recorded escrow are kept unless given again, and the
old escrow stays listed in the record's `previous` (it may still hold pledges).
"""

import time

import click
from ape.cli import account_option
from eth_utils import keccak, to_checksum_address
import rlp

from bountychain import deployments
from bountychain._artifacts import load_artifact
from bountychain.deterministic import DEPLOYMENT_PROXY, escrow_init_code, predicted_escrow, proxy_call_data, salt_for
from bountychain.results import ETH
from bountychain.sdk import checksum
from bountychain.sdk.constants import MAX_FEE_BPS
from scripts._escrow import MaintainerCommand


@click.command(cls=MaintainerCommand)
@account_option()
@click.option("--fee-recipient", default=None, help="Who is credited the fee (required with --fee-bps > 0; "
              "with --replace, default: the recorded escrow's).")
@click.option("--fee-bps", default=None, type=click.IntRange(0, MAX_FEE_BPS),
              help="Fee on awards, basis points (default 0; with --replace, the recorded escrow's).")
@click.option("--confirmations", default=None, type=click.IntRange(0),
              help="Blocks on top of the deployment before it is recorded as confirmed (default: the network's "
                   "required_confirmations, 0 on local chains). Until then the record says pending.")
@click.option("--timeout", default=900, type=click.IntRange(1), show_default=True,
              help="Seconds to wait for the confirmations; after that the record stays pending (rerun to confirm).")
@click.option("--deployments-dir", default=None, help="Registry folder (default: ./deployments; "
              "bountychain/registry for an official deployment, shipped with the package).")
@click.option("--replace", is_flag=True, help="Deploy a new escrow over the recorded one (kept in `previous`).")
@click.option("--salt", default=None, help="CREATE2 salt text, for another address than the official one.")
def cli(provider, account, fee_recipient, fee_bps, confirmations, timeout, deployments_dir, replace, salt):
    given_recipient = checksum(fee_recipient, "--fee-recipient") if fee_recipient else None  # before anything else
    chain_id = provider.chain_id
    required = provider.network.required_confirmations if confirmations is None else confirmations
    existing = _recorded(chain_id, deployments_dir)
    if existing is not None and existing.status == "pending" and not replace:
        click.echo(f"chain {chain_id} has a pending deployment of {existing.address} (tx {existing.tx_hash}): "
                   "confirming it, nothing is sent")
        _confirm(provider, existing, required, timeout, deployments_dir)
        return
    if existing is not None and not replace:
        raise click.ClickException(
            f"chain {chain_id} already has an escrow at {existing.address}; pass --replace to deploy a new one "
            "(its fee settings are kept unless given)")
    kept = existing if existing is not None and existing.status == "confirmed" else None
    recipient = (given_recipient if given_recipient
                 else kept.fee_recipient if kept and fee_bps is None else ETH)
    bps = fee_bps if fee_bps is not None else kept.fee_bps if kept else 0
    if bps and recipient == ETH:
        raise click.ClickException("--fee-bps above 0 needs --fee-recipient")
    if kept is not None:
        click.echo(f"replacing {kept.address}: the new escrow charges {bps / 100:g}% to {recipient}"
                   + (" (as the old one)" if (recipient, bps) == (kept.fee_recipient, kept.fee_bps) else ""))

    salt_bytes = salt_for(salt) if salt else salt_for()
    ecosystem = provider.network.ecosystem
    if provider.get_code(DEPLOYMENT_PROXY):
        address = predicted_escrow(recipient, bps, salt_bytes)
        if provider.get_code(address):
            raise click.ClickException(
                f"an escrow with these settings is already deployed at {address} on chain {chain_id} (the same "
                "address on every chain): record it with `--deployments-dir` from its deployer, or pass --salt "
                "for another address")
        txn = ecosystem.create_transaction(receiver=DEPLOYMENT_PROXY, sender=account.address,
                                           data=proxy_call_data(recipient, bps, salt_bytes))
    else:  # no CREATE2 proxy (ape's in-process chain): an ordinary creation, its address from the nonce
        address = to_checksum_address(keccak(rlp.encode([bytes.fromhex(account.address[2:]), account.nonce]))[12:])
        txn = ecosystem.create_transaction(sender=account.address, data=escrow_init_code(recipient, bps))
    txn.required_confirmations = 0
    txn = account.prepare_transaction(txn)
    signed = account.sign_transaction(txn)
    if signed is None:
        raise click.ClickException("the account did not sign the deployment")
    tx_hash = "0x" + bytes(signed.txn_hash).hex()
    previous = tuple(kept.escrows()) if kept is not None else (existing.previous if existing else ())
    pending = deployments.DeploymentRecord(
        chain_id=chain_id, address=address, block_number=0, tx_hash=tx_hash, deployer=account.address,
        fee_recipient=recipient, fee_bps=bps, constructor_args=deployments.constructor_args(recipient, bps),
        compiler=load_artifact("BountyEscrow").compiler, abi_sha256=deployments.abi_sha256(), status="pending",
        previous=previous)
    path = deployments.save(pending, deployments_dir, replace=True)
    click.echo(f"sending the deployment of {address} (tx {tx_hash}); recorded as pending in {path}")
    provider.send_transaction(signed)
    _confirm(provider, pending, required, timeout, deployments_dir)


def _recorded(chain_id, deployments_dir):
    try:
        return deployments.load(chain_id, deployments.registry_dir(deployments_dir))
    except deployments.RegistryError:
        return None


def _confirm(provider, record, required, timeout, deployments_dir):
    """Waits for the recorded transaction's receipt and `required` blocks on top of it, then
    records the deployment as confirmed; leaves it pending, saying so, after `timeout` s."""
    w3 = provider.web3
    deadline = time.monotonic() + timeout
    receipt = None
    while receipt is None:
        try:
            receipt = w3.eth.get_transaction_receipt(record.tx_hash)
        except Exception:  # not mined yet (or unknown to this node)
            if time.monotonic() > deadline:
                raise click.ClickException(
                    f"the deployment {record.tx_hash} is not mined after {timeout} s: the record stays pending; "
                    "rerun this command to confirm it, or pass --replace to send a new one if it was dropped")
            time.sleep(1)
    if receipt["status"] != 1 or not w3.eth.get_code(record.address):
        raise click.ClickException(f"the deployment {record.tx_hash} failed (no escrow at {record.address}); "
                                   "pass --replace to send a new one")
    mined = receipt["blockNumber"]
    while w3.eth.block_number < mined + required:
        if time.monotonic() > deadline:
            raise click.ClickException(
                f"{record.address} is deployed (block {mined}) but has {w3.eth.block_number - mined} of {required} "
                "confirmations: the record stays pending; rerun this command to confirm it (nothing is sent again)")
        time.sleep(1)
    confirmed = deployments.DeploymentRecord(**{**record.__dict__, "block_number": mined, "status": "confirmed"})
    path = deployments.save(confirmed, deployments_dir, replace=True)
    click.echo(f"BountyEscrow deployed at {record.address} on chain {record.chain_id} (block {mined}, "
               f"{required} confirmations); recorded in {path}")
