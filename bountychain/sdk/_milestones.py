"""Milestones (partial awards) and claim bonds: create a bonded bounty, pay part of a pool,
post and pull back bonds, mark a claim as spam, and collect a funder's part of slashed bonds."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from bountychain.errors import InvalidAddress, InvalidInput
from bountychain.results import (
    ETH,
    AwardResult,
    BondResult,
    BountyCreation,
    BountyStatus,
    ReviewTerms,
    SolutionResult,
    TxResult,
)
from bountychain.sdk._bounties import issue_uri
from bountychain.sdk._core import ClientCore
from bountychain.sdk._transactions import one_event, tx_fields
from bountychain.sdk._validation import as_bounty_id, as_timestamp, check_solution_url, checksum

BPS = 10_000
MAX_BOND = 2**96 - 1  # the escrow keeps a claim's bond in 96 bits


class MilestoneOperations(ClientCore):
    """Partial awards and claim bonds, checked before they are sent."""

    def create_bonded_bounty(self, issue_url: str, deadline: int | datetime, bond: int | str, *,
                             token: str = ETH, approver: str | None = None,
                             review: ReviewTerms | None = None) -> BountyCreation:
        """Creates a bounty whose every claim posts `bond` (base units, or "0.01 ether" /
        "5 USDC"), in the bounty's currency; the bond is fixed for good. `issue_url` as in
        `create_bounty`: one issue on a known forge, recorded in its canonical spelling. With
        `review`, awards and milestones go through backer review (`propose`), and the
        proposer marks spam (`mark_spam`)."""
        issue_url = issue_uri(issue_url)
        token = checksum(token, "token")
        if token != ETH:
            self.token_info(token)
        value = self._amount(bond, token)
        if value > MAX_BOND:
            raise InvalidInput(f"a claim bond of {value:,} base units is above the most the escrow keeps "
                               f"({MAX_BOND:,})")
        if value == 0:
            raise self._refusal("ZeroBond", None)
        approver_address = checksum(approver, "approver") if approver is not None else ETH
        if approver_address in (self.address, self.review_contract.address):
            raise InvalidAddress(f"the approver cannot be the escrow or its review contract ({approver_address})")
        deadline_ts = self._check_future_deadline(as_timestamp(deadline))
        if review is None:
            fn = self.contract.functions.createBondedBounty(token, deadline_ts, approver_address, issue_url, value)
        else:
            terms = self._check_review_terms(review)
            fn = self.review_contract.functions.createBondedBountyWithReview(
                token, deadline_ts, approver_address, issue_url, terms, value)
        receipt, events = self._transact(fn)
        created = one_event(events, "BountyCreated")
        policy = [args for name, args in events if name == "ReviewPolicySet"]
        return BountyCreation(**tx_fields(receipt), bounty_id=created["bountyId"], issuer=created["issuer"],
                              approver=policy[0]["approver"] if policy else created["approver"],
                              token=created["token"], deadline=created["deadline"], uri=created["uri"])

    def bond_of(self, bounty_id: int) -> int:
        """The bond each claim on the bounty posts, in base units (0: none)."""
        return int(self._view(self.contract.abi, self.address, "bondOf", as_bounty_id(bounty_id)))

    def claim_bond(self, bounty_id: int, claim_id: int) -> int:
        """The bond a claim still holds (0 once returned or slashed)."""
        return int(self._view(self.contract.abi, self.address, "claimBond", as_bounty_id(bounty_id), claim_id))

    def slashed_owed(self, bounty_id: int, funder: str) -> int:
        """What slashed bonds owe a funder on the bounty, not yet claimed."""
        return int(self._view(self.contract.abi, self.address, "slashedOwed", as_bounty_id(bounty_id),
                              checksum(funder, "funder")))

    def shares_of(self, bounty_id: int, funder: str) -> tuple[int, int]:
        """(the funder's shares of the pool, all the shares)."""
        shares, supply = self._view(self.contract.abi, self.address, "sharesOf", as_bounty_id(bounty_id),
                                    checksum(funder, "funder"))
        return int(shares), int(supply)

    def submit_bonded_solution(self, bounty_id: int, solution_url: str) -> SolutionResult:
        """Registers a solution on a bonded bounty, posting its bond: ETH goes with the call, a
        token is approved for exactly the bond first (never more)."""
        check_solution_url(solution_url, "solution_url")
        bounty = self._active_bounty(bounty_id)
        signer = self._require_signer()
        self._check_new_solution(bounty, signer.address, solution_url)
        bond = self.bond_of(bounty_id)
        value = 0
        if bond and bounty.is_eth:
            value = bond
        elif bond:
            self._check_balance(signer.address, bounty.token, bond)
            self._approve_exactly(bounty.token, bond)
        receipt, events = self._transact(self.contract.functions.submitSolution(bounty_id, solution_url),
                                         value=value, bounty_id=bounty_id)
        submitted = one_event(events, "SolutionSubmitted")
        return SolutionResult(**tx_fields(receipt), bounty_id=bounty_id, claim_id=submitted["claimId"],
                              hunter=submitted["hunter"], uri=submitted["uri"])

    def award_part(self, bounty_id: int, part_bps: int,
                   shares: Mapping[int, int] | Iterable[tuple[int, int]]) -> AwardResult:
        """Pays a milestone: `part_bps` of 10,000 of the pool now (rounded down), split among
        the claims as in `award`; the rest stays open for the next milestone. Approver only."""
        if isinstance(part_bps, bool) or not isinstance(part_bps, int) or not 0 < part_bps < BPS:
            raise self._refusal("InvalidPart", bounty_id, partBps=part_bps)
        bounty, claim_ids, shares_bps = self._check_award(bounty_id, shares)
        if bounty.total * part_bps // BPS == 0:
            raise self._refusal("NothingToAward", bounty_id)
        fn = self.contract.functions.awardPart(bounty_id, part_bps, claim_ids, shares_bps)
        receipt, events = self._transact(fn, bounty_id=bounty_id)
        return self._award_result(bounty_id, receipt, events)

    def mark_spam(self, bounty_id: int, claim_id: int) -> BondResult:
        """The approver marks a bonded claim as spam while the bounty is open: its bond goes to
        the funders (never to the approver or the issuer). On a reviewed bounty the proposer
        marks it, through the review contract, and its own pledge takes no part."""
        bounty = self._active_bounty(bounty_id)
        signer = self._require_signer()
        if signer.address != bounty.approver:
            raise self._refusal("NotProposer" if bounty.optimistic else "NotApprover", bounty_id,
                                caller=signer.address)
        if self.claim_bond(bounty_id, claim_id) == 0:
            raise self._refusal("NoBond", bounty_id, claimId=claim_id)
        target = self.review_contract if bounty.optimistic else self.contract
        receipt, events = self._transact(target.functions.markSpam(bounty_id, claim_id), bounty_id=bounty_id)
        slashed = one_event(events, "BondSlashed")
        return BondResult(**tx_fields(receipt), bounty_id=bounty_id, claim_id=claim_id, hunter=slashed["hunter"],
                          amount=slashed["amount"], slashed=True)

    def withdraw_bond(self, bounty_id: int, claim_id: int) -> BondResult:
        """The hunter pulls its claim's bond back, once the bounty is awarded, cancelled or
        past its deadline (unless it was marked spam)."""
        bounty = self.bounty(bounty_id)
        signer = self._require_signer()
        if bounty.status == BountyStatus.OPEN and self._pending_time(bounty) < bounty.deadline:
            raise self._refusal("BondLocked", bounty_id, deadline=bounty.deadline)
        receipt, events = self._transact(self.contract.functions.withdrawBond(bounty_id, claim_id),
                                         bounty_id=bounty_id)
        returned = one_event(events, "BondReturned")
        return BondResult(**tx_fields(receipt), bounty_id=bounty_id, claim_id=claim_id, hunter=signer.address,
                          amount=returned["amount"], slashed=False)

    def claim_slashed(self, bounty_id: int) -> TxResult:
        """Credits the signer its part of the bonds slashed on the bounty (then `withdraw`)."""
        bounty = self.bounty(bounty_id)
        signer = self._require_signer()
        if self.slashed_owed(bounty_id, signer.address) == 0:
            raise self._refusal("NothingToWithdraw", bounty_id, account=signer.address, token=bounty.token)
        receipt, _ = self._transact(self.contract.functions.claimSlashed(bounty_id), bounty_id=bounty_id)
        return TxResult(**tx_fields(receipt))


__all__ = ["MilestoneOperations"]
