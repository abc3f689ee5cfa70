"""pledge: value moves in, top-ups, locks, and every refusal (ETH here; tokens in test_tokens)."""

import pytest

from bountychain import BountyClosed, BountyNotFound, RejectedInput
from tests.conftest import DAY

ETHER = 10**18
ANY_LOCK = 2**64 - 1  # the longest lock a funder can accept: for tests about something else


def test_pledge_eth_moves_exactly_the_amount_into_the_escrow(world):
    bounty_id = world.new_bounty()
    funder = world.funders[0]
    funder_before, escrow_before = world.balance(funder), world.balance(world.escrow.address)
    result = world.as_(funder).pledge(bounty_id, ETHER)
    assert world.balance(funder) == funder_before - ETHER - result.gas_cost_wei
    assert world.balance(world.escrow.address) == escrow_before + ETHER
    assert world.escrow.pledge_of(bounty_id, funder.address).amount == ETHER
    assert world.escrow.bounty(bounty_id).total == ETHER
    assert (result.funder, result.amount, result.bounty_id) == (funder.address, ETHER, bounty_id)


def test_pledge_accepts_human_amounts(world):
    bounty_id = world.new_bounty()
    assert world.as_(world.funders[0]).pledge(bounty_id, "0.25 ether").amount == ETHER // 4


def test_pledges_of_several_funders_add_up_and_stay_separate(world):
    bounty_id = world.new_bounty()
    for i, funder in enumerate(world.funders, start=1):
        world.as_(funder).pledge(bounty_id, i * ETHER)
    assert world.escrow.bounty(bounty_id).total == 6 * ETHER
    assert [world.escrow.pledge_of(bounty_id, f.address).amount for f in world.funders] == [ETHER, 2 * ETHER, 3 * ETHER]


def test_topup_adds_to_the_pledge_and_locks_it_to_the_current_deadline(world):
    bounty_id = world.new_bounty(days=10)
    funder = world.as_(world.funders[0])
    first = funder.pledge(bounty_id, ETHER)
    later = world.chain.now() + 20 * DAY
    world.escrow.extend_deadline(bounty_id, later)
    topup = funder.pledge(bounty_id, ETHER)
    assert first.unlocks_at < later == topup.unlocks_at
    pledge = world.escrow.pledge_of(bounty_id, world.funders[0].address)
    assert (pledge.amount, pledge.unlocks_at) == (2 * ETHER, later)


def test_extension_binds_new_pledges_only(world):
    bounty_id = world.new_bounty(days=10)
    old_deadline = world.escrow.bounty(bounty_id).deadline
    world.as_(world.funders[0]).pledge(bounty_id, ETHER)
    world.escrow.extend_deadline(bounty_id, old_deadline + 10 * DAY)
    world.as_(world.funders[1]).pledge(bounty_id, ETHER)
    assert world.escrow.pledge_of(bounty_id, world.funders[0].address).unlocks_at == old_deadline
    assert world.escrow.pledge_of(bounty_id, world.funders[1].address).unlocks_at == old_deadline + 10 * DAY


@pytest.mark.parametrize("offset, accepted", [(-1, True), (0, False), (1, False)])
def test_pledge_deadline_boundaries(world, offset, accepted):
    bounty_id = world.new_bounty()
    deadline = world.escrow.bounty(bounty_id).deadline
    world.chain.set_next_block_timestamp(deadline + offset)
    fn = world.escrow.contract.functions.pledge(bounty_id, ETHER, deadline)
    if accepted:
        world.mine(world.funders[0], fn, value=ETHER)
        assert world.escrow.bounty(bounty_id).total == ETHER
    else:
        with pytest.raises(BountyClosed) as refused:
            world.mine(world.funders[0], fn, value=ETHER)
        assert refused.value.error_name == "BountyExpired"


@pytest.mark.parametrize("amount, value", [(ETHER, ETHER - 1), (ETHER, 0), (1, 2)])
def test_eth_pledge_value_must_equal_amount(world, amount, value):
    bounty_id = world.new_bounty()
    with pytest.raises(RejectedInput) as refused:
        world.send(world.funders[0], world.escrow.contract.functions.pledge(bounty_id, amount, ANY_LOCK), value=value)
    assert refused.value.error_name == "WrongEtherValue"
    assert refused.value.args_by_name == {"bountyId": bounty_id, "expected": amount, "sent": value}


def test_token_pledge_refuses_ether(world):
    bounty_id = world.new_bounty("standard")
    with pytest.raises(RejectedInput) as refused:
        world.send(world.funders[0], world.escrow.contract.functions.pledge(bounty_id, 10, ANY_LOCK), value=10)
    assert refused.value.args_by_name["expected"] == 0


def test_pledge_of_zero_reverts(world):
    bounty_id = world.new_bounty()
    with pytest.raises(RejectedInput) as refused:
        world.send(world.funders[0], world.escrow.contract.functions.pledge(bounty_id, 0, ANY_LOCK))
    assert refused.value.error_name == "ZeroAmount"


def test_pledge_on_unknown_cancelled_or_awarded_bounty_reverts(world):
    def pledge(bounty_id, amount):
        return world.escrow.contract.functions.pledge(bounty_id, amount, ANY_LOCK)

    with pytest.raises(BountyNotFound):
        world.send(world.funders[0], pledge(42, 1), value=1)
    cancelled = world.new_bounty()
    world.escrow.cancel(cancelled)
    with pytest.raises(BountyClosed, match="cancelled"):
        world.send(world.funders[0], pledge(cancelled, 1), value=1)
    awarded = world.new_bounty()
    world.as_(world.funders[0]).pledge(awarded, 1)
    claim = world.as_(world.hunters[0]).submit_solution(awarded, "https://github.com/o/r/pull/1").claim_id
    world.escrow.award(awarded, {claim: 10_000})
    with pytest.raises(BountyClosed, match="awarded"):
        world.send(world.funders[0], pledge(awarded, 1), value=1)


def test_pledges_lists_a_funders_outstanding_pledges(world):
    a, b, c = world.new_bounty(), world.new_bounty(), world.new_bounty()
    funder = world.as_(world.funders[0])
    for bounty_id in (a, b, c):
        funder.pledge(bounty_id, ETHER)
    world.escrow.cancel(b)
    funder.refund(b)
    assert [(p.bounty_id, p.amount) for p in world.escrow.pledges(world.funders[0].address)] == [(a, ETHER), (c, ETHER)]


def test_the_escrow_refuses_plain_ether_transfers(world):
    from eth_tester.exceptions import TransactionFailed
    from web3.exceptions import ContractLogicError, Web3RPCError

    with pytest.raises((Web3RPCError, ContractLogicError, TransactionFailed)):
        world.chain.w3.eth.estimate_gas({"from": world.funders[0].address, "to": world.escrow.address, "value": 1})
