"""What the index's queries return: frozen records of bounties, pledges, claims and the
records of funders, hunters and beneficiaries. Amounts are exact integers of the token's base
units."""

from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields
from functools import cache
from typing import Any, TypeVar


@dataclass(frozen=True)
class IndexStatus:
    chain_id: int | None
    escrow: str | None
    start_block: int | None
    cursor: int | None  # the last indexed block
    cursor_time: int | None  # its timestamp: "now" for the index's answers about this chain
    chain_name: str | None = None  # "Sepolia" (`bountychain.chains`); "chain 424242" when not listed


@dataclass(frozen=True)
class BountySummary:
    bounty_id: int
    uri: str
    host: str
    repo: str
    issuer: str
    approver: str
    token: str
    symbol: str
    decimals: int
    deadline: int
    # bounty: open, expired (open and past its deadline), under_review, awarded, cancelled;
    # fundraiser: raising, succeeded, failed, paid, cancelled, lapsed (see FundraiserState)
    status: str
    total: int  # held by the escrow for this bounty now (after a reviewed award: withheld pledges not yet refunded)
    pledged: int  # every pledge ever made
    refunded: int
    pool: int  # what the award (a fundraiser's payout) distributed, fee included
    fee: int
    paid_out: int  # to the winners (a fundraiser's beneficiary), sent or credited
    funder_count: int
    claim_count: int
    created_block: int
    kind: str = "bounty"  # or "fundraiser"
    # Fundraisers only (bounties: "", 0, 0, False, 0):
    beneficiary: str = ""
    goal: int = 0
    # What it raised toward the goal: the pledges (less refunds if cancelled); once paid, what
    # was paid out (fee included). Refunds after the deadline (failed, lapsed) leave it as it was.
    raised: int = 0
    all_or_nothing: bool = False  # else flexible
    claim_deadline: int = 0  # the payout lapses from then on (backers may refund)
    # Backer governance (optimistic bounties; a plain one has optimistic False and zeros).
    # The approver above is the one who proposes. proposal_* describe the latest proposal:
    # its state (none, pending, blocked, escalated, upheld, executed; a rejected one is none),
    # nonce (0: never proposed), claims and shares, the pool it weighs against, the end of its
    # review window, the arbiter's last moment (decide_by), the weight of objections against
    # it, the weight that blocks it (quorum of its total, rounded up) and its dispute id
    # ('' unless escalated or upheld). proposed_part_bps: the part of the pool it asks for, a
    # milestone, in basis points (0: the whole pool; PartProposed, issue 16).
    optimistic: bool = False
    review_window: int = 0
    quorum_bps: int = 0
    arbiter: str = ""
    arbiter_is_erc792: bool = False
    proposal_state: str = "none"
    proposal_nonce: int = 0
    proposed_claims: tuple[int, ...] = ()
    proposed_shares: tuple[int, ...] = ()
    proposal_total: int = 0
    window_end: int = 0
    decide_by: int = 0
    weight_against: int = 0
    quorum_weight: int = 0
    dispute_id: str = ""
    proposed_part_bps: int = 0
    chain_id: int = 0  # bounty ids are numbered per escrow: the chain and escrow are part of its name
    chain_name: str = ""
    escrow: str = ""

    @property
    def is_fundraiser(self) -> bool:
        return self.kind == "fundraiser"


@dataclass(frozen=True)
class FunderPledge:
    bounty_id: int
    funder: str
    token: str
    symbol: str
    decimals: int
    pledged: int
    refunded: int
    # Still held for this funder: what its shares of the pool are worth now (after partial
    # awards, less than pledged - refunded; after an award, an objector's withheld pledge).
    outstanding: int
    # Went to the award (a fundraiser's beneficiary) and to milestones; 0 for an objector the
    # award left out. pledged = refunded + outstanding + paid_out.
    paid_out: int
    unlocks_at: int
    state: str  # locked, frozen (under review), refundable, refunded, awarded (bounty), paid (fundraiser)
    kind: str = "bounty"
    chain_id: int = 0
    chain_name: str = ""
    escrow: str = ""
    to_milestones: int = 0  # the part of paid_out that partial awards (milestones) took
    # The bounty's status at that moment (open, expired, under_review, awarded, cancelled; a
    # fundraiser's raising, succeeded, ...), as `queries.bounties` states it.
    bounty_status: str = ""


@dataclass(frozen=True)
class ClaimRow:
    bounty_id: int
    claim_id: int
    hunter: str
    uri: str
    paid: int  # 0 unless the claim won (sent, or credited when the push failed)
    token: str
    symbol: str
    decimals: int
    block_number: int
    tx_hash: str
    chain_id: int = 0
    chain_name: str = ""
    # A private security report's claim: its URI is a commitment (bountychain.reports), never a
    # link; committed_at is its block's time, which proves priority (None if not indexed).
    private_report: bool = False
    committed_at: int | None = None
    escrow: str = ""


@dataclass(frozen=True)
class PledgeEvent:
    bounty_id: int
    funder: str
    amount: int
    unlocks_at: int
    block_number: int
    tx_hash: str
    chain_id: int = 0
    chain_name: str = ""
    escrow: str = ""


@dataclass(frozen=True)
class Objection:
    """A funder's objection to a proposal (Objected), with the weight against after it."""

    bounty_id: int
    nonce: int
    funder: str
    weight: int
    weight_against: int
    token: str
    symbol: str
    decimals: int
    block_number: int
    tx_hash: str
    chain_id: int = 0
    chain_name: str = ""
    escrow: str = ""


@dataclass(frozen=True)
class SpamMark:
    """A claim its bounty's approver called spam while the bounty was open, which slashed the
    claim's bond (`bond`, what it held) to the funders (BondSlashed). On a reviewed bounty the
    proposer marks it through the review contract (SpamMarked: `through_review`); on a plain one
    the approver marks it on the escrow. `marked_by` is who called it spam."""

    bounty_id: int
    claim_id: int
    hunter: str
    bond: int
    marked_by: str
    through_review: bool
    block_number: int
    tx_hash: str


@dataclass(frozen=True)
class BountyDetail:
    bounty: BountySummary
    pledges: list[FunderPledge]  # one per funder
    pledge_events: list[PledgeEvent]  # every Pledged event, oldest first
    claims: list[ClaimRow]
    objections: list[Objection] = field(default_factory=list)  # to every proposal, oldest first
    spam_marks: list[SpamMark] = field(default_factory=list)  # oldest first


@dataclass(frozen=True)
class TokenAmounts:
    token: str
    symbol: str
    decimals: int
    pledged: int = 0
    paid_out: int = 0  # to bounty awards (a hunter's earnings; a beneficiary's receipts)
    refunded: int = 0
    outstanding: int = 0
    to_fundraisers: int = 0  # paid out by fundraisers this funder backed
    chain_id: int = 0
    chain_name: str = ""
    # A funder's part of the claim bonds slashed on bounties it funded, credited to it (withdrawn
    # with `withdraw`): not part of what it pledged.
    slashed_credit: int = 0


@dataclass(frozen=True)
class SponsorRecord:
    """How much of what a funder pledged went to winners, to fundraisers' beneficiaries, came
    back, or is still held (pledged = paid_out + to_fundraisers + refunded + outstanding)."""

    funder: str
    bounties: int  # bounties pledged to
    by_token: list[TokenAmounts]
    pledges: list[FunderPledge] = field(default_factory=list)
    fundraisers: int = 0  # fundraisers backed


@dataclass(frozen=True)
class Receipt:
    """A fundraiser's payout to its beneficiary (RaisedPaid): sent, or credited for `withdraw`."""

    bounty_id: int
    beneficiary: str
    amount: int
    token: str
    symbol: str
    decimals: int
    block_number: int
    tx_hash: str
    chain_id: int = 0
    chain_name: str = ""
    escrow: str = ""


@dataclass(frozen=True)
class BeneficiaryRecord:
    """The fundraisers raising for an address, and what they paid it."""

    beneficiary: str
    fundraisers: list[BountySummary]
    receipts: list[Receipt]
    received: list[TokenAmounts]  # paid_out per token


@dataclass(frozen=True)
class HunterRecord:
    hunter: str
    claims: list[ClaimRow]
    awards: list[ClaimRow]  # the claims that were paid
    earned: list[TokenAmounts]  # paid_out per token


_Record = TypeVar("_Record")


@cache
def _field_names(kind: type) -> tuple[str, ...]:
    return tuple(item.name for item in fields(kind))


@cache
def _field_set(kind: type) -> frozenset[str]:
    return frozenset(_field_names(kind))


def built(kind: type[_Record], /, *values: Any, **named: Any) -> _Record:
    """A record from its fields (by position, then by name): what `kind(...)` makes, without a
    frozen dataclass's `object.__setattr__` per field (a page of the list builds thousands of
    fields; these records have no __post_init__)."""
    names = _field_names(kind)
    record = object.__new__(kind)
    given = record.__dict__
    given.update(zip(names, values), **named)
    if len(values) > len(names) or given.keys() != _field_set(kind):
        # Fields left out take their defaults, as in `kind(...)`; anything else is refused.
        for item in fields(kind):
            if item.name not in given and item.default is not MISSING:
                given[item.name] = item.default
            elif item.name not in given and item.default_factory is not MISSING:
                given[item.name] = item.default_factory()
        if len(values) > len(names) or given.keys() != _field_set(kind) or set(named) & set(names[:len(values)]):
            raise TypeError(f"{kind.__name__} takes its fields {', '.join(names)}, not {', '.join(given)}")
    return record


__all__ = ["BeneficiaryRecord", "BountyDetail", "BountySummary", "ClaimRow", "FunderPledge", "HunterRecord", "IndexStatus", "Objection", "PledgeEvent", "Receipt", "SpamMark", "SponsorRecord", "TokenAmounts", "built"]
