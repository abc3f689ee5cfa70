"""Backers' review (issue 11's rule): silence is consent, an objection withholds the
objector's own pledge from the proposal, and only the arbiter named at creation can overrule
objections that reach its quorum. End to end on both chains (in-process py-evm and a real
anvil node), balances checked to the base unit.

The review lives in its own contract; raw calls go through `world.escrow.review_contract`.
"""

from __future__ import annotations

import pytest

from bountychain import (
    BountyStatus,
    ContractError,
    InvalidAward,
    InvalidInput,
    ProposalRefused,
    ProposalState,
    ReviewTerms,
)
from tests.conftest import DAY, FEE_BPS, ISSUE, PR, deploy_mock

ETHER = 10**18
USDC = 10**6
WINDOW = 3 * DAY
BPS = 10_000
ESCALATION_PERIOD = 7 * DAY
ARBITRATION_PERIOD = 90 * DAY
ZERO = "0x" + "00" * 20


def fee(pool: int) -> int:
    return pool * FEE_BPS // BPS


def review_bounty(world, *, kind="eth", quorum=0, arbiter=None, erc792=False, days=30, window=WINDOW,
                  pledges=(ETHER, 2 * ETHER), claims=2):
    """A reviewed bounty proposed by world.approver, pledged by the first funders, with claims."""
    created = world.escrow.create_bounty(
        ISSUE, world.chain.now() + days * DAY, token=world.token(kind), approver=world.approver.address,
        review=ReviewTerms(window, quorum, arbiter, erc792))
    bounty_id = created.bounty_id
    for funder, amount in zip(world.funders, pledges):
        world.as_(funder).pledge(bounty_id, amount)
    for i in range(claims):
        world.as_(world.hunters[i]).submit_solution(bounty_id, f"{PR}{i}")
    return bounty_id


def refused(error_name, call, *args, **kwargs):
    with pytest.raises(ContractError) as caught:
        call(*args, **kwargs)
    assert caught.value.error_name == error_name, caught.value
    return caught.value


def raw_refused(world, error_name, signer, fn, value=0):
    """The contract itself refuses (the client's checks bypassed)."""
    return refused(error_name, world.send, signer, fn, value)


def client_refuses(error_name, call, *args, **kwargs):
    """The SDK refuses before sending: an input error, or the contract's error by name."""
    with pytest.raises((InvalidInput, ContractError)) as caught:
        call(*args, **kwargs)
    if isinstance(caught.value, ContractError):
        assert caught.value.error_name == error_name and not caught.value.tx_hash, caught.value


def review_fns(world):
    return world.escrow.review_contract.functions


def past_window(world, bounty_id):
    world.chain.set_next_block_timestamp(world.escrow.proposal(bounty_id).window_end)


def test_an_unblocked_proposal_pays_the_pool_less_the_objectors_pledge(world):
    bounty_id = review_bounty(world, pledges=(ETHER, 2 * ETHER, 4 * ETHER))
    bounty = world.escrow.bounty(bounty_id)
    assert bounty.optimistic and bounty.approver == world.approver.address
    fns, escrow_fns = review_fns(world), world.escrow.contract.functions
    refused("ReviewRequired", world.as_(world.approver).award, bounty_id, {1: BPS})
    raw_refused(world, "NotApprover", world.approver, escrow_fns.award(bounty_id, [1], [BPS]))
    refused("NotProposer", world.escrow.propose, bounty_id, {1: 7_000, 2: 3_000})
    raw_refused(world, "NotProposer", world.issuer, fns.propose(bounty_id, [1, 2], [7_000, 3_000]))

    proposed = world.as_(world.approver).propose(bounty_id, {1: 7_000, 2: 3_000})
    assert (proposed.nonce, proposed.claim_ids, proposed.shares_bps, proposed.total) == (
        1, (1, 2), (7_000, 3_000), 7 * ETHER)
    proposal = world.escrow.proposal(bounty_id)
    assert proposal.state == ProposalState.PENDING and proposal.in_window and not proposal.finalizable
    assert (proposal.window_end, proposal.quorum_bps, proposal.quorum_weight, proposal.total,
            proposal.weight_against, proposal.arbiter) == (proposed.window_end, 0, None, 7 * ETHER, 0, None)
    assert world.escrow.bounty(bounty_id).status == BountyStatus.UNDER_REVIEW

    objector, silent = world.funders[0], world.funders[1:3]
    with pytest.raises(ProposalRefused, match="open until"):
        world.as_(world.outsider).finalize(bounty_id)
    raw_refused(world, "ReviewWindowOpen", world.outsider, fns.finalize(bounty_id, [1, 2], [7_000, 3_000]))

    objection = world.as_(objector).object(bounty_id)
    assert (objection.nonce, objection.weight, objection.weight_against, objection.outcome) == (
        1, ETHER, ETHER, "withheld")
    refused("AlreadyObjected", world.as_(objector).object, bounty_id)
    raw_refused(world, "AlreadyObjected", objector, fns.object(bounty_id))
    refused("NoWeight", world.as_(world.outsider).object, bounty_id)
    raw_refused(world, "NoWeight", world.outsider, fns.object(bounty_id))
    assert world.escrow.has_objected(bounty_id, objector.address)
    assert not world.escrow.has_objected(bounty_id, silent[0].address)
    proposal = world.escrow.proposal(bounty_id)
    assert (proposal.state, proposal.weight_against, proposal.weight_for) == (
        ProposalState.PENDING, ETHER, 6 * ETHER)
    # An objector cannot leave before the award: its lock still protects the hunters.
    refused("ProposalPending", world.as_(objector).refund, bounty_id)

    past_window(world, bounty_id)
    raw_refused(world, "ReviewWindowClosed", silent[0], fns.object(bounty_id))
    raw_refused(world, "ProposalMismatch", world.outsider, fns.finalize(bounty_id, [1, 2], [3_000, 7_000]))
    hunters = world.hunters[:2]
    before = [world.balance(h) for h in hunters]
    escrow_before = world.balance(world.escrow.address)
    result = world.as_(world.outsider).finalize(bounty_id)
    pool = 6 * ETHER  # the objector's 1 ETH withheld
    first = (pool - fee(pool)) * 7_000 // BPS
    assert (result.pool, result.fee, result.rejected) == (pool, fee(pool), None)
    assert [world.balance(h) - b for h, b in zip(hunters, before)] == [first, pool - fee(pool) - first]
    assert world.balance(world.escrow.address) == escrow_before - (pool - fee(pool))
    assert world.escrow.fees_accrued() == fee(pool)
    assert world.escrow.bounty(bounty_id).status == BountyStatus.AWARDED
    assert world.escrow.proposal(bounty_id).state == ProposalState.EXECUTED
    raw_refused(world, "WrongProposalState", world.outsider, fns.finalize(bounty_id, [1, 2], [7_000, 3_000]))

    # The silent funders' pledges were paid; the objector's comes back at once, whole.
    for funder in silent:
        assert world.escrow.pledge_of(bounty_id, funder.address).amount == 0
        refused("AlreadyAwarded", world.as_(funder).refund, bounty_id)
    assert world.escrow.pledge_of(bounty_id, objector.address).amount == ETHER
    before = world.balance(objector)
    refund = world.as_(objector).refund(bounty_id)
    assert (refund.amount, refund.to) == (ETHER, objector.address)
    assert world.balance(objector) - before == ETHER - refund.gas_cost_wei
    assert world.balance(world.escrow.address) == escrow_before - 6 * ETHER + fee(pool) - ETHER
    assert world.escrow.bounty(bounty_id).total == 0


def test_while_pending_no_pledge_solution_cancel_or_second_proposal(world):
    bounty_id = review_bounty(world)
    world.as_(world.approver).propose(bounty_id, {1: BPS})
    escrow_fns, fns = world.escrow.contract.functions, review_fns(world)
    funder = world.funders[0]
    deadline = world.escrow.bounty(bounty_id).deadline
    raw_refused(world, "BountyNotOpen", funder, escrow_fns.pledge(bounty_id, ETHER, deadline), ETHER)
    refused("BountyNotOpen", world.as_(funder).pledge, bounty_id, ETHER)
    raw_refused(world, "BountyNotOpen", world.hunters[2], escrow_fns.submitSolution(bounty_id, PR))
    refused("BountyNotOpen", world.as_(world.hunters[2]).submit_solution, bounty_id, PR)
    raw_refused(world, "BountyNotOpen", world.issuer, escrow_fns.cancel(bounty_id))
    raw_refused(world, "BountyNotOpen", world.approver, fns.propose(bounty_id, [1], [BPS]))
    # Both pledges were locked when proposed: the proposal holds them.
    refused("ProposalPending", world.as_(funder).refund, bounty_id)
    raw_refused(world, "ProposalPending", funder, escrow_fns.refund(bounty_id))
    assert world.escrow.bounty(bounty_id).total == 3 * ETHER


def test_window_boundaries_for_objection_and_finalize(world):
    bounty_id = review_bounty(world)
    fns = review_fns(world)
    end = world.as_(world.approver).propose(bounty_id, {1: BPS}).window_end
    world.chain.set_next_block_timestamp(end - 2)
    with pytest.raises(ContractError) as early:
        world.mine(world.outsider, fns.finalize(bounty_id, [1], [BPS]))
    assert early.value.error_name == "ReviewWindowOpen" and early.value.tx_hash
    world.chain.set_next_block_timestamp(end - 1)
    world.mine(world.funders[0], fns.object(bounty_id))  # the last second of the window
    assert world.escrow.has_objected(bounty_id, world.funders[0].address)
    at_end = world.chain.snapshot()
    world.chain.set_next_block_timestamp(end)
    with pytest.raises(ContractError) as late:
        world.mine(world.funders[1], fns.object(bounty_id))
    assert late.value.error_name == "ReviewWindowClosed"
    world.chain.revert(at_end)
    world.chain.set_next_block_timestamp(end)
    before = world.balance(world.hunters[0])
    world.mine(world.outsider, fns.finalize(bounty_id, [1], [BPS]))  # at the end, exactly
    assert world.escrow.bounty(bounty_id).status == BountyStatus.AWARDED
    assert world.balance(world.hunters[0]) - before == 2 * ETHER - fee(2 * ETHER)


@pytest.mark.parametrize("extra_wei, blocked", [(0, True), (1, False)], ids=["quorum-reached", "just-missed"])
def test_quorum_exactly_reached_blocks_and_just_missed_withholds(world, extra_wei, blocked):
    """Quorum of half: 1 ETH of 2 ETH reaches it; 1 ETH of 2 ETH + 1 wei misses it."""
    arbiter = world.chain.new_account()
    bounty_id = review_bounty(world, quorum=5_000, arbiter=arbiter.address, pledges=(ETHER, ETHER + extra_wei))
    world.as_(world.approver).propose(bounty_id, {1: BPS})
    assert world.escrow.proposal(bounty_id).quorum_weight == ETHER + (1 if extra_wei else 0)
    objection = world.as_(world.funders[0]).object(bounty_id)
    assert objection.outcome == ("blocked" if blocked else "withheld")
    proposal = world.escrow.proposal(bounty_id)
    assert proposal.state == (ProposalState.BLOCKED if blocked else ProposalState.PENDING)
    assert world.escrow.bounty(bounty_id).status == BountyStatus.UNDER_REVIEW
    past_window(world, bounty_id)
    before = world.balance(world.hunters[0])
    if blocked:
        refused("WrongProposalState", world.as_(world.outsider).finalize, bounty_id)
        assert world.as_(arbiter).rule(bounty_id, "pay").outcome == "upheld"
        award = world.as_(world.outsider).finalize(bounty_id)
        assert award.pool == 2 * ETHER  # the arbiter overruled the objection: the whole pool
        assert world.escrow.pledge_of(bounty_id, world.funders[0].address).amount == 0
    else:
        refused("WrongProposalState", world.as_(arbiter).rule, bounty_id, "reject")  # not blocked: not its call
        award = world.as_(world.outsider).finalize(bounty_id)
        assert award.pool == ETHER + 1  # the objector's pledge withheld
        assert world.as_(world.funders[0]).refund(bounty_id).amount == ETHER
    assert world.balance(world.hunters[0]) - before == award.pool - fee(award.pool)


def test_every_pledge_withheld_rejects_and_the_bounty_reopens_under_its_locks(world):
    bounty_id = review_bounty(world, pledges=(2 * ETHER, ETHER), days=10)
    fns = review_fns(world)
    world.as_(world.approver).propose(bounty_id, {1: BPS})
    for funder in world.funders[:2]:
        assert world.as_(funder).object(bounty_id).outcome == "withheld"
    past_window(world, bounty_id)
    result = world.as_(world.outsider).finalize(bounty_id)
    assert (result.pool, result.fee, result.payouts, result.rejected) == (0, 0, (), "unanimous")
    rejected = world.escrow.review_contract.events.ProposalRejected.get_logs(
        from_block=world.escrow.from_block)[-1]["args"]
    assert (rejected["bountyId"], rejected["nonce"], rejected["reason"]) == (bounty_id, 1, 0)  # Unanimous
    proposal = world.escrow.proposal(bounty_id)
    assert (proposal.state, proposal.nonce) == (ProposalState.NONE, 1)
    assert world.escrow.bounty(bounty_id).status == BountyStatus.OPEN
    refused("PledgeLocked", world.as_(world.funders[1]).refund, bounty_id)
    # A later proposal counts the pool as it stands then; past objections do not carry over.
    world.as_(world.funders[1]).pledge(bounty_id, 5 * ETHER)
    second = world.as_(world.approver).propose(bounty_id, {2: BPS})
    assert (second.nonce, second.total) == (2, 8 * ETHER)
    assert not world.escrow.has_objected(bounty_id, world.funders[0].address)
    assert world.escrow.has_objected(bounty_id, world.funders[0].address, 1)
    withheld = world.as_(world.funders[0]).object(bounty_id)
    assert (withheld.nonce, withheld.weight, withheld.weight_against) == (2, 2 * ETHER, 2 * ETHER)
    raw_refused(world, "AlreadyObjected", world.funders[0], fns.object(bounty_id))
    past_window(world, bounty_id)
    hunter_before = world.balance(world.hunters[1])
    award = world.as_(world.funders[1]).finalize(bounty_id)
    assert award.pool == 6 * ETHER
    assert world.balance(world.hunters[1]) - hunter_before == 6 * ETHER - fee(6 * ETHER)


def test_creation_terms_are_checked(world):
    fns = review_fns(world)
    deadline = world.chain.now() + 10 * DAY
    create = world.escrow.create_bounty
    arbiter, court = world.outsider.address, deploy_mock(world.chain, world.outsider, "MockArbitrator", 0).address
    escrow, review = world.escrow.address, world.escrow.review_contract.address
    cases = [((DAY - 1, 0, ZERO, False), "InvalidReviewWindow"),
             ((30 * DAY + 1, 0, ZERO, False), "InvalidReviewWindow"),
             ((DAY - 1, 1, arbiter, False), "InvalidReviewWindow"),
             ((DAY, 5_000, ZERO, False), "InvalidQuorum"),  # a quorum without an arbiter
             ((DAY, 1, ZERO, False), "InvalidQuorum"),
             ((DAY, 0, arbiter, False), "InvalidQuorum"),  # an arbiter without a quorum
             ((DAY, 0, court, True), "InvalidQuorum"),
             ((DAY, 10_001, arbiter, False), "InvalidQuorum"),
             ((DAY, BPS, arbiter, True), "InvalidArbiter"),  # an account is no ERC-792 court
             ((DAY, BPS, escrow, False), "InvalidArbiter"),
             ((DAY, BPS, review, False), "InvalidArbiter"),
             ((DAY, BPS, review, True), "InvalidArbiter")]
    for (window, quorum, who, erc792), error in cases:
        raw_refused(world, error, world.issuer, fns.createBountyWithReview(
            world.token("eth"), deadline, world.approver.address, ISSUE, (window, quorum, who, erc792, b"", "")))
        client_refuses(error, create, ISSUE, deadline,
                       review=ReviewTerms(window, quorum, None if who == ZERO else who, erc792))
    for approver in (escrow, review):
        raw_refused(world, "InvalidApprover", world.issuer, fns.createBountyWithReview(
            world.token("eth"), deadline, approver, ISSUE, (DAY, 0, ZERO, False, b"", "")))
        with pytest.raises(InvalidInput):
            create(ISSUE, deadline, approver=approver, review=ReviewTerms(DAY))
    # The bounds themselves are accepted.
    for terms in (ReviewTerms(DAY), ReviewTerms(30 * DAY), ReviewTerms(DAY, 1, arbiter),
                  ReviewTerms(DAY, BPS, court, True)):
        accepted = create(ISSUE, deadline, review=terms).bounty_id
        assert world.escrow.proposal(accepted).review_window == terms.review_window

    plain = world.new_bounty()
    world.as_(world.funders[0]).pledge(plain, ETHER)
    world.as_(world.hunters[0]).submit_solution(plain, PR)
    refused("NotOptimistic", world.escrow.propose, plain, {1: BPS})
    raw_refused(world, "NotOptimistic", world.issuer, fns.propose(plain, [1], [BPS]))
    with pytest.raises(InvalidAward):
        world.escrow.proposal(plain)
    empty = review_bounty(world, pledges=())
    raw_refused(world, "NothingToAward", world.approver, fns.propose(empty, [1], [BPS]))
    raw_refused(world, "SharesDoNotSumToWhole", world.approver, fns.propose(empty, [1], [9_000]))


@pytest.mark.parametrize("ruling, paid", [(1, True), (2, False), (0, False)], ids=["pay", "reject", "refuse"])
def test_erc792_arbitrator_decides_a_blocked_token_proposal(world, ruling, paid):
    cost = 10**16
    arbitrator = deploy_mock(world.chain, world.outsider, "MockArbitrator", cost)
    bounty_id = review_bounty(world, kind="standard", quorum=5_000, pledges=(3 * USDC, USDC),
                              arbiter=arbitrator.address, erc792=True)
    token = world.token("standard")
    fns = review_fns(world)
    world.as_(world.approver).propose(bounty_id, {1: 6_000, 2: 4_000})
    raw_refused(world, "WrongProposalState", world.hunters[0], fns.escalate(bounty_id), cost)
    blocked = world.as_(world.funders[0]).object(bounty_id)
    assert (blocked.outcome, blocked.weight_against) == ("blocked", 3 * USDC)
    proposal = world.escrow.proposal(bounty_id)
    assert proposal.state == ProposalState.BLOCKED and proposal.blocked
    assert proposal.decide_by == proposal.window_end + ESCALATION_PERIOD
    refused("ProposalPending", world.as_(world.funders[1]).refund, bounty_id)
    raw_refused(world, "WrongProposalState", world.funders[1], fns.object(bounty_id))
    raw_refused(world, "WrongArbitrationFee", world.hunters[0], fns.escalate(bounty_id), cost - 1)
    refused("NotArbiter", world.as_(world.outsider).rule, bounty_id, "pay")  # a court rules itself

    arbitrator_before = world.balance(arbitrator.address)
    hunter_eth = world.balance(world.hunters[0])
    escalated = world.as_(world.hunters[0]).escalate(bounty_id)
    assert (escalated.dispute_id, escalated.fee_paid, escalated.arbiter) == (0, cost, arbitrator.address)
    assert world.balance(arbitrator.address) == arbitrator_before + cost
    assert world.balance(world.hunters[0]) == hunter_eth - cost - escalated.gas_cost_wei
    escalated_at = world.chain.w3.eth.get_block(escalated.block_number)["timestamp"]
    proposal = world.escrow.proposal(bounty_id)
    assert (proposal.state, proposal.dispute_id, proposal.decide_by) == (
        ProposalState.ESCALATED, 0, escalated_at + ARBITRATION_PERIOD)
    raw_refused(world, "UnknownDispute", world.hunters[0], fns.rule(0, 1))  # only the court
    raw_refused(world, "InvalidRuling", world.outsider, arbitrator.functions.giveRuling(0, 3))

    world.send(world.outsider, arbitrator.functions.giveRuling(0, ruling))
    rulings = world.escrow.review_contract.events.Ruling.get_logs(from_block=world.escrow.from_block)
    assert [(r["args"]["arbitrator"], r["args"]["disputeID"], r["args"]["ruling"]) for r in rulings][-1:] == [
        (arbitrator.address, 0, ruling)]
    balances = {a.address: world.balance(a, token) for a in (*world.hunters[:2], *world.funders[:2])}
    if paid:
        assert world.escrow.proposal(bounty_id).state == ProposalState.UPHELD
        result = world.as_(world.funders[1]).finalize(bounty_id)  # anyone, at once
        net = 4 * USDC - fee(4 * USDC)  # the objector's pledge too: the arbiter overruled it
        assert result.pool == 4 * USDC
        assert world.balance(world.hunters[0], token) - balances[world.hunters[0].address] == net * 6_000 // BPS
        assert world.balance(world.hunters[1], token) - balances[world.hunters[1].address] == net - net * 6_000 // BPS
        for funder in world.funders[:2]:
            refused("AlreadyAwarded", world.as_(funder).refund, bounty_id)
        assert world.escrow.fees_accrued(token) == fee(4 * USDC)
        world.as_(world.treasury).withdraw_fees(token)
        assert world.balance(world.treasury, token) == fee(4 * USDC)
    else:
        rejected = world.escrow.review_contract.events.ProposalRejected.get_logs(
            from_block=world.escrow.from_block)[-1]["args"]
        assert rejected["reason"] == (1 if ruling == 2 else 2)  # ArbiterRejected, ArbiterRefused
        assert world.escrow.proposal(bounty_id).state == ProposalState.NONE
        assert world.escrow.bounty(bounty_id).status == BountyStatus.OPEN
        world.escrow.cancel(bounty_id)  # open again: the issuer may cancel
        for funder, amount in zip(world.funders[:2], (3 * USDC, USDC)):
            world.as_(funder).refund(bounty_id)
            assert world.balance(funder, token) == balances[funder.address] + amount


def test_a_plain_arbiter_decides_through_the_sdk(world):
    arbiter = world.chain.new_account()
    bounty_id = review_bounty(world, arbiter=arbiter.address, quorum=2_000)
    fns = review_fns(world)
    world.as_(world.approver).propose(bounty_id, {2: BPS})
    refused("WrongProposalState", world.as_(arbiter).rule, bounty_id, "pay")  # nothing blocked yet
    raw_refused(world, "WrongProposalState", arbiter, fns.decide(bounty_id, 1, 1))
    assert world.as_(world.funders[0]).object(bounty_id).outcome == "blocked"
    raw_refused(world, "WrongArbitrationFee", world.outsider, fns.escalate(bounty_id), 1)
    escalated = world.as_(world.outsider).escalate(bounty_id)
    assert (escalated.fee_paid, escalated.dispute_id, escalated.arbiter) == (0, None, arbiter.address)
    assert world.escrow.proposal(bounty_id).dispute_id is None
    refused("NotArbiter", world.as_(world.outsider).rule, bounty_id, "pay")
    raw_refused(world, "NotArbiter", world.outsider, fns.decide(bounty_id, 1, 1))
    with pytest.raises(InvalidInput):
        world.as_(arbiter).rule(bounty_id, 7)
    raw_refused(world, "InvalidRuling", arbiter, fns.decide(bounty_id, 1, 3))
    raw_refused(world, "NotArbiter", arbiter, fns.decide(bounty_id, 2, 1))  # not that proposal
    ruled = world.as_(arbiter).rule(bounty_id, "pay")
    assert (ruled.outcome, ruled.ruling, ruled.dispute_id) == ("upheld", 1, None)
    raw_refused(world, "WrongProposalState", arbiter, fns.decide(bounty_id, 1, 2))
    before = world.balance(world.hunters[1])
    award = world.as_(world.outsider).finalize(bounty_id)
    assert award.pool == 3 * ETHER
    assert world.balance(world.hunters[1]) - before == 3 * ETHER - fee(3 * ETHER)


def test_a_contract_wallet_arbiter_rejects_through_exec_and_refunds_resume(world):
    """The arbiter is a contract wallet (a Safe, say): its owners have it call `decide`."""
    safe = deploy_mock(world.chain, world.outsider, "MockSafe", world.outsider.address)
    bounty_id = review_bounty(world, kind="standard", quorum=5_000, pledges=(2 * USDC, USDC),
                              arbiter=safe.address, days=3)
    review = world.escrow.review_contract
    token = world.token("standard")
    world.as_(world.approver).propose(bounty_id, {1: BPS})
    assert world.as_(world.funders[0]).object(bounty_id).outcome == "blocked"
    decision = review.functions.decide(bounty_id, 1, 2)
    raw_refused(world, "NotArbiter", world.outsider, decision)
    world.send(world.outsider, safe.functions.exec(review.address, decision._encode_transaction_data()))
    rejected = review.events.ProposalRejected.get_logs(from_block=world.escrow.from_block)[-1]["args"]
    assert (rejected["bountyId"], rejected["nonce"], rejected["reason"]) == (bounty_id, 1, 1)  # ArbiterRejected
    assert world.escrow.bounty(bounty_id).status == BountyStatus.OPEN
    past_window(world, bounty_id)  # past the 3-day deadline too: every pledge refundable
    for funder, amount in zip(world.funders, (2 * USDC, USDC)):
        before = world.balance(funder, token)
        assert world.as_(funder).refund(bounty_id).amount == amount
        assert world.balance(funder, token) == before + amount


def test_an_arbitrator_ruling_from_inside_create_dispute_is_refused(world):
    """Reentrancy: the review contract learns the dispute id only when createDispute returns;
    a ruling sent from inside that call is refused, so the escalation fails and nothing changes."""
    arbitrator = deploy_mock(world.chain, world.outsider, "MockArbitrator", 0)
    world.send(world.outsider, arbitrator.functions.setRuleInsideCreate(True))
    bounty_id = review_bounty(world, quorum=BPS // 3, arbiter=arbitrator.address, erc792=True)
    world.as_(world.approver).propose(bounty_id, {1: BPS})
    world.as_(world.funders[1]).object(bounty_id)
    refused("ReentrancyGuardReentrantCall", world.as_(world.hunters[0]).escalate, bounty_id)
    assert world.escrow.proposal(bounty_id).state == ProposalState.BLOCKED
    world.send(world.outsider, arbitrator.functions.setRuleInsideCreate(False))
    assert world.as_(world.hunters[0]).escalate(bounty_id).dispute_id == 0
    assert world.escrow.proposal(bounty_id).state == ProposalState.ESCALATED


def test_a_blocked_proposal_never_escalated_lapses_after_the_escalation_period(world):
    arbiter = world.chain.new_account()
    bounty_id = review_bounty(world, quorum=5_000, arbiter=arbiter.address, days=10)
    fns = review_fns(world)
    world.as_(world.approver).propose(bounty_id, {1: BPS})
    world.as_(world.funders[1]).object(bounty_id)
    proposal = world.escrow.proposal(bounty_id)
    assert proposal.decide_by == proposal.window_end + ESCALATION_PERIOD
    refused("ArbitrationNotLapsed", world.as_(world.outsider).lapse, bounty_id)
    world.chain.set_next_block_timestamp(proposal.decide_by - 1)
    with pytest.raises(ContractError) as early:
        world.mine(world.outsider, fns.lapse(bounty_id))
    assert early.value.error_name == "ArbitrationNotLapsed"
    world.chain.set_next_block_timestamp(proposal.decide_by)
    raw_refused(world, "ArbitrationLapsed", world.outsider, fns.escalate(bounty_id))
    lapsed = world.as_(world.outsider).lapse(bounty_id)
    assert (lapsed.reason, lapsed.nonce) == ("lapsed", 1)
    assert world.escrow.bounty(bounty_id).status == BountyStatus.OPEN
    raw_refused(world, "WrongProposalState", arbiter, fns.decide(bounty_id, 1, 1))  # too late to decide
    # Past the 10-day deadline: every pledge leaves, whole.
    for funder, amount in zip(world.funders[:2], (ETHER, 2 * ETHER)):
        before = world.balance(funder)
        refund = world.as_(funder).refund(bounty_id)
        assert world.balance(funder) - before == amount - refund.gas_cost_wei


def test_an_escalated_proposal_lapses_after_the_arbitration_period_from_escalation(world):
    arbitrator = deploy_mock(world.chain, world.outsider, "MockArbitrator", 0)
    bounty_id = review_bounty(world, quorum=BPS // 2, arbiter=arbitrator.address, erc792=True, days=5)
    fns = review_fns(world)
    proposed = world.as_(world.approver).propose(bounty_id, {1: BPS})
    world.as_(world.funders[1]).object(bounty_id)
    escalated_at = proposed.window_end + 5 * DAY  # late, but inside the escalation period
    world.chain.set_next_block_timestamp(escalated_at)
    world.as_(world.funders[0]).escalate(bounty_id)
    decide_by = world.escrow.proposal(bounty_id).decide_by
    assert decide_by == escalated_at + ARBITRATION_PERIOD
    refused("ArbitrationNotLapsed", world.as_(world.outsider).lapse, bounty_id)
    world.chain.set_next_block_timestamp(decide_by - 1)
    with pytest.raises(ContractError) as early:
        world.mine(world.outsider, fns.lapse(bounty_id))
    assert early.value.error_name == "ArbitrationNotLapsed"
    world.chain.set_next_block_timestamp(decide_by)
    world.mine(world.outsider, fns.lapse(bounty_id))
    rejected = world.escrow.review_contract.events.ProposalRejected.get_logs(
        from_block=world.escrow.from_block)[-1]["args"]
    assert (rejected["bountyId"], rejected["reason"]) == (bounty_id, 3)  # Lapsed
    assert world.escrow.proposal(bounty_id).state == ProposalState.NONE
    raw_refused(world, "UnknownDispute", world.outsider, arbitrator.functions.giveRuling(0, 1))
    before = world.balance(world.funders[0])
    refund = world.as_(world.funders[0]).refund(bounty_id)
    assert world.balance(world.funders[0]) == before + ETHER - refund.gas_cost_wei


def test_a_pledge_unlocked_before_the_proposal_leaves_and_a_locked_one_waits(world):
    """A refund during a live proposal: allowed for a pledge whose lock ended before the
    proposal (made before an extension), refused (ProposalPending) for one locked at it."""
    bounty_id = world.escrow.create_bounty(ISSUE, world.chain.now() + 10 * DAY, approver=world.approver.address,
                                           review=ReviewTerms(WINDOW)).bounty_id
    early, late = world.funders[0], world.funders[1]
    world.as_(early).pledge(bounty_id, ETHER)  # locked until day 10
    world.as_(world.hunters[0]).submit_solution(bounty_id, PR)
    deadline = world.escrow.bounty(bounty_id).deadline
    world.escrow.extend_deadline(bounty_id, deadline + 30 * DAY)
    world.as_(late).pledge(bounty_id, 2 * ETHER)  # locked until day 40
    world.chain.set_next_block_timestamp(deadline + DAY)
    proposed = world.as_(world.approver).propose(bounty_id, {1: BPS})
    assert proposed.total == 3 * ETHER
    error = refused("ProposalPending", world.as_(late).refund, bounty_id)
    assert error.args  # the message names when it becomes refundable
    before = world.balance(early)
    refund = world.as_(early).refund(bounty_id)
    assert world.balance(early) - before == ETHER - refund.gas_cost_wei
    # Its leaving shrinks the award: the late pledge alone is paid.
    past_window(world, bounty_id)
    hunter_before = world.balance(world.hunters[0])
    award = world.as_(world.outsider).finalize(bounty_id)
    assert award.pool == 2 * ETHER
    assert world.balance(world.hunters[0]) - hunter_before == 2 * ETHER - fee(2 * ETHER)


def _review_costs(world, funders: int) -> dict[str, int]:
    extra = [world.chain.new_account() for _ in range(funders)]
    bounty_id = review_bounty(world, pledges=(ETHER, ETHER))
    for account in extra:
        world.as_(account).pledge(bounty_id, ETHER)
    costs = {"propose": world.as_(world.approver).propose(bounty_id, {1: 6_000, 2: 4_000}).gas_used,
             "object": world.as_(world.funders[0]).object(bounty_id).gas_used}
    costs["object_second"] = world.as_(world.funders[1]).object(bounty_id).gas_used
    past_window(world, bounty_id)
    award = world.as_(world.outsider).finalize(bounty_id)
    assert award.pool == funders * ETHER  # both objectors withheld
    costs["finalize"] = award.gas_used
    costs["objector_refund"] = world.as_(world.funders[0]).refund(bounty_id).gas_used
    return costs


def test_objection_and_finalize_gas_does_not_grow_with_funders(world):
    _review_costs(world, 1)  # warm-up: the first fee and the first credits
    assert _review_costs(world, 1) == _review_costs(world, 12)


def test_a_proposals_split_is_read_again_when_a_reorg_replaces_it(world):
    """The SDK remembers each proposal's split by the hash the review contract stores, so
    after a reorganisation (here a snapshot revert) the same bounty id and nonce with another
    split is read afresh, and finalize sends the split the chain holds."""
    bounty_id = review_bounty(world)
    snapshot = world.chain.snapshot()
    world.as_(world.approver).propose(bounty_id, {1: 7_000, 2: 3_000})
    assert world.escrow.proposal(bounty_id).shares_bps == (7_000, 3_000)
    world.chain.revert(snapshot)

    world.as_(world.approver).propose(bounty_id, {2: BPS})
    proposal = world.escrow.proposal(bounty_id)
    assert (proposal.nonce, proposal.claim_ids, proposal.shares_bps) == (1, (2,), (BPS,))
    world.as_(world.funders[0]).object(bounty_id)
    past_window(world, bounty_id)
    before = world.balance(world.hunters[1].address)
    world.escrow.finalize(bounty_id)
    assert world.balance(world.hunters[1].address) - before == 2 * ETHER - fee(2 * ETHER)
