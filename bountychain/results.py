"""What the client returns: frozen dataclasses, never raw receipts or tuples."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from enum import Enum, IntEnum

ETH = "0x0000000000000000000000000000000000000000"
"""The token address the escrow uses for ETH."""


class BountyStatus(IntEnum):
    """A bounty's stored status (expiry is not stored: see `Bounty.expired`)."""

    OPEN = 0
    AWARDED = 1
    CANCELLED = 2
    UNDER_REVIEW = 3  # an optimistic bounty's proposed award is live: pledges and refunds wait

    def __str__(self) -> str:
        """The status in words ("under review"), for messages; `int(status)` is the stored number."""
        return self.name.lower().replace("_", " ")

    __format__ = object.__format__  # f"{status}" reads as str(status), not the number


class ProposalState(IntEnum):
    """Where an optimistic bounty's latest proposal is (see `Proposal`)."""

    NONE = 0  # no live proposal: never proposed, or rejected
    PENDING = 1  # in its review window, or past it and finalizable by anyone
    BLOCKED = 2  # objections reached the quorum; waits for escalation to the arbiter
    ESCALATED = 3  # the arbiter has the dispute
    UPHELD = 4  # the arbiter ruled for it; anyone finalizes it
    EXECUTED = 5  # finalized: the bounty is awarded


class Ruling(IntEnum):
    """An arbiter's ruling (ERC-792 numbering)."""

    REFUSE = 0  # refuses to arbitrate: the proposal is rejected
    PAY = 1  # the proposal stands: anyone finalizes it
    REJECT = 2  # the proposal is rejected


# --- reads ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bounty:
    """A bounty's state as the escrow holds it, read at `as_of` (the block's timestamp)."""

    bounty_id: int
    issuer: str
    approver: str
    token: str
    deadline: int
    status: BountyStatus
    claim_count: int
    total: int
    as_of: int
    optimistic: bool = False  # awards go through propose / object / finalize (see `Proposal`)
    issue_url: str | None = None  # the issue it funds, from its BountyCreated event (None if unread)

    @property
    def is_eth(self) -> bool:
        return self.token == ETH

    @property
    def expired(self) -> bool:
        """True once the deadline has come: no more pledges, solutions or awards."""
        return self.as_of >= self.deadline


class FundraiserState(str, Enum):
    """Where a fundraiser stands, derived from its stored status, the time and the totals."""

    RAISING = "raising"        # before the deadline: takes pledges
    SUCCEEDED = "succeeded"    # deadline passed, goal reached (or flexible): the beneficiary can be paid
    FAILED = "failed"          # all-or-nothing, goal missed: backers refund
    PAID = "paid"              # the raised total went to the beneficiary
    CANCELLED = "cancelled"    # cancelled by its creator before the deadline: backers refund
    LAPSED = "lapsed"          # not paid out within the claim period: backers refund


@dataclass(frozen=True)
class Fundraiser:
    """A fundraiser's terms and state, read at `as_of` (the block's timestamp)."""

    fundraiser_id: int
    creator: str
    beneficiary: str
    token: str
    goal: int
    raised: int
    deadline: int
    claim_deadline: int
    all_or_nothing: bool
    status: BountyStatus
    as_of: int

    @property
    def is_eth(self) -> bool:
        return self.token == ETH

    @property
    def kind(self) -> str:
        return "all-or-nothing" if self.all_or_nothing else "flexible"

    @property
    def state(self) -> FundraiserState:
        if self.status == BountyStatus.AWARDED:
            return FundraiserState.PAID
        if self.status == BountyStatus.CANCELLED:
            return FundraiserState.CANCELLED
        if self.as_of < self.deadline:
            return FundraiserState.RAISING
        if self.all_or_nothing and self.raised < self.goal:
            return FundraiserState.FAILED
        if self.as_of >= self.claim_deadline:
            return FundraiserState.LAPSED
        return FundraiserState.SUCCEEDED


@dataclass(frozen=True)
class SignedSolution:
    """A solution registration signed off-chain by its hunter (EIP-712), which anyone can
    relay with `BountyClient.relay_solution`. Serialise with `to_json` / `from_json`."""

    chain_id: int
    escrow: str
    bounty_id: int
    uri: str
    hunter: str
    nonce: int
    expiry: int
    signature: str

    def to_json(self) -> str:
        return json.dumps({"type": "bountychain.SubmitSolution", **asdict(self)}, indent=2)

    @classmethod
    def from_json(cls, text: str | dict) -> SignedSolution:
        data = json.loads(text) if isinstance(text, str) else dict(text)
        data.pop("type", None)
        fields = set(cls.__dataclass_fields__)
        if set(data) != fields:
            raise ValueError(f"a signed solution has the fields {sorted(fields)}, got {sorted(data)}")
        return cls(**data)


@dataclass(frozen=True)
class ReviewTerms:
    """A review policy, fixed when the bounty is created. Silence is consent; a funder who
    objects withholds its own pledge from the proposal.

    Args:
        review_window: seconds funders have to object after a proposal (1 to 30 days).
        quorum_bps: with an arbiter, the share of the pool at the proposal, in basis points
            (1 to 10,000), whose objections send the proposal to the arbiter (who may then
            pay the whole pool, objectors' pledges included, or nothing). Must be 0 without
            an arbiter: nothing could overrule an objection, so a quorum would only be a veto.
        arbiter: who decides a blocked proposal (None: no arbiter).
        arbiter_is_erc792: the arbiter is an ERC-792 arbitrator contract (paid on escalation),
            not an address that decides itself (a maintainers' Safe).
        arbitrator_extra_data: the ERC-792 `extraData` (for Kleros: court and jurors).
        meta_evidence: an ERC-1497 meta-evidence URI, emitted at creation.
    """

    review_window: int
    quorum_bps: int = 0
    arbiter: str | None = None
    arbiter_is_erc792: bool = False
    arbitrator_extra_data: bytes = b""
    meta_evidence: str = ""


@dataclass(frozen=True)
class Proposal:
    """A reviewed bounty's policy and its latest proposal, read at `as_of`.

    Weights are in the bounty's base units: each objecting funder withholds its pledge.
    `total` is the pool when proposed; `weight_for` is the part that has not objected (silence
    is consent), which an unblocked proposal pays. `decide_by` is, for a blocked proposal, the
    last moment to escalate it and, for an escalated one, the arbiter's last moment; 0
    otherwise. `claim_ids`/`shares_bps` are empty before the first proposal. `part_bps` is,
    for a milestone, the part of the pool it pays (out of 10,000); 0 for a whole award.
    """

    bounty_id: int
    approver: str
    review_window: int
    quorum_bps: int
    arbiter: str | None
    arbiter_is_erc792: bool
    state: ProposalState
    nonce: int
    claim_ids: tuple[int, ...]
    shares_bps: tuple[int, ...]
    window_end: int
    decide_by: int
    weight_against: int
    total: int
    dispute_id: int | None
    as_of: int
    part_bps: int = 0

    @property
    def weight_for(self) -> int:
        return max(self.total - self.weight_against, 0)

    @property
    def quorum_weight(self) -> int | None:
        """The objection weight that sends the proposal to the arbiter (rounded up); None
        without an arbiter."""
        if not self.quorum_bps:
            return None
        return -(-self.quorum_bps * self.total // 10_000)

    @property
    def blocked(self) -> bool:
        return self.state in (ProposalState.BLOCKED, ProposalState.ESCALATED)

    @property
    def in_window(self) -> bool:
        return self.state == ProposalState.PENDING and self.as_of < self.window_end

    @property
    def finalizable(self) -> bool:
        """Anyone can finalize it now (the window ended unblocked, or the arbiter upheld it)."""
        return (self.state == ProposalState.PENDING and self.as_of >= self.window_end) or (
            self.state == ProposalState.UPHELD)

    @property
    def lapsable(self) -> bool:
        """Nobody escalated in time, or the arbiter ran out of time: anyone can lapse the
        proposal, rejecting it."""
        return self.blocked and self.as_of >= self.decide_by


@dataclass(frozen=True)
class Pledge:
    """A funder's outstanding pledge on a bounty."""

    bounty_id: int
    funder: str
    amount: int
    unlocks_at: int


@dataclass(frozen=True)
class Claim:
    """A registered solution."""

    bounty_id: int
    claim_id: int
    hunter: str
    uri: str


@dataclass(frozen=True)
class BountyListing:
    """A bounty as announced by its BountyCreated event."""

    bounty_id: int
    issuer: str
    approver: str
    token: str
    deadline: int
    uri: str
    block_number: int


@dataclass(frozen=True)
class TokenInfo:
    """An ERC-20's symbol and decimals (ETH is `TokenInfo(ETH, "ETH", 18)`)."""

    address: str
    symbol: str
    decimals: int


# --- transactions -----------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class TxResult:
    """A mined, successful transaction; `gas_cost_wei` is what its sender paid for gas."""

    tx_hash: str
    block_number: int
    gas_used: int
    gas_cost_wei: int


@dataclass(frozen=True, kw_only=True)
class Deployment(TxResult):
    address: str
    fee_recipient: str
    fee_bps: int


@dataclass(frozen=True, kw_only=True)
class BountyCreation(TxResult):
    bounty_id: int
    issuer: str
    approver: str
    token: str
    deadline: int
    uri: str


@dataclass(frozen=True, kw_only=True)
class PledgeResult(TxResult):
    """`amount` is what the escrow received (less than asked for fee-on-transfer tokens);
    `approval` is the exact-amount approve sent first for a token pledge; `permit` is True
    when the token pledge went in one transaction with an EIP-2612 permit instead."""

    bounty_id: int
    funder: str
    amount: int
    unlocks_at: int
    approval: TxResult | None = None
    permit: bool = False


@dataclass(frozen=True, kw_only=True)
class SolutionResult(TxResult):
    bounty_id: int
    claim_id: int
    hunter: str
    uri: str


@dataclass(frozen=True)
class Payout:
    """One winner's part of an award; `credited` means the direct payment failed and the
    hunter withdraws it with `withdraw`."""

    claim_id: int
    hunter: str
    amount: int
    credited: bool


@dataclass(frozen=True, kw_only=True)
class AwardResult(TxResult):
    """An award: `pool` left the bounty, `fee` of it to the fee recipient, the rest to the
    winners. A finalized proposal whose every pledge was withheld pays nothing: `pool` is 0
    and `rejected` says why ("unanimous")."""

    bounty_id: int
    pool: int
    fee: int
    payouts: tuple[Payout, ...]
    rejected: str | None = None
    # A milestone (partial award): the fraction of the pool it paid, and what stays pledged.
    part_bps: int | None = None
    remaining: int | None = None


@dataclass(frozen=True, kw_only=True)
class BondResult(TxResult):
    """A claim bond leaving its claim: pulled back by its hunter, or slashed to the funders."""

    bounty_id: int
    claim_id: int
    hunter: str
    amount: int
    slashed: bool


@dataclass(frozen=True, kw_only=True)
class RefundResult(TxResult):
    bounty_id: int
    funder: str
    amount: int
    to: str


@dataclass(frozen=True, kw_only=True)
class WithdrawalResult(TxResult):
    account: str
    token: str
    amount: int
    to: str


@dataclass(frozen=True, kw_only=True)
class CancelResult(TxResult):
    bounty_id: int


@dataclass(frozen=True, kw_only=True)
class DeadlineExtension(TxResult):
    bounty_id: int
    deadline: int


@dataclass(frozen=True, kw_only=True)
class FundraiserCreation(TxResult):
    fundraiser_id: int
    creator: str
    beneficiary: str
    token: str
    goal: int
    deadline: int
    all_or_nothing: bool
    uri: str


@dataclass(frozen=True, kw_only=True)
class RaisedWithdrawal(TxResult):
    """The raised total (`pool`) paid out: `fee` to the fee recipient, `amount` to the
    beneficiary, sent or (`credited`) left for it to `withdraw`."""

    fundraiser_id: int
    beneficiary: str
    pool: int
    fee: int
    amount: int
    credited: bool


@dataclass(frozen=True, kw_only=True)
class ProposalResult(TxResult):
    bounty_id: int
    nonce: int
    claim_ids: tuple[int, ...]
    shares_bps: tuple[int, ...]
    window_end: int
    total: int
    # A milestone: the part of the pool it proposes to pay (out of 10,000); None for the whole.
    part_bps: int | None = None


@dataclass(frozen=True, kw_only=True)
class ObjectionResult(TxResult):
    """`outcome` is "withheld" (the funder's pledge is out of this proposal; below any
    quorum) or "blocked" (the quorum was reached: the arbiter decides)."""

    bounty_id: int
    nonce: int
    funder: str
    weight: int
    weight_against: int
    outcome: str


@dataclass(frozen=True, kw_only=True)
class EscalationResult(TxResult):
    bounty_id: int
    nonce: int
    arbiter: str
    dispute_id: int | None
    fee_paid: int


@dataclass(frozen=True, kw_only=True)
class RulingResult(TxResult):
    """`outcome` is "upheld" (anyone may finalize now, and the award takes the whole pool)
    or "rejected". `dispute_id` is None for a plain arbiter's decision."""

    bounty_id: int
    dispute_id: int | None
    ruling: int
    outcome: str


@dataclass(frozen=True, kw_only=True)
class RejectionResult(TxResult):
    bounty_id: int
    nonce: int
    reason: str
