"""Backer governance: optimistic, pledge-weighted acceptance with a review window and an
arbiter, end to end on both chains (in-process py-evm and a real anvil node)."""

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
TIMEOUT = 30 * DAY
BPS = 10_000


def review_bounty(world, *, kind="eth", quorum=5_000, arbiter=None, erc792=False, days=30, window=WINDOW,
                  pledges=(ETHER, 2 * ETHER), claims=2):
    """An optimistic bounty approved by world.approver, pledged by the first funders, with claims."""
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


def past_window(world, bounty_id):
    world.chain.set_next_block_timestamp(world.escrow.proposal(bounty_id).window_end)


def test_unblocked_proposal_is_finalized_by_anyone_after_the_window(world):
    bounty_id = review_bounty(world)
    bounty = world.escrow.bounty(bounty_id)
    assert bounty.optimistic and bounty.approver == world.approver.address
    refused("ReviewRequired", world.as_(world.approver).award, bounty_id, {1: BPS})
    raw_refused(world, "ReviewRequired", world.approver, world.escrow.contract.functions.award(bounty_id, [1], [BPS]))
    refused("NotApprover", world.escrow.propose, bounty_id, {1: 7_000, 2: 3_000})

    proposed = world.as_(world.approver).propose(bounty_id, {1: 7_000, 2: 3_000})
    assert (proposed.nonce, proposed.claim_ids, proposed.shares_bps, proposed.total) == (1, (1, 2), (7_000, 3_000),
                                                                                        3 * ETHER)
    proposal = world.escrow.proposal(bounty_id)
    assert proposal.state == ProposalState.PENDING and proposal.in_window and not proposal.finalizable
    assert (proposal.window_end, proposal.quorum_bps, proposal.total, proposal.weight_against) == (
        proposed.window_end, 5_000, 3 * ETHER, 0)
    assert world.escrow.bounty(bounty_id).status == BountyStatus.UNDER_REVIEW

    # While pending: no pledge, refund, solution, cancel, second proposal; finalize waits.
    funder = world.funders[0]
    contract = world.escrow.contract
    raw_refused(world, "BountyNotOpen", funder, contract.functions.pledge(bounty_id, ETHER), ETHER)
    refused("ProposalPending", world.as_(funder).refund, bounty_id)
    raw_refused(world, "ProposalPending", funder, contract.functions.refund(bounty_id))
    raw_refused(world, "BountyNotOpen", world.hunters[2], contract.functions.submitSolution(bounty_id, PR))
    raw_refused(world, "BountyNotOpen", world.issuer, contract.functions.cancel(bounty_id))
    raw_refused(world, "BountyNotOpen", world.approver, contract.functions.propose(bounty_id, [1], [BPS]))
    with pytest.raises(ProposalRefused, match="open until"):
        world.as_(world.outsider).finalize(bounty_id)
    raw_refused(world, "ReviewWindowOpen", world.outsider, contract.functions.finalize(bounty_id, [1, 2],
                                                                                      [7_000, 3_000]))

    # One objection of a third of the pool: below the quorum of half.
    objection = world.as_(funder).object(bounty_id)
    assert (objection.weight, objection.weight_against, objection.outcome) == (ETHER, ETHER, "pending")
    refused("AlreadyObjected", world.as_(funder).object, bounty_id)
    raw_refused(world, "AlreadyObjected", funder, contract.functions.object(bounty_id))
    refused("NoWeight", world.as_(world.outsider).object, bounty_id)
    raw_refused(world, "NoWeight", world.outsider, contract.functions.object(bounty_id))
    assert world.escrow.has_objected(bounty_id, funder.address)
    assert not world.escrow.has_objected(bounty_id, world.funders[1].address)
    proposal = world.escrow.proposal(bounty_id)
    assert (proposal.weight_against, proposal.weight_for, proposal.blocked) == (ETHER, 2 * ETHER, False)

    past_window(world, bounty_id)
    world.chain.set_next_block_timestamp(proposal.window_end)
    raw_refused(world, "ReviewWindowClosed", world.funders[1], contract.functions.object(bounty_id))
    raw_refused(world, "ProposalMismatch", world.outsider, contract.functions.finalize(bounty_id, [1, 2],
                                                                                      [3_000, 7_000]))
    hunters = world.hunters[:2]
    before = [world.balance(h) for h in hunters]
    escrow_before = world.balance(world.escrow.address)
    result = world.as_(world.outsider).finalize(bounty_id)
    pool, fee = 3 * ETHER, 3 * ETHER * FEE_BPS // BPS
    first = (pool - fee) * 7_000 // BPS
    assert (result.pool, result.fee) == (pool, fee)
    assert [world.balance(h) - b for h, b in zip(hunters, before)] == [first, pool - fee - first]
    assert world.balance(world.escrow.address) == escrow_before - (pool - fee)
    assert world.escrow.bounty(bounty_id).status == BountyStatus.AWARDED
    assert world.escrow.proposal(bounty_id).state == ProposalState.EXECUTED
    raw_refused(world, "WrongProposalState", world.outsider, contract.functions.finalize(bounty_id, [1, 2],
                                                                                      [7_000, 3_000]))
    refused("AlreadyAwarded", world.as_(funder).refund, bounty_id)


def test_window_boundaries_for_objection_and_finalize(world):
    bounty_id = review_bounty(world)
    contract = world.escrow.contract
    end = world.as_(world.approver).propose(bounty_id, {1: BPS}).window_end
    world.chain.set_next_block_timestamp(end - 2)
    with pytest.raises(ContractError) as early:
        world.mine(world.outsider, contract.functions.finalize(bounty_id, [1], [BPS]))
    assert early.value.error_name == "ReviewWindowOpen" and early.value.tx_hash
    world.chain.set_next_block_timestamp(end - 1)
    world.mine(world.funders[0], contract.functions.object(bounty_id))  # the last second of the window
    at_end = world.chain.snapshot()
    world.chain.set_next_block_timestamp(end)
    with pytest.raises(ContractError) as late:
        world.mine(world.funders[1], contract.functions.object(bounty_id))
    assert late.value.error_name == "ReviewWindowClosed"
    world.chain.revert(at_end)
    world.chain.set_next_block_timestamp(end)
    world.mine(world.outsider, contract.functions.finalize(bounty_id, [1], [BPS]))
    assert world.escrow.bounty(bounty_id).status == BountyStatus.AWARDED


@pytest.mark.parametrize("extra_wei, blocked", [(0, True), (1, False)], ids=["quorum-reached", "just-missed"])
def test_quorum_exactly_reached_blocks_and_just_missed_does_not(world, extra_wei, blocked):
    bounty_id = review_bounty(world, pledges=(ETHER, ETHER + extra_wei))
    world.as_(world.approver).propose(bounty_id, {1: BPS})
    outcome = world.as_(world.funders[0]).object(bounty_id).outcome
    assert outcome == ("rejected" if blocked else "pending")  # no arbiter: blocked means rejected
    bounty = world.escrow.bounty(bounty_id)
    assert bounty.status == (BountyStatus.OPEN if blocked else BountyStatus.UNDER_REVIEW)


def test_rejection_without_arbiter_resumes_refunds_and_weight_is_never_counted_twice(world):
    bounty_id = review_bounty(world, pledges=(2 * ETHER, ETHER), days=10)
    contract = world.escrow.contract
    world.as_(world.approver).propose(bounty_id, {1: BPS})
    rejected = world.as_(world.funders[0]).object(bounty_id)
    assert rejected.outcome == "rejected"
    proposal = world.escrow.proposal(bounty_id)
    assert (proposal.state, proposal.nonce) == (ProposalState.NONE, 1)
    # Refunds follow their locks again: locked before the deadline.
    refused("PledgeLocked", world.as_(world.funders[1]).refund, bounty_id)
    # Pledging again counts only in a later proposal, with the pledge as it stands then.
    world.as_(world.funders[1]).pledge(bounty_id, 5 * ETHER)
    second = world.as_(world.approver).propose(bounty_id, {2: BPS})
    assert (second.nonce, second.total) == (2, 8 * ETHER)
    pending = world.as_(world.funders[0]).object(bounty_id)  # 2 of 8 ETH: below half
    assert (pending.weight, pending.weight_against, pending.outcome) == (2 * ETHER, 2 * ETHER, "pending")
    raw_refused(world, "AlreadyObjected", world.funders[0], contract.functions.object(bounty_id))
    assert world.escrow.has_objected(bounty_id, world.funders[0].address, 1)
    past_window(world, bounty_id)
    hunter_before = world.balance(world.hunters[1])
    result = world.as_(world.funders[0]).finalize(bounty_id)
    assert world.balance(world.hunters[1]) - hunter_before == 8 * ETHER - result.fee


def test_refunds_after_a_rejection_once_the_deadline_passed(world):
    bounty_id = review_bounty(world, kind="standard", pledges=(USDC, 3 * USDC), days=2)
    world.as_(world.approver).propose(bounty_id, {1: BPS})
    token = world.token("standard")
    assert world.as_(world.funders[1]).object(bounty_id).outcome == "rejected"
    # The window outlasted the deadline: the bounty is expired, every pledge refundable now.
    past_window(world, bounty_id)
    for funder, amount in zip(world.funders, (USDC, 3 * USDC)):
        before = world.balance(funder, token)
        assert world.as_(funder).refund(bounty_id).amount == amount
        assert world.balance(funder, token) == before + amount
    refused("BountyExpired", world.as_(world.approver).propose, bounty_id, {1: BPS})


@pytest.mark.parametrize("ruling, paid", [(1, True), (2, False), (0, False)], ids=["pay", "reject", "refuse"])
def test_erc792_arbitrator_resolves_a_blocked_token_proposal(world, ruling, paid):
    cost = 10**16
    arbitrator = deploy_mock(world.chain, world.outsider, "MockArbitrator", cost)
    bounty_id = review_bounty(world, kind="standard", pledges=(3 * USDC, USDC), arbiter=arbitrator.address,
                              erc792=True)
    token = world.token("standard")
    contract = world.escrow.contract
    world.as_(world.approver).propose(bounty_id, {1: 6_000, 2: 4_000})
    raw_refused(world, "WrongProposalState", world.hunters[0], contract.functions.escalate(bounty_id), cost)
    blocked = world.as_(world.funders[0]).object(bounty_id)
    assert blocked.outcome == "blocked"
    proposal = world.escrow.proposal(bounty_id)
    assert proposal.state == ProposalState.BLOCKED and proposal.blocked and proposal.weight_against == 3 * USDC
    refused("ProposalPending", world.as_(world.funders[1]).refund, bounty_id)
    raw_refused(world, "WrongProposalState", world.funders[1], contract.functions.object(bounty_id))
    raw_refused(world, "WrongArbitrationFee", world.hunters[0], contract.functions.escalate(bounty_id), cost - 1)

    arbitrator_before = world.balance(arbitrator.address)
    hunter_eth = world.balance(world.hunters[0])
    escalated = world.as_(world.hunters[0]).escalate(bounty_id)
    assert (escalated.dispute_id, escalated.fee_paid, escalated.arbiter) == (0, cost, arbitrator.address)
    assert world.balance(arbitrator.address) == arbitrator_before + cost
    assert world.balance(world.hunters[0]) == hunter_eth - cost - escalated.gas_cost_wei
    assert world.escrow.proposal(bounty_id).dispute_id == 0
    raw_refused(world, "UnknownDispute", world.hunters[0], contract.functions.rule(0, 1))
    raw_refused(world, "InvalidRuling", world.outsider, arbitrator.functions.giveRuling(0, 3))

    world.send(world.outsider, arbitrator.functions.giveRuling(0, ruling))
    rulings = contract.events.Ruling.get_logs(from_block=world.escrow.from_block)
    assert [(r["args"]["arbitrator"], r["args"]["disputeID"], r["args"]["ruling"]) for r in rulings][-1:] == [
        (arbitrator.address, 0, ruling)]
    balances = {a.address: world.balance(a, token) for a in (*world.hunters[:2], *world.funders[:2])}
    if paid:
        assert world.escrow.proposal(bounty_id).state == ProposalState.UPHELD
        result = world.as_(world.funders[1]).finalize(bounty_id)  # anyone, at once
        net = 4 * USDC - 4 * USDC * FEE_BPS // BPS
        assert result.pool == 4 * USDC
        assert world.balance(world.hunters[0], token) - balances[world.hunters[0].address] == net * 6_000 // BPS
        assert world.balance(world.hunters[1], token) - balances[world.hunters[1].address] == net - net * 6_000 // BPS
    else:
        assert world.escrow.proposal(bounty_id).state == ProposalState.NONE
        assert world.escrow.bounty(bounty_id).status == BountyStatus.OPEN
        world.escrow.as_signer(world.issuer).cancel(bounty_id)  # open again: the issuer may cancel
        for funder, amount in zip(world.funders[:2], (3 * USDC, USDC)):
            world.as_(funder).refund(bounty_id)
            assert world.balance(funder, token) == balances[funder.address] + amount


def test_a_plain_address_arbiter_such_as_a_safe_rules_through_the_sdk(world):
    safe = world.chain.new_account()
    bounty_id = review_bounty(world, arbiter=safe.address, quorum=2_000)
    contract = world.escrow.contract
    world.as_(world.approver).propose(bounty_id, {2: BPS})
    assert world.as_(world.funders[0]).object(bounty_id).outcome == "blocked"
    raw_refused(world, "WrongArbitrationFee", world.outsider, contract.functions.escalate(bounty_id), 1)
    escalated = world.as_(world.outsider).escalate(bounty_id)
    assert escalated.fee_paid == 0 and escalated.dispute_id >= 1
    refused("UnknownDispute", world.as_(world.outsider).rule, bounty_id, "pay")
    with pytest.raises(InvalidInput):
        world.as_(safe).rule(bounty_id, 7)
    raw_refused(world, "InvalidRuling", safe, contract.functions.rule(escalated.dispute_id, 3))
    ruled = world.as_(safe).rule(bounty_id, "pay")
    assert (ruled.outcome, ruled.ruling) == ("upheld", 1)
    raw_refused(world, "UnknownDispute", safe, contract.functions.rule(escalated.dispute_id, 2))
    before = world.balance(world.hunters[1])
    world.as_(world.outsider).finalize(bounty_id)
    assert world.balance(world.hunters[1]) - before == 3 * ETHER - 3 * ETHER * FEE_BPS // BPS


def test_a_contract_wallet_arbiter_rejects_and_refunds_resume(world):
    """The arbiter is a contract wallet (a Safe, say): its owners have it call `rule`."""
    safe = deploy_mock(world.chain, world.outsider, "MockSafe", world.outsider.address)
    bounty_id = review_bounty(world, kind="standard", pledges=(2 * USDC, USDC), arbiter=safe.address, days=3)
    contract = world.escrow.contract
    token = world.token("standard")
    world.as_(world.approver).propose(bounty_id, {1: BPS})
    world.as_(world.funders[0]).object(bounty_id)
    dispute = world.as_(world.funders[1]).escalate(bounty_id).dispute_id
    ruling = contract.functions.rule(dispute, 2)._encode_transaction_data()
    raw_refused(world, "UnknownDispute", world.outsider, contract.functions.rule(dispute, 2))
    world.send(world.outsider, safe.functions.exec(world.escrow.address, ruling))
    rejected = contract.events.ProposalRejected.get_logs(from_block=world.escrow.from_block)[-1]["args"]
    assert (rejected["bountyId"], rejected["reason"]) == (bounty_id, 1)  # ArbiterRejected
    past_window(world, bounty_id)  # past the 3-day deadline too: every pledge refundable
    for funder, amount in zip(world.funders, (2 * USDC, USDC)):
        before = world.balance(funder, token)
        world.as_(funder).refund(bounty_id)
        assert world.balance(funder, token) == before + amount


def test_a_silent_arbiter_lapses_and_refunds_resume(world):
    arbitrator = deploy_mock(world.chain, world.outsider, "MockArbitrator", 0)
    bounty_id = review_bounty(world, arbiter=arbitrator.address, erc792=True, days=5)
    contract = world.escrow.contract
    world.as_(world.approver).propose(bounty_id, {1: BPS})
    world.as_(world.funders[1]).object(bounty_id)
    world.as_(world.funders[0]).escalate(bounty_id)
    decide_by = world.escrow.proposal(bounty_id).decide_by
    assert decide_by == world.escrow.proposal(bounty_id).window_end + TIMEOUT
    refused("ArbitrationNotLapsed", world.as_(world.outsider).lapse, bounty_id)
    world.chain.set_next_block_timestamp(decide_by - 1)
    with pytest.raises(ContractError) as early:
        world.mine(world.outsider, contract.functions.lapse(bounty_id))
    assert early.value.error_name == "ArbitrationNotLapsed"
    world.chain.set_next_block_timestamp(decide_by)
    world.mine(world.outsider, contract.functions.lapse(bounty_id))
    assert world.escrow.proposal(bounty_id).state == ProposalState.NONE
    raw_refused(world, "UnknownDispute", world.outsider, arbitrator.functions.giveRuling(0, 1))
    before = world.balance(world.funders[0])
    refund = world.as_(world.funders[0]).refund(bounty_id)
    assert world.balance(world.funders[0]) == before + ETHER - refund.gas_cost_wei


def test_an_arbitrator_ruling_from_inside_create_dispute_is_refused(world):
    """Reentrancy: the escrow learns the dispute id only when createDispute returns; a ruling
    sent from inside that call is refused, so the escalation fails and nothing changes."""
    arbitrator = deploy_mock(world.chain, world.outsider, "MockArbitrator", 0)
    world.send(world.outsider, arbitrator.functions.setRuleInsideCreate(True))
    bounty_id = review_bounty(world, arbiter=arbitrator.address, erc792=True)
    world.as_(world.approver).propose(bounty_id, {1: BPS})
    world.as_(world.funders[1]).object(bounty_id)
    refused("ReentrancyGuardReentrantCall", world.as_(world.hunters[0]).escalate, bounty_id)
    assert world.escrow.proposal(bounty_id).state == ProposalState.BLOCKED
    world.send(world.outsider, arbitrator.functions.setRuleInsideCreate(False))
    assert world.as_(world.hunters[0]).escalate(bounty_id).dispute_id == 0


def test_a_blocked_proposal_never_escalated_lapses_too(world):
    safe = world.chain.new_account()
    bounty_id = review_bounty(world, arbiter=safe.address)
    world.as_(world.approver).propose(bounty_id, {1: BPS})
    world.as_(world.funders[1]).object(bounty_id)
    proposal = world.escrow.proposal(bounty_id)
    world.chain.set_next_block_timestamp(proposal.decide_by)
    raw_refused(world, "ArbitrationLapsed", world.outsider, world.escrow.contract.functions.escalate(bounty_id))
    assert world.as_(world.outsider).lapse(bounty_id).reason == "lapsed"
    assert world.escrow.bounty(bounty_id).status == BountyStatus.OPEN


def test_creation_terms_are_checked(world):
    contract = world.escrow.contract
    deadline = world.chain.now() + 10 * DAY
    create = world.escrow.create_bounty
    for terms, error in [((DAY - 1, 1, world.outsider.address, False), "InvalidReviewWindow"),
                         ((30 * DAY + 1, 1, world.outsider.address, False), "InvalidReviewWindow"),
                         ((DAY, 0, world.outsider.address, False), "InvalidQuorum"),
                         ((DAY, 10_001, world.outsider.address, False), "InvalidQuorum"),
                         ((DAY, 10_000, world.outsider.address, True), "InvalidArbiter")]:
        raw_refused(world, error, world.issuer,
                    contract.functions.createBountyWithReview(world.token("eth"), deadline, world.approver.address,
                                                              ISSUE, terms))
        with pytest.raises(InvalidInput):
            create(ISSUE, deadline, review=ReviewTerms(*terms))
    plain = world.new_bounty()
    world.as_(world.funders[0]).pledge(plain, ETHER)
    world.as_(world.hunters[0]).submit_solution(plain, PR)
    refused("NotOptimistic", world.escrow.propose, plain, {1: BPS})
    raw_refused(world, "NotOptimistic", world.issuer, contract.functions.propose(plain, [1], [BPS]))
    with pytest.raises(InvalidAward):
        world.escrow.proposal(plain)
    empty = review_bounty(world, pledges=())
    raw_refused(world, "NothingToAward", world.approver, contract.functions.propose(empty, [1], [BPS]))
    raw_refused(world, "SharesDoNotSumToWhole", world.approver, contract.functions.propose(empty, [1], [9_000]))


def _review_costs(world, funders: int) -> dict[str, int]:
    extra = [world.chain.new_account() for _ in range(funders)]
    bounty_id = review_bounty(world, pledges=(ETHER, ETHER), quorum=BPS)
    for account in extra:
        world.as_(account).pledge(bounty_id, ETHER)
    costs = {"propose": world.as_(world.approver).propose(bounty_id, {1: 6_000, 2: 4_000}).gas_used,
             "object": world.as_(world.funders[0]).object(bounty_id).gas_used}
    costs["object_second"] = world.as_(world.funders[1]).object(bounty_id).gas_used
    past_window(world, bounty_id)
    costs["finalize"] = world.as_(world.outsider).finalize(bounty_id).gas_used
    return costs


def test_objection_and_finalize_gas_does_not_grow_with_funders(world):
    _review_costs(world, 1)  # warm-up: the fee recipient's first credit
    assert _review_costs(world, 1) == _review_costs(world, 12)


def test_a_proposals_split_is_read_again_when_a_reorg_replaces_it(world):
    """The SDK remembers each proposal's split by the hash the escrow stores, so after a
    reorganisation (here a snapshot revert) the same bounty id and nonce with another split
    is read afresh, and finalize sends the split the chain holds."""
    bounty_id = review_bounty(world)
    snapshot = world.chain.snapshot()
    world.as_(world.approver).propose(bounty_id, {1: 7_000, 2: 3_000})
    assert world.escrow.proposal(bounty_id).shares_bps == (7_000, 3_000)
    world.chain.revert(snapshot)

    world.as_(world.approver).propose(bounty_id, {2: BPS})
    proposal = world.escrow.proposal(bounty_id)
    assert (proposal.nonce, proposal.claim_ids, proposal.shares_bps) == (1, (2,), (BPS,))
    past_window(world, bounty_id)
    before = world.balance(world.hunters[1].address)
    world.escrow.finalize(bounty_id)
    assert world.balance(world.hunters[1].address) - before == 3 * ETHER * (BPS - FEE_BPS) // BPS
