"""Bounty commands that send a transaction: create, pledge, submit, award, refund, withdraw,
withdraw-fees, cancel and extend-deadline (claim bonds are in `bonds`, show and list in `browse`).

    bountychain --account alice create https://github.com/org/repo/issues/1 --deadline 30d
    bountychain --account alice pledge 1 "0.05 ETH"
    bountychain --account bob submit 1 https://github.com/org/repo/pull/2
    bountychain --account alice award 1 1=70% 2=30%
    bountychain --account alice refund 1 --amount "0.02 ETH" --to 0x...
    bountychain --account bob withdraw --amount "0.1 ETH" ; bountychain --account treasury withdraw-fees
"""

from __future__ import annotations

import click
from rich.table import Table

from bountychain.cli._context import command, get_settings
from bountychain.cli._errors import CliInputError
from bountychain.cli._lookups import (
    amount_in,
    bounty_amount,
    bounty_and_token,
    bounty_line,
    check_balance,
    claims,
    erc20,
    is_fundraiser,
    status_name,
)
from bountychain.cli._output import human, solution_text, utc
from bountychain.cli._params import AMOUNT_ARGUMENTS, bounty_id_argument, parse_deadline, parse_part, parse_shares
from bountychain.cli._session import Plan, connect, report
from bountychain.errors import InvalidAmount, InvalidDeadline
from bountychain.issue_urls import normalize_issue_url
from bountychain.results import ETH
from bountychain.sdk import checksum
from bountychain.sdk.constants import BPS


@command()
@click.argument("issue")
@click.option("--deadline", required=True, help="Unix timestamp, ISO date-time with zone, or a duration (30d, 12h).")
@click.option("--token", metavar="ADDRESS", help="ERC-20 the bounty is paid in (default: ETH).")
@click.option("--approver", metavar="ADDRESS", help="Who awards (default: you, the issuer).")
@click.option("--bond", metavar="AMOUNT", help='Refundable bond each claim posts ("0.01 ETH"), fixed for good.')
def create(issue: str, deadline: str, token: str | None, approver: str | None, bond: str | None) -> None:
    """Create a bounty on ISSUE, one issue's URL on GitHub, GitLab, Codeberg or Gitea."""
    issue = normalize_issue_url(issue, "ISSUE")  # refused before connecting; one spelling per issue
    client = connect(signer=True)
    token_address = checksum(token, "--token") if token else ETH
    approver_address = checksum(approver, "--approver") if approver else None
    info = client.token_info(token_address)
    deadline_ts = parse_deadline(deadline, int(client.w3.eth.get_block("latest")["timestamp"]))
    currency = "ETH" if token_address == ETH else f"{info.symbol} ({token_address}, {info.decimals} decimals)"
    bond_base = amount_in(info, bond) if bond is not None else 0
    if bond is not None and bond_base <= 0:
        raise InvalidAmount(f"--bond must be positive, got {bond!r}")
    rows = [("issue", issue), ("currency", currency), ("deadline", utc(deadline_ts)),
            ("approver", approver_address or "you (the issuer)")]
    if bond_base:
        rows.append(("claim bond", f"{human(bond_base, info)} per claim, returned after the award, a cancel or the "
                                   "deadline unless the approver marks the claim as spam (then it goes to the funders)"))
    plan = Plan(f"create a bounty paid in {info.symbol}", rows)
    if bond_base:
        result = client.run(plan, lambda: client.create_bonded_bounty(issue, deadline_ts, bond_base,
                                                                      token=token_address, approver=approver_address))
    else:
        result = client.run(plan, lambda: client.create_bounty(issue, deadline_ts, token=token_address,
                                                               approver=approver_address))
    report("create", result, f"Created bounty {result.bounty_id}",
           [("bounty", str(result.bounty_id)), ("issue", result.uri), ("currency", currency),
            ("deadline", utc(result.deadline)), ("approver", result.approver)],
           extra={"symbol": info.symbol})

@command(context_settings=AMOUNT_ARGUMENTS)
@bounty_id_argument
@click.argument("amount")
def pledge(bounty_id: int, amount: str) -> None:
    """Pledge AMOUNT ("0.05 ETH", "25 USDC") to a bounty; a token pledge approves exactly AMOUNT first."""
    text = amount
    client = connect(signer=True)
    bounty, info, base = bounty_amount(client, bounty_id, text)
    signer = client.signer
    assert signer is not None
    check_balance(client, signer.address, info, base)
    # The deadline shown is the longest lock accepted: if the issuer extends it before the
    # pledge is mined, the escrow refuses the pledge (LockTooLong) rather than lock it longer.
    max_unlocks_at = bounty.deadline
    rows = [("bounty", bounty_line(client, bounty_id)), ("amount", human(base, info)),
            ("locked until", f"{utc(max_unlocks_at)} (the bounty's deadline; refused, not locked longer, "
                             "if the deadline moves later before the pledge is mined)")]
    later: list[str] = []
    if not bounty.is_eth and client.supports_permit(bounty.token):
        rows.append(("steps", f"sign a permit for exactly {human(base, info)} (no transaction); pledge with it"))
    elif not bounty.is_eth:
        allowance = erc20(client, bounty.token).functions.allowance(signer.address, client.address).call()
        if allowance != base:
            steps = ["approve 0 (reset the current allowance)"] if allowance else []
            steps.append(f"approve the escrow for exactly {human(base, info)}")
            rows.append(("steps", "; then ".join([*steps, "pledge"])))
            later = ["approve"] * (len(steps) - 1) + ["pledge"]
    kind = "fundraiser" if is_fundraiser(client, bounty_id) else "bounty"  # they share the escrow's ids
    plan = Plan(f"pledge {human(base, info)} to {kind} {bounty_id}", rows, later_steps=later)
    result = client.run(plan, lambda: client.pledge(bounty_id, base, max_unlocks_at=max_unlocks_at))
    report("pledge", result, f"Pledged {human(result.amount, info)} to {kind} {bounty_id}",
           [(kind, str(bounty_id)), ("amount", human(result.amount, info)),
            ("locked until", utc(result.unlocks_at))],
           extra={"symbol": info.symbol, "token": info.address, "amount_text": human(result.amount, info),
                  "max_unlocks_at": max_unlocks_at, "locked_until_utc": utc(result.unlocks_at)})


@command()
@bounty_id_argument
@click.argument("solution_url")
def submit(bounty_id: int, solution_url: str) -> None:
    """Register SOLUTION_URL (a pull request or commit) as a claim on a bounty."""
    client = connect(signer=True)
    signer = client.signer
    assert signer is not None
    client.check_new_solution(bounty_id, solution_url)  # refused before the plan is shown
    rows = [("bounty", bounty_line(client, bounty_id)), ("solution", solution_url),
            ("paid to", f"{signer.address} if it wins")]
    bond = client.bond_of(bounty_id)
    if bond:
        # The bond is shown before anything is sent: the hunter sees what it puts at stake.
        bounty, info = bounty_and_token(client, bounty_id)
        check_balance(client, signer.address, info, bond)
        rows.append(("claim bond", f"{human(bond, info)}, yours again after the award, a cancel or the deadline "
                                   f"({utc(bounty.deadline)}), unless the approver marks the claim as spam"))
        submit_it = lambda: client.submit_bonded_solution(bounty_id, solution_url)  # noqa: E731
    else:
        submit_it = lambda: client.submit_solution(bounty_id, solution_url)  # noqa: E731
    plan = Plan(f"submit a solution to bounty {bounty_id}", rows)
    result = client.run(plan, submit_it)
    report("submit", result, f"Registered claim {result.claim_id} on bounty {bounty_id}",
           [("claim", str(result.claim_id)), ("solution", result.uri), ("hunter", result.hunter)])


@command()
@bounty_id_argument
@click.argument("shares", nargs=-1, metavar="CLAIM=SHARE...")
@click.option("--part", metavar="SHARE", help="Pay a milestone: this part of the pool (30% or 3000 basis points); "
                                              "the rest stays open.")
def award(bounty_id: int, shares: tuple[str, ...], part: str | None) -> None:
    """Award the whole pool (or, with --part, a milestone): CLAIM=SHARE pairs in percent (1=70% 2=30%) or basis
    points (1=7000)."""
    split = parse_shares(shares)
    part_bps = parse_part(part) if part is not None else None
    client = connect(signer=True)
    bounty, info = bounty_and_token(client, bounty_id)
    hunters = {claim.claim_id: claim for claim in claims(client, bounty_id)}
    _, fee_bps = client.fee()
    paid = bounty.total if part_bps is None else bounty.total * part_bps // BPS
    fee = paid * fee_bps // BPS
    net = paid - fee
    rows = [("bounty", bounty_line(client, bounty_id)), ("pool", human(bounty.total, info))]
    if part_bps is not None:
        rows += [("milestone", f"{part_bps / 100:g}% of the pool = {human(paid, info)}; every funder's pledge "
                               f"falls by {part_bps / 100:g}%"),
                 ("stays open", human(bounty.total - paid, info))]
    rows.append(("protocol fee", f"{human(fee, info)} ({fee_bps / 100:g}%)"))
    remaining = net
    for index, (claim_id, bps) in enumerate(split.items()):
        part = remaining if index == len(split) - 1 else net * bps // BPS
        remaining -= part
        claim = hunters.get(claim_id)
        who = f"{claim.hunter} ({solution_text(claim.uri)})" if claim else "unknown claim"
        rows.append((f"claim {claim_id}", f"{bps / 100:g}% = {human(part, info)} to {who}"))
    plan = Plan(f"award bounty {bounty_id}" if part_bps is None else f"pay a milestone of bounty {bounty_id}", rows)
    if part_bps is None:
        result = client.run(plan, lambda: client.award(bounty_id, split))
    else:
        result = client.run(plan, lambda: client.award_part(bounty_id, part_bps, split))

    def payouts() -> None:
        table = Table("claim", "hunter", "amount", "paid")
        for payout in result.payouts:
            table.add_row(str(payout.claim_id), payout.hunter, human(payout.amount, info),
                          "credited: withdraw with `bountychain withdraw`" if payout.credited else "paid")
        get_settings().ui.say(table)

    lines = [("pool", human(result.pool, info)), ("fee", human(result.fee, info))]
    if result.remaining is not None:
        lines.append(("still pledged", human(result.remaining, info)))
    headline = f"Awarded bounty {bounty_id}" if part_bps is None else f"Paid a milestone of bounty {bounty_id}"
    report("award", result, headline, lines, extra={"symbol": info.symbol, "token": info.address}, after=payouts)


def _part(client, text: str | None, token: str, available: int, what: str) -> int | None:
    """`--amount` in base units (None: all of it); refused above what is available."""
    if text is None:
        return None
    info = client.token_info(token)
    value = amount_in(info, text)
    if value <= 0:
        raise InvalidAmount(f"the amount must be positive, got {text!r}")
    if value > available:
        raise InvalidAmount(f"{human(value, info)} is more than {what}, {human(available, info)}")
    return value


@command()
@bounty_id_argument
@click.option("--amount", metavar="AMOUNT", help='Take back only part ("0.2 ETH"); the rest keeps its lock.')
@click.option("--to", "to", metavar="ADDRESS", help="Send it to this address instead of you.")
def refund(bounty_id: int, amount: str | None, to: str | None) -> None:
    """Take back your pledge, or part of it (after its lock, at once if the bounty was cancelled,
    or at once after an award your objection withheld it from)."""
    client = connect(signer=True)
    signer = client.signer
    assert signer is not None
    bounty, info = bounty_and_token(client, bounty_id)
    mine = client.pledge_of(bounty_id, signer.address)
    value = _part(client, amount, bounty.token, mine.amount, "your pledge")
    recipient = checksum(to, "--to") if to else None
    taking = mine.amount if value is None else value
    rows = [("bounty", f"{bounty_line(client, bounty_id)} ({status_name(bounty)})"),
            ("your pledge", human(mine.amount, info)),
            ("amount", human(taking, info) + ("" if taking == mine.amount else
                                              f" (part: {human(mine.amount - taking, info)} stays pledged)")),
            ("to", recipient or f"{signer.address} (you)"),
            ("unlocks at", utc(mine.unlocks_at) if mine.unlocks_at else "-")]
    plan = Plan(f"refund {human(taking, info)} of your pledge on bounty {bounty_id}", rows)
    result = client.run(plan, lambda: client.refund(bounty_id, amount=value, to=recipient))
    left = client.pledge_of(bounty_id, signer.address).amount
    report("refund", result, f"Refunded {human(result.amount, info)} from bounty {bounty_id} to {result.to}",
           [("amount", human(result.amount, info)), ("to", result.to), ("still pledged", human(left, info))],
           extra={"symbol": info.symbol, "token": info.address, "amount_text": human(result.amount, info),
                  "still_pledged": left})


@command()
@click.option("--token", metavar="ADDRESS", default=ETH, show_default="ETH", help="Token of the credit.")
@click.option("--amount", metavar="AMOUNT", help='Pull only part of the credit ("0.1 ETH").')
@click.option("--to", "to", metavar="ADDRESS", help="Send it to this address instead of you.")
def withdraw(token: str, amount: str | None, to: str | None) -> None:
    """Pull your credit (an award or payout that could not be pushed to you) in ETH or a token.
    Fees are not credits: the fee recipient uses `withdraw-fees`."""
    client = connect(signer=True)
    signer = client.signer
    assert signer is not None
    token_address = checksum(token, "--token")
    recipient = checksum(to, "--to") if to else None  # what was typed is checked before the chain is asked
    info = client.token_info(token_address)
    credit = client.credit_of(signer.address, token_address)
    value = _part(client, amount, token_address, credit, "your credit")
    if credit == 0:
        raise CliInputError(f"{signer.address} has no {info.symbol} credit to withdraw"
                            + (" (fees are not credits: the fee recipient uses `withdraw-fees`)"
                               if signer.address == client.fee()[0] else ""))
    taking = credit if value is None else value
    plan = Plan(f"withdraw {human(taking, info)} of your {info.symbol} credit", [
        ("your credit", human(credit, info)), ("amount", human(taking, info)),
        ("to", recipient or f"{signer.address} (you)")])
    result = client.run(plan, lambda: client.withdraw(token_address, amount=value, to=recipient))
    report("withdraw", result, f"Withdrew {human(result.amount, info)} to {result.to}",
           [("amount", human(result.amount, info)), ("to", result.to),
            ("credit left", human(credit - result.amount, info))],
           extra={"symbol": info.symbol, "amount_text": human(result.amount, info)})


@command("withdraw-fees")
@click.option("--token", metavar="ADDRESS", default=ETH, show_default="ETH", help="Currency of the fees.")
@click.option("--amount", metavar="AMOUNT", help='Pull only part of the fees ("0.01 ETH").')
@click.option("--to", "to", metavar="ADDRESS", help="Send them to this address instead of you.")
def withdraw_fees(token: str, amount: str | None, to: str | None) -> None:
    """Pull the protocol fees accrued in ETH or a token (the fee recipient only)."""
    client = connect(signer=True)
    signer = client.signer
    assert signer is not None
    token_address = checksum(token, "--token")
    recipient = checksum(to, "--to") if to else None  # what was typed is checked before the chain is asked
    info = client.token_info(token_address)
    fee_recipient, fee_bps = client.fee()
    if fee_bps == 0 and int(fee_recipient, 16) == 0:
        raise CliInputError(f"the escrow {client.address} takes no fee: there are no fees to withdraw")
    if signer.address != fee_recipient:
        raise CliInputError(f"{signer.address} is not the fee recipient ({fee_recipient}): only it withdraws fees")
    accrued = client.fees_accrued(token_address)
    if accrued == 0:
        raise CliInputError(f"no {info.symbol} fees have accrued")
    value = _part(client, amount, token_address, accrued, "the fees accrued")
    taking = accrued if value is None else value
    plan = Plan(f"withdraw {human(taking, info)} of protocol fees", [
        ("fees accrued", human(accrued, info)), ("amount", human(taking, info)),
        ("to", recipient or f"{signer.address} (you)")])
    result = client.run(plan, lambda: client.withdraw_fees(token_address, amount=value, to=recipient))
    report("withdraw-fees", result, f"Withdrew {human(result.amount, info)} of fees to {result.to}",
           [("amount", human(result.amount, info)), ("to", result.to),
            ("fees left", human(accrued - result.amount, info))],
           extra={"symbol": info.symbol, "amount_text": human(result.amount, info)})


@command()
@bounty_id_argument
def cancel(bounty_id: int) -> None:
    """Cancel an open bounty (issuer only): every pledge becomes refundable at once."""
    client = connect(signer=True)
    bounty, info = bounty_and_token(client, bounty_id)
    plan = Plan(f"cancel bounty {bounty_id}", [
        ("bounty", bounty_line(client, bounty_id)), ("pool", human(bounty.total, info)),
        ("effect", "irreversible: no award; every funder can take its pledge back at once"),
    ])
    result = client.run(plan, lambda: client.cancel(bounty_id))
    report("cancel", result, f"Cancelled bounty {bounty_id}: every pledge is refundable now")


@command("extend-deadline")
@bounty_id_argument
@click.argument("deadline")
def extend_deadline(bounty_id: int, deadline: str) -> None:
    """Move a bounty's deadline later (issuer only); existing pledges keep their lock."""
    client = connect(signer=True)
    bounty = client.bounty(bounty_id)
    new_deadline = parse_deadline(deadline, bounty.as_of)
    if new_deadline <= bounty.deadline:
        raise InvalidDeadline(f"a deadline can only move later: {utc(new_deadline)} is not after the current "
                              f"deadline, {utc(bounty.deadline)}")
    plan = Plan(f"extend the deadline of bounty {bounty_id}", [
        ("bounty", bounty_line(client, bounty_id)),
        ("deadline", f"{utc(bounty.deadline)} -> {utc(new_deadline)}"),
    ])
    result = client.run(plan, lambda: client.extend_deadline(bounty_id, new_deadline))
    report("extend-deadline", result, f"Bounty {bounty_id} now ends at {utc(result.deadline)}",
           [("deadline", utc(result.deadline))])


COMMANDS = [create, pledge, submit, award, refund, withdraw, withdraw_fees, cancel, extend_deadline]

__all__ = ["COMMANDS"]
