"""What the client returns: frozen dataclasses, never raw receipts or tuples."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

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
    `approval` is the exact-amount approve sent first for a token pledge."""

    bounty_id: int
    funder: str
    amount: int
    unlocks_at: int
    approval: TxResult | None = None


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
