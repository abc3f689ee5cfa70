"""Gasless solutions: `bountychain sign-solution` signs a registration off-chain, and
`bountychain relay` sends one, paying its gas; the claim is the signer's.

    bountychain --account bob sign-solution 1 https://github.com/org/repo/pull/3 --out claim.json
    bountychain --account carol relay claim.json
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.console import Console

from bountychain.cli._context import command
from bountychain.cli._lookups import bounty_line
from bountychain.cli._output import utc
from bountychain.cli._params import bounty_id_argument, parse_deadline
from bountychain.cli._session import Plan, connect, report
from bountychain.errors import InvalidInput
from bountychain.results import SignedSolution


@command("sign-solution")
@bounty_id_argument
@click.argument("solution_url")
@click.option("--expiry", default="7d", show_default=True,
              help="Until when a relayer may send it: timestamp, ISO date-time or duration.")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the signed payload here (default: standard output).")
def sign_solution(bounty_id: int, solution_url: str, expiry: str, out_path: Path | None) -> None:
    """Sign a solution registration off-chain (no gas); anyone can `relay` it. The claim is yours."""
    client = connect(signer=True)
    expiry_ts = parse_deadline(expiry, int(client.w3.eth.get_block("latest")["timestamp"]), "--expiry")
    signed = client.sign_solution(bounty_id, solution_url, expiry=expiry_ts)
    text = signed.to_json()
    if out_path is not None:
        out_path.write_text(text + "\n")
        Console(stderr=True).print(f"wrote the signed solution to {out_path} (valid until {utc(expiry_ts)})")
    else:
        click.echo(text)


@command("relay")
@click.argument("payload", type=click.File("r"))
def relay(payload: Any) -> None:
    """Send a signed solution (a file from `sign-solution`, or - for standard input), paying its gas."""
    text = payload.read()
    try:
        signed = SignedSolution.from_json(text)
    except (ValueError, TypeError) as exc:
        raise InvalidInput(f"not a signed solution: {exc}") from None
    client = connect(signer=True)
    client.check_new_solution(signed.bounty_id, signed.uri, signed.hunter)  # refused before the plan is shown
    plan = Plan(f"relay a solution to bounty {signed.bounty_id}", [
        ("bounty", bounty_line(client, signed.bounty_id)),
        ("solution", signed.uri), ("hunter", f"{signed.hunter} (signed; paid if it wins)"),
        ("expires", utc(signed.expiry)),
    ])
    result = client.run(plan, lambda: client.relay_solution(signed))
    report("relay", result, f"Registered claim {result.claim_id} on bounty {signed.bounty_id} for {result.hunter}",
           [("claim", str(result.claim_id)), ("solution", result.uri), ("hunter", result.hunter)])


COMMANDS = [sign_solution, relay]

__all__ = ["COMMANDS"]
