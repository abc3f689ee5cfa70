"""`bountychain accounts new|import|list`: encrypted keystores in the accounts directory.

    bountychain accounts new alice     # password prompted, or $BOUNTYCHAIN_PASSWORD
"""

from __future__ import annotations

import json
from typing import Any

import click
from rich.table import Table

from bountychain.cli._context import Group, command, get_settings, keystores_dir
from bountychain.cli._errors import CliInputError
from bountychain.cli._output import kv_table
from bountychain.cli._signers import account_path, keystore_password, read_secret
from bountychain.errors import InvalidAddress, InvalidInput
from bountychain.sdk import checksum
from bountychain.signers import from_private_key, write_keystore


@click.group(cls=Group)
def accounts() -> None:
    """Keystores in the accounts directory ($BOUNTYCHAIN_KEYSTORES, else
    $XDG_CONFIG_HOME/bountychain/keystores)."""


def _save_account(name: str, account: Any) -> None:
    path = account_path(name)
    if path.exists():
        raise CliInputError(f"account {name!r} exists already ({path}): choose another name")
    password = keystore_password(path, new=True)
    ui = get_settings().ui
    with ui.status("encrypting the keystore..."):
        write_keystore(account, path, password, private_dir=True)
    ui.emit({"name": name, "address": account.address, "keystore": str(path)},
            lambda: ui.say(kv_table([("account", name), ("address", account.address), ("keystore", str(path))])))


@command("new")
@click.argument("name")
def accounts_new(name: str) -> None:
    """Create a random key, stored encrypted as NAME (password from $BOUNTYCHAIN_PASSWORD or a prompt)."""
    from eth_account import Account

    account_path(name)  # validates the name before asking anything
    _save_account(name, Account.create())


@command("import")
@click.argument("name")
def accounts_import(name: str) -> None:
    """Store an existing private key as NAME; the key is read from a hidden prompt or standard input."""
    path = account_path(name)
    if path.exists():
        raise CliInputError(f"account {name!r} exists already ({path}): choose another name")
    secret = read_secret("Private key (hex)").strip()
    try:
        account = from_private_key(secret)
    except InvalidInput:
        raise CliInputError("that is not a valid 32-byte hex private key") from None
    finally:
        del secret
    _save_account(name, account)


@command("list")
def accounts_list() -> None:
    """The stored accounts: names and addresses."""
    directory = keystores_dir()
    found = []
    for path in sorted(directory.glob("*.json")) if directory.is_dir() else []:
        try:
            address = json.loads(path.read_text()).get("address")
            address = checksum("0x" + address.removeprefix("0x"), path.name) if address else None
        except (OSError, ValueError, AttributeError, InvalidAddress):
            address = None
        found.append({"name": path.stem, "address": address, "keystore": str(path)})
    ui = get_settings().ui

    def human_view() -> None:
        if not found:
            ui.say(f"no accounts in {directory}: create one with `bountychain accounts new NAME`")
            return
        table = Table("name", "address", "keystore")
        for entry in found:
            table.add_row(entry["name"], entry["address"] or "?", entry["keystore"])
        ui.say(table)

    ui.emit({"accounts": found, "directory": str(directory)}, human_view)


for _subcommand in (accounts_new, accounts_import, accounts_list):
    accounts.add_command(_subcommand)

COMMANDS = [accounts]

__all__ = ["COMMANDS"]
