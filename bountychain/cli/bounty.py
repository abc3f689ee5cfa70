"""Bounty commands: create, pledge, submit, award, refund, withdraw, withdraw-fees, cancel,
extend-deadline, show and list.

    bountychain --account alice create https://github.com/org/repo/issues/1 --deadline 30d
    bountychain --account alice pledge 1 "0.05 ETH"
    bountychain --account bob submit 1 https://github.com/org/repo/pull/2
    bountychain --account alice award 1 1=70% 2=30%
    bountychain --account alice refund 1 --amount "0.02 ETH" --to 0x...
    bountychain --account bob withdraw --amount "0.1 ETH" ; bountychain --account treasury withdraw-fees
    bountychain show 1 ; bountychain list --repo org/repo --status open
"""

from __future__ import annotations

from typing import Any

import click
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from bountychain.cli._context import command, get_settings
from bountychain.cli._errors import CliInputError
from bountychain.cli._lookups import (
    amount_in,
    awarded_pool,
    bounties_created,
    bounty_amount,
    bounty_and_token,
    bounty_line,
    check_balance,
    claims,
    erc20,
    issue_url,
    status_name,
)
from bountychain.cli._output import human, inert, kv_table, listed, solution_text, utc
from bountychain.cli._params import AMOUNT_ARGUMENTS, bounty_id_argument, parse_deadline, parse_part, parse_shares
from bountychain.cli._session import Plan, connect, report
from bountychain.cli.index import list_from_index
from bountychain.cli.review import review_data, review_panel
from bountychain.errors import InvalidAmount, InvalidDeadline
from bountychain.chains import chain_name
from bountychain.issue_urls import normalize_issue_url, parse_repo_filter
from bountychain.results import ETH, BountyStatus
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
    plan = Plan(f"pledge {human(base, info)} to bounty {bounty_id}", rows, later_steps=later)
    result = client.run(plan, lambda: client.pledge(bounty_id, base, max_unlocks_at=max_unlocks_at))
    report("pledge", result, f"Pledged {human(result.amount, info)} to bounty {bounty_id}",
           [("bounty", str(bounty_id)), ("amount", human(result.amount, info)),
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


@command("mark-spam")
@bounty_id_argument
@click.argument("claim_id", type=int)
def mark_spam(bounty_id: int, claim_id: int) -> None:
    """Mark a bonded claim as spam (approver only, while the bounty is open): its bond goes to the funders."""
    client = connect(signer=True)
    _, info = bounty_and_token(client, bounty_id)
    held = client.claim_bond(bounty_id, claim_id)
    plan = Plan(f"mark claim {claim_id} of bounty {bounty_id} as spam", [
        ("bounty", bounty_line(client, bounty_id)), ("bond", human(held, info)),
        ("goes to", "the bounty's funders, pro-rata (never you or the issuer)"),
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
    _, info = bounty_and_token(client, bounty_id)
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
    plan = Plan(f"claim your part of the slashed bonds of bounty {bounty_id}", [("owed to you", human(owed, info))])
    result = client.run(plan, lambda: client.claim_slashed(bounty_id))
    report("claim-slashed", result, f"Credited {human(owed, info)} of slashed bonds: withdraw it with "
           "`bountychain withdraw`", [("credited", human(owed, info))], extra={"symbol": info.symbol})


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
    info = client.token_info(token_address)
    credit = client.credit_of(signer.address, token_address)
    if credit == 0:
        raise CliInputError(f"{signer.address} has no {info.symbol} credit to withdraw"
                            + (" (fees are not credits: the fee recipient uses `withdraw-fees`)"
                               if signer.address == client.fee()[0] else ""))
    value = _part(client, amount, token_address, credit, "your credit")
    recipient = checksum(to, "--to") if to else None
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
    info = client.token_info(token_address)
    fee_recipient, _ = client.fee()
    if signer.address != fee_recipient:
        raise CliInputError(f"{signer.address} is not the fee recipient ({fee_recipient}): only it withdraws fees")
    accrued = client.fees_accrued(token_address)
    if accrued == 0:
        raise CliInputError(f"no {info.symbol} fees have accrued")
    value = _part(client, amount, token_address, accrued, "the fees accrued")
    recipient = checksum(to, "--to") if to else None
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


@command()
@bounty_id_argument
def show(bounty_id: int) -> None:
    """Everything about one bounty: parties, currency, pool, deadline, pledges and claims."""
    client = connect(signer=False)
    bounty, info = bounty_and_token(client, bounty_id)
    funders: dict[str, int] = {}
    for log in client.contract.events.Pledged.get_logs(from_block=client.from_block,
                                                       argument_filters={"bountyId": bounty_id}):
        funder = log["args"]["funder"]
        funders[funder] = funders.get(funder, 0) + log["args"]["amount"]
    pledges = []
    for funder, pledged in funders.items():
        current = client.pledge_of(bounty_id, funder)
        outstanding = current.amount
        if bounty.status == BountyStatus.AWARDED:
            state, outstanding = "awarded", 0  # paid out to the winners
        elif current.amount == 0:
            state = "refunded"
        elif bounty.status == BountyStatus.UNDER_REVIEW:
            state = "frozen (proposal under review)"
        elif bounty.status == BountyStatus.CANCELLED or bounty.as_of >= current.unlocks_at:
            state = "refundable"
        else:
            state = "locked"
        pledges.append({"funder": funder, "pledged": pledged, "outstanding": outstanding,
                        "unlocks_at": current.unlocks_at, "state": state})
    solutions = claims(client, bounty_id)
    payouts = [dict(log["args"]) for log in client.contract.events.WinnerPaid.get_logs(
        from_block=client.from_block, argument_filters={"bountyId": bounty_id})]
    status = status_name(bounty)
    paid = awarded_pool(client, bounty_id) if bounty.status == BountyStatus.AWARDED else None
    data = {
        "bounty_id": bounty_id, "issue": issue_url(client, bounty_id), "issuer": bounty.issuer,
        "approver": bounty.approver, "token": bounty.token, "symbol": info.symbol, "decimals": info.decimals,
        "total": bounty.total, "total_text": human(bounty.total, info), "paid": paid,
        "paid_text": human(paid, info) if paid is not None else None, "deadline": bounty.deadline,
        "deadline_utc": utc(bounty.deadline), "expired": bounty.expired, "status": status,
        "claim_count": bounty.claim_count, "pledges": pledges,
        "claims": [{"claim_id": c.claim_id, "hunter": c.hunter, "uri": c.uri} for c in solutions],
        "payouts": [{"claim_id": p["claimId"], "hunter": p["hunter"], "amount": p["amount"]} for p in payouts],
        "escrow": client.address, "chain_id": client.chain_id,
        "review": review_data(client, bounty, info),
    }

    def human_view() -> None:
        ui = get_settings().ui
        currency = "ETH" if bounty.is_eth else f"{info.symbol} ({bounty.token})"
        if bounty.status == BountyStatus.AWARDED:
            deadline_text = f"{utc(bounty.deadline)} (no longer matters: awarded)"
            amount_row = ("paid", f"{listed(paid or 0, info)} to the winners and the protocol fee "
                                  f"(held now: {listed(bounty.total, info)})")
        elif bounty.status == BountyStatus.CANCELLED:
            deadline_text = "none (cancelled: every pledge is refundable)"
            amount_row = ("held", f"{listed(bounty.total, info)} not yet refunded")
        else:
            deadline_text = f"{utc(bounty.deadline)} ({'passed' if bounty.expired else 'not passed yet'})"
            amount_row = ("total", listed(bounty.total, info))
        ui.say(Panel(kv_table([
            ("issue", data["issue"] or "?"), ("status", status), ("issuer", bounty.issuer),
            ("approver", bounty.approver), ("currency", currency), amount_row,
            ("deadline", deadline_text), ("escrow", f"{client.address} on {chain_name(client.chain_id)}"),
        ]), title=Text(f"bounty {bounty_id}", style="bold"), expand=False))
        table = Table("funder", "pledged", "outstanding", "unlocks at", "state", title="pledges")
        for p in pledges:
            table.add_row(p["funder"], listed(p["pledged"], info), listed(p["outstanding"], info),
                          utc(p["unlocks_at"]) if p["unlocks_at"] else "-", p["state"])
        ui.say(table if pledges else Text("no pledges"))
        claim_table = Table("claim", "hunter", "solution", "paid", title="claims")
        paid_by_claim = {p["claimId"]: p["amount"] for p in payouts}
        for c in solutions:
            claim_table.add_row(str(c.claim_id), c.hunter, Text(inert(solution_text(c.uri)), overflow="fold"),
                                listed(paid_by_claim[c.claim_id], info) if c.claim_id in paid_by_claim else "-")
        ui.say(claim_table if solutions else Text("no claims"))
        if data["review"] is not None:
            ui.say(review_panel(data["review"]))

    get_settings().ui.emit(data, human_view)


@command("list")
@click.option("--issue", metavar="URL", help="Only bounties on this issue.")
@click.option("--repo", metavar="REPO", help="Only bounties on issues of this repository: OWNER/NAME on GitHub, "
                                             "or HOST/OWNER/NAME (gitlab.com/group/repo).")
@click.option("--status", type=click.Choice(["open", "under_review", "awarded", "cancelled", "expired"]))
@click.option("--token", metavar="ADDRESS", help="Only bounties paid in this token (0x0...0 for ETH).")
@click.option("--source", type=click.Choice(["auto", "index", "chain"]), default="auto", show_default=True,
              help="Read the local index (synced first), the chain's logs, or the index when one exists.")
@click.option("--db", metavar="URL", help="The index database, a URL or a SQLite file (see `bountychain index`).")
@click.option("--sync/--no-sync", "sync", default=True, show_default=True,
              help="Bring the index up to date with the chain before listing.")
def list_bounties(issue: str | None, repo: str | None, status: str | None, token: str | None, source: str,
                  db: str | None, sync: bool) -> None:
    """A table of bounties, optionally filtered. From an index, it says how far behind the chain it is."""
    repo_filter = parse_repo_filter(repo) if repo is not None else None
    if issue is not None:
        issue = normalize_issue_url(issue, "--issue")
    token_filter = checksum(token, "--token") if token else None
    client = connect(signer=False)
    rows = []
    indexed = None
    if source != "chain":
        indexed = list_from_index(client, db, required=source == "index", issue=issue,
                                  repo=repo_filter.repo if repo_filter else None, status=status,
                                  token=token_filter, sync=sync)
        rows = indexed["rows"] if indexed else []
    for listing in bounties_created(client, issue) if indexed is None else []:
        if token_filter is not None and listing["token"] != token_filter:
            continue
        bounty = client.bounty(listing["bountyId"])
        state = status_name(bounty)
        if status is not None and state != status:
            continue
        info = client.token_info(bounty.token)
        paid = awarded_pool(client, bounty.bounty_id) if bounty.status == BountyStatus.AWARDED else None
        rows.append({"bounty_id": listing["bountyId"], "issue": listing["uri"], "token": bounty.token,
                     "symbol": info.symbol, "total": bounty.total, "total_text": listed(bounty.total, info),
                     "paid": paid, "paid_text": listed(paid, info) if paid is not None else None,
                     "deadline": bounty.deadline, "deadline_utc": utc(bounty.deadline), "status": state,
                     "claims": bounty.claim_count, "issuer": bounty.issuer, "approver": bounty.approver})
    if repo_filter is not None:  # host, owner and name: never a look-alike on another forge
        rows = [row for row in rows if repo_filter.matches(row["issue"])]

    def human_view() -> None:
        ui = get_settings().ui
        if indexed is not None:
            ui.note(index_freshness(indexed))
        if not rows:
            ui.say("no bounties match" + (" (the index is behind: try --source chain)"
                                          if indexed is not None and indexed["behind"] else ""))
            return
        table = Table("id", "issue", "amount", "deadline", "status", "claims")
        table.columns[1].overflow = "fold"
        for row in rows:
            table.add_row(str(row["bounty_id"]), row["issue"], amount_cell(row), deadline_cell(row),
                          row["status"], str(row["claims"]))
        ui.say(table)

    source_data = {"source": "index", "index": indexed["index"], "indexed_block": indexed["cursor"],
                   "head_block": indexed["head"], "blocks_behind": indexed["behind"], "synced": sync} if indexed \
        else {"source": "chain"}
    get_settings().ui.emit({"bounties": rows, "escrow": client.address, "chain_id": client.chain_id, **source_data},
                           human_view)


def amount_cell(row: dict[str, Any]) -> str:
    """What a listing shows as a bounty's amount: what is held, or what an award paid out."""
    if row["status"] == "awarded" and row.get("paid_text"):
        return f"paid {row['paid_text']}"
    if row["status"] == "cancelled":
        return f"{row['total_text']} (refundable)"
    return row["total_text"]


def deadline_cell(row: dict[str, Any]) -> str:
    """A deadline only matters while a bounty can still be funded or awarded."""
    if row["status"] in ("awarded", "cancelled"):
        return "-"
    return row["deadline_utc"]


def index_freshness(indexed: dict[str, Any]) -> str:
    """"index synced to block 120 of 120", or how many blocks it lags and why."""
    where = f"index {indexed['index']}: at block {indexed['cursor']} of {indexed['head']}"
    if not indexed["behind"]:
        return f"{where} (up to date)"
    why = "not synced (--no-sync)" if not indexed["synced"] else \
        f"the newest {indexed['behind']} are not final yet (its confirmations setting)"
    return f"{where}, {indexed['behind']} blocks behind: {why}"


COMMANDS = [create, pledge, submit, award, mark_spam, withdraw_bond, claim_slashed, refund, withdraw, withdraw_fees,
            cancel, extend_deadline, show, list_bounties]

__all__ = ["COMMANDS"]
