"""Claim bond commands: mark-spam, withdraw-bond and claim-slashed.

    bountychain --account alice mark-spam 1 3        # the approver (or proposer) slashes claim 3's bond
    bountychain --account bob withdraw-bond 1 2      # once the bounty is awarded, cancelled or past its deadline
    bountychain --account carol claim-slashed 1      # a funder's part of the slashed bonds, then `withdraw`
"""

from __future__ import annotations

import click

from bountychain.cli._context import command
from bountychain.cli._errors import CliInputError
from bountychain.cli._lookups import bounty_and_token, bounty_line
from bountychain.cli._output import human
from bountychain.cli._params import bounty_id_argument
from bountychain.cli._session import Plan, connect, report
from bountychain.results import Bounty


@command("mark-spam")
@bounty_id_argument
@click.argument("claim_id", type=int)
def mark_spam(bounty_id: int, claim_id: int) -> None:
    """Mark a bonded claim as spam (the approver, or on an optimistic bounty the proposer, while the bounty is
    open): its bond goes to the funders."""
    client = connect(signer=True)
    bounty, info = bounty_and_token(client, bounty_id)
    _claim_exists(bounty, claim_id)
    held = client.claim_bond(bounty_id, claim_id)
    plan = Plan(f"mark claim {claim_id} of bounty {bounty_id} as spam", [
        ("bounty", bounty_line(client, bounty_id)), ("bond", human(held, info)),
        ("goes to", "the bounty's funders, pro-rata (never you or the issuer)"
                    + (", through the review contract" if bounty.optimistic else "")),
    ])
    result = client.run(plan, lambda: client.mark_spam(bounty_id, claim_id))
    report("mark-spam", result, f"Slashed claim {claim_id}'s bond on bounty {bounty_id}",
           [("bond", human(result.amount, info)), ("hunter", result.hunter)], extra={"symbol": info.symbol})


@command("withdraw-bond")
@bounty_id_argument
@click.argument("claim_id", type=int)
def withdraw_bond(bounty_id: int, claim_id: int) -> None:
    """Pull your claim's bond back once the bounty is awarded, cancelled or past its deadline."""
    client = connect(signer=True)
    bounty, info = bounty_and_token(client, bounty_id)
    _claim_exists(bounty, claim_id)
    held = client.claim_bond(bounty_id, claim_id)
    plan = Plan(f"withdraw the bond of claim {claim_id} on bounty {bounty_id}", [("bond", human(held, info))])
    result = client.run(plan, lambda: client.withdraw_bond(bounty_id, claim_id))
    report("withdraw-bond", result, f"Withdrew {human(result.amount, info)} of bond from claim {claim_id}",
           [("bond", human(result.amount, info))], extra={"symbol": info.symbol})


@command("claim-slashed")
@bounty_id_argument
def claim_slashed(bounty_id: int) -> None:
    """Credit yourself your part of the bonds slashed on a bounty you fund (then `withdraw`)."""
    client = connect(signer=True)
    _, info = bounty_and_token(client, bounty_id)
    signer = client.signer
    assert signer is not None
    owed = client.slashed_owed(bounty_id, signer.address)
    if owed == 0:
        raise CliInputError(f"no slashed bond of bounty {bounty_id} is owed to {signer.address}: none was slashed "
                            "while it held a pledge there, or it already took its part (see `bountychain withdraw`)")
    plan = Plan(f"claim your part of the slashed bonds of bounty {bounty_id}", [("owed to you", human(owed, info))])
    result = client.run(plan, lambda: client.claim_slashed(bounty_id))
    report("claim-slashed", result, f"Credited {human(owed, info)} of slashed bonds: withdraw it with "
           "`bountychain withdraw`", [("credited", human(owed, info))], extra={"symbol": info.symbol})


def _claim_exists(bounty: Bounty, claim_id: int) -> None:
    if not 1 <= claim_id <= bounty.claim_count:
        raise CliInputError(f"claim {claim_id} does not exist on bounty {bounty.bounty_id} "
                            f"({bounty.claim_count} claim{'s' if bounty.claim_count != 1 else ''})")


COMMANDS = [mark_spam, withdraw_bond, claim_slashed]

__all__ = ["COMMANDS"]
