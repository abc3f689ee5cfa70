"""Bounties: create, pledge (ETH, or a token by permit or an exact approve), submit, award,
refund, withdraw, cancel and extend."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from web3.types import TxReceipt

from bountychain.amounts import format_amount
from bountychain.errors import (
    BountychainError,
    ContractError,
    DuplicateSolution,
    InvalidAddress,
    InvalidDeadline,
    InvalidInput,
)
from bountychain.results import (
    ETH,
    AwardResult,
    Bounty,
    BountyCreation,
    BountyStatus,
    CancelResult,
    DeadlineExtension,
    Payout,
    PledgeResult,
    RefundResult,
    ReviewTerms,
    SolutionResult,
    TxResult,
    WithdrawalResult,
)
from bountychain.sdk._core import ClientCore
from bountychain.sdk._retry import PledgeIncomplete, TransactionNotConfirmed
from bountychain.sdk._transactions import one_event, tx_fields
from bountychain.issue_urls import normalize_issue_url
from bountychain.reports import security_contact_of
from bountychain.sdk._validation import address_of, as_timestamp, check_solution_url, checksum
from bountychain.sdk.constants import PERMIT_VALIDITY
from bountychain.words import utc


def issue_uri(issue_url: str) -> str:
    """A bounty's URI: the issue URL in its canonical spelling, which keeps a security contact's
    `#security-key=` (the one fragment a bounty URI carries: `bountychain.reports`); a key that
    is not a point on secp256k1 is refused here, before anything is sent."""
    canonical = normalize_issue_url(issue_url, "issue_url")
    security_contact_of(canonical)
    return canonical


class BountyOperations(ClientCore):
    """The bounty's writes, checked before they are sent."""

    def create_bounty(
        self,
        issue_url: str,
        deadline: int | datetime | timedelta,
        *,
        token: str = ETH,
        approver: str | None = None,
        review: ReviewTerms | None = None,
    ) -> BountyCreation:
        """Creates a bounty for an issue; `token` is ETH or an ERC-20's address. With
        `review`, awards go through optimistic backer review (`propose`, `object`,
        `finalize`) instead of the approver's direct `award`; the policy is fixed for good.

        `issue_url` must be one issue on GitHub, GitLab, Codeberg or Gitea (see
        `bountychain.issue_urls`); it is recorded in its canonical spelling. `deadline` is a
        unix timestamp, an aware datetime, or a timedelta from the chain's current time."""
        issue_url = issue_uri(issue_url)
        token = checksum(token, "token")
        if token != ETH:
            self.token_info(token)
        approver_address = checksum(approver, "approver") if approver is not None else ETH
        deadline_ts = self._check_future_deadline(deadline)
        if approver_address in (self.address, self.review_contract.address):
            raise InvalidAddress(f"the approver cannot be the escrow or its review contract ({approver_address})")
        if review is None:
            fn = self.contract.functions.createBounty(token, deadline_ts, approver_address, issue_url)
        else:
            terms = self._check_review_terms(review)
            fn = self.review_contract.functions.createBountyWithReview(
                token, deadline_ts, approver_address, issue_url, terms)
        receipt, events = self._transact(fn)
        created = one_event(events, "BountyCreated")
        policy = [args for name, args in events if name == "ReviewPolicySet"]
        return BountyCreation(
            **tx_fields(receipt),
            bounty_id=created["bountyId"],
            issuer=created["issuer"],
            approver=policy[0]["approver"] if policy else created["approver"],
            token=created["token"],
            deadline=created["deadline"],
            uri=created["uri"],
        )

    def pledge(self, bounty_id: int, amount: int | str | Decimal, *, permit: bool | None = None,
               max_unlocks_at: int | datetime | None = None) -> PledgeResult:
        """Pledges ETH or the token of a bounty or fundraiser. An int is base units; a string
        such as "0.5 ether" or "25 USDC" is converted with the token's decimals. For a token
        that supports EIP-2612, one transaction carries a permit for exactly this amount;
        otherwise the escrow is approved for exactly this amount first. Never an unlimited
        allowance. `permit=False` forces the approve path, `permit=True` requires a permit.

        The pledge (the whole of it, with earlier top-ups) locks until the bounty's deadline.
        `max_unlocks_at` is the latest lock accepted, by default the deadline read here (the
        one the caller saw): an extension mined first makes the escrow refuse the pledge
        (`LockTooLong`) instead of locking it longer."""
        bounty = self._active_bounty(bounty_id)
        value = self._amount(amount, bounty.token)
        latest_unlock = bounty.deadline if max_unlocks_at is None else as_timestamp(max_unlocks_at)
        if bounty.deadline > latest_unlock:
            raise self._refusal("LockTooLong", bounty_id, unlocksAt=bounty.deadline, maxUnlocksAt=latest_unlock)
        signer = self._require_signer()
        approval = None
        used_permit = False
        if bounty.is_eth:
            if permit:
                raise InvalidInput(f"bounty {bounty_id} is paid in ETH: there is no token to permit")
            # The transaction layer checks the ETH balance with the nonce and fees (one round trip).
            receipt, events = self._transact(self.contract.functions.pledge(bounty_id, value, latest_unlock),
                                             value=value, bounty_id=bounty_id)
        else:
            self._check_balance(signer.address, bounty.token, value)
            domain = self._permit_domain(bounty.token) if permit is not False else None
            if permit and domain is None:
                raise InvalidInput(f"token {bounty.token} does not support EIP-2612 permit")
            if domain is not None:
                deadline = self._pending_time(bounty) + PERMIT_VALIDITY
                v, r, s = self.sign_permit(bounty.token, value, deadline, domain=domain)
                fn = self.contract.functions.pledgeWithPermit(bounty_id, value, latest_unlock, deadline, v, r, s)
                try:
                    receipt, events = self._transact(fn, bounty_id=bounty_id)
                    used_permit = True
                except ContractError as exc:
                    # A token with an EIP-712 domain and nonces but another permit (DAI's, say)
                    # refuses it in the simulation: nothing was sent, approve instead.
                    if permit or exc.tx_hash is not None or exc.error_name != "PermitFailed":
                        raise
        if not bounty.is_eth and not used_permit:
            approval = self._approve_exactly(bounty.token, value)
            try:
                receipt, events = self._transact(self.contract.functions.pledge(bounty_id, value, latest_unlock),
                                                 bounty_id=bounty_id)
            except BountychainError as exc:
                if approval is None:
                    raise
                raise self._half_done(exc, approval, value, bounty.token) from exc
        return self._pledge_result(bounty_id, receipt, events, approval, used_permit)

    def _pledge_result(self, bounty_id: int, receipt: TxReceipt, events: list[tuple[str, Any]],
                       approval: TxResult | None, permit: bool) -> PledgeResult:
        pledged = one_event(events, "Pledged")
        return PledgeResult(**tx_fields(receipt), bounty_id=bounty_id, funder=pledged["funder"],
                            amount=pledged["amount"], unlocks_at=pledged["unlocksAt"], approval=approval,
                            permit=permit)

    def pledge_many(self, pledges: Iterable[tuple[int, int | str]]) -> list[PledgeResult]:
        """Pledges ETH several times (to several bounties, or to one) in one go: each pledge
        checked as `pledge` checks it and all simulated before any is sent; then they are
        sent one after another without waiting for each receipt (this client counts the
        nonces), and their receipts collected. ETH bounties only: a token pledge needs its
        approve or permit first, so use `pledge`."""
        bounties: dict[int, Bounty] = {}
        items = []
        for bounty_id, amount in pledges:
            bounty = bounties.get(bounty_id) or bounties.setdefault(bounty_id, self._active_bounty(bounty_id))
            if not bounty.is_eth:
                raise InvalidInput(f"bounty {bounty_id} is paid in a token: pledge to it with pledge()")
            value = self._amount(amount, ETH)
            items.append((self.contract.functions.pledge(bounty_id, value, bounty.deadline), value, bounty_id))
        sent = self._transact_many(items) if items else []
        return [self._pledge_result(bounty_id, receipt, events, None, False)
                for (_, _, bounty_id), (receipt, events) in zip(items, sent, strict=True)]

    def submit_solutions(self, solutions: Iterable[tuple[int, str]]) -> list[SolutionResult]:
        """Registers several solutions in one go, as `pledge_many` sends pledges."""
        hunter = self._require_signer().address
        checked: dict[int, Bounty] = {}  # bounty id -> the bounty, read once
        batch: set[tuple[int, str]] = set()
        items = []
        for bounty_id, solution_url in solutions:
            check_solution_url(solution_url, "solution_url")
            if bounty_id not in checked:
                checked[bounty_id] = self._active_bounty(bounty_id)
            if (bounty_id, solution_url.strip()) in batch:
                raise DuplicateSolution(f"{solution_url.strip()} is listed twice for bounty {bounty_id}: a solution "
                                        "counts once, so nothing was sent")
            batch.add((bounty_id, solution_url.strip()))
            self._check_new_solution(checked[bounty_id], hunter, solution_url)
            items.append((self.contract.functions.submitSolution(bounty_id, solution_url), 0, bounty_id))
        sent = self._transact_many(items) if items else []
        return [self._solution_result(bounty_id, receipt, events)
                for (_, _, bounty_id), (receipt, events) in zip(items, sent, strict=True)]

    def _half_done(self, exc: BountychainError, approval: TxResult, value: int, token: str) -> BountychainError:
        """The error of a token pledge whose approve was mined and whose pledge was not
        (never a half-done pledge left unexplained): what happened and how to finish."""
        done = (f"The approve of {format_amount(value, self.token_info(token).decimals, self.token_info(token).symbol)}"
                f" for the escrow was mined (tx {approval.tx_hash})")
        if isinstance(exc, TransactionNotConfirmed) and exc.sent:
            return PledgeIncomplete(
                f"{done}; the pledge was sent (tx {exc.tx_hash}) but is not confirmed: {exc}. Look the pledge up; "
                f"if it did not go through, run the same pledge again (only the pledge is sent, the allowance is "
                f"set)", approval_tx=approval.tx_hash, pledge_tx=exc.tx_hash)
        finish = "run the same pledge again to finish: the allowance is set, so only the pledge is sent"
        if isinstance(exc, ContractError):  # the contract refused the pledge: keep its type for callers
            exc.args = (f"{exc.args[0]}. {done}, but the pledge was not: {finish}",)
            return exc
        return PledgeIncomplete(f"{done}, but the pledge was not: {exc}. To finish, {finish}",
                                approval_tx=approval.tx_hash, pledge_tx=None)

    def check_new_solution(self, bounty_id: int, solution_url: str, hunter: str | None = None) -> None:
        """Raises DuplicateSolution if `hunter` (default: the signer) already registered
        `solution_url` on the bounty; `submit_solution`, `relay_solution` and their kin make
        this check themselves, before sending anything."""
        who = address_of(hunter, "hunter") if hunter is not None else self._require_signer().address
        self._check_new_solution(self._bounty_state(bounty_id), who, solution_url)

    def submit_solution(self, bounty_id: int, solution_url: str) -> SolutionResult:
        """Registers a solution (pull request or commit URL); the signer is paid if it wins."""
        check_solution_url(solution_url, "solution_url")
        bounty = self._active_bounty(bounty_id)
        self._check_new_solution(bounty, self._require_signer().address, solution_url)
        receipt, events = self._transact(self.contract.functions.submitSolution(bounty_id, solution_url),
                                         bounty_id=bounty_id)
        return self._solution_result(bounty_id, receipt, events)

    def _solution_result(self, bounty_id: int, receipt: TxReceipt, events: list[tuple[str, Any]]) -> SolutionResult:
        submitted = one_event(events, "SolutionSubmitted")
        return SolutionResult(**tx_fields(receipt), bounty_id=bounty_id, claim_id=submitted["claimId"],
                              hunter=submitted["hunter"], uri=submitted["uri"])

    def _check_award(self, bounty_id: int, shares: Mapping[int, int] | Iterable[tuple[int, int]]
                     ) -> tuple[Any, list[int], list[int]]:
        """The checks every award by the approver makes before sending (a whole pool or a
        milestone's part): an open plain bounty, valid claims and shares, the approver signing.
        Returns the bounty and the claim ids and shares to send."""
        pairs = list(shares.items() if isinstance(shares, Mapping) else shares)
        bounty = self._active_bounty(bounty_id)
        claim_ids, shares_bps = self._check_shares(bounty, pairs)
        signer = self._require_signer()
        if bounty.optimistic:
            raise self._refusal("ReviewRequired", bounty_id)
        if signer.address != bounty.approver:
            raise self._refusal("NotApprover", bounty_id, caller=signer.address)
        return bounty, claim_ids, shares_bps

    def award(self, bounty_id: int, shares: Mapping[int, int] | Iterable[tuple[int, int]]) -> AwardResult:
        """Awards the whole pool: `shares` maps claim id -> basis points, summing to 10,000
        (e.g. {1: 7000, 2: 3000}). Approver only."""
        bounty, claim_ids, shares_bps = self._check_award(bounty_id, shares)
        if bounty.total == 0:
            raise self._refusal("NothingToAward", bounty_id)
        receipt, events = self._transact(self.contract.functions.award(bounty_id, claim_ids, shares_bps),
                                         bounty_id=bounty_id)
        return self._award_result(bounty_id, receipt, events)

    def _award_result(self, bounty_id: int, receipt: TxReceipt, events: list[tuple[str, Any]]) -> AwardResult:
        """The award a receipt holds: a whole pool (Awarded) or a milestone (PartAwarded)."""
        payouts = tuple(
            Payout(args["claimId"], args["hunter"], args["amount"], credited=name == "WinnerCredited")
            for name, args in events if name in ("WinnerPaid", "WinnerCredited")
        )
        if any(name == "PartAwarded" for name, _ in events):
            part = one_event(events, "PartAwarded")
            return AwardResult(**tx_fields(receipt), bounty_id=bounty_id, pool=part["pool"], fee=part["fee"],
                               payouts=payouts, part_bps=part["partBps"], remaining=part["remaining"])
        awarded = one_event(events, "Awarded")
        return AwardResult(
            **tx_fields(receipt), bounty_id=bounty_id, pool=awarded["pool"], fee=awarded["fee"],
            payouts=payouts,
        )

    def refund(self, bounty_id: int, *, amount: int | str | Decimal | None = None, to: str | None = None) -> RefundResult:
        """Takes back the signer's pledge (after its lock, at once if cancelled, and at once
        after an award it objected to): all of it, or `amount` of it (the rest keeps its
        lock), sent to the signer or to `to` (a funder contract that cannot receive ETH, a
        token that caps each transfer)."""
        bounty = self._bounty_state(bounty_id)
        signer = self._require_signer()
        pledge = self.pledge_of(bounty_id, signer.address)
        # Shares that milestones left worth 0 wei can still leave (nothing is sent), so that
        # the last shares out take the pool's remainder.
        if pledge.amount == 0 and (amount is not None or not self.shares_of(bounty_id, signer.address)[0]):
            if bounty.status == BountyStatus.AWARDED:
                raise self._refusal("AlreadyAwarded", bounty_id)
            raise self._refusal("NothingToRefund", bounty_id, funder=signer.address)
        recipient = self._recipient(to, signer.address)
        value = pledge.amount if amount is None else self._amount(amount, bounty.token)
        if value > pledge.amount:
            raise self._refusal("AmountNotAvailable", bounty_id, requested=value, available=pledge.amount)
        # Whether the lock, or a proposal's hold, has ended depends on the next block's time:
        # the simulation decides.
        fn = (self.contract.functions.refund(bounty_id) if amount is None and to is None
              else self.contract.functions.refundTo(bounty_id, value, recipient))
        receipt, events = self._transact(fn, bounty_id=bounty_id)
        refunded = one_event(events, "Refunded")
        return RefundResult(**tx_fields(receipt), bounty_id=bounty_id, funder=refunded["funder"],
                            amount=refunded["amount"], to=refunded["to"])

    def withdraw(self, token: str = ETH, *, amount: int | str | Decimal | None = None, to: str | None = None
                 ) -> WithdrawalResult:
        """Pulls the signer's credit (an award or payout that could not be pushed): all of it,
        or `amount`, sent to the signer or to `to`."""
        token = checksum(token, "token")
        signer = self._require_signer()
        credit = self.credit_of(signer.address, token)
        if credit == 0:
            raise self._refusal("NothingToWithdraw", None, account=signer.address, token=token)
        recipient = self._recipient(to, signer.address)
        value = credit if amount is None else self._amount(amount, token)
        if value > credit:
            raise self._refusal("AmountNotAvailable", None, requested=value, available=credit)
        fn = (self.contract.functions.withdraw(token) if amount is None and to is None
              else self.contract.functions.withdrawTo(token, value, recipient))
        receipt, events = self._transact(fn)
        withdrawn = one_event(events, "Withdrawn")
        return WithdrawalResult(**tx_fields(receipt), account=withdrawn["account"], token=token,
                                amount=withdrawn["amount"], to=withdrawn["to"])

    def withdraw_fees(self, token: str = ETH, *, amount: int | str | Decimal | None = None, to: str | None = None
                      ) -> WithdrawalResult:
        """Sends accrued fees (all, or `amount`) to the fee recipient or to `to`. Fee recipient only."""
        token = checksum(token, "token")
        signer = self._require_signer()
        fee_recipient, _ = self.fee()
        if signer.address != fee_recipient:
            raise self._refusal("NotFeeRecipient", None, caller=signer.address)
        accrued = self.fees_accrued(token)
        value = accrued if amount is None else self._amount(amount, token)
        if value == 0 or value > accrued:
            raise self._refusal("AmountNotAvailable", None, requested=value, available=accrued)
        recipient = self._recipient(to, signer.address)
        receipt, events = self._transact(self.contract.functions.withdrawFees(token, value, recipient))
        withdrawn = one_event(events, "FeesWithdrawn")
        return WithdrawalResult(**tx_fields(receipt), account=signer.address, token=token,
                                amount=withdrawn["amount"], to=withdrawn["to"])

    def fees_accrued(self, token: str = ETH) -> int:
        """Fees accrued in a currency, which the fee recipient can withdraw."""
        return int(self.contract.functions.feesAccrued(checksum(token, "token")).call())

    def _recipient(self, to: str | None, default: str) -> str:
        recipient = default if to is None else checksum(to, "to")
        if recipient in (ETH, self.address, self.review_contract.address):
            raise self._refusal("InvalidRecipient", None, recipient=recipient)
        return recipient

    def cancel(self, bounty_id: int) -> CancelResult:
        """Cancels an open bounty: every pledge becomes refundable at once. Issuer only."""
        bounty = self._bounty_state(bounty_id)
        self._check_issuer(bounty)
        if bounty.status != BountyStatus.OPEN:
            raise self._refusal("BountyNotOpen", bounty_id, status=int(bounty.status))
        receipt, _ = self._transact(self.contract.functions.cancel(bounty_id), bounty_id=bounty_id)
        return CancelResult(**tx_fields(receipt), bounty_id=bounty_id)

    def extend_deadline(self, bounty_id: int, new_deadline: int | datetime | timedelta) -> DeadlineExtension:
        """Moves the deadline later (a timedelta counts from the chain's time); pledges already
        made keep their lock. Issuer only."""
        bounty = self._active_bounty(bounty_id)
        self._check_issuer(bounty)
        deadline_ts = as_timestamp(new_deadline, bounty.as_of)
        if deadline_ts <= bounty.deadline:
            raise InvalidDeadline(f"new deadline {utc(deadline_ts)} is not after the current one, "
                                  f"{utc(bounty.deadline)}")
        self._check_future_deadline(deadline_ts)
        receipt, _ = self._transact(self.contract.functions.extendDeadline(bounty_id, deadline_ts),
                                    bounty_id=bounty_id)
        return DeadlineExtension(**tx_fields(receipt), bounty_id=bounty_id, deadline=deadline_ts)


__all__ = ["BountyOperations"]
