"""Fundraisers: all-or-nothing and flexible campaigns held by the escrow with the bounty
guarantees. Each payout and refund is checked with the balances of every party."""

import pytest

from bountychain import (
    ETH,
    BountyClosed,
    FundraiserState,
    InvalidAddress,
    InvalidAmount,
    InvalidShares,
    NotAuthorized,
    NothingToPay,
    PledgeLocked,
    RejectedInput,
)
from bountychain.errors import FundraiserRefused
from tests.conftest import DAY, FEE_BPS, deploy_mock

ETHER = 10**18
USDC = 10**6
PROJECT = "https://github.com/bountychain/toolkit"
CLAIM_PERIOD = 365 * DAY


def _amount(kind: str) -> int:
    return ETHER if kind == "eth" else 100 * USDC


def _received(kind: str, amount: int) -> int:
    """What the escrow (or any receiver) gets of a transfer of `amount`."""
    return amount - amount // 100 if kind == "fee-on-transfer" else amount


def _create(world, goal: int, *, kind: str = "eth", all_or_nothing: bool = True, days: int = 10,
            beneficiary=None) -> int:
    beneficiary = beneficiary or world.outsider
    created = world.escrow.create_fundraiser(
        PROJECT, beneficiary.address, goal, world.chain.now() + days * DAY,
        token=world.token(kind), all_or_nothing=all_or_nothing,
    )
    assert created.all_or_nothing is all_or_nothing and created.goal == goal
    return created.fundraiser_id


def _gas(result) -> int:
    approval = getattr(result, "approval", None)
    return result.gas_cost_wei + (approval.gas_cost_wei if approval else 0)


@pytest.mark.parametrize("kind", ["eth", "standard", "no-return", "fee-on-transfer"])
def test_all_or_nothing_goal_met_pays_the_beneficiary_less_the_fee(world, kind):
    unit = _amount(kind)
    token = world.token(kind)
    fundraiser_id = _create(world, 2 * unit, kind=kind)
    beneficiary, relayer, treasury = world.outsider, world.approver, world.treasury
    funders = world.funders[:2]
    before = {a.address: (world.balance(a), world.balance(a, token)) for a in [*funders, beneficiary, relayer]}
    escrow_before = world.balance(world.escrow.address, token)
    results = [world.as_(funder).pledge(fundraiser_id, 3 * unit // 2) for funder in funders]
    raised = sum(r.amount for r in results)
    assert raised == 2 * _received(kind, 3 * unit // 2)
    assert world.escrow.fundraiser(fundraiser_id).state == FundraiserState.RAISING

    deadline = world.escrow.fundraiser(fundraiser_id).deadline
    world.chain.set_next_block_timestamp(deadline)
    assert world.escrow.fundraiser(fundraiser_id).raised == raised
    paid = world.as_(relayer).withdraw_raised(fundraiser_id)  # anyone may send it

    fee = raised * FEE_BPS // 10_000
    assert (paid.pool, paid.fee, paid.amount, paid.credited) == (raised, fee, raised - fee, False)
    assert paid.beneficiary == beneficiary.address
    assert world.escrow.fundraiser(fundraiser_id).state == FundraiserState.PAID
    assert world.escrow.fees_accrued(token) == fee
    assert world.escrow.credit_of(treasury.address, token) == 0  # a fee is not a credit
    for funder, result in zip(funders, results):
        eth, tok = before[funder.address]
        if kind == "eth":
            assert world.balance(funder) == eth - 3 * unit // 2 - _gas(result)
        else:
            assert world.balance(funder, token) == tok - 3 * unit // 2
            assert world.balance(funder) == eth - _gas(result)
    eth, tok = before[beneficiary.address]
    if kind == "eth":
        assert world.balance(beneficiary) == eth + raised - fee
    else:
        assert world.balance(beneficiary, token) == tok + _received(kind, raised - fee)
        assert world.balance(beneficiary) == eth
    eth, _ = before[relayer.address]
    assert world.balance(relayer) == eth - paid.gas_cost_wei  # the caller gets nothing
    assert world.balance(world.escrow.address, token) == escrow_before + fee
    # The pledges were paid out: no refund, and no second payout.
    with pytest.raises(BountyClosed) as refused:
        world.send(funders[0], world.escrow.contract.functions.refund(fundraiser_id))
    assert refused.value.error_name == "AlreadyAwarded"
    with pytest.raises(BountyClosed):
        world.send(relayer, world.escrow.contract.functions.withdrawRaised(fundraiser_id))


@pytest.mark.parametrize("kind", ["eth", "no-return", "fee-on-transfer"])
def test_all_or_nothing_goal_missed_refunds_every_backer_in_full(world, kind):
    unit = _amount(kind)
    token = world.token(kind)
    fundraiser_id = _create(world, 10 * unit, kind=kind)
    funders = world.funders
    results = [world.as_(funder).pledge(fundraiser_id, unit) for funder in funders]
    world.chain.set_next_block_timestamp(world.escrow.fundraiser(fundraiser_id).deadline)
    state = world.escrow.fundraiser(fundraiser_id)
    assert state.raised == 3 * _received(kind, unit) and state.raised < state.goal
    beneficiary_before = world.balance(world.outsider, token)
    with pytest.raises(FundraiserRefused) as refused:
        world.send(world.outsider, world.escrow.contract.functions.withdrawRaised(fundraiser_id))
    assert refused.value.error_name == "GoalNotReached"
    for funder, pledged in zip(funders, results):
        before = world.balance(funder, token)
        refund = world.as_(funder).refund(fundraiser_id)
        assert refund.amount == pledged.amount
        expected = before + _received(kind, pledged.amount) - (refund.gas_cost_wei if kind == "eth" else 0)
        assert world.balance(funder, token) == expected
        assert world.escrow.fundraiser(fundraiser_id).state == FundraiserState.FAILED
    assert world.balance(world.outsider, token) == beneficiary_before
    assert world.escrow.fundraiser(fundraiser_id).raised == 0
    assert world.escrow.fees_accrued(token) == 0  # no fee on refunds


@pytest.mark.parametrize("offset", [-1, 0])
def test_all_or_nothing_goal_met_by_a_pledge_in_the_last_second(world, offset):
    """A pledge at deadline - 1 counts; at the deadline it is refused. Payout from the deadline."""
    funder = world.funders[0]
    fundraiser_id = _create(world, 2 * ETHER)
    world.as_(funder).pledge(fundraiser_id, ETHER)
    deadline = world.escrow.fundraiser(fundraiser_id).deadline
    pledge = world.escrow.contract.functions.pledge(fundraiser_id, ETHER, 2**64 - 1)  # any lock: not the point
    world.chain.set_next_block_timestamp(deadline + offset)
    if offset == 0:
        with pytest.raises(BountyClosed) as refused:
            world.mine(world.funders[1], pledge, value=ETHER)
        assert refused.value.error_name == "BountyExpired"
        assert world.escrow.fundraiser(fundraiser_id).state == FundraiserState.FAILED
        return
    world.mine(world.funders[1], pledge, value=ETHER)  # mined at deadline - 1: the goal is met exactly
    assert world.escrow.fundraiser(fundraiser_id).raised == 2 * ETHER
    # Still raising at that second: nothing can be paid out before the deadline...
    world.chain.set_next_block_timestamp(deadline - 1 + 1)
    before = world.balance(world.outsider)
    receipt = world.mine(world.approver, world.escrow.contract.functions.withdrawRaised(fundraiser_id))
    assert receipt["status"] == 1
    fee = 2 * ETHER * FEE_BPS // 10_000
    assert world.balance(world.outsider) == before + 2 * ETHER - fee


def test_nothing_is_paid_out_before_the_deadline(world):
    fundraiser_id = _create(world, ETHER)
    world.as_(world.funders[0]).pledge(fundraiser_id, 2 * ETHER)
    deadline = world.escrow.fundraiser(fundraiser_id).deadline
    world.chain.set_next_block_timestamp(deadline - 2)
    with pytest.raises(PledgeLocked):
        world.mine(world.funders[0], world.escrow.contract.functions.refund(fundraiser_id))
    world.chain.set_next_block_timestamp(deadline - 1)
    with pytest.raises(FundraiserRefused) as refused:
        world.mine(world.outsider, world.escrow.contract.functions.withdrawRaised(fundraiser_id))
    assert refused.value.error_name == "FundraiserNotEnded"


@pytest.mark.parametrize("kind", ["eth", "no-return"])
def test_flexible_fundraiser_pays_whatever_was_raised_and_refuses_refunds(world, kind):
    unit = _amount(kind)
    token = world.token(kind)
    fundraiser_id = _create(world, 100 * unit, kind=kind, all_or_nothing=False)
    world.as_(world.funders[0]).pledge(fundraiser_id, unit)
    world.chain.set_next_block_timestamp(world.escrow.fundraiser(fundraiser_id).deadline + 1)
    with pytest.raises(FundraiserRefused) as refused:
        world.mine(world.funders[0], world.escrow.contract.functions.refund(fundraiser_id))
    assert refused.value.error_name == "FundsGoToBeneficiary"
    assert world.escrow.fundraiser(fundraiser_id).state == FundraiserState.SUCCEEDED
    before = world.balance(world.outsider, token)
    paid = world.as_(world.funders[1]).withdraw_raised(fundraiser_id)
    fee = unit * FEE_BPS // 10_000
    assert (paid.pool, paid.amount) == (unit, unit - fee)
    assert world.balance(world.outsider, token) == before + unit - fee


def test_flexible_fundraiser_with_nothing_raised_pays_nothing(world):
    fundraiser_id = _create(world, 0, all_or_nothing=False)
    world.chain.set_next_block_timestamp(world.escrow.fundraiser(fundraiser_id).deadline + 1)
    with pytest.raises(NothingToPay):
        world.send(world.outsider, world.escrow.contract.functions.withdrawRaised(fundraiser_id))


def test_unclaimed_raise_lapses_after_the_claim_period_and_backers_refund(world):
    fundraiser_id = _create(world, ETHER)
    world.as_(world.funders[0]).pledge(fundraiser_id, 2 * ETHER)
    info = world.escrow.fundraiser(fundraiser_id)
    assert info.claim_deadline == info.deadline + CLAIM_PERIOD
    world.chain.set_next_block_timestamp(info.claim_deadline - 1)
    with pytest.raises(FundraiserRefused) as refused:
        world.mine(world.funders[0], world.escrow.contract.functions.refund(fundraiser_id))
    assert refused.value.error_name == "FundsGoToBeneficiary"
    world.chain.set_next_block_timestamp(info.claim_deadline)
    with pytest.raises(FundraiserRefused) as refused:
        world.mine(world.outsider, world.escrow.contract.functions.withdrawRaised(fundraiser_id))
    assert refused.value.error_name == "ClaimPeriodOver"
    assert world.escrow.fundraiser(fundraiser_id).state == FundraiserState.LAPSED
    before = world.balance(world.funders[0])
    refund = world.as_(world.funders[0]).refund(fundraiser_id)
    assert world.balance(world.funders[0]) == before + 2 * ETHER - refund.gas_cost_wei


def test_creator_cancels_before_the_deadline_and_backers_refund_at_once(world):
    fundraiser_id = _create(world, ETHER)
    world.as_(world.funders[0]).pledge(fundraiser_id, 2 * ETHER)
    with pytest.raises(NotAuthorized):
        world.send(world.outsider, world.escrow.contract.functions.cancel(fundraiser_id))  # the beneficiary
    world.escrow.cancel(fundraiser_id)
    assert world.escrow.fundraiser(fundraiser_id).state == FundraiserState.CANCELLED
    before = world.balance(world.funders[0])
    refund = world.as_(world.funders[0]).refund(fundraiser_id)
    assert world.balance(world.funders[0]) == before + 2 * ETHER - refund.gas_cost_wei
    with pytest.raises(BountyClosed):
        world.send(world.outsider, world.escrow.contract.functions.withdrawRaised(fundraiser_id))


@pytest.mark.parametrize("offset, accepted", [(-1, True), (0, False)])
def test_creator_cannot_cancel_once_the_deadline_decided(world, offset, accepted):
    fundraiser_id = _create(world, ETHER)
    world.as_(world.funders[0]).pledge(fundraiser_id, 2 * ETHER)
    world.chain.set_next_block_timestamp(world.escrow.fundraiser(fundraiser_id).deadline + offset)
    cancel = world.escrow.contract.functions.cancel(fundraiser_id)
    if accepted:
        world.mine(world.issuer, cancel)
        assert world.escrow.fundraiser(fundraiser_id).state == FundraiserState.CANCELLED
    else:
        with pytest.raises(FundraiserRefused) as refused:
            world.mine(world.issuer, cancel)
        assert refused.value.error_name == "FundraiserEnded"


def test_fundraisers_take_no_solutions_awards_or_extensions(world):
    fundraiser_id = _create(world, ETHER)
    world.as_(world.funders[0]).pledge(fundraiser_id, ETHER)
    contract = world.escrow.contract
    with pytest.raises(RejectedInput) as refused:
        world.as_(world.hunters[0]).submit_solution(fundraiser_id, "https://github.com/o/r/pull/1")
    assert refused.value.error_name == "NotABounty"
    with pytest.raises(RejectedInput) as refused:
        world.send(world.issuer, contract.functions.extendDeadline(fundraiser_id, world.chain.now() + 20 * DAY))
    assert refused.value.error_name == "NotABounty"
    with pytest.raises(InvalidShares):
        world.escrow.award(fundraiser_id, {1: 10_000})
    with pytest.raises(Exception) as refused:
        world.send(world.issuer, contract.functions.award(fundraiser_id, [1], [10_000]))
    assert refused.value.error_name == "UnknownClaim"
    # And a bounty is not a fundraiser.
    bounty_id = world.new_bounty()
    with pytest.raises(RejectedInput) as refused:
        world.escrow.fundraiser(bounty_id)
    assert refused.value.error_name == "NotAFundraiser"
    with pytest.raises(RejectedInput):
        world.send(world.outsider, contract.functions.withdrawRaised(bounty_id))


def test_creation_is_validated(world):
    now = world.chain.now()
    with pytest.raises(InvalidAddress):
        world.escrow.create_fundraiser(PROJECT, ETH, ETHER, now + DAY)
    with pytest.raises(InvalidAmount):
        world.escrow.create_fundraiser(PROJECT, world.outsider.address, 0, now + DAY)
    contract = world.escrow.contract
    with pytest.raises(RejectedInput) as refused:
        world.send(world.issuer, contract.functions.createFundraiser(ETH, ETH, ETHER, now + DAY, True, PROJECT))
    assert refused.value.error_name == "ZeroBeneficiary"
    with pytest.raises(RejectedInput) as refused:
        world.send(world.issuer, contract.functions.createFundraiser(
            world.outsider.address, ETH, 0, now + DAY, True, PROJECT))
    assert refused.value.error_name == "ZeroGoal"
    flexible = world.escrow.create_fundraiser(PROJECT, world.outsider.address, 0, now + DAY, all_or_nothing=False)
    info = world.escrow.fundraiser(flexible.fundraiser_id)
    assert (info.goal, info.kind, info.creator, info.beneficiary) == (
        0, "flexible", world.issuer.address, world.outsider.address)


def test_a_beneficiary_that_refuses_ether_is_credited_and_withdraws(world):
    receiver = deploy_mock(world.chain, world.issuer, "HostileReceiver", world.escrow.address)
    world.send(world.issuer, receiver.functions.setMode(1))  # RevertWithPayload
    fundraiser_id = world.escrow.create_fundraiser(
        PROJECT, receiver.address, ETHER, world.chain.now() + DAY).fundraiser_id
    world.as_(world.funders[0]).pledge(fundraiser_id, ETHER)
    world.chain.set_next_block_timestamp(world.escrow.fundraiser(fundraiser_id).deadline)
    paid = world.as_(world.funders[0]).withdraw_raised(fundraiser_id)
    net = ETHER - ETHER * FEE_BPS // 10_000
    assert paid.credited and paid.amount == net
    assert world.escrow.credit_of(receiver.address) == net
    world.send(world.issuer, receiver.functions.setMode(0))
    world.send(world.issuer, receiver.functions.execute(
        world.escrow.address, 0, world.escrow.contract.encode_abi("withdraw", [ETH])))
    assert world.balance(receiver.address) == net


def test_the_sdk_and_index_claim_period_is_the_contracts(world):
    """The index judges lapsed fundraisers without asking the chain, by this mirrored constant."""
    from bountychain.sdk.constants import FUNDRAISER_CLAIM_PERIOD

    assert world.escrow.contract.functions.FUNDRAISER_CLAIM_PERIOD().call() == FUNDRAISER_CLAIM_PERIOD
