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
    bounty_id: int
    pool: int
    fee: int
    payouts: tuple[Payout, ...]


@dataclass(frozen=True, kw_only=True)
class RefundResult(TxResult):
    bounty_id: int
    funder: str
    amount: int


@dataclass(frozen=True, kw_only=True)
class WithdrawalResult(TxResult):
    account: str
    token: str
    amount: int


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
