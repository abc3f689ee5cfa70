"""`bountychain fundraiser create|show|withdraw`: goal-based fundraisers held by the escrow.

    bountychain --account alice fundraiser create https://github.com/org/repo --beneficiary 0x... \
        --goal "10 ETH" --deadline 30d [--flexible]
    bountychain fundraiser show 2 ; bountychain --account bob fundraiser withdraw 2
"""

from __future__ import annotations

import click
from rich.panel import Panel
from rich.text import Text

from bountychain.chains import chain_name
from bountychain.cli._context import Group, command, get_settings
from bountychain.cli._lookups import amount_in
from bountychain.cli._output import human, kv_table, utc
from bountychain.cli._params import fundraiser_id_argument, parse_deadline
from bountychain.cli._session import Plan, connect, report
from bountychain.errors import InvalidAmount
from bountychain.results import ETH, Fundraiser, TokenInfo
from bountychain.sdk import BountyClient, checksum


def fundraiser_and_token(client: BountyClient, fundraiser_id: int) -> tuple[Fundraiser, TokenInfo]:
    """A fundraiser and its token's symbol and decimals."""
    state = client.fundraiser(fundraiser_id)
    return state, client.token_info(state.token)


@click.group(cls=Group)
def fundraiser() -> None:
    """Goal-based fundraisers: all-or-nothing or flexible, held by the escrow."""


@command("create")
@click.argument("project_url")
@click.option("--beneficiary", required=True, metavar="ADDRESS", help="Who receives the raised funds.")
@click.option("--goal", required=True, help='The target, e.g. "10 ETH" or "5000 USDC".')
@click.option("--deadline", required=True, help="Unix timestamp, ISO date-time with zone, or a duration (30d).")
@click.option("--token", metavar="ADDRESS", help="ERC-20 the fundraiser is paid in (default: ETH).")
@click.option("--flexible", is_flag=True,
              help="Pay out whatever was raised (default: all-or-nothing, refunds if the goal is missed).")
def create(project_url: str, beneficiary: str, goal: str, deadline: str, token: str | None,
           flexible: bool) -> None:
    """Create a fundraiser for PROJECT_URL. Its kind, goal, deadline and beneficiary are fixed."""
    client = connect(signer=True)
    token_address = checksum(token, "--token") if token else ETH
    beneficiary_address = checksum(beneficiary, "--beneficiary")
    info = client.token_info(token_address)
    goal_units = amount_in(info, goal)
    if goal_units <= 0 and not flexible:
        raise InvalidAmount(f"an all-or-nothing fundraiser needs a positive goal, got {goal!r}")
    deadline_ts = parse_deadline(deadline, int(client.w3.eth.get_block("latest")["timestamp"]))
    kind = "flexible" if flexible else "all-or-nothing"
    plan = Plan(f"create a {kind} fundraiser in {info.symbol}", [
        ("project", project_url), ("beneficiary", beneficiary_address), ("goal", human(goal_units, info)),
        ("deadline", utc(deadline_ts)), ("kind", kind),
    ])
    result = client.run(plan, lambda: client.create_fundraiser(
        project_url, beneficiary_address, goal_units, deadline_ts, token=token_address,
        all_or_nothing=not flexible))
    report("fundraiser-create", result, f"Created fundraiser {result.fundraiser_id}",
           [("fundraiser", str(result.fundraiser_id)), ("beneficiary", result.beneficiary),
            ("goal", human(result.goal, info)), ("deadline", utc(result.deadline)), ("kind", kind)],
           extra={"symbol": info.symbol, "kind": kind})


@command("show")
@fundraiser_id_argument
def show(fundraiser_id: int) -> None:
    """A fundraiser's terms, total raised and state."""
    client = connect(signer=False)
    state, info = fundraiser_and_token(client, fundraiser_id)
    data = {
        "fundraiser_id": fundraiser_id, "creator": state.creator, "beneficiary": state.beneficiary,
        "token": state.token, "symbol": info.symbol, "goal": state.goal, "raised": state.raised,
        "raised_text": human(state.raised, info), "goal_text": human(state.goal, info),
        "kind": state.kind, "state": state.state.value, "deadline": state.deadline,
        "deadline_utc": utc(state.deadline), "claim_deadline": state.claim_deadline,
        "escrow": client.address, "chain_id": client.chain_id,
    }

    def human_view() -> None:
        get_settings().ui.say(Panel(kv_table([
            ("state", state.state.value), ("kind", state.kind), ("beneficiary", state.beneficiary),
            ("creator", state.creator), ("raised", f"{human(state.raised, info)} of {human(state.goal, info)}"),
            ("deadline", utc(state.deadline)),
            ("payout window", f"until {utc(state.claim_deadline)}; then, if not paid out, backers may refund"),
            ("escrow", f"{client.address} on {chain_name(client.chain_id)}"),
        ]), title=Text(f"fundraiser {fundraiser_id}", style="bold"), expand=False))

    get_settings().ui.emit(data, human_view)


@command("withdraw")
@fundraiser_id_argument
def withdraw(fundraiser_id: int) -> None:
    """Pay the raised total, less the fee, to the beneficiary (anyone may send this)."""
    client = connect(signer=True)
    state, info = fundraiser_and_token(client, fundraiser_id)
    plan = Plan(f"pay fundraiser {fundraiser_id} out", [
        ("raised", human(state.raised, info)), ("to", f"{state.beneficiary} (the beneficiary)"),
    ])
    result = client.run(plan, lambda: client.withdraw_raised(fundraiser_id))
    report("fundraiser-withdraw", result,
           f"Paid {human(result.amount, info)} to {result.beneficiary}"
           + (" (credited: it withdraws with `withdraw`)" if result.credited else ""),
           [("raised", human(result.pool, info)), ("fee", human(result.fee, info)),
            ("beneficiary", result.beneficiary)], extra={"symbol": info.symbol})


for _subcommand in (create, show, withdraw):
    fundraiser.add_command(_subcommand)

COMMANDS = [fundraiser]

__all__ = ["COMMANDS"]
