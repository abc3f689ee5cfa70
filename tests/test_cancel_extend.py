"""cancel and extendDeadline: issuer only, and what they may not do."""

import pytest

from bountychain import BountyClosed, BountyStatus, NotAuthorized, RejectedInput
from tests.conftest import DAY, PR

ETHER = 10**18


def test_cancel_marks_the_bounty_and_frees_every_pledge_at_once(world):
    bounty_id = world.new_bounty(days=100)
    for funder in world.funders:
        world.as_(funder).pledge(bounty_id, ETHER)
    world.escrow.cancel(bounty_id)
    assert world.escrow.bounty(bounty_id).status == BountyStatus.CANCELLED
    for funder in world.funders:
        before = world.balance(funder)
        result = world.as_(funder).refund(bounty_id)
        assert world.balance(funder) == before + ETHER - result.gas_cost_wei
    assert world.escrow.bounty(bounty_id).total == 0


def test_only_the_issuer_may_cancel(world):
    bounty_id = world.new_bounty(approver=world.approver)
    for caller in (world.approver, world.funders[0]):
        with pytest.raises(NotAuthorized) as refused:
            world.send(caller, world.escrow.contract.functions.cancel(bounty_id))
        assert refused.value.error_name == "NotIssuer"


def test_cancel_after_award_or_twice_reverts(world):
    awarded = world.new_bounty()
    world.as_(world.funders[0]).pledge(awarded, ETHER)
    claim = world.as_(world.hunters[0]).submit_solution(awarded, PR).claim_id
    world.escrow.award(awarded, {claim: 10_000})
    cancelled = world.new_bounty()
    world.escrow.cancel(cancelled)
    for bounty_id in (awarded, cancelled):
        with pytest.raises(BountyClosed):
            world.send(world.issuer, world.escrow.contract.functions.cancel(bounty_id))


def test_cancel_after_the_deadline_is_allowed(world):
    bounty_id = world.new_bounty()
    world.chain.set_next_block_timestamp(world.escrow.bounty(bounty_id).deadline + 5)
    world.mine(world.issuer, world.escrow.contract.functions.cancel(bounty_id))
    assert world.escrow.bounty(bounty_id).status == BountyStatus.CANCELLED


def test_extend_deadline_moves_it_later(world):
    bounty_id = world.new_bounty(days=5)
    later = world.escrow.bounty(bounty_id).deadline + 3 * DAY
    result = world.escrow.extend_deadline(bounty_id, later)
    assert world.escrow.bounty(bounty_id).deadline == later == result.deadline


@pytest.mark.parametrize("delta", [0, -1])
def test_extend_deadline_refuses_an_earlier_or_equal_deadline(world, delta):
    bounty_id = world.new_bounty(days=5)
    deadline = world.escrow.bounty(bounty_id).deadline
    with pytest.raises(RejectedInput) as refused:
        world.send(world.issuer, world.escrow.contract.functions.extendDeadline(bounty_id, deadline + delta))
    assert refused.value.error_name == "DeadlineNotExtended"
    assert refused.value.args_by_name["currentDeadline"] == deadline


def test_extend_deadline_refuses_more_than_two_years_ahead(world):
    bounty_id = world.new_bounty(days=5)
    too_far = world.chain.now() + 731 * DAY
    with pytest.raises(RejectedInput) as refused:
        world.send(world.issuer, world.escrow.contract.functions.extendDeadline(bounty_id, too_far))
    assert refused.value.error_name == "DeadlineTooFar"


def test_only_the_issuer_may_extend(world):
    bounty_id = world.new_bounty(approver=world.approver)
    later = world.escrow.bounty(bounty_id).deadline + DAY
    with pytest.raises(NotAuthorized):
        world.send(world.approver, world.escrow.contract.functions.extendDeadline(bounty_id, later))


@pytest.mark.parametrize("offset, accepted", [(-1, True), (0, False), (1, False)])
def test_extend_deadline_boundaries_an_expired_bounty_stays_expired(world, offset, accepted):
    bounty_id = world.new_bounty(days=5)
    deadline = world.escrow.bounty(bounty_id).deadline
    world.chain.set_next_block_timestamp(deadline + offset)
    fn = world.escrow.contract.functions.extendDeadline(bounty_id, deadline + 10 * DAY)
    if accepted:
        world.mine(world.issuer, fn)
        assert world.escrow.bounty(bounty_id).deadline == deadline + 10 * DAY
    else:
        with pytest.raises(BountyClosed) as refused:
            world.mine(world.issuer, fn)
        assert refused.value.error_name == "BountyExpired"
