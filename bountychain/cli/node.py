"""`bountychain node`: a local anvil chain with an escrow deployed and recorded, for trying
things, until Ctrl-C; `faucet`, ether for an account of it; `escrows`, the escrows a chain's
registry records."""

from __future__ import annotations

import json
import signal
import sys
import time
from pathlib import Path

import click
from rich.panel import Panel
from rich.table import Table
from web3 import Web3
from rich.text import Text

from bountychain import deployments as registry
from bountychain import deterministic
from bountychain.amounts import parse_amount
from bountychain.chains import chain_name
from bountychain.cli._context import command, get_settings, resolve_rpc
from bountychain.cli._errors import CliInputError, SetupError
from bountychain.cli._output import kv_table
from bountychain.cli._params import AMOUNT_ARGUMENTS
from bountychain.cli._session import recorded_escrows
from bountychain.results import ETH
from bountychain.sdk import checksum, deploy_contract, send_transaction
from bountychain.words import ether


@command()
@click.option("--port", type=click.IntRange(1, 65535), help="Port of the node (default: a free one).")
@click.option("--replace", is_flag=True, help="Overwrite a dev-chain record another node left in the registry folder.")
def node(port: int | None, replace: bool) -> None:
    """Start a local anvil chain with an escrow (fee 0) and a funded key, until Ctrl-C.

    The escrow is deployed through the deterministic deployment proxy (CREATE2), as `ape run
    deploy` does, so it has the address a fee-free escrow of this version has on every chain.

    The escrow is recorded in the registry folder (--deployments, $BOUNTYCHAIN_DEPLOYMENTS, else
    ./deployments) as 31337.json while the node runs, and the record is removed when it stops.
    A record another running node wrote there is never overwritten without --replace: start a
    second node with its own --deployments folder."""
    from bountychain.devchain import AnvilNode

    settings = get_settings()
    ui = settings.ui
    target = registry.registry_dir(settings.deployments) / "31337.json"
    if target.exists() and not replace:
        try:
            held = json.loads(target.read_text()).get("address", "an escrow")
        except (OSError, ValueError, AttributeError):
            held = "an escrow"
        raise SetupError(f"{target} already records {held}, probably of another `bountychain node` still running; "
                         "start this one with --deployments OTHER_DIR to keep both, or --replace to overwrite it")
    with ui.status("starting anvil and deploying the escrow..."):
        chain = AnvilNode(port=port)
    written: tuple[Path, str] | None = None
    try:
        # Ctrl-C, or SIGINT from a script (even where the shell started us ignoring it), and
        # SIGTERM all stop the node through the `finally` below.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        dev = chain.new_account()
        # Through the CREATE2 proxy, as `ape run deploy` does: the escrow gets the address it has
        # on every chain with the same settings (fee 0), which `BountyClient.connect` looks for.
        client = deterministic.deploy_client(chain.w3, dev, on_no_proxy=ui.note)
        assert client.deployment is not None
        record = registry.record_for(chain.chain_id, client.deployment, dev.address)
        # Absolute: the printed export must work from any directory (the registry is never read
        # from the current directory unless named).
        path = registry.save(record, settings.deployments, replace=True).resolve()
        written = (path, client.address)
        token = deploy_contract(chain.w3, dev, "TestToken", "USD Coin", "USDC", 6)
        send_transaction(chain.w3, dev, token.functions.mint(dev.address, 1_000_000 * 10**6))
        key = "0x" + bytes(dev.key).hex()
        data = {"rpc": chain.url, "chain_id": chain.chain_id, "escrow": client.address, "registry": str(path),
                "address": dev.address, "private_key": key, "test_token": token.address,
                "deterministic": client.address == deterministic.canonical_escrow()}

        def human_view() -> None:
            ui.say(Panel(kv_table([
                ("rpc", chain.url), ("chain id", str(chain.chain_id)),
                ("escrow", client.address + (" (the same address as on any chain)" if data["deterministic"] else "")),
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
        _forget(written)


def _forget(written: tuple[Path, str] | None) -> None:
    """Removes the record this node wrote, if it still holds its escrow: the chain is gone."""
    if written is None:
        return
    path, address = written
    try:
        if json.loads(path.read_text()).get("address") == address:
            path.unlink()
    except (OSError, ValueError, AttributeError):
        pass


DEV_CHAIN_IDS = registry.DEV_CHAIN_IDS


@command(context_settings=AMOUNT_ARGUMENTS)
@click.argument("address")
@click.argument("amount", default="100 ETH")
def faucet(address: str, amount: str) -> None:
    """Give ADDRESS AMOUNT of ether (default 100 ETH) on a local dev chain (anvil), for trying things."""
    recipient = checksum(address, "ADDRESS")
    wei = parse_amount(amount, token=ETH)
    if wei <= 0:
        raise CliInputError(f"the amount must be positive, got {amount!r}")
    w3 = Web3(Web3.HTTPProvider(resolve_rpc(get_settings()), request_kwargs={"timeout": 60}))
    chain_id = int(w3.eth.chain_id)
    if chain_id not in DEV_CHAIN_IDS:
        raise CliInputError(f"the faucet works only on a local dev chain (ids 31337, 1337); this is "
                            f"{chain_name(chain_id)}: ask a public faucet, or send from a funded account")
    before = int(w3.eth.get_balance(recipient))
    response = w3.provider.make_request("anvil_setBalance", [recipient, hex(before + wei)])  # type: ignore[arg-type]
    if "error" in response:
        raise SetupError("this node refuses anvil_setBalance: the faucet needs anvil (`bountychain node`)")
    after = int(w3.eth.get_balance(recipient))
    ui = get_settings().ui
    ui.emit({"address": recipient, "added": after - before, "balance": after, "chain_id": chain_id},
            lambda: ui.say(f"Gave {ether(after - before)} to {recipient} on {chain_name(chain_id)}: it now holds "
                           f"{ether(after)}"))


@command()
def escrows() -> None:
    """Every escrow the registry records for the connected chain, the older ones first (they may
    still hold pledges: reach one with --escrow ADDRESS), and the ether each holds."""
    settings = get_settings()
    w3 = Web3(Web3.HTTPProvider(resolve_rpc(settings), request_kwargs={"timeout": 60}))
    chain_id = int(w3.eth.chain_id)
    listed = recorded_escrows(chain_id, settings.deployments)
    if not listed:
        raise CliInputError(f"no escrow is recorded for {chain_name(chain_id)} (chain {chain_id}) in "
                            f"{settings.deployments or 'the registry'}")
    rows = []
    for index, entry in enumerate(listed):
        role = "current" if index == len(listed) - 1 else "previous"
        if entry.get("status", "confirmed") != "confirmed":
            role += ", pending"
        held = int(w3.eth.get_balance(entry["address"]))
        rows.append({"address": entry["address"], "role": role, "fee_bps": entry["fee_bps"],
                     "fee_recipient": entry["fee_recipient"], "block_number": entry["block_number"], "ether_held": held})
    ui = settings.ui

    def human_view() -> None:
        table = Table("escrow", "role", "fee", "deployed at block", "ether held",
                      title=f"escrows on {chain_name(chain_id)}")
        for row in rows:
            table.add_row(row["address"], row["role"], f"{row['fee_bps'] / 100:g}%", str(row["block_number"]),
                          ether(row["ether_held"]))
        ui.say(table)
        if len(rows) > 1:
            ui.say("Reach an older escrow with --escrow ADDRESS, e.g. bountychain --escrow "
                   f"{rows[0]['address']} show 1")

    ui.emit({"chain_id": chain_id, "escrows": rows}, human_view)


COMMANDS = [node, faucet, escrows]

__all__ = ["COMMANDS"]
