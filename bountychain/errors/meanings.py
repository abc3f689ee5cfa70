"""What each custom error of the contracts means, in words, and the exception that says it
(`error_from_name`): amounts, dates, durations and percentages in human units."""

from __future__ import annotations

from typing import Any

from bountychain.errors.exceptions import (
    BountyClosed, BountyNotFound, ContractError, FundraiserRefused, InvalidAward, NotAuthorized,
    NothingToPay, PledgeLocked, ProposalPending, ProposalRefused, RejectedInput, SignatureRejected,
    TransferFailed,
)
from bountychain.words import duration, ether, percent, utc

# What each custom error means, in words. The signatures and argument names come from the
# ABIs (the escrow's, which includes the OpenZeppelin library errors it can raise, and an
# OpenZeppelin ERC-20's), so they cannot drift from the contracts.
_MEANINGS: dict[str, tuple[type[ContractError], str]] = {
    "FeeTooHigh": (RejectedInput, "fee of {feeBps} bps is above the cap of {maxFeeBps} bps"),
    "FeeRecipientMissing": (RejectedInput, "a fee needs a fee recipient"),
    "UnknownBounty": (BountyNotFound, "bounty {bountyId} does not exist"),
    "NotATokenContract": (RejectedInput, "{token} is not a token contract"),
    "EmptyURI": (RejectedInput, "the URI is empty"),
    "DeadlineNotInFuture": (RejectedInput, "deadline {deadline} is not after the chain's time {currentTime}"),
    "DeadlineTooFar": (RejectedInput, "deadline {deadline} is later than the latest allowed, {latestAllowed}"),
    "DeadlineNotExtended": (
        RejectedInput,
        "a deadline can only move later: {requestedDeadline} is not after {currentDeadline}",
    ),
    "BountyNotOpen": (BountyClosed, "bounty {bountyId} is no longer open (it is {status_name})"),
    "BountyExpired": (BountyClosed, "bounty {bountyId} passed its deadline {deadline}"),
    "NotIssuer": (NotAuthorized, "{caller} is not the issuer of bounty {bountyId}"),
    "NotApprover": (NotAuthorized, "{caller} is not the approver of bounty {bountyId}"),
    "ZeroAmount": (RejectedInput, "the amount (as received by the escrow) is zero"),
    "WrongEtherValue": (RejectedInput, "expected {expected} wei of value, got {sent}"),
    "TooManyClaims": (RejectedInput, "bounty {bountyId} holds the maximum number of claims"),
    "SharesLengthMismatch": (
        InvalidAward,
        "an award needs at least one claim and one share per claim ({claimCount} claims, {shareCount} shares)",
    ),
    "UnknownClaim": (InvalidAward, "claim {claimId} does not exist on bounty {bountyId}"),
    "ZeroShare": (InvalidAward, "claim {claimId} has a zero share"),
    "SharesDoNotSumToWhole": (InvalidAward, "shares sum to {sumBps} bps instead of 10000"),
    "NothingToAward": (NothingToPay, "bounty {bountyId} has no pledges to award"),
    "AlreadyAwarded": (BountyClosed, "bounty {bountyId} was awarded: its pledges were paid out"),
    "NothingToRefund": (NothingToPay, "{funder} has no pledge on bounty {bountyId}"),
    "PledgeLocked": (PledgeLocked, "the pledge on bounty {bountyId} is locked until {unlocksAt}"),
    "NothingToWithdraw": (NothingToPay, "{account} has no credit in token {token}"),
    "EtherTransferFailed": (TransferFailed, "sending {amount} wei to {to} failed"),
    "TokenBalanceShort": (
        TransferFailed,
        "the escrow holds {balance} of token {token} but owes {owed}: the token changed balances by itself "
        "(rebasing?), so it takes no new pledges",
    ),
    "InsufficientGasForPayout": (
        RejectedInput,
        "too little gas left to pay a winner ({gasLeft} < {required}): send the award with more gas",
    ),
    "ReentrancyGuardReentrantCall": (TransferFailed, "reentrant call refused"),
    "SafeERC20FailedOperation": (TransferFailed, "token {token} refused the transfer"),
    "SafeCastOverflowedUintDowncast": (RejectedInput, "{value} does not fit in {bits} bits"),
    "ERC20InsufficientBalance": (TransferFailed, "{sender} holds {balance} of the token but {needed} is needed"),
    "ERC20InsufficientAllowance": (TransferFailed, "allowance for {spender} is {allowance} but {needed} is needed"),
    "ERC20InvalidSender": (TransferFailed, "invalid token sender {sender}"),
    "ERC20InvalidReceiver": (TransferFailed, "invalid token receiver {receiver}"),
    "ERC20InvalidApprover": (TransferFailed, "invalid token approver {approver}"),
    "EnforcedPause": (TransferFailed, "the token is paused: transfers wait until it is unpaused"),
    "ExpectedPause": (TransferFailed, "the token is not paused"),
    "ERC20InvalidSpender": (TransferFailed, "invalid token spender {spender}"),
    # fundraisers
    "NotAFundraiser": (RejectedInput, "{id} is a bounty, not a fundraiser"),
    "NotABounty": (RejectedInput, "{id} is a fundraiser: it takes no solutions, awards or deadline extensions"),
    "ZeroBeneficiary": (RejectedInput, "a fundraiser needs a beneficiary"),
    "ZeroGoal": (RejectedInput, "an all-or-nothing fundraiser needs a positive goal"),
    "FundraiserNotEnded": (FundraiserRefused, "fundraiser {id} runs until {deadline}: nothing can be paid out yet"),
    "FundraiserEnded": (FundraiserRefused, "fundraiser {id} passed its deadline {deadline}: it can no longer be cancelled"),
    "GoalNotReached": (
        FundraiserRefused, "fundraiser {id} raised {raised} of its goal {goal}: backers refund instead",
    ),
    "ClaimPeriodOver": (
        FundraiserRefused, "fundraiser {id} was not paid out by {claimDeadline}: backers refund instead",
    ),
    "FundsGoToBeneficiary": (
        FundraiserRefused,
        "fundraiser {id} succeeded: its pledges go to the beneficiary (refundable only if not paid out by "
        "{refundableAt})",
    ),
    # permit and signed actions
    "NotATokenBounty": (RejectedInput, "bounty {bountyId} is paid in ETH: there is no token to permit"),
    "PermitFailed": (
        SignatureRejected,
        "the permit of token {token} failed and {owner}'s allowance is {allowance}, below {needed}",
    ),
    "SignatureExpired": (SignatureRejected, "the signature expired at {expiry} (chain time {currentTime})"),
    "WrongSigner": (
        SignatureRejected,
        "the signature is not {hunter}'s over this action (recovered {signer}): another signer, bounty, URI, "
        "nonce, expiry, chain or escrow",
    ),
    "InvalidAccountNonce": (
        SignatureRejected, "nonce already used or out of order: {account}'s next nonce is {currentNonce}",
    ),
    "ECDSAInvalidSignature": (SignatureRejected, "the signature is invalid"),
    "ECDSAInvalidSignatureLength": (SignatureRejected, "the signature has {length} bytes instead of 65"),
    "ECDSAInvalidSignatureS": (SignatureRejected, "the signature is malleable (s = {s} in the upper half)"),
    "ERC2612ExpiredSignature": (SignatureRejected, "the permit expired at {deadline}"),
    "ERC2612InvalidSigner": (SignatureRejected, "the permit was signed by {signer}, not by {owner}"),
    "InvalidShortString": (RejectedInput, "invalid short string"),
    "StringTooLong": (RejectedInput, "string too long: {str}"),
    # Backer governance (optimistic review, IBountyReview).
    "InvalidReviewWindow": (
        RejectedInput,
        "a review window of {reviewWindow} s is outside the allowed {minWindow} to {maxWindow} s",
    ),
    "InvalidQuorum": (
        RejectedInput,
        "a quorum of {quorumBps} bps is not allowed: with an arbiter give 1 to 10000 bps; without one give none "
        "(each objection withholds only its own pledge, so a quorum could only be a veto)",
    ),
    "InvalidArbiter": (
        RejectedInput,
        "arbiter {arbiter} cannot arbitrate: an ERC-792 arbitrator must be a contract, and no arbiter may be the "
        "escrow or its review contract",
    ),
    "InvalidApprover": (RejectedInput, "approver {approver} cannot be the escrow or its review contract"),
    "NotProposer": (NotAuthorized, "{caller} is not the approver who proposes awards for bounty {bountyId}"),
    "NotArbiter": (
        NotAuthorized, "{caller} is not the plain arbiter of the current proposal of bounty {bountyId}",
    ),
    "DuplicateDispute": (ProposalRefused, "arbitrator {arbiter} returned dispute id {disputeId} a second time"),
    "FeeReturnFailed": (TransferFailed, "returning the overpaid {amount} wei of arbitration fee to {to} failed"),
    "NoArbitrator": (RejectedInput, "bounty {bountyId} has no ERC-792 arbitrator to take evidence"),
    "NotReviewContract": (NotAuthorized, "{caller} is not the escrow's review contract"),
    "NotFeeRecipient": (NotAuthorized, "{caller} is not the fee recipient"),
    "LockTooLong": (
        PledgeLocked,
        "bounty {bountyId} would lock the pledge until {unlocksAt}, later than the {maxUnlocksAt} accepted (the "
        "deadline was extended): pledge again if the new deadline suits you",
    ),
    "InvalidRecipient": (
        RejectedInput, "{recipient} cannot receive money here: not the zero address, the escrow or its review contract",
    ),
    "InvalidBeneficiary": (
        RejectedInput, "beneficiary {beneficiary} cannot be the escrow or its review contract: nothing could take the money out",
    ),
    "AmountNotAvailable": (RejectedInput, "{requested} was asked for, but {available} is available"),
    "NonceUsed": (SignatureRejected, "{hunter} already used or cancelled nonce {nonce}: sign again with another"),
    "NotOptimistic": (
        InvalidAward, "bounty {bountyId} has no review policy: its approver awards directly (use award)",
    ),
    "ReviewRequired": (
        InvalidAward,
        "bounty {bountyId} is under optimistic review: its approver proposes an award (propose, or propose "
        "--part for a milestone), funders may object, and anyone finalizes it after the review window",
    ),
    "ProposalPending": (
        ProposalPending,
        "a proposed award of bounty {bountyId} holds this pledge (it was locked when the award was proposed) "
        "until the proposal is finalized or rejected, and at the latest until {refundableAt}",
    ),
    "WrongProposalState": (ProposalRefused, "the proposal of bounty {bountyId} is {proposal_state_name}"),
    "ReviewWindowClosed": (
        ProposalRefused, "the review window of bounty {bountyId} closed at {windowEnd}: objections are over",
    ),
    "ReviewWindowOpen": (
        ProposalRefused, "the review window of bounty {bountyId} is open until {windowEnd}: finalize after it",
    ),
    "NoWeight": (NotAuthorized, "{funder} has no pledge on bounty {bountyId}, so no weight to object with"),
    "AlreadyObjected": (ProposalRefused, "{funder} already objected to this proposal of bounty {bountyId}"),
    "ProposalMismatch": (InvalidAward, "these claims and shares are not those proposed for bounty {bountyId}"),
    "WrongArbitrationFee": (
        RejectedInput, "escalating bounty {bountyId} costs {expected} wei of arbitration fee (at least), {sent} was sent",
    ),
    "ArbitrationLapsed": (
        ProposalRefused,
        "the time to escalate bounty {bountyId}'s proposal ended at {decideBy}: it can only lapse now",
    ),
    "ArbitrationNotLapsed": (
        ProposalRefused, "bounty {bountyId}'s proposal can be escalated or decided until {decideBy}",
    ),
    "UnknownDispute": (NotAuthorized, "{arbiter} is not the arbiter of a live dispute {disputeId}"),
    "InvalidRuling": (
        RejectedInput, "ruling {ruling} on dispute {disputeId}: give 0 (refuse), 1 (pay) or 2 (reject)",
    ),
    # Milestones and claim bonds (IMilestones).
    "InvalidPart": (
        InvalidAward,
        "a milestone pays part of the pool: {partBps} bps is not between 1 and 9,999 (award pays the whole pool)",
    ),
    "NoBond": (NothingToPay, "claim {claimId} on bounty {bountyId} holds no bond (none asked, or returned or slashed)"),
    "NotClaimant": (NotAuthorized, "{caller} did not make claim {claimId} on bounty {bountyId}: only its hunter pulls its bond"),
    "BondLocked": (
        BountyClosed,
        "bounty {bountyId} is open until {deadline}: claim bonds come back once it is awarded, cancelled or past "
        "its deadline",
    ),
    "NoFundersToPay": (
        RejectedInput,
        "bounty {bountyId} has no funder but its approver and issuer, who never take a slashed bond: nobody could "
        "receive it",
    ),
    "ZeroBond": (RejectedInput, "a bonded bounty asks a claim bond above zero"),
    "RelayedBondNeedsToken": (
        RejectedInput,
        "bounty {bountyId} asks its claim bond in ETH, which cannot be pulled from the hunter: the hunter sends "
        "the claim itself",
    ),
}

# Where the words Python shows differ from the shared templates above (which the page fills in
# with its own formatting): amounts of ether, basis points and seconds, said in human units.
_SAID_IN_WORDS: dict[str, str] = {
    "FeeTooHigh": "a fee of {feeBps} is above the cap of {maxFeeBps}",
    "WrongEtherValue": "expected {expected} sent with the call, got {sent}",
    "SharesDoNotSumToWhole": "shares sum to {sumBps}, not 100%",
    "NothingToWithdraw": "{account} has no {token_credit} credit to withdraw",
    "EtherTransferFailed": "sending {amount} to {to} failed",
    "FeeReturnFailed": "returning the overpaid {amount} of arbitration fee to {to} failed",
    "WrongArbitrationFee": "escalating bounty {bountyId} costs {expected} of arbitration fee (at least), {sent} was sent",
    "InvalidReviewWindow": "a review window of {reviewWindow} is outside the allowed {minWindow} to {maxWindow}",
    "InvalidQuorum": (
        "a quorum of {quorumBps} is not allowed: with an arbiter give 0.01% to 100%; without one give none "
        "(each objection withholds only its own pledge, so a quorum could only be a veto)"
    ),
}
_TIMES = frozenset({"deadline", "currentTime", "unlocksAt", "latestAllowed", "requestedDeadline", "currentDeadline",
                    "maxUnlocksAt", "claimDeadline", "refundableAt", "expiry", "windowEnd", "decideBy"})
_DURATIONS = frozenset({"reviewWindow", "minWindow", "maxWindow"})
_BASIS_POINTS = frozenset({"feeBps", "maxFeeBps", "sumBps", "quorumBps"})
_ETHER = {"WrongEtherValue": ("expected", "sent"), "EtherTransferFailed": ("amount",),
          "FeeReturnFailed": ("amount",), "WrongArbitrationFee": ("expected", "sent")}


def _in_words(error_name: str, name: str, value: Any) -> Any:
    """An argument as a person reads it: a date, a duration, a percentage, an amount of ether."""
    if isinstance(value, bool) or not isinstance(value, int):
        return value
    if name in _TIMES:
        return utc(value)
    if name in _DURATIONS:
        return duration(value)
    if name in _BASIS_POINTS:
        return percent(value)
    if name in _ETHER.get(error_name, ()):
        return ether(value)
    return value


_STATUS_NAMES = {0: "open", 1: "awarded", 2: "cancelled", 3: "under review"}
_PROPOSAL_STATE_NAMES = {
    0: "not live (none was made, or it was rejected)", 1: "pending", 2: "blocked, waiting for escalation",
    3: "with the arbiter", 4: "upheld by the arbiter", 5: "executed",
}


def error_from_name(
    error_name: str, *, bounty_id: int | None = None, tx_hash: str | None = None, **args: Any
) -> ContractError:
    """The exception for a custom error of the contracts, given its name and arguments.

    The SDK also uses it to refuse, before sending, what the contract would refuse, so
    callers see the same exception either way.
    """
    if bounty_id is None and "bountyId" in args:
        bounty_id = args["bountyId"]
    if bounty_id is None and "id" in args:  # fundraiser errors name the id `id`
        bounty_id = args["id"]
    cls, template = _MEANINGS.get(error_name, (ContractError, error_name))
    template = _SAID_IN_WORDS.get(error_name, template)
    shown = {key: "0x" + value.hex() if isinstance(value, bytes) else _in_words(error_name, key, value)
             for key, value in args.items()}
    token = args.get("token")
    fields = {"bountyId": bounty_id, "id": bounty_id, **shown,
              "token_credit": "ETH" if isinstance(token, str) and int(token, 16) == 0 else f"token {token}",
              "status_name": _STATUS_NAMES.get(args.get("status", -1), "?"),
              "proposal_state_name": _PROPOSAL_STATE_NAMES.get(args.get("state", -1), "?")}
    message = template.format(**fields)
    return cls(message, error_name=error_name, args=args, bounty_id=bounty_id, tx_hash=tx_hash)


def error_meanings() -> dict[str, str]:
    """What each custom error means, by name: templates with {argument} placeholders (plus
    {status_name} and {proposal_state_name}), as the SDK's messages word them."""
    return {name: template for name, (_, template) in _MEANINGS.items()}
