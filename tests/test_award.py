"""award: who is paid how much, the fee, splits and dust, and every refusal."""

import pytest

from bountychain import BountyClosed, BountyStatus, InvalidAward, NotAuthorized, NothingToPay
from tests.conftest import FEE_BPS, PR

ETHER = 10**18


def _funded_with_claims(world, pool=3 * ETHER, claims=3, approver=None):
    bounty_id = world.new_bounty(approver=approver)
    world.as_(world.funders[0]).pledge(bounty_id, pool)
    ids = [world.as_(world.hunters[i]).submit_solution(bounty_id, f"{PR}{i}").claim_id for i in range(claims)]
    return bounty_id, ids


def test_award_pays_the_winner_the_pool_less_the_fee(world):
    bounty_id, (claim, *_) = _funded_with_claims(world)
    hunter = world.hunters[0]
    hunter_before, escrow_before = world.balance(hunter), world.balance(world.escrow.address)
    result = world.escrow.award(bounty_id, {claim: 10_000})
    fee = 3 * ETHER * FEE_BPS // 10_000
    assert (result.pool, result.fee) == (3 * ETHER, fee)
    assert world.balance(hunter) == hunter_before + 3 * ETHER - fee
    assert world.balance(world.escrow.address) == escrow_before - (3 * ETHER - fee)
    assert world.escrow.fees_accrued() == fee
    assert world.escrow.credit_of(world.treasury.address) == 0  # a fee is not a credit
    bounty = world.escrow.bounty(bounty_id)
    assert (bounty.status, bounty.total) == (BountyStatus.AWARDED, 0)
    assert [(p.hunter, p.amount, p.credited) for p in result.payouts] == [(hunter.address, 3 * ETHER - fee, False)]


def test_award_split_pays_each_share_and_the_last_winner_takes_the_dust(world):
    pool = 10**18 + 7  # not divisible by the shares
    bounty_id, ids = _funded_with_claims(world, pool=pool)
    before = [world.balance(h) for h in world.hunters]
    result = world.escrow.award(bounty_id, {ids[0]: 3_333, ids[1]: 3_333, ids[2]: 3_334})
    fee = pool * FEE_BPS // 10_000
    net = pool - fee
    expected = [net * 3_333 // 10_000, net * 3_333 // 10_000]
    expected.append(net - sum(expected))
    assert [world.balance(h) - b for h, b in zip(world.hunters, before)] == expected
    assert sum(p.amount for p in result.payouts) + result.fee == pool


def test_fee_recipient_withdraws_the_fee(world):
    bounty_id, (claim, *_) = _funded_with_claims(world)
    world.escrow.award(bounty_id, {claim: 10_000})
    fee = world.escrow.fees_accrued()
    before = world.balance(world.treasury)
    result = world.as_(world.treasury).withdraw_fees()
    assert result.amount == fee > 0
    assert result.to == world.treasury.address
    assert world.balance(world.treasury) == before + fee - result.gas_cost_wei
    assert world.escrow.fees_accrued() == 0
    # Only the fee recipient withdraws fees, and a fee is never withdrawable as a credit.
    with pytest.raises(NotAuthorized):
        world.as_(world.outsider).withdraw_fees()
    with pytest.raises(NothingToPay):
        world.as_(world.treasury).withdraw()


def test_a_separate_approver_awards_and_the_issuer_cannot(world):
    bounty_id, (claim, *_) = _funded_with_claims(world, approver=world.approver)
    award = world.escrow.contract.functions.award(bounty_id, [claim], [10_000])
    for caller in (world.issuer, world.hunters[0], world.funders[0]):
        with pytest.raises(NotAuthorized) as refused:
            world.send(caller, award)
        assert refused.value.error_name == "NotApprover" and refused.value.args_by_name["caller"] == caller.address
    world.as_(world.approver).award(bounty_id, {claim: 10_000})


@pytest.mark.parametrize(
    "claim_ids, shares, error",
    [
        ([], [], "SharesLengthMismatch"),
        ([1, 2], [10_000], "SharesLengthMismatch"),
        ([0], [10_000], "UnknownClaim"),
        ([4], [10_000], "UnknownClaim"),
        ([1, 2], [10_000, 0], "ZeroShare"),
        ([1, 2], [5_000, 4_999], "SharesDoNotSumToWhole"),
        ([1, 2], [5_000, 5_001], "SharesDoNotSumToWhole"),
    ],
)
def test_award_refuses_malformed_shares(world, claim_ids, shares, error):
    bounty_id, _ = _funded_with_claims(world)
    with pytest.raises(InvalidAward) as refused:
        world.send(world.issuer, world.escrow.contract.functions.award(bounty_id, claim_ids, shares))
    assert refused.value.error_name == error


def test_award_of_an_empty_pool_reverts(world):
    empty = world.new_bounty()
    claim = world.as_(world.hunters[0]).submit_solution(empty, PR).claim_id
    with pytest.raises(NothingToPay) as refused:
        world.send(world.issuer, world.escrow.contract.functions.award(empty, [claim], [10_000]))
    assert refused.value.error_name == "NothingToAward"


def test_award_twice_reverts(world):
    bounty_id, (claim, *_) = _funded_with_claims(world)
    world.escrow.award(bounty_id, {claim: 10_000})
    with pytest.raises(BountyClosed, match="awarded"):
        world.send(world.issuer, world.escrow.contract.functions.award(bounty_id, [claim], [10_000]))


@pytest.mark.parametrize("offset, accepted", [(-1, True), (0, False), (1, False)])
def test_award_deadline_boundaries(world, offset, accepted):
    bounty_id, (claim, *_) = _funded_with_claims(world)
    world.chain.set_next_block_timestamp(world.escrow.bounty(bounty_id).deadline + offset)
    fn = world.escrow.contract.functions.award(bounty_id, [claim], [10_000])
    if accepted:
        world.mine(world.issuer, fn)
        assert world.escrow.bounty(bounty_id).status == BountyStatus.AWARDED
    else:
        with pytest.raises(BountyClosed) as refused:
            world.mine(world.issuer, fn)
        assert refused.value.error_name == "BountyExpired"


def test_award_after_some_funders_refunded_pays_what_is_left(world):
    bounty_id = world.new_bounty(days=5)
    deadline = world.escrow.bounty(bounty_id).deadline
    world.as_(world.funders[0]).pledge(bounty_id, ETHER)  # locked until the first deadline
    world.escrow.extend_deadline(bounty_id, deadline + 10 * 86_400)
    world.as_(world.funders[1]).pledge(bounty_id, 2 * ETHER)  # locked until the new one
    claim = world.as_(world.hunters[0]).submit_solution(bounty_id, PR).claim_id
    world.chain.set_next_block_timestamp(deadline + 1)
    world.as_(world.funders[0]).refund(bounty_id)
    result = world.escrow.award(bounty_id, {claim: 10_000})
    assert result.pool == 2 * ETHER
