"""The exception classes: `BountychainError` and its two families, what the SDK refuses before
sending (`InvalidInput`) and what a contract refused (`ContractError`, the decoded revert)."""

from __future__ import annotations

from typing import Any


class BountychainError(Exception):
    """Root of every error the SDK raises."""


# --- refused before sending -------------------------------------------------------------


class InvalidInput(BountychainError, ValueError):
    """The request is malformed; no transaction was sent."""


class InvalidAddress(InvalidInput):
    """Not a valid, checksummed-or-lowercase 20-byte hex address."""


class InvalidAmount(InvalidInput):
    """An amount that is not a positive integer of base units, or does not parse."""


class InvalidDeadline(InvalidInput):
    """A deadline in the past, too far ahead, or not later than the current one."""


class InvalidURI(InvalidInput):
    """An issue or solution URL that is empty or not a URL."""


class InvalidShares(InvalidInput):
    """Award shares that are empty, not positive, or do not sum to 10,000 basis points."""


class DuplicateSolution(InvalidInput):
    """The hunter already registered this solution URL on this bounty: a claim counts once,
    so a second registration would only cost gas (and, on a bonded bounty, a second bond)."""


class WrongChain(BountychainError):
    """Connected to a chain other than the one asked for, or no escrow at the address."""


class InsufficientFunds(BountychainError):
    """The signer holds too little ETH or tokens for what it asked to send."""


class NetworkFeeTooHigh(BountychainError):
    """The node asked a fee per gas above the client's caps (`FeeCaps`): nothing was sent."""


class NoSigner(BountychainError):
    """A transaction was requested from a client that has no signer."""


# --- refused by the contract ------------------------------------------------------------


class ContractError(BountychainError):
    """The escrow or a token refused the call.

    Attributes:
        error_name: the Solidity custom error's name (or "Error"/"Panic"/"Revert").
        args: the decoded arguments by name.
        bounty_id: the bounty concerned, when known.
        tx_hash: the mined transaction's hash (0x-hex), or None if refused in simulation,
            before anything was sent.
    """

    def __init__(
        self,
        message: str,
        *,
        error_name: str,
        args: dict[str, Any] | None = None,
        bounty_id: int | None = None,
        tx_hash: str | None = None,
    ) -> None:
        self.error_name = error_name
        self.reason = message  # the refusal in words, without the error's name or where it happened
        self.args_by_name = dict(args or {})
        self.bounty_id = bounty_id
        self.tx_hash = tx_hash
        where = []
        if bounty_id is not None:
            where.append(f"bounty {bounty_id}")
        if tx_hash is not None:
            where.append(f"tx {tx_hash}")
        suffix = f" ({', '.join(where)})" if where else ""
        super().__init__(f"{message} [{error_name}]{suffix}")


class BountyNotFound(ContractError, LookupError):
    """No bounty has this id."""


class NotAuthorized(ContractError, PermissionError):
    """Only the issuer or the approver may do this."""


class BountyClosed(ContractError):
    """The bounty is awarded, cancelled or past its deadline."""


class PledgeLocked(ContractError):
    """The pledge is locked until its deadline."""


class NothingToPay(ContractError):
    """Nothing to refund, withdraw or award."""


class InvalidAward(ContractError):
    """The award's claims or shares are wrong."""


class RejectedInput(ContractError):
    """The contract rejected an argument the SDK could not check in advance."""


class FundraiserRefused(ContractError):
    """A fundraiser's rules refuse this now (not ended, goal missed, claim period over, ...)."""


class SignatureRejected(ContractError):
    """A signed action's signature is expired, replayed, malformed or not the hunter's."""


class InvalidSignature(InvalidInput):
    """A signed payload that the SDK can tell is unusable before sending (expired, another
    chain or escrow, a used nonce, or not signed by its hunter)."""


class InvalidReport(InvalidInput):
    """A private security report cannot be sealed or opened: the bounty names no security
    contact key or another one, the key does not open it, or an envelope or bundle is malformed."""


class ReportNotVerified(BountychainError):
    """A revealed report does not match any claim's commitment on this chain and escrow."""


class TransferFailed(ContractError):
    """Moving ETH or tokens failed (balance, allowance, or a refusing token or recipient)."""


class ProposalPending(BountyClosed):
    """A proposed award of an optimistic bounty is under review: pledges and refunds wait."""


class ProposalRefused(ContractError):
    """The bounty's proposal is not in a state (or window) that allows this step."""
