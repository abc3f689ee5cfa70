"""Backers' consent that cannot be bought (issue 11): each finding of the attack on issue 5's
review, performed as a transaction sequence on both chains, and shown refused or harmless.

The rule under test: a funder who objects withholds its own pledge from the proposal; only
the arbiter named at creation can overrule that, and only when the objections reach the
quorum. So a pledge decides only where that pledge goes.
"""

from __future__ import annotations

import pytest

from bountychain import BountyStatus, ContractError, ProposalState, ReviewTerms
from tests.conftest import DAY, FEE_BPS, ISSUE, PR, deploy_mock

ETHER = 10**18
BPS = 10_000
WINDOW = 3 * DAY
ESCALATION_PERIOD = 7 * DAY
ARBITRATION_PERIOD = 90 * DAY
MAX_REVIEW_HOLD = 127 * DAY


def fee(pool: int) -> int:
    return pool * FEE_BPS // BPS


def refused(error_name, call, *args, **kwargs):
    with pytest.raises(ContractError) as caught:
        call(*args, **kwargs)
    assert caught.value.error_name == error_name, caught.value
    return caught.value


def reviewed_bounty(world, *, approver, days=30, quorum=0, arbiter=None, erc792=False, extra=b"", meta=""):
    return world.escrow.create_bounty(
        ISSUE, world.chain.now() + days * DAY, approver=approver.address,
        review=ReviewTerms(WINDOW, quorum, arbiter, erc792, extra, meta)).bounty_id


def past(world, timestamp):
    world.chain.set_next_block_timestamp(timestamp)


@pytest.mark.parametrize("with_arbiter", [False, True], ids=["no-arbiter", "arbiter-quorum-half"])
def test_buying_the_veto_pays_the_attacker_only_its_own_pledge(world, with_arbiter):
    """Finding 1: the approver outweighs the honest pool and proposes a sock puppet; every
    honest funder objects. The sock puppet gets the attacker's own pledge (less the fee),
    and each honest funder refunds its whole pledge at once."""
    attacker, sock = world.approver, world.outsider
    arbiter = world.chain.new_account()
    bounty_id = reviewed_bounty(world, approver=attacker, quorum=5_000 if with_arbiter else 0,
                                arbiter=arbiter.address if with_arbiter else None)
    honest = world.funders
    for funder in honest:
        world.as_(funder).pledge(bounty_id, 100 * ETHER)
    world.as_(attacker).pledge(bounty_id, 301 * ETHER)  # just before the proposal
    world.as_(sock).submit_solution(bounty_id, f"{PR}/sock")
    proposed = world.as_(attacker).propose(bounty_id, {1: BPS})
    assert proposed.total == 601 * ETHER
    for funder in honest:
        outcome = world.as_(funder).object(bounty_id).outcome
        assert outcome == "withheld"  # 300 of 601: below a 50% quorum, and withheld anyway
    past(world, proposed.window_end)
    sock_before, attacker_before = world.balance(sock), world.balance(attacker)
    award = world.as_(world.hunters[0]).finalize(bounty_id)
    assert (award.pool, award.fee) == (301 * ETHER, fee(301 * ETHER))
    assert world.balance(sock) - sock_before == 301 * ETHER - fee(301 * ETHER)
    assert world.balance(attacker) == attacker_before  # the attacker's pledge was its own
    assert world.escrow.bounty(bounty_id).status == BountyStatus.AWARDED
    assert world.escrow.pledge_of(bounty_id, attacker.address).amount == 0
    for funder in honest:
        assert world.escrow.pledge_of(bounty_id, funder.address).amount == 100 * ETHER
        before = world.balance(funder)
        result = world.as_(funder).refund(bounty_id)
        assert result.amount == 100 * ETHER
        assert world.balance(funder) - before == 100 * ETHER - result.gas_cost_wei
    assert world.escrow.bounty(bounty_id).total == 0
    refused("AlreadyAwarded", world.as_(attacker).refund, bounty_id)


def test_a_whale_cannot_veto_the_others_award(world):
    """Finding 1's mirror image: without an arbiter there is no quorum (creation refuses one),
    so the largest funder's objection withholds only its own pledge."""
    refused("InvalidQuorum", world.escrow.create_bounty, ISSUE, world.chain.now() + 30 * DAY,
            approver=world.approver.address, review=ReviewTerms(WINDOW, 5_000))
    bounty_id = reviewed_bounty(world, approver=world.approver)
    whale, small = world.funders[0], world.funders[1]
    world.as_(whale).pledge(bounty_id, 50 * ETHER)
    world.as_(small).pledge(bounty_id, 2 * ETHER)
    world.as_(world.hunters[0]).submit_solution(bounty_id, PR)
    proposed = world.as_(world.approver).propose(bounty_id, {1: BPS})
    world.as_(whale).object(bounty_id)
    assert world.escrow.proposal(bounty_id).state == ProposalState.PENDING
    past(world, proposed.window_end)
    hunter_before = world.balance(world.hunters[0])
    award = world.as_(small).finalize(bounty_id)
    assert award.pool == 2 * ETHER
    assert world.balance(world.hunters[0]) - hunter_before == 2 * ETHER - fee(2 * ETHER)
    assert world.as_(whale).refund(bounty_id).amount == 50 * ETHER


def test_every_pledge_withheld_rejects_the_proposal_and_locks_resume(world):
    bounty_id = reviewed_bounty(world, approver=world.approver)
    world.as_(world.funders[0]).pledge(bounty_id, ETHER)
    world.as_(world.hunters[0]).submit_solution(bounty_id, PR)
    proposed = world.as_(world.approver).propose(bounty_id, {1: BPS})
    world.as_(world.funders[0]).object(bounty_id)
    past(world, proposed.window_end)
    result = world.as_(world.outsider).finalize(bounty_id)
    assert result.pool == 0 and result.rejected == "unanimous"
    assert world.escrow.bounty(bounty_id).status == BountyStatus.OPEN
    assert world.escrow.proposal(bounty_id).state == ProposalState.NONE
    refused("PledgeLocked", world.as_(world.funders[0]).refund, bounty_id)


def test_the_arbiter_alone_can_overrule_objections_that_reach_the_quorum(world):
    safe = world.chain.new_account()
    bounty_id = reviewed_bounty(world, approver=world.approver, quorum=5_000, arbiter=safe.address)
    objector, silent = world.funders[0], world.funders[1]
    world.as_(objector).pledge(bounty_id, 3 * ETHER)
    world.as_(silent).pledge(bounty_id, ETHER)
    world.as_(world.hunters[0]).submit_solution(bounty_id, PR)
    world.as_(world.approver).propose(bounty_id, {1: BPS})
    assert world.as_(objector).object(bounty_id).outcome == "blocked"
    refused("WrongProposalState", world.as_(world.outsider).finalize, bounty_id)
    # A plain arbiter decides by bounty and proposal number, without waiting for an escalation.
    ruling = world.as_(safe).rule(bounty_id, "pay")
    assert ruling.outcome == "upheld" and ruling.dispute_id is None
    hunter_before = world.balance(world.hunters[0])
    award = world.as_(world.outsider).finalize(bounty_id)
    assert award.pool == 4 * ETHER  # the objector's pledge too: the arbiter overruled it
    assert world.balance(world.hunters[0]) - hunter_before == 4 * ETHER - fee(4 * ETHER)
    assert world.escrow.pledge_of(bounty_id, objector.address).amount == 0
    refused("AlreadyAwarded", world.as_(objector).refund, bounty_id)


def test_extending_and_proposing_again_cannot_freeze_refunds(world):
    """Finding 2: an issuer who is also the approver extends the deadline and proposes again
    after each rejection. A pledge whose lock had ended before a proposal is never held by
    it; one still locked is held by one proposal at most MAX_REVIEW_HOLD."""
    issuer = world.issuer
    safe = world.chain.new_account()
    bounty_id = reviewed_bounty(world, approver=issuer, days=10, quorum=5_000, arbiter=safe.address)
    early, late = world.funders[0], world.funders[1]
    world.as_(early).pledge(bounty_id, ETHER)  # locked until day 10
    world.as_(world.hunters[0]).submit_solution(bounty_id, PR)
    start = world.escrow.bounty(bounty_id).deadline - 10 * DAY
    world.escrow.extend_deadline(bounty_id, start + 300 * DAY)
    world.as_(late).pledge(bounty_id, ETHER)  # locked until day 300
    past(world, start + 11 * DAY)
    world.as_(issuer).propose(bounty_id, {1: BPS})
    # The early pledge's lock ended before the proposal: it leaves at once.
    before = world.balance(early)
    assert world.as_(early).refund(bounty_id).amount == ETHER
    assert world.balance(early) > before
    # The late pledge is locked by its own terms; the proposal may hold it, for a bounded time.
    blocked = world.as_(late).object(bounty_id)
    assert blocked.outcome == "blocked"
    proposed_at = start + 11 * DAY
    refundable_at = proposed_at + MAX_REVIEW_HOLD
    error = refused("ProposalPending", world.as_(late).refund, bounty_id)
    assert str(refundable_at) in str(error.args) or "ProposalPending" in str(error)
    escalated = world.as_(world.outsider).escalate(bounty_id)
    assert escalated.dispute_id is None
    past(world, proposed_at + 10 * DAY + ARBITRATION_PERIOD)
    world.as_(world.outsider).lapse(bounty_id)
    assert world.escrow.bounty(bounty_id).status == BountyStatus.OPEN


def test_a_proposal_holds_a_locked_pledge_at_most_max_review_hold(world):
    safe = world.chain.new_account()
    bounty_id = reviewed_bounty(world, approver=world.approver, days=20, quorum=BPS, arbiter=safe.address)
    funder = world.funders[0]
    world.as_(funder).pledge(bounty_id, ETHER)
    world.as_(world.hunters[0]).submit_solution(bounty_id, PR)
    proposed = world.as_(world.approver).propose(bounty_id, {1: BPS})
    world.as_(funder).object(bounty_id)
    world.as_(world.outsider).escalate(bounty_id)
    proposed_at = proposed.window_end - WINDOW
    contract = world.escrow.contract
    past(world, proposed_at + MAX_REVIEW_HOLD - 1)
    with pytest.raises(ContractError) as held:
        world.mine(funder, contract.functions.refund(bounty_id))
    assert held.value.error_name == "ProposalPending"
    past(world, proposed_at + MAX_REVIEW_HOLD)
    before = world.balance(world.token("eth") and funder)
    world.mine(funder, contract.functions.refund(bounty_id))
    assert world.escrow.pledge_of(bounty_id, funder.address).amount == 0
    assert world.balance(funder) > before


def test_dispute_ids_of_a_court_cannot_be_hijacked_through_a_plain_arbiter(world):
    """Finding 3: naming a real ERC-792 arbitrator as a plain arbiter of another bounty no
    longer lets its rulings land there."""
    court = deploy_mock(world.chain, world.outsider, "MockArbitrator", 10**15)
    victim = reviewed_bounty(world, approver=world.approver, quorum=BPS, arbiter=court.address, erc792=True)
    attack = reviewed_bounty(world, approver=world.outsider, quorum=BPS, arbiter=court.address, erc792=False)
    for bounty_id, proposer in ((victim, world.approver), (attack, world.outsider)):
        world.as_(world.funders[0]).pledge(bounty_id, ETHER)
        world.as_(world.hunters[0]).submit_solution(bounty_id, PR)
        world.as_(proposer).propose(bounty_id, {1: BPS})
        world.as_(world.funders[0]).object(bounty_id)
    victim_dispute = world.as_(world.funders[1]).escalate(victim).dispute_id
    attack_escalation = world.as_(world.outsider).escalate(attack)
    assert attack_escalation.dispute_id is None
    world.send(world.outsider, court.functions.giveRuling(victim_dispute, 1))
    assert world.escrow.proposal(victim).state == ProposalState.UPHELD
    assert world.escrow.proposal(attack).state == ProposalState.ESCALATED
    # The court cannot decide the attacker's bounty as a plain arbiter either.
    review = world.escrow.review_contract
    refused("UnknownDispute", world.send, world.outsider, court.functions.giveRuling(victim_dispute, 1))
    assert review.functions.getReview(attack).call()[5] == ProposalState.ESCALATED


def test_a_hooked_token_cannot_land_a_pledge_after_the_proposal(world):
    """Finding 4: the approver proposes from inside a pledge's token transfer. The escrow's
    guard is held during the pledge, so the nested proposal fails and the pledge lands with
    no proposal live."""
    token = deploy_mock(world.chain, world.issuer, "ReentrantToken")
    funder = world.funders[0]
    world.send(world.issuer, token.functions.mint(funder.address, 10**24))
    approver = token.address  # the colluding approver is the token's hook
    bounty_id = world.escrow.create_bounty(
        ISSUE, world.chain.now() + 30 * DAY, token=token.address, approver=approver,
        review=ReviewTerms(WINDOW)).bounty_id
    world.as_(funder).pledge(bounty_id, 100)
    world.as_(world.hunters[0]).submit_solution(bounty_id, PR)
    review = world.escrow.review_contract
    call = review.functions.propose(bounty_id, [1], [BPS])._encode_transaction_data()
    world.send(world.issuer, token.functions.setHook(review.address, call, False))
    world.as_(funder).pledge(bounty_id, 200)
    assert token.functions.hookCalls().call() >= 1
    assert token.functions.lastHookSucceeded().call() is False
    assert world.escrow.proposal(bounty_id).state == ProposalState.NONE
    assert world.escrow.bounty(bounty_id).total == 300


def test_a_slow_court_with_appeals_is_not_lapsed_and_an_overpaid_fee_comes_back(world):
    """Finding 5: the arbitration clock starts at escalation and leaves 90 days (appeal
    rounds); escalation is open only ESCALATION_PERIOD after the window; an overpaid fee is
    returned; ERC-1497 events and the bounty's extraData reach the court."""
    cost = 10**16
    court = deploy_mock(world.chain, world.outsider, "MockArbitrator", cost)
    extra = bytes.fromhex("0000000000000000000000000000000000000000000000000000000000000001")
    bounty_id = reviewed_bounty(world, approver=world.approver, quorum=BPS, arbiter=court.address, erc792=True,
                                extra=extra, meta="ipfs://meta")
    world.as_(world.funders[0]).pledge(bounty_id, ETHER)
    world.as_(world.hunters[0]).submit_solution(bounty_id, PR)
    proposed = world.as_(world.approver).propose(bounty_id, {1: BPS})
    world.as_(world.funders[0]).object(bounty_id)
    review = world.escrow.review_contract
    assert review.functions.arbitratorExtraData(bounty_id).call() == extra
    escalator = world.hunters[0]
    past(world, proposed.window_end + 2 * DAY)
    before = world.balance(escalator)
    escalated = world.as_(escalator).escalate(bounty_id, fee=cost + 12345)
    assert escalated.fee_paid == cost
    assert before - world.balance(escalator) == cost + escalated.gas_cost_wei
    assert court.functions.lastExtraData().call() == extra
    logs = review.events.Dispute().process_receipt(
        world.chain.w3.eth.get_transaction_receipt(escalated.tx_hash))
    assert logs[0]["args"]["_metaEvidenceID"] == bounty_id
    # Day 60 after escalation: the old rule (window end + 30 days) would have lapsed it.
    escalated_at = proposed.window_end + 2 * DAY
    past(world, escalated_at + 60 * DAY)
    refused("ArbitrationNotLapsed", world.as_(world.outsider).lapse, bounty_id)
    world.send(world.outsider, court.functions.giveRuling(escalated.dispute_id, 1))
    assert world.escrow.proposal(bounty_id).state == ProposalState.UPHELD
    hunter_before = world.balance(escalator)
    world.as_(world.outsider).finalize(bounty_id)
    assert world.balance(escalator) - hunter_before == ETHER - fee(ETHER)


def test_a_blocked_proposal_nobody_escalates_lapses_after_the_escalation_period(world):
    safe = world.chain.new_account()
    bounty_id = reviewed_bounty(world, approver=world.approver, quorum=BPS, arbiter=safe.address)
    world.as_(world.funders[0]).pledge(bounty_id, ETHER)
    world.as_(world.hunters[0]).submit_solution(bounty_id, PR)
    proposed = world.as_(world.approver).propose(bounty_id, {1: BPS})
    world.as_(world.funders[0]).object(bounty_id)
    contract = world.escrow.review_contract
    past(world, proposed.window_end + ESCALATION_PERIOD - 1)
    with pytest.raises(ContractError) as early:
        world.mine(world.outsider, contract.functions.lapse(bounty_id))
    assert early.value.error_name == "ArbitrationNotLapsed"
    past(world, proposed.window_end + ESCALATION_PERIOD)
    with pytest.raises(ContractError) as late:
        world.mine(world.outsider, contract.functions.escalate(bounty_id))
    assert late.value.error_name == "ArbitrationLapsed"
    world.mine(world.outsider, contract.functions.lapse(bounty_id))
    assert world.escrow.bounty(bounty_id).status == BountyStatus.OPEN


def test_money_that_could_never_leave_is_refused_or_can_leave_in_parts(world):
    """Finding 6: the escrow and its review contract are refused as beneficiary, approver and
    recipient; a pledge too large for one transfer of a capped token leaves in parts, to a
    recipient of the funder's choice."""
    escrow, review = world.escrow.address, world.escrow.review_contract.address
    contract = world.escrow.contract
    deadline = world.chain.now() + 30 * DAY
    for target in (escrow, review):
        refused("InvalidBeneficiary", world.send, world.issuer,
                contract.functions.createFundraiser(target, "0x" + "00" * 20, 1, deadline, False, ISSUE))
        refused("InvalidRecipient", world.send, world.issuer,
                contract.functions.createBounty("0x" + "00" * 20, deadline, target, ISSUE))
    token = deploy_mock(world.chain, world.issuer, "CappedTransferToken")
    cap = 2**96 - 1
    funder, other = world.funders[0], world.funders[1]
    world.send(world.issuer, token.functions.mint(funder.address, 3 * cap))
    bounty_id = world.escrow.create_bounty(ISSUE, world.chain.now() + 2 * DAY, token=token.address).bounty_id
    world.as_(funder).pledge(bounty_id, cap)
    world.as_(funder).pledge(bounty_id, cap)  # a top-up past what one transfer can carry
    past(world, world.escrow.bounty(bounty_id).deadline)
    refused("Error", world.send, funder, contract.functions.refund(bounty_id))  # the token's own refusal
    for target in (escrow, review, "0x" + "00" * 20):
        refused("InvalidRecipient", world.send, funder, contract.functions.refundTo(bounty_id, 1, target))
    refused("AmountNotAvailable", world.send, funder, contract.functions.refundTo(bounty_id, 2 * cap + 1,
                                                                                  other.address))
    before = token.functions.balanceOf(other.address).call()
    world.as_(funder).refund(bounty_id, amount=cap, to=other.address)
    assert world.escrow.pledge_of(bounty_id, funder.address).amount == cap
    world.as_(funder).refund(bounty_id, amount=cap, to=other.address)
    assert token.functions.balanceOf(other.address).call() - before == 2 * cap
    assert world.escrow.pledge_of(bounty_id, funder.address).amount == 0


def test_a_credit_of_a_recipient_that_cannot_receive_leaves_to_another_address(world):
    hunter = deploy_mock(world.chain, world.issuer, "HostileReceiver", world.escrow.address)
    world.send(world.issuer, hunter.functions.setMode(1))  # reverts on ETH
    bounty_id = world.new_bounty()
    world.as_(world.funders[0]).pledge(bounty_id, ETHER)
    submit = world.escrow.contract.functions.submitSolution(bounty_id, PR)._encode_transaction_data()
    world.send(world.issuer, hunter.functions.execute(world.escrow.address, 0, submit))
    award = world.escrow.award(bounty_id, {1: BPS})
    assert award.payouts[0].credited
    receipt = world.chain.w3.eth.get_transaction_receipt(award.tx_hash)
    assert world.escrow.contract.events.WinnerCredited().process_receipt(receipt)
    assert not world.escrow.contract.events.WinnerPaid().process_receipt(receipt)
    owed = ETHER - fee(ETHER)
    eth = "0x" + "00" * 20
    assert world.escrow.credit_of(hunter.address, eth) == owed
    payee = world.chain.new_account()
    before = world.balance(payee)
    for part in (owed // 3, owed - owed // 3):
        call = world.escrow.contract.functions.withdrawTo(eth, part, payee.address)._encode_transaction_data()
        world.send(world.issuer, hunter.functions.execute(world.escrow.address, 0, call))
    assert world.balance(payee) - before == owed
    assert world.escrow.credit_of(hunter.address, eth) == 0


def test_withdraw_in_parts_to_another_address_and_fees(world):
    hunter = world.hunters[0]
    bounty_id = world.new_bounty()
    world.as_(world.funders[0]).pledge(bounty_id, ETHER)
    world.as_(hunter).submit_solution(bounty_id, PR)
    world.escrow.award(bounty_id, {1: BPS})
    assert world.escrow.fees_accrued() == fee(ETHER)
    payee = world.chain.new_account()
    before = world.balance(payee)
    refused("NotFeeRecipient", world.as_(world.outsider).withdraw_fees, amount=1, to=payee.address)
    world.as_(world.treasury).withdraw_fees(amount=fee(ETHER) // 2, to=payee.address)
    world.as_(world.treasury).withdraw_fees(to=payee.address)
    assert world.balance(payee) - before == fee(ETHER)
    assert world.escrow.fees_accrued() == 0


def test_views_and_events_tell_the_truth(world):
    """Finding 7: the approver of a reviewed bounty is the review contract (the only one that
    can award), pledgeOf is what is outstanding, and signed-solution nonces are unordered."""
    bounty_id = reviewed_bounty(world, approver=world.approver)
    info = world.escrow.contract.functions.getBounty(bounty_id).call()
    assert info[1] == world.escrow.review_contract.address
    bounty = world.escrow.bounty(bounty_id)
    assert bounty.optimistic and bounty.approver == world.approver.address
    plain = world.new_bounty()
    world.as_(world.funders[0]).pledge(plain, ETHER)
    hunter = world.as_(world.hunters[1])
    late = hunter.sign_solution(plain, f"{PR}/late", nonce=9)
    first = hunter.sign_solution(plain, f"{PR}/first", nonce=2)
    assert world.as_(world.outsider).relay_solution(late.to_json()).claim_id == 1
    assert world.as_(world.outsider).relay_solution(first.to_json()).claim_id == 2
    refused("NonceUsed", world.as_(world.outsider).relay_solution, first.to_json())
    world.escrow.award(plain, {1: BPS})
    assert world.escrow.pledge_of(plain, world.funders[0].address).amount == 0


def test_a_pledge_carries_the_latest_unlock_its_funder_accepts(world):
    """Finding 8: an extension mined just before a pledge cannot lock it past the deadline
    the funder was shown."""
    bounty_id = world.new_bounty(days=7)
    shown = world.escrow.bounty(bounty_id).deadline
    world.escrow.extend_deadline(bounty_id, shown + 700 * DAY)
    contract = world.escrow.contract
    error = refused("LockTooLong", world.send, world.funders[0], contract.functions.pledge(bounty_id, ETHER, shown),
                    ETHER)
    assert error.error_name == "LockTooLong"
    refused("LockTooLong", world.as_(world.funders[0]).pledge, bounty_id, ETHER, max_unlocks_at=shown)
    assert world.escrow.pledge_of(bounty_id, world.funders[0].address).amount == 0
    world.as_(world.funders[0]).pledge(bounty_id, ETHER)  # the SDK passes the deadline it read
    assert world.escrow.pledge_of(bounty_id, world.funders[0].address).unlocks_at == shown + 700 * DAY


def test_an_eip7702_delegated_hunter_signs_with_its_key(world):
    """Finding 7: an EOA with an EIP-7702 delegation has code (0xef0100 + the delegate), yet
    its key still signs for it; the escrow no longer sends it down the ERC-1271 path."""
    from bountychain import AnvilNode

    if not isinstance(world.chain, AnvilNode):
        pytest.skip("setting an account's code needs anvil_setCode (the in-process chain has no such call)")
    hunter = world.hunters[2]
    delegate = deploy_mock(world.chain, world.issuer, "MockSafe", hunter.address)  # any contract
    designator = "0xef0100" + delegate.address[2:].lower()
    world.chain.w3.provider.make_request("anvil_setCode", [hunter.address, designator])
    assert bytes(world.chain.w3.eth.get_code(hunter.address)).startswith(b"\xef\x01\x00")
    bounty_id = world.new_bounty()
    signed = world.as_(hunter).sign_solution(bounty_id, f"{PR}/7702")
    claim = world.as_(world.outsider).relay_solution(signed.to_json())
    assert claim.hunter == hunter.address
