'''`bountychain`: the command line for funders, hunters, issuers and approvers.

    bountychain node                                   # a local anvil chain with an escrow
    bountychain --rpc URL --account alice create https://github.com/o/r/issues/1 --deadline 30d
    bountychain --account bob pledge 1 "0.05 ETH"
    bountychain show 1

The RPC URL comes from --rpc, else $BOUNTYCHAIN_RPC, else `rpc` in
$XDG_CONFIG_HOME/bountychain/config.toml (~/.config/...). The escrow comes from --escrow, else
the deployment registry of the connected chain (--deployments DIR, $BOUNTYCHAIN_DEPLOYMENTS,
else the official registry shipped with the package: never ./deployments unless named). Every
command first checks the escrow's code on the chain, and refuses an escrow that is not an
official deployment on a public chain unless --allow-unofficial-escrow. Transactions are signed with --keystore PATH, --account NAME (a keystore in
the accounts directory), --ape-account ALIAS, or $BOUNTYCHAIN_PRIVATE_KEY; every one is shown
with its estimated network fee and confirmed first unless --yes.

Every refusal (bad input, wrong chain, a refusal decoded from the contract) ends with one red
line on stderr and exit status 1, before anything is sent; usage errors exit with 2. With
--json, stdout carries exactly one JSON object (the result, or {"error": ...}).

Layout: one module per command group (`bounty`, `bonds`, `browse`, `link`, `review`,
`fundraise`, `relay`, `reports`, `accounts`, `node`, `index`, `github`), each listing its
click commands in `COMMANDS`; the private modules hold what they share (`_context`:
settings, global options and the error-handling group; `_session`: the confirming client and
the report; `_params`: parsing; `_output`: formatting; `_signers`; `_lookups`; `_errors`).
This module builds the root group from them.
'''

from __future__ import annotations

from typing import Any

import click

from bountychain.cli import (
    accounts,
    bonds,
    bounty,
    browse,
    fundraise,
    github,
    index,
    link,
    node,
    relay,
    reports,
    review,
)
from bountychain.cli._context import Group, global_options


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="bountychain", prog_name="bountychain", message="%(prog)s %(version)s")
@global_options
def cli() -> None:
    """Crowdfunded bounties on open-source issues, held by an escrow contract."""


for _module in (bounty, bonds, browse, link, review, fundraise, relay, reports, accounts, node, index, github):
    for _command in _module.COMMANDS:
        cli.add_command(_command)


def main(argv: list[str] | None = None) -> Any:
    """The console script's entry point."""
    return cli.main(args=argv, prog_name="bountychain")


__all__ = ["cli", "main"]
