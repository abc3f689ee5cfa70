"""createBounty: ids, stored fields, the event, and every refusal."""

import time

import pytest

from bountychain import ETH, BountyStatus, RejectedInput
from tests.conftest import DAY, ISSUE

MAX_DURATION = 730 * DAY


def _next_block_time(world) -> int:
    """A time shortly ahead of both the latest block and the wall clock: after a snapshot is
    reverted, the in-process chain's pending block keeps the wall-clock time, which may be
    well past the latest block's, and it refuses to travel back before it."""
    return max(world.chain.now(), int(time.time())) + 100


def test_create_bounty_stores_issuer_deadline_and_defaults_approver_to_issuer(world):
    deadline = world.chain.now() + 10 * DAY
    created = world.escrow.create_bounty(ISSUE, deadline)
    bounty = world.escrow.bounty(created.bounty_id)
    assert (bounty.issuer, bounty.approver, bounty.token) == (world.issuer.address,) * 2 + (ETH,)
    assert (bounty.deadline, bounty.status, bounty.claim_count, bounty.total) == (deadline, BountyStatus.OPEN, 0, 0)
    assert (created.uri, created.approver, created.deadline) == (ISSUE, world.issuer.address, deadline)


def test_create_bounty_with_token_and_separate_approver(world):
    token = world.token("standard")
    created = world.escrow.create_bounty(ISSUE, world.chain.now() + DAY, token=token,
                                         approver=world.approver.address)
    bounty = world.escrow.bounty(created.bounty_id)
    assert (bounty.token, bounty.approver, bounty.issuer) == (token, world.approver.address, world.issuer.address)


def test_create_bounty_ids_count_from_one(world):
    ids = [world.new_bounty() for _ in range(3)]
    assert ids == [1, 2, 3]
    assert world.escrow.bounty_count() == 3


def test_bounties_lists_all_or_filters_by_issue_url(world):
    other = "https://github.com/bountychain/toolkit/issues/99"
    first = world.new_bounty()
    world.escrow.create_bounty(other, world.chain.now() + DAY)
    third = world.new_bounty("standard")
    assert [b.bounty_id for b in world.escrow.bounties()] == [1, 2, 3]
    listed = world.escrow.bounties(ISSUE)
    assert [b.bounty_id for b in listed] == [first, third]
    assert listed[1].token == world.token("standard") and listed[1].uri == ISSUE
    assert world.escrow.bounties("https://example.org/none") == []


def test_create_reverts_with_empty_uri(world):
    fn = world.escrow.contract.functions.createBounty(ETH, world.chain.now() + DAY, ETH, "")
    with pytest.raises(RejectedInput, match="URI is empty"):
        world.send(world.issuer, fn)


@pytest.mark.parametrize("offset, accepted", [(-1, False), (0, False), (1, True)])
def test_create_deadline_must_be_after_the_block_time(world, offset, accepted):
    block_time = _next_block_time(world)
    world.chain.set_next_block_timestamp(block_time)
    fn = world.escrow.contract.functions.createBounty(ETH, block_time + offset, ETH, ISSUE)
    if accepted:
        world.mine(world.issuer, fn)
        assert world.escrow.bounty(1).deadline == block_time + offset
    else:
        with pytest.raises(RejectedInput) as refused:
            world.mine(world.issuer, fn)
        assert refused.value.error_name == "DeadlineNotInFuture"


@pytest.mark.parametrize("offset, accepted", [(-1, True), (0, True), (1, False)])
def test_create_deadline_at_most_two_years_ahead(world, offset, accepted):
    block_time = _next_block_time(world)
    world.chain.set_next_block_timestamp(block_time)
    fn = world.escrow.contract.functions.createBounty(ETH, block_time + MAX_DURATION + offset, ETH, ISSUE)
    if accepted:
        world.mine(world.issuer, fn)
    else:
        with pytest.raises(RejectedInput) as refused:
            world.mine(world.issuer, fn)
        assert refused.value.error_name == "DeadlineTooFar"
        assert refused.value.args_by_name["latestAllowed"] == block_time + MAX_DURATION


def test_create_reverts_for_a_token_address_without_code(world):
    fn = world.escrow.contract.functions.createBounty(world.outsider.address, world.chain.now() + DAY, ETH, ISSUE)
    with pytest.raises(RejectedInput) as refused:
        world.send(world.issuer, fn)
    assert refused.value.error_name == "NotATokenContract"
    assert refused.value.args_by_name["token"] == world.outsider.address


def test_get_bounty_reverts_for_unknown_ids(world):
    from bountychain import BountyNotFound

    world.new_bounty()
    for unknown in (2, 10**9):
        with pytest.raises(BountyNotFound):
            world.escrow.bounty(unknown)
