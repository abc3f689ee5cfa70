"""`bountychain node`: a local anvil chain with an escrow deployed and recorded, for trying
things, until Ctrl-C."""

from __future__ import annotations

import signal
import sys
import time

import click
from rich.panel import Panel
from rich.text import Text

from bountychain import deployments as registry
from bountychain.cli._context import command, get_settings
from bountychain.cli._errors import SetupError
from bountychain.cli._output import kv_table
from bountychain.sdk import BountyClient, deploy_contract, send_transaction


@command()
@click.option("--port", type=click.IntRange(1, 65535), help="Port of the node (default: a free one).")
def node(port: int | None) -> None:
    """Start a local anvil chain with an escrow (fee 0) and a funded key, until Ctrl-C."""
    from bountychain.devchain import AnvilNode

    settings = get_settings()
    ui = settings.ui
    with ui.status("starting anvil and deploying the escrow..."):
        chain = AnvilNode(port=port)
    try:
        # Ctrl-C, or SIGINT from a script (even where the shell started us ignoring it), and
        # SIGTERM all stop the node through the `finally` below.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        dev = chain.new_account()
        client = BountyClient.deploy(chain, dev)
        assert client.deployment is not None
        record = registry.record_for(chain.chain_id, client.deployment, dev.address)
        # Absolute: the printed export must work from any directory (the registry is never read
        # from the current directory unless named).
        path = registry.save(record, settings.deployments, replace=True).resolve()
        token = deploy_contract(chain.w3, dev, "TestToken", "USD Coin", "USDC", 6)
        send_transaction(chain.w3, dev, token.functions.mint(dev.address, 1_000_000 * 10**6))
        key = "0x" + bytes(dev.key).hex()
        data = {"rpc": chain.url, "chain_id": chain.chain_id, "escrow": client.address, "registry": str(path),
                "address": dev.address, "private_key": key, "test_token": token.address}

        def human_view() -> None:
            ui.say(Panel(kv_table([
                ("rpc", chain.url), ("chain id", str(chain.chain_id)), ("escrow", client.address),
                ("registry", str(path)), ("funded account", f"{dev.address} (10000 ETH, 1000000 USDC)"),
                ("private key", key), ("test token", f"{token.address} (USDC, 6 decimals, anyone may mint)"),
            ]), title=Text("bountychain dev node", style="bold"), expand=False))
            ui.say(Text("A throwaway key for this local chain only. Try:", style="yellow"))
            ui.say(Text(f"  export BOUNTYCHAIN_RPC={chain.url} BOUNTYCHAIN_DEPLOYMENTS={path.parent} "
                        f"BOUNTYCHAIN_PRIVATE_KEY={key}"))
            ui.say(Text("  bountychain create https://github.com/org/repo/issues/1 --deadline 30d"))
            ui.say(Text("Press Ctrl-C to stop the node."))

        ui.emit(data, human_view)
        sys.stdout.flush()
        while chain.w3.is_connected():
            time.sleep(1)
        raise SetupError("the anvil node stopped answering")
    except KeyboardInterrupt:
        ui.note("stopping the node")
    finally:
        chain.close()


COMMANDS = [node]

__all__ = ["COMMANDS"]
