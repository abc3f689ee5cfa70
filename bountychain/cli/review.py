"""Backer governance on the command line: optimistic bounties, proposals, objections,
finalization, and the arbiter's steps.

    bountychain create-optimistic https://github.com/o/r/issues/1 --deadline 30d --window 7d --quorum 33%
    bountychain --account approver propose 1 1=70% 2=30%
    bountychain --account funder object 1
    bountychain finalize 1                      # anyone, once the window ended unblocked
    bountychain escalate 1 ; bountychain --account safe rule 1 pay ; bountychain lapse 1
    bountychain proposal 1                      # the proposal's state (also in `bountychain show`)
"""

from __future__ import annotations

from typing import Any

import click
from rich.panel import Panel
from rich.text import Text

from bountychain.cli._context import command, get_settings
from bountychain.cli._errors import CliInputError
from bountychain.cli._lookups import bounty_and_token, bounty_line
from bountychain.cli._output import eth, human, kv_table, utc
from bountychain.cli._params import bounty_id_argument, parse_deadline, parse_quorum, parse_shares, parse_window
from bountychain.cli._session import Plan, connect, report
from bountychain.errors import InvalidInput
from bountychain.results import ETH, Bounty, Proposal, ProposalState, ReviewTerms, TokenInfo
from bountychain.sdk import BountyClient, checksum
from bountychain.sdk.constants import ARBITRATION_TIMEOUT

_STATE_TEXT = {
    ProposalState.NONE: "none live",
    ProposalState.PENDING: "pending",
    ProposalState.BLOCKED: "blocked: waiting for escalation to the arbiter",
    ProposalState.ESCALATED: "with the arbiter",
    ProposalState.UPHELD: "upheld by the arbiter: anyone may finalize",
    ProposalState.EXECUTED: "executed (paid)",
}


def review_data(client: BountyClient, bounty: Bounty, info: TokenInfo) -> dict[str, Any] | None:
    """The review policy and latest proposal of an optimistic bounty, for `show` and `proposal`."""
    if not bounty.optimistic:
        return None
    p = client.proposal(bounty.bounty_id)
    return {
        "policy": "optimistic", "approver": p.approver, "review_window": p.review_window,
        "quorum_bps": p.quorum_bps, "quorum_text": f"{p.quorum_bps / 100:g}% of the pledged total",
        "arbiter": p.arbiter, "arbiter_kind": _arbiter_kind(p), "state": p.state.name.lower(),
        "state_text": _STATE_TEXT[p.state], "nonce": p.nonce,
        "claims": [{"claim_id": c, "share_bps": s} for c, s in zip(p.claim_ids, p.shares_bps)],
        "window_end": p.window_end, "window_end_utc": utc(p.window_end) if p.window_end else None,
        "in_window": p.in_window, "decide_by": p.decide_by if p.blocked else None,
        "decide_by_utc": utc(p.decide_by) if p.blocked else None,
        "weight_against": p.weight_against, "weight_against_text": human(p.weight_against, info),
        "weight_for": p.weight_for, "weight_for_text": human(p.weight_for, info),
        "quorum_weight": p.quorum_weight, "quorum_weight_text": human(p.quorum_weight, info),
        "total": p.total, "blocked": p.blocked, "finalizable": p.finalizable, "lapsable": p.lapsable,
        "dispute_id": p.dispute_id,
    }


def _arbiter_kind(p: Proposal) -> str:
    if p.arbiter is None:
        return "none: a blocked proposal is rejected"
    return "ERC-792 arbitrator" if p.arbiter_is_erc792 else "address (rules itself)"


def review_panel(data: dict[str, Any]) -> Panel:
    """The human view of `review_data`."""
    live = data["state"] in ("pending", "blocked", "escalated", "upheld")
    rows: list[tuple[str, str]] = [
        ("policy", f"optimistic: window {data['review_window'] // 3600} h, quorum {data['quorum_text']}"),
        ("approver", data["approver"]),
        ("arbiter", f"{data['arbiter']} ({data['arbiter_kind']})" if data["arbiter"] else data["arbiter_kind"]),
        ("proposal", f"#{data['nonce']}: {data['state_text']}" if data["nonce"] else "none yet"),
    ]
    if data["nonce"]:
        rows.append(("award", ", ".join(f"claim {c['claim_id']} {c['share_bps'] / 100:g}%" for c in data["claims"])))
    if live:
        window = "open" if data["in_window"] else "closed"
        rows += [("window ends", f"{data['window_end_utc']} ({window})"),
                 ("weight against", f"{data['weight_against_text']} (blocks at {data['quorum_weight_text']})"),
                 ("weight for", f"{data['weight_for_text']} (pledged, not objecting)")]
        if data["decide_by_utc"]:
            rows.append(("arbiter rules by", f"{data['decide_by_utc']} (then anyone may lapse it)"))
        if data["dispute_id"] is not None:
            rows.append(("dispute", str(data["dispute_id"])))
        if data["finalizable"]:
            rows.append(("next", "anyone may finalize: `bountychain finalize`"))
    return Panel(kv_table(rows), title=Text("review", style="bold"), expand=False)


@command("create-optimistic")
@click.argument("issue")
@click.option("--deadline", required=True, help="Unix timestamp, ISO date-time with zone, or a duration (30d).")
@click.option("--window", "window", required=True, help="Review window after each proposal: 1d to 30d.")
@click.option("--quorum", required=True, help="Objections that block a proposal: 33% or 3300 (basis points).")
@click.option("--token", metavar="ADDRESS", help="ERC-20 the bounty is paid in (default: ETH).")
@click.option("--approver", metavar="ADDRESS", help="Who proposes awards (default: you, the issuer).")
@click.option("--arbiter", metavar="ADDRESS", help="Who settles a blocked proposal (default: none, rejected).")
@click.option("--erc792", is_flag=True, help="The arbiter is an ERC-792 arbitrator contract (e.g. Kleros).")
def create_optimistic(issue: str, deadline: str, window: str, quorum: str, token: str | None,
                      approver: str | None, arbiter: str | None, erc792: bool) -> None:
    """Create a bounty on ISSUE whose awards go through optimistic backer review."""
    if erc792 and not arbiter:
        raise CliInputError("--erc792 needs --arbiter ADDRESS (the arbitrator contract)")
    terms = ReviewTerms(parse_window(window), parse_quorum(quorum),
                        checksum(arbiter, "--arbiter") if arbiter else None, erc792)
    client = connect(signer=True)
    token_address = checksum(token, "--token") if token else ETH
    approver_address = checksum(approver, "--approver") if approver else None
    info = client.token_info(token_address)
    deadline_ts = parse_deadline(deadline, int(client.w3.eth.get_block("latest")["timestamp"]))
    arbiter_text = (f"{terms.arbiter} ({'ERC-792 arbitrator' if erc792 else 'address'})" if terms.arbiter
                    else "none: a blocked proposal is rejected")
    rows = [("issue", issue), ("currency", info.symbol), ("deadline", utc(deadline_ts)),
            ("approver", approver_address or "you (the issuer)"),
            ("review window", f"{terms.review_window // 3600} h after each proposal"),
            ("quorum", f"{terms.quorum_bps / 100:g}% of the pledged total blocks a proposal"),
            ("arbiter", arbiter_text)]
    plan = Plan(f"create an optimistic bounty paid in {info.symbol}", rows)
    result = client.run(plan, lambda: client.create_bounty(issue, deadline_ts, token=token_address,
                                                           approver=approver_address, review=terms))
    report("create-optimistic", result, f"Created optimistic bounty {result.bounty_id}",
           [("bounty", str(result.bounty_id)), ("issue", result.uri), ("approver", result.approver),
            *rows[4:]], extra={"symbol": info.symbol, "review_window": terms.review_window,
                               "quorum_bps": terms.quorum_bps, "arbiter": terms.arbiter,
                               "arbiter_is_erc792": erc792})


@command()
@bounty_id_argument
@click.argument("shares", nargs=-1, metavar="CLAIM=SHARE...")
def propose(bounty_id: int, shares: tuple[str, ...]) -> None:
    """Propose an award of an optimistic bounty (approver): 1=70% 2=30%. Opens the review window."""
    split = parse_shares(shares)
    client = connect(signer=True)
    bounty, info = bounty_and_token(client, bounty_id)
    header = bounty_line(client, bounty_id)
    window = client.proposal(bounty_id).review_window if bounty.optimistic else 0
    rows = [("bounty", header), ("pool", human(bounty.total, info)),
            *[(f"claim {c}", f"{bps / 100:g}%") for c, bps in split.items()],
            ("review", f"funders may object for {window // 3600} h; pledges and refunds wait meanwhile")]
    result = client.run(Plan(f"propose an award of bounty {bounty_id}", rows),
                        lambda: client.propose(bounty_id, split))
    report("propose", result, f"Proposed award #{result.nonce} of bounty {bounty_id}",
           [("window ends", utc(result.window_end)), ("pool", human(result.total, info))],
           extra={"window_end_utc": utc(result.window_end)})


@command("object")
@bounty_id_argument
def object_(bounty_id: int) -> None:
    """Object to the pending proposal with the weight of your pledge (once per proposal)."""
    client = connect(signer=True)
    signer = client.signer
    assert signer is not None
    bounty, info = bounty_and_token(client, bounty_id)
    header = bounty_line(client, bounty_id)
    mine = client.pledge_of(bounty_id, signer.address)
    rows = [("bounty", header), ("your weight", human(mine.amount, info))]
    result = client.run(Plan(f"object to the proposal of bounty {bounty_id}", rows),
                        lambda: client.object(bounty_id))
    outcome = {"pending": "below the quorum so far", "blocked": "the proposal is blocked: it goes to the arbiter "
               "(`bountychain escalate`)", "rejected": "the proposal is rejected; refunds follow the locks again"}
    report("object", result, f"Objected to proposal #{result.nonce} of bounty {bounty_id}",
           [("weight", human(result.weight, info)),
            ("weight against", human(result.weight_against, info)),
            ("outcome", outcome[result.outcome])], extra={"symbol": info.symbol})


@command()
@bounty_id_argument
def finalize(bounty_id: int) -> None:
    """Pay the proposal once its window ended unblocked, or once the arbiter upheld it (anyone)."""
    client = connect(signer=True)
    bounty, info = bounty_and_token(client, bounty_id)
    header = bounty_line(client, bounty_id)
    proposal = client.proposal(bounty_id)
    rows = [("bounty", header), ("pool", human(bounty.total, info)),
            *[(f"claim {c}", f"{s / 100:g}%") for c, s in zip(proposal.claim_ids, proposal.shares_bps)]]
    result = client.run(Plan(f"finalize the award of bounty {bounty_id}", rows),
                        lambda: client.finalize(bounty_id))
    report("finalize", result, f"Finalized the award of bounty {bounty_id}",
           [("pool", human(result.pool, info)), ("fee", human(result.fee, info)),
            *[(f"claim {p.claim_id}", f"{human(p.amount, info)} to {p.hunter}"
               + (" (credited)" if p.credited else "")) for p in result.payouts]],
           extra={"symbol": info.symbol})


@command()
@bounty_id_argument
def escalate(bounty_id: int) -> None:
    """Send a blocked proposal to the bounty's arbiter (anyone; pays an ERC-792 arbitrator's fee)."""
    client = connect(signer=True)
    header = bounty_line(client, bounty_id)
    proposal = client.proposal(bounty_id)
    fee = client.arbitration_fee(proposal)
    rows = [("bounty", header), ("arbiter", str(proposal.arbiter)),
            ("arbitration fee", eth(fee) + (" (not refunded)" if fee else ""))]
    result = client.run(Plan(f"escalate the proposal of bounty {bounty_id}", rows),
                        lambda: client.escalate(bounty_id))
    report("escalate", result, f"Bounty {bounty_id} is dispute {result.dispute_id} at {result.arbiter}",
           [("dispute", str(result.dispute_id)), ("fee paid", eth(result.fee_paid)),
            ("arbiter rules by", utc(proposal.decide_by))])


@command()
@bounty_id_argument
@click.argument("ruling", type=click.Choice(["pay", "reject", "refuse"]))
def rule(bounty_id: int, ruling: str) -> None:
    """The arbiter's ruling on an escalated proposal: pay, reject, or refuse (rejects)."""
    client = connect(signer=True)
    header = bounty_line(client, bounty_id)
    effect = {"pay": "the proposal stands; anyone may then finalize it",
              "reject": "the proposal is rejected; refunds follow the locks again",
              "refuse": "you refuse to arbitrate: the proposal is rejected"}[ruling]
    result = client.run(Plan(f"rule on the proposal of bounty {bounty_id}",
                             [("bounty", header), ("ruling", f"{ruling}: {effect}")]),
                        lambda: client.rule(bounty_id, ruling))
    report("rule", result, f"Ruled {ruling} on bounty {bounty_id}: proposal {result.outcome}",
           [("dispute", str(result.dispute_id)), ("outcome", result.outcome)])


@command()
@bounty_id_argument
def lapse(bounty_id: int) -> None:
    """Reject a blocked proposal whose arbiter did not rule in time (anyone); refunds resume."""
    client = connect(signer=True)
    header = bounty_line(client, bounty_id)
    result = client.run(Plan(f"lapse the dispute of bounty {bounty_id}", [
        ("bounty", header), ("effect", f"the arbiter had {ARBITRATION_TIMEOUT // 86_400} days after the window; "
                                       "the proposal is rejected")]), lambda: client.lapse(bounty_id))
    report("lapse", result, f"The proposal of bounty {bounty_id} lapsed", [("reason", result.reason)])


@command("proposal")
@bounty_id_argument
def show_proposal(bounty_id: int) -> None:
    """The review policy and latest proposal of an optimistic bounty."""
    client = connect(signer=False)
    bounty, info = bounty_and_token(client, bounty_id)
    data = review_data(client, bounty, info)
    if data is None:
        raise InvalidInput(f"bounty {bounty_id} has no review policy: its approver awards directly")
    ui = get_settings().ui
    ui.emit({"bounty_id": bounty_id, "symbol": info.symbol, **data}, lambda: ui.say(review_panel(data)))


COMMANDS = [create_optimistic, propose, object_, finalize, escalate, rule, lapse, show_proposal]

__all__ = ["COMMANDS", "review_data", "review_panel"]
