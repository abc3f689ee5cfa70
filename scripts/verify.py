"""Verifies the recorded escrow's source on an Etherscan-compatible explorer.

    ETHERSCAN_API_KEY=... ape run verify --network ethereum:sepolia:node

The API endpoint is $ETHERSCAN_API_URL (default: Etherscan's multichain v2 API); the chain
id selects the explorer's network. Everything that can be checked is checked before the
contracts are recompiled: the API key, a public network, a confirmed deployment record.
"""

import os
import subprocess

import click

from bountychain import deployments
from bountychain.chains import chain_name
from bountychain.verify import verify
from scripts._escrow import ROOT, MaintainerCommand

DEFAULT_API_URL = "https://api.etherscan.io/v2/api"


@click.command(cls=MaintainerCommand)
@click.option("--deployments-dir", default=None, help="Registry folder (default: ./deployments).")
@click.option("--api-url", default=lambda: os.environ.get("ETHERSCAN_API_URL", DEFAULT_API_URL))
@click.option("--poll-interval", default=5.0, type=float)
def cli(provider, deployments_dir, api_url, poll_interval):
    api_key = os.environ.get("ETHERSCAN_API_KEY", "")
    if not api_key:
        raise click.ClickException("ETHERSCAN_API_KEY is not set: export ETHERSCAN_API_KEY=... (an API key of "
                                   "etherscan.io, which serves every chain it lists)")
    chain_id = provider.chain_id
    if chain_id in deployments.DEV_CHAIN_IDS:
        raise click.ClickException(f"chain {chain_id} is a local test chain, which no explorer shows: choose the "
                                   "network of the deployment, e.g. --network ethereum:sepolia:node")
    try:
        record = deployments.load(chain_id, deployments.registry_dir(deployments_dir))
    except deployments.RegistryError as exc:
        raise click.ClickException(f"nothing to verify on {chain_name(chain_id)}: {exc}") from None
    if record.status != "confirmed":
        raise click.ClickException(f"the deployment of {record.address} is still pending: rerun `ape run deploy` "
                                   "with the same network to confirm it first")
    standard_input = ROOT / "build" / "BountyEscrow.standard-input.json"
    subprocess.run(["node", str(ROOT / "tools" / "compile.mjs"), "--out-dir", str(ROOT / "build")], check=True)
    result = verify(record, standard_input, api_url=api_url, api_key=api_key, poll_interval=poll_interval)
    click.echo(f"{record.address} on {chain_name(record.chain_id)}: {result}")
