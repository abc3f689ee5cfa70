"""Backers' review on the command line: reviewed bounties, proposals, objections,
finalization, and the arbiter's steps.

Silence is consent; an objection withholds the objector's own pledge from the proposal (the
award takes the rest, and the objector refunds at once after it). With an arbiter, objections
reaching the quorum block the proposal, and only the arbiter decides it (the whole pool, or
nothing).

    bountychain create-optimistic https://github.com/o/r/issues/1 --deadline 30d --window 7d
    bountychain create-optimistic ISSUE --deadline 30d --window 7d --quorum 33% --arbiter SAFE
    bountychain --account approver propose 1 1=70% 2=30%
    bountychain --account approver propose 1 1=100% --part 30%   # a milestone: 30% now, the rest open
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

from bountychain.amounts import parse_amount
from bountychain.cli._context import command, get_settings
from bountychain.cli._errors import CliInputError
from bountychain.cli._lookups import amount_in, issue_url
from bountychain.cli._output import eth, human, kv_table, utc
from bountychain.cli._params import (
    bounty_id_argument,
    parse_deadline,
    parse_part,
    parse_quorum,
    parse_shares,
    parse_window,
)
from bountychain.cli._session import Plan, connect, report
from bountychain.errors import InvalidInput
from bountychain.results import ETH, Bounty, Proposal, ProposalState, ReviewTerms, TokenInfo
from bountychain.sdk import BountyClient, checksum
from bountychain.sdk.constants import ARBITRATION_PERIOD, BPS, ESCALATION_PERIOD

_STATE_TEXT = {
    ProposalState.NONE: "none live",
    ProposalState.PENDING: "pending: objections withhold the objectors' pledges",
    ProposalState.BLOCKED: "blocked by the quorum: only the arbiter decides it (escalate it, or the arbiter decides)",
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
        "bounty_id": bounty.bounty_id, "policy": "optimistic", "approver": p.approver, "review_window": p.review_window,
        "quorum_bps": p.quorum_bps,
        "quorum_text": (f"{p.quorum_bps / 100:g}% of the pool at the proposal sends it to the arbiter" if p.quorum_bps
                        else "none (no arbiter): each objection withholds only the objector's pledge"),
        "arbiter": p.arbiter, "arbiter_kind": _arbiter_kind(p), "state": p.state.name.lower(),
        "state_text": _STATE_TEXT[p.state], "nonce": p.nonce,
        "claims": [{"claim_id": c, "share_bps": s} for c, s in zip(p.claim_ids, p.shares_bps)],
        "window_end": p.window_end, "window_end_utc": utc(p.window_end) if p.window_end else None,
        "in_window": p.in_window, "decide_by": p.decide_by if p.blocked else None,
        "decide_by_utc": utc(p.decide_by) if p.blocked else None,
        "decide_by_text": _decide_by_text(p),
        "weight_against": p.weight_against, "weight_against_text": human(p.weight_against, info),
        "weight_for": p.weight_for, "weight_for_text": human(p.weight_for, info),
        "quorum_weight": p.quorum_weight,
        "quorum_weight_text": human(p.quorum_weight, info) if p.quorum_weight is not None else None,
        "total_text": human(p.total, info),
        "total": p.total, "blocked": p.blocked, "finalizable": p.finalizable, "lapsable": p.lapsable,
        "dispute_id": p.dispute_id, "part_bps": p.part_bps or None,
        "part_text": (f"a milestone of {p.part_bps / 100:g}% of the pledges that pay; the rest stays open"
                      if p.part_bps else None),
    }


def _arbiter_kind(p: Proposal) -> str:
    if p.arbiter is None:
        return "none: nobody can overrule an objection"
    return ("an ERC-792 arbitrator (rules through escalate)" if p.arbiter_is_erc792
            else "an account or a Safe that decides itself")


def _decide_by_text(p: Proposal) -> str | None:
    if p.state == ProposalState.BLOCKED:
        return (f"escalate by {utc(p.decide_by)}"
                + ("" if p.arbiter_is_erc792 else " (the arbiter may also decide without it)")
                + "; then anyone may lapse it")
    if p.state == ProposalState.ESCALATED:
        return f"the arbiter decides by {utc(p.decide_by)}; then anyone may lapse it"
    return None


def review_panel(data: dict[str, Any]) -> Panel:
    """The human view of `review_data`."""
    live = data["state"] in ("pending", "blocked", "escalated", "upheld")
    rows: list[tuple[str, str]] = [
        ("policy", f"optimistic: window {_duration(data['review_window'])}, quorum {data['quorum_text']}"),
        ("approver", data["approver"]),
        ("arbiter", f"{data['arbiter']} ({data['arbiter_kind']})" if data["arbiter"] else data["arbiter_kind"]),
        ("proposal", f"#{data['nonce']}: {data['state_text']}" if data["nonce"] else "none yet"),
    ]
    if data["nonce"]:
        rows.append(("award", ", ".join(f"claim {c['claim_id']} {c['share_bps'] / 100:g}%" for c in data["claims"])))
        if data["part_text"]:
            rows.append(("milestone", data["part_text"]))
    if live:
        window = "open" if data["in_window"] else "closed"
        blocks = f"; the arbiter decides from {data['quorum_weight_text']}" if data["quorum_weight_text"] else ""
        rows += [("window ends", f"{data['window_end_utc']} ({window})"),
                 ("pool at proposal", data["total_text"]),
                 ("withheld", f"{data['weight_against_text']} (objectors' pledges, refunded after an award{blocks})"),
                 ("for", f"{data['weight_for_text']} (silent funders: what an unblocked award takes)")]
        if data["decide_by_text"]:
            rows.append(("decide by", data["decide_by_text"]))
        if data["dispute_id"] is not None:
            rows.append(("dispute", str(data["dispute_id"])))
        if data["finalizable"]:
            rows.append(("next", f"anyone may finalize: `bountychain finalize {data['bounty_id']}`"))
    return Panel(kv_table(rows), title=Text("review", style="bold"), expand=False)


def _has_arbiter(bounty_id: int, proposal: Proposal, so: str) -> None:
    """Refuses, before anything is sent, an arbiter's step on a bounty that has none."""
    if proposal.arbiter is None:
        raise CliInputError(f"bounty {bounty_id} has no arbiter: an objection there withholds only the objector's "
                            f"pledge, and {so}; anyone finalizes a proposal once its window ends")


def _duration(seconds: int) -> str:
    days, hours = seconds // 86_400, seconds // 3600
    return (f"{days} day{'s' if days != 1 else ''}" if seconds % 86_400 == 0
            else f"{hours} hour{'s' if hours != 1 else ''}")


def _header(client: BountyClient, bounty_id: int) -> tuple[Bounty, TokenInfo, str]:
    bounty = client.bounty(bounty_id)
    return bounty, client.token_info(bounty.token), f"{bounty_id}: {issue_url(client, bounty_id)}"


@command("create-optimistic")
@click.argument("issue")
@click.option("--deadline", required=True, help="Unix timestamp, ISO date-time with zone, or a duration (30d).")
@click.option("--window", "window", required=True, help="Review window after each proposal: 1d to 30d.")
@click.option("--quorum", help="With --arbiter: objections that send a proposal to it, 33% or 3300 (basis points).")
@click.option("--token", metavar="ADDRESS", help="ERC-20 the bounty is paid in (default: ETH).")
@click.option("--approver", metavar="ADDRESS", help="Who proposes awards (default: you, the issuer).")
@click.option("--arbiter", metavar="ADDRESS", help="Who decides a proposal blocked by the quorum (needs --quorum).")
@click.option("--erc792", is_flag=True, help="The arbiter is an ERC-792 arbitrator contract (e.g. Kleros).")
@click.option("--extra-data", "extra_data", metavar="HEX",
              help="ERC-792 extraData for the arbitrator (for Kleros: court and jurors), as 0x-hex.")
@click.option("--meta-evidence", "meta_evidence", metavar="URI",
              help="ERC-1497 meta-evidence URI: what a dispute is about, for the court.")
@click.option("--bond", metavar="AMOUNT", help='Refundable bond each claim posts ("0.01 ETH"), fixed for good.')
def create_optimistic(issue: str, deadline: str, window: str, quorum: str | None, token: str | None,
                      approver: str | None, arbiter: str | None, erc792: bool, extra_data: str | None,
                      meta_evidence: str | None, bond: str | None) -> None:
    """Create a bounty on ISSUE whose awards go through the backers' review: funders may object
    to a proposed award, which withholds their own pledge from it."""
    if erc792 and not arbiter:
        raise CliInputError("--erc792 needs --arbiter ADDRESS (the arbitrator contract)")
    if quorum and not arbiter:
        raise CliInputError("--quorum needs --arbiter ADDRESS: without an arbiter each objection withholds only "
                            "the objector's pledge, so a quorum could only be a veto")
    if arbiter and not quorum:
        raise CliInputError("--arbiter needs --quorum (e.g. 33%): the share of the pool whose objections send a "
                            "proposal to the arbiter")
    if (extra_data or meta_evidence) and not erc792:
        raise CliInputError("--extra-data and --meta-evidence are for an ERC-792 arbitrator (--erc792)")
    extra = _hex_bytes(extra_data) if extra_data else b""
    terms = ReviewTerms(parse_window(window), parse_quorum(quorum) if quorum else 0,
                        checksum(arbiter, "--arbiter") if arbiter else None, erc792, extra, meta_evidence or "")
    client = connect(signer=True)
    token_address = checksum(token, "--token") if token else ETH
    approver_address = checksum(approver, "--approver") if approver else None
    info = client.token_info(token_address)
    deadline_ts = parse_deadline(deadline, int(client.w3.eth.get_block("latest")["timestamp"]))
    bond_base = amount_in(info, bond) if bond is not None else 0
    if bond is not None and bond_base <= 0:
        raise CliInputError(f"--bond must be above zero, got {bond!r}")
    rows = [("issue", issue), ("currency", info.symbol), ("deadline", utc(deadline_ts)),
            ("approver", approver_address or "you (the issuer)"),
            ("review window", f"{_duration(terms.review_window)} after each proposal"),
            ("objections", "each objecting funder withholds its own pledge: the award takes the rest, and the "
                           "objector refunds at once after it")]
    if terms.arbiter:
        kind = "ERC-792 arbitrator, paid when escalated" if erc792 else "address, decides itself"
        rows += [("quorum", f"objections of {terms.quorum_bps / 100:g}% of the pool at the proposal send it to "
                            "the arbiter, who pays the whole pool or nothing"),
                 ("arbiter", f"{terms.arbiter} ({kind})")]
        if extra:
            rows.append(("court extra data", "0x" + extra.hex()))
        if terms.meta_evidence:
            rows.append(("meta-evidence", terms.meta_evidence))
    else:
        rows.append(("arbiter", "none: nobody can overrule an objection"))
    if bond_base:
        rows.append(("claim bond", f"{human(bond_base, info)} per claim, returned after the award, a cancel or the "
                                   "deadline unless the approver marks the claim as spam (then it goes to the "
                                   "funders, never the approver or the issuer)"))
    plan = Plan(f"create an optimistic bounty paid in {info.symbol}", rows)
    if bond_base:
        result = client.run(plan, lambda: client.create_bonded_bounty(
            issue, deadline_ts, bond_base, token=token_address, approver=approver_address, review=terms))
    else:
        result = client.run(plan, lambda: client.create_bounty(issue, deadline_ts, token=token_address,
                                                               approver=approver_address, review=terms))
    report("create-optimistic", result, f"Created optimistic bounty {result.bounty_id}",
                [("bounty", str(result.bounty_id)), ("issue", result.uri), ("approver", result.approver),
                 *rows[4:]], extra={"symbol": info.symbol, "review_window": terms.review_window,
                                    "quorum_bps": terms.quorum_bps, "arbiter": terms.arbiter,
                                    "arbiter_is_erc792": erc792, "arbitrator_extra_data": "0x" + extra.hex(),
                                    "meta_evidence": terms.meta_evidence})


def _hex_bytes(text: str) -> bytes:
    value = text.strip()
    digits = value[2:] if value.lower().startswith("0x") else value
    try:
        return bytes.fromhex(digits)
    except ValueError:
        raise CliInputError(f"--extra-data {text!r}: give bytes as hex, e.g. 0x0000...01") from None

@command()
@bounty_id_argument
@click.argument("shares", nargs=-1, metavar="CLAIM=SHARE...")
@click.option("--part", metavar="SHARE", help="Propose a milestone: this part of the pool (30% or 3000 basis "
                                              "points); the rest stays open for the next.")
def propose(bounty_id: int, shares: tuple[str, ...], part: str | None) -> None:
    """Propose an award of an optimistic bounty (approver): 1=70% 2=30%, or with --part a milestone.
    Opens the review window."""
    split = parse_shares(shares)
    part_bps = parse_part(part) if part is not None else None
    client = connect(signer=True)
    bounty, info, header = _header(client, bounty_id)
    window = client.proposal(bounty_id).review_window if bounty.optimistic else 0
    rows = [("bounty", header), ("pool", human(bounty.total, info))]
    if part_bps is not None:
        rows.append(("milestone", f"{part_bps / 100:g}% of the pledges that pay = at most "
                                  f"{human(bounty.total * part_bps // BPS, info)}; the rest stays open under the "
                                  "same deadline and locks"))
    rows += [*[(f"claim {c}", f"{bps / 100:g}%") for c, bps in split.items()],
             ("review", f"funders may object for {_duration(window)}, each withholding its own pledge; new pledges, "
                        "solutions and refunds of locked pledges wait meanwhile")]
    what = "an award" if part_bps is None else "a milestone"
    result = client.run(Plan(f"propose {what} of bounty {bounty_id}", rows),
                        lambda: client.propose(bounty_id, split, part_bps=part_bps))
    lines = [("window ends", utc(result.window_end)), ("pool", human(result.total, info))]
    if part_bps is not None:
        lines.append(("milestone", f"{part_bps / 100:g}% of the pledges nobody withholds"))
    headline = (f"Proposed award #{result.nonce} of bounty {bounty_id}" if part_bps is None
                else f"Proposed milestone #{result.nonce} of bounty {bounty_id} ({part_bps / 100:g}%)")
    report("propose", result, headline, lines,
           extra={"window_end_utc": utc(result.window_end), "part_bps": part_bps})

@command("object")
@bounty_id_argument
def object_(bounty_id: int) -> None:
    """Object to the pending proposal, withholding your pledge from it (once per proposal)."""
    client = connect(signer=True)
    signer = client.signer
    assert signer is not None
    bounty, info, header = _header(client, bounty_id)
    mine = human(client.pledge_of(bounty_id, signer.address).amount, info)
    proposal = client.proposal(bounty_id)
    if proposal.part_bps:
        effect = (f"your {mine} is withheld from this milestone ({proposal.part_bps / 100:g}%) only: if it is paid, "
                  "your pledge keeps its worth and its lock, and pays the next milestone unless you object to that "
                  "one too")
    else:
        effect = (f"your {mine} is withheld from this proposal: if it is awarded, the award takes the pool without "
                  f"it and you refund your {mine} at once; if it is rejected, your pledge keeps its lock")
    if proposal.quorum_weight is not None:
        effect += (f". Objections reaching {human(proposal.quorum_weight, info)} send it to the arbiter, who may "
                   "pay the whole pool, your pledge included")
    rows = [("bounty", header), ("your pledge", mine), ("effect", effect)]
    result = client.run(Plan(f"object to the proposal of bounty {bounty_id}", rows),
                        lambda: client.object(bounty_id))
    weight = human(result.weight, info)
    withheld = (f"your {weight} is withheld from this milestone: it keeps its worth if the milestone is paid; "
                "object again to the next one" if proposal.part_bps else
                f"your {weight} is withheld: an award after the window takes the pool without it, "
                f"and you refund it at once (`bountychain refund {bounty_id}`)")
    outcome = {"withheld": withheld,
               "blocked": "the objections reached the quorum: the proposal is blocked and only the arbiter decides "
                          f"it, paying the whole pool or nothing (`bountychain escalate {bounty_id}`)"}
    report("object", result, f"Objected to proposal #{result.nonce} of bounty {bounty_id}",
                [("withheld", weight), ("withheld in all", human(result.weight_against, info)),
                 ("outcome", outcome[result.outcome])],
           extra={"symbol": info.symbol, "weight_text": weight,
                  "weight_against_text": human(result.weight_against, info)})

@command()
@bounty_id_argument
def finalize(bounty_id: int) -> None:
    """Pay the proposal once its window ended unblocked (the pool less the withheld pledges), or
    once the arbiter upheld it (the whole pool). Anyone may."""
    client = connect(signer=True)
    bounty, info, header = _header(client, bounty_id)
    proposal = client.proposal(bounty_id)
    paid = proposal.total if proposal.state == ProposalState.UPHELD else proposal.weight_for
    if proposal.part_bps:
        paid = paid * proposal.part_bps // BPS
    rows = [("bounty", header),
            ("award", human(paid, info) + (" (the whole pool: the arbiter upheld it)"
                                           if proposal.state == ProposalState.UPHELD else
                                           f" (the pool less {human(proposal.weight_against, info)} withheld)"
                                           if proposal.weight_against else " (the whole pool: nobody objected)")),
            *[(f"claim {c}", f"{s / 100:g}%") for c, s in zip(proposal.claim_ids, proposal.shares_bps)]]
    if proposal.part_bps:
        rows.insert(2, ("milestone", f"{proposal.part_bps / 100:g}% of the pledges that pay; the bounty stays open"))
    result = client.run(Plan(f"finalize the award of bounty {bounty_id}", rows),
                        lambda: client.finalize(bounty_id))
    if result.rejected:
        report("finalize", result, f"Nothing to award on bounty {bounty_id}: every pledge was withheld",
               [("outcome", "the proposal is rejected; the bounty is open again and pledges keep their locks")],
               extra={"symbol": info.symbol})
        return
    milestone = result.part_bps is not None
    report("finalize", result, (f"Paid milestone #{proposal.nonce} of bounty {bounty_id}; it stays open" if milestone
                                else f"Finalized the award of bounty {bounty_id}"),
                [("pool", human(result.pool, info)), ("fee", human(result.fee, info)),
                 *([("still pledged", human(result.remaining or 0, info))] if milestone else []),
                 *[(f"claim {p.claim_id}", f"{human(p.amount, info)} to {p.hunter}"
                    + (" (credited)" if p.credited else "")) for p in result.payouts]],
                extra={"symbol": info.symbol})

@command()
@bounty_id_argument
@click.option("--fee", "fee_text", metavar="AMOUNT",
              help="Most you will pay an ERC-792 arbitrator, e.g. '0.02 ETH' (default: its fee now).")
def escalate(bounty_id: int, fee_text: str | None) -> None:
    """Send a blocked proposal to the bounty's arbiter (anyone; pays an ERC-792 arbitrator's fee)."""
    client = connect(signer=True)
    _, _, header = _header(client, bounty_id)
    proposal = client.proposal(bounty_id)
    _has_arbiter(bounty_id, proposal, "nobody to escalate to")
    fee = client.arbitration_fee(proposal)
    sent = _wei(fee_text) if fee_text else fee
    if proposal.arbiter_is_erc792:
        fee_row = (f"{eth(fee)} now, paid to the arbitrator and not refunded; you send {eth(sent)}, and what "
                   "exceeds the fee in force when mined comes back to you")
        ruling = f"the arbitrator rules within {ARBITRATION_PERIOD // 86_400} days, then anyone may lapse it"
    else:
        fee_row = "none (a plain-address arbiter)"
        ruling = f"the arbiter decides within {ARBITRATION_PERIOD // 86_400} days, then anyone may lapse it"
    rows = [("bounty", header), ("arbiter", str(proposal.arbiter)), ("arbitration fee", fee_row),
            ("then", ruling)]
    result = client.run(Plan(f"escalate the proposal of bounty {bounty_id}", rows),
                        lambda: client.escalate(bounty_id, fee=sent))
    decide_by = client.proposal(bounty_id).decide_by
    dispute = (f"dispute {result.dispute_id} at {result.arbiter}" if result.dispute_id is not None
               else f"with the arbiter {result.arbiter}")
    report("escalate", result, f"The proposal of bounty {bounty_id} is {dispute}",
                [("dispute", str(result.dispute_id) if result.dispute_id is not None else "none (plain arbiter)"),
                 ("fee paid", eth(result.fee_paid)
                  + (f" ({eth(sent - result.fee_paid)} above it returned)" if sent > result.fee_paid else "")),
                 ("arbiter decides by", utc(decide_by))],
           extra={"decide_by": decide_by, "decide_by_utc": utc(decide_by)})


def _wei(text: str) -> int:
    return parse_amount(text, symbol="ETH", decimals=18)

@command()
@bounty_id_argument
@click.argument("ruling", type=click.Choice(["pay", "reject", "refuse"]))
def rule(bounty_id: int, ruling: str) -> None:
    """A plain arbiter's decision on a blocked or escalated proposal: pay, reject, or refuse
    (rejects). An ERC-792 arbitrator rules through its own contract instead."""
    client = connect(signer=True)
    _, info, header = _header(client, bounty_id)
    proposal = client.proposal(bounty_id)
    _has_arbiter(bounty_id, proposal, "nobody rules on it")
    effect = {"pay": f"the proposal stands for the whole pool ({human(proposal.total, info)}, the objectors' "
                     "pledges included); anyone may then finalize it",
              "reject": "the proposal is rejected; the bounty reopens and pledges keep their locks",
              "refuse": "you refuse to arbitrate: the proposal is rejected"}[ruling]
    result = client.run(Plan(f"rule on the proposal of bounty {bounty_id}",
                                  [("bounty", header), ("ruling", f"{ruling}: {effect}")]),
                        lambda: client.rule(bounty_id, ruling))
    report("rule", result, f"Decided {ruling} on proposal #{proposal.nonce} of bounty {bounty_id}: "
                           f"{result.outcome}", [("outcome", result.outcome)])

@command()
@bounty_id_argument
def lapse(bounty_id: int) -> None:
    """Reject a blocked proposal nobody escalated in time, or one the arbiter did not decide in time (anyone)."""
    client = connect(signer=True)
    _, _, header = _header(client, bounty_id)
    proposal = client.proposal(bounty_id)
    _has_arbiter(bounty_id, proposal, "no proposal of it is ever blocked, so none lapses")
    why = (f"the arbiter did not decide within {ARBITRATION_PERIOD // 86_400} days of the escalation"
           if proposal.state == ProposalState.ESCALATED else
           f"nobody escalated it within {ESCALATION_PERIOD // 86_400} days of the window's end")
    rows = [("bounty", header), ("proposal", f"#{proposal.nonce}: {_STATE_TEXT[proposal.state]}"),
            ("why", why + (f" (since {utc(proposal.decide_by)})" if proposal.decide_by else "")),
            ("effect", "the proposal is rejected; the bounty reopens and pledges keep their locks")]
    result = client.run(Plan(f"lapse the proposal of bounty {bounty_id}", rows), lambda: client.lapse(bounty_id))
    report("lapse", result, f"The proposal of bounty {bounty_id} lapsed: rejected",
           [("reason", why), ("bounty", "open again")], extra={"why": why})


@command("proposal")
@bounty_id_argument
def show_proposal(bounty_id: int) -> None:
    """The review policy and latest proposal of an optimistic bounty."""
    client = connect(signer=False)
    bounty, info, _ = _header(client, bounty_id)
    data = review_data(client, bounty, info)
    if data is None:
        raise InvalidInput(f"bounty {bounty_id} has no review policy: its approver awards directly")
    ui = get_settings().ui
    ui.emit({"bounty_id": bounty_id, "symbol": info.symbol, **data}, lambda: ui.say(review_panel(data)))


COMMANDS = [create_optimistic, propose, object_, finalize, escalate, rule, lapse, show_proposal]

__all__ = ["COMMANDS", "review_data", "review_panel"]
