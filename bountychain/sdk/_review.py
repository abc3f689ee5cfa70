"""Backer governance: an optimistic bounty's proposals, objections, finalization, and the
arbiter's escalation, ruling and lapse."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from eth_abi import encode
from eth_utils import keccak

from bountychain.errors import InvalidAddress, InvalidInput, translating_reverts
from bountychain.results import (
    TxResult,
    ETH,
    AwardResult,
    EscalationResult,
    ObjectionResult,
    Proposal,
    ProposalResult,
    ProposalState,
    RejectionResult,
    ReviewTerms,
    Ruling,
    RulingResult,
)
from bountychain.sdk._core import ClientCore
from bountychain.sdk._transactions import one_event, tx_fields
from bountychain.sdk._validation import as_bounty_id, check_uri, checksum
from bountychain.words import duration
from bountychain.sdk.constants import BPS, MAX_REVIEW_WINDOW, MIN_REVIEW_WINDOW


_REJECT_REASONS = ("unanimous", "arbiter-rejected", "arbiter-refused", "lapsed")


class ReviewOperations(ClientCore):
    """Optimistic review: the approver proposes, funders object, anyone finalizes."""

    def propose(self, bounty_id: int, shares: Mapping[int, int] | Iterable[tuple[int, int]], *,
                part_bps: int | None = None) -> ProposalResult:
        """Proposes an award of a reviewed bounty (claim id -> basis points, summing to
        10,000). Approver only. Opens the review window; pledges wait, and pledges still
        locked now are held, until the proposal is finalized or rejected.

        With `part_bps` (1 to 9,999) it proposes a milestone: that part of the pledges the
        proposal may take, reviewed like a whole award; once paid the bounty stays open, every
        pledge that paid down by the same fraction. An objection keeps the objector's pledge
        out of this part only: object again to the next."""
        if part_bps is not None and (isinstance(part_bps, bool) or not isinstance(part_bps, int)
                                     or not 0 < part_bps < BPS):
            raise self._refusal("InvalidPart", bounty_id, partBps=part_bps)
        pairs = list(shares.items() if isinstance(shares, Mapping) else shares)
        bounty = self._active_bounty(bounty_id)
        claim_ids, shares_bps = self._check_shares(bounty, pairs)
        signer = self._require_signer()
        if not bounty.optimistic:
            raise self._refusal("NotOptimistic", bounty_id)
        if signer.address != bounty.approver:
            raise self._refusal("NotProposer", bounty_id, caller=signer.address)
        if bounty.total == 0 or (part_bps is not None and bounty.total * part_bps // BPS == 0):
            raise self._refusal("NothingToAward", bounty_id)
        functions = self.review_contract.functions
        fn = (functions.propose(bounty_id, claim_ids, shares_bps) if part_bps is None
              else functions.proposePart(bounty_id, part_bps, claim_ids, shares_bps))
        receipt, events = self._transact(fn, bounty_id=bounty_id)
        proposed = one_event(events, "AwardProposed")
        return ProposalResult(
            **tx_fields(receipt), bounty_id=bounty_id, nonce=proposed["nonce"],
            claim_ids=tuple(proposed["claimIds"]), shares_bps=tuple(proposed["sharesBps"]),
            window_end=proposed["windowEnd"], total=proposed["total"], part_bps=part_bps,
        )

    def object(self, bounty_id: int) -> ObjectionResult:
        """Objects to the pending proposal, withholding the signer's pledge from it (once per
        proposal, during the review window): the award then takes the pool without it, and
        the signer refunds it at once, unless the bounty's arbiter overrules the objections
        (only when they reach the quorum)."""
        signer = self._require_signer()
        proposal = self.proposal(bounty_id)
        if proposal.state != ProposalState.PENDING:
            raise self._refusal("WrongProposalState", bounty_id, state=int(proposal.state))
        if self._pending_time() >= proposal.window_end:
            raise self._refusal("ReviewWindowClosed", bounty_id, windowEnd=proposal.window_end)
        if self.pledge_of(bounty_id, signer.address).amount == 0:
            raise self._refusal("NoWeight", bounty_id, funder=signer.address)
        if self.has_objected(bounty_id, signer.address, proposal.nonce):
            raise self._refusal("AlreadyObjected", bounty_id, funder=signer.address)
        receipt, events = self._transact(self.review_contract.functions.object(bounty_id), bounty_id=bounty_id)
        objected = one_event(events, "Objected")
        outcome = "blocked" if any(name == "ProposalBlocked" for name, _ in events) else "withheld"
        return ObjectionResult(
            **tx_fields(receipt), bounty_id=bounty_id, nonce=objected["nonce"], funder=objected["funder"],
            weight=objected["weight"], weight_against=objected["weightAgainst"], outcome=outcome,
        )

    def finalize(self, bounty_id: int) -> AwardResult:
        """Pays the bounty's proposal once its window ended unblocked (the pool less the
        pledges withheld by objections), or once the arbiter upheld it (the whole pool); a
        milestone pays its part of that (`part_bps` and `remaining` in the result).
        Anyone may call it; the claims and shares come from the proposal's event. If every
        pledge was withheld nothing is paid: the result has pool 0 and `rejected`
        "unanimous", and the bounty is open again."""
        self._require_signer()
        proposal = self.proposal(bounty_id)
        if proposal.state == ProposalState.PENDING:
            if self._pending_time() < proposal.window_end:
                raise self._refusal("ReviewWindowOpen", bounty_id, windowEnd=proposal.window_end)
        elif proposal.state != ProposalState.UPHELD:
            raise self._refusal("WrongProposalState", bounty_id, state=int(proposal.state))
        fn = self.review_contract.functions.finalize(bounty_id, list(proposal.claim_ids), list(proposal.shares_bps))
        receipt, events = self._transact(fn, bounty_id=bounty_id)
        rejected = [args for name, args in events if name == "ProposalRejected"]
        if rejected:
            return AwardResult(**tx_fields(receipt), bounty_id=bounty_id, pool=0, fee=0, payouts=(),
                               rejected=_REJECT_REASONS[rejected[0]["reason"]])
        return self._award_result(bounty_id, receipt, events)

    def escalate(self, bounty_id: int, *, fee: int | None = None) -> EscalationResult:
        """Sends a blocked proposal to the bounty's arbiter (until 7 days after its window);
        for an ERC-792 arbitrator, pays its arbitration fee from the signer: `fee` wei, by
        default the fee read from the arbitrator now (the escrow returns what exceeds the fee
        in force when mined). Anyone may call it."""
        signer = self._require_signer()
        proposal = self.proposal(bounty_id)
        if proposal.state != ProposalState.BLOCKED:
            raise self._refusal("WrongProposalState", bounty_id, state=int(proposal.state))
        if self._pending_time() >= proposal.decide_by:
            raise self._refusal("ArbitrationLapsed", bounty_id, decideBy=proposal.decide_by)
        cost = self.arbitration_fee(proposal)
        sent = cost if fee is None else fee
        if sent < cost:
            raise self._refusal("WrongArbitrationFee", bounty_id, expected=cost, sent=sent)
        if not proposal.arbiter_is_erc792:
            sent = 0
        self._check_balance(signer.address, ETH, sent)
        receipt, events = self._transact(self.review_contract.functions.escalate(bounty_id), value=sent,
                                         bounty_id=bounty_id)
        raised = one_event(events, "DisputeRaised")
        return EscalationResult(
            **tx_fields(receipt), bounty_id=bounty_id, nonce=raised["nonce"], arbiter=raised["arbiter"],
            dispute_id=raised["disputeId"] if proposal.arbiter_is_erc792 else None, fee_paid=cost,
        )

    def rule(self, bounty_id: int, ruling: Ruling | int | str) -> RulingResult:
        """The decision of a plain-address arbiter (a Safe, an account) on a bounty's blocked
        or escalated proposal: "pay" (1; the award takes the whole pool, objectors' pledges
        included), "reject" (2) or "refuse" (0). An ERC-792 arbitrator contract calls the
        review contract's `rule` itself."""
        signer = self._require_signer()
        value = _ruling(ruling)
        proposal = self.proposal(bounty_id)
        if proposal.arbiter_is_erc792 or signer.address != proposal.arbiter:
            raise self._refusal("NotArbiter", bounty_id, caller=signer.address)
        if proposal.state not in (ProposalState.BLOCKED, ProposalState.ESCALATED):
            raise self._refusal("WrongProposalState", bounty_id, state=int(proposal.state))
        fn = self.review_contract.functions.decide(bounty_id, proposal.nonce, int(value))
        receipt, events = self._transact(fn, bounty_id=bounty_id)
        outcome = "upheld" if any(name == "ProposalUpheld" for name, _ in events) else "rejected"
        return RulingResult(**tx_fields(receipt), bounty_id=bounty_id, dispute_id=None,
                            ruling=int(value), outcome=outcome)

    def submit_evidence(self, bounty_id: int, evidence: str) -> TxResult:
        """Submits ERC-1497 evidence (a URI) for the disputes of a bounty with an ERC-792 arbitrator."""
        check_uri(evidence, "evidence")
        if not self.proposal(bounty_id).arbiter_is_erc792:
            raise self._refusal("NoArbitrator", bounty_id)
        receipt, _ = self._transact(self.review_contract.functions.submitEvidence(bounty_id, evidence),
                                    bounty_id=bounty_id)
        return TxResult(**tx_fields(receipt))

    def lapse(self, bounty_id: int) -> RejectionResult:
        """Rejects a blocked proposal nobody escalated within 7 days of its window, or an
        escalated one its arbiter did not decide within 90 days; anyone may call it."""
        self._require_signer()
        proposal = self.proposal(bounty_id)
        if not proposal.blocked:
            raise self._refusal("WrongProposalState", bounty_id, state=int(proposal.state))
        if self._pending_time() < proposal.decide_by:
            raise self._refusal("ArbitrationNotLapsed", bounty_id, decideBy=proposal.decide_by)
        receipt, events = self._transact(self.review_contract.functions.lapse(bounty_id), bounty_id=bounty_id)
        rejected = one_event(events, "ProposalRejected")
        return RejectionResult(**tx_fields(receipt), bounty_id=bounty_id, nonce=rejected["nonce"],
                               reason=_REJECT_REASONS[rejected["reason"]])

    def proposal(self, bounty_id: int) -> Proposal:
        """A reviewed bounty's policy and latest proposal (claims and shares from its
        AwardProposed event). Raises InvalidInput for a bounty without a review policy."""
        bounty_id = as_bounty_id(bounty_id)
        block = self.w3.eth.get_block("latest")
        with translating_reverts(bounty_id):
            self.contract.functions.getBounty(bounty_id).call(block_identifier=block["number"])  # exists?
            info = self.review_contract.functions.getReview(bounty_id).call(block_identifier=block["number"])
            part_bps = self.review_contract.functions.proposedPart(bounty_id).call(block_identifier=block["number"])
        (approver, window, quorum, arbiter, is_erc792, state, nonce, window_end, decide_by, against, total,
         proposal_hash, dispute) = info
        if window == 0:
            raise self._refusal("NotOptimistic", bounty_id)
        claim_ids: tuple[int, ...] = ()
        shares_bps: tuple[int, ...] = ()
        if nonce:
            split = self._proposed_splits.get(bytes(proposal_hash))
            if split is None:
                proposed = self._events_of(self.review_contract, "AwardProposed",
                                           {"bountyId": bounty_id, "nonce": nonce}, to_block=block["number"])
                if proposed:
                    split = tuple(proposed[-1][0]["claimIds"]), tuple(proposed[-1][0]["sharesBps"])
                    if keccak(encode(["uint256[]", "uint256[]"], list(split))) == bytes(proposal_hash):
                        self._proposed_splits[bytes(proposal_hash)] = split
            if split is not None:
                claim_ids, shares_bps = split
        dispute_id = dispute if is_erc792 and ProposalState(state) in (
            ProposalState.ESCALATED, ProposalState.UPHELD) else None
        return Proposal(
            bounty_id=bounty_id, approver=approver, review_window=window, quorum_bps=quorum,
            arbiter=None if arbiter == ETH else arbiter, arbiter_is_erc792=is_erc792, state=ProposalState(state),
            nonce=nonce, claim_ids=claim_ids, shares_bps=shares_bps, window_end=window_end, decide_by=decide_by,
            weight_against=against, total=total, dispute_id=dispute_id,
            as_of=int(block["timestamp"]), part_bps=int(part_bps),
        )

    def has_objected(self, bounty_id: int, funder: str, nonce: int | None = None) -> bool:
        """Whether `funder` objected to proposal `nonce` (default: the latest) of a bounty."""
        funder = checksum(funder, "funder")
        if nonce is None:
            nonce = self.proposal(bounty_id).nonce
        return bool(self.review_contract.functions.hasObjected(as_bounty_id(bounty_id), nonce, funder).call())

    def arbitration_fee(self, bounty: int | Proposal) -> int:
        """What escalating the bounty's blocked proposal costs in wei (0 for a plain arbiter);
        `bounty` is its id, or its `Proposal` when already read."""
        proposal = bounty if isinstance(bounty, Proposal) else self.proposal(bounty)
        if not proposal.arbiter_is_erc792 or proposal.arbiter is None:
            return 0
        arbitrator = self.w3.eth.contract(address=proposal.arbiter, abi=_ARBITRATOR_ABI)
        extra = self.review_contract.functions.arbitratorExtraData(proposal.bounty_id).call()
        return int(arbitrator.functions.arbitrationCost(extra).call())

    def _check_review_terms(self, review: ReviewTerms) -> tuple[int, int, str, bool, bytes, str]:
        if not isinstance(review, ReviewTerms):
            raise InvalidInput(f"review must be a ReviewTerms, got {review!r}")
        window, quorum = review.review_window, review.quorum_bps
        if isinstance(window, bool) or not isinstance(window, int) or not MIN_REVIEW_WINDOW <= window <= MAX_REVIEW_WINDOW:
            got = duration(window) if isinstance(window, int) and not isinstance(window, bool) else repr(window)
            raise InvalidInput(f"review_window must be from {duration(MIN_REVIEW_WINDOW)} to "
                               f"{duration(MAX_REVIEW_WINDOW)} (in seconds), got {got}")
        arbiter = checksum(review.arbiter, "arbiter") if review.arbiter is not None else ETH
        if arbiter == ETH and review.arbiter is not None:
            raise InvalidAddress("arbiter: the zero address; pass None for no arbiter")
        if arbiter in (self.address, self.review_contract.address):
            raise InvalidAddress(f"arbiter {arbiter} is the escrow or its review contract")
        if isinstance(quorum, bool) or not isinstance(quorum, int):
            raise InvalidInput(f"quorum_bps must be an integer number of basis points, got {quorum!r}")
        if arbiter == ETH:
            if quorum != 0:
                raise self._refusal("InvalidQuorum", None, quorumBps=quorum)
            if review.arbiter_is_erc792:
                raise InvalidAddress("arbiter_is_erc792 needs an arbiter")
        elif not 1 <= quorum <= BPS:
            raise InvalidInput(f"with an arbiter, quorum_bps must be from 1 to {BPS} basis points, got {quorum!r}")
        if review.arbiter_is_erc792 and not self.w3.eth.get_code(arbiter):
            raise InvalidAddress(f"arbiter {arbiter} holds no contract, so it cannot be an ERC-792 arbitrator")
        if not isinstance(review.arbitrator_extra_data, (bytes, bytearray)):
            raise InvalidInput("arbitrator_extra_data must be bytes")
        if not isinstance(review.meta_evidence, str):
            raise InvalidInput("meta_evidence must be a string (a URI)")
        return (window, quorum, arbiter, bool(review.arbiter_is_erc792), bytes(review.arbitrator_extra_data),
                review.meta_evidence)


_ARBITRATOR_ABI = [{
    "type": "function", "name": "arbitrationCost", "stateMutability": "view",
    "inputs": [{"name": "extraData", "type": "bytes"}], "outputs": [{"name": "cost", "type": "uint256"}],
}]


def _ruling(ruling: Any) -> Ruling:
    if isinstance(ruling, str):
        names = {"pay": Ruling.PAY, "uphold": Ruling.PAY, "reject": Ruling.REJECT, "refuse": Ruling.REFUSE}
        if ruling.strip().lower() not in names:
            raise InvalidInput(f"ruling {ruling!r}: write pay, reject or refuse")
        return names[ruling.strip().lower()]
    if isinstance(ruling, bool) or not isinstance(ruling, int) or ruling not in (0, 1, 2):
        raise InvalidInput(f"ruling {ruling!r}: give 0 (refuse), 1 (pay) or 2 (reject)")
    return Ruling(ruling)


__all__ = ["ReviewOperations"]
