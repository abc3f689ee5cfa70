"""Verifies the recorded escrow's source on an Etherscan-compatible explorer.

    ETHERSCAN_API_KEY=... ape run verify --network ethereum:sepolia:node

The API endpoint is $ETHERSCAN_API_URL (default: Etherscan's multichain v2 API); the chain
id selects the explorer's network.
"""

import os
import subprocess
from pathlib import Path

import click
from ape.cli import ConnectedProviderCommand

from bountychain import deployments
from bountychain.verify import verify

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_API_URL = "https://api.etherscan.io/v2/api"


@click.command(cls=ConnectedProviderCommand)
@click.option("--deployments-dir", default=None, help="Registry folder (default: ./deployments).")
@click.option("--api-url", default=lambda: os.environ.get("ETHERSCAN_API_URL", DEFAULT_API_URL))
@click.option("--poll-interval", default=5.0, type=float)
def cli(provider, deployments_dir, api_url, poll_interval):
    record = deployments.load(provider.chain_id, deployments.registry_dir(deployments_dir))
    standard_input = ROOT / "build" / "BountyEscrow.standard-input.json"
    subprocess.run(["node", str(ROOT / "tools" / "compile.mjs"), "--out-dir", str(ROOT / "build")], check=True)
    result = verify(record, standard_input, api_url=api_url, api_key=os.environ.get("ETHERSCAN_API_KEY", ""),
                    poll_interval=poll_interval)
    click.echo(f"{record.address} on chain {record.chain_id}: {result}")
