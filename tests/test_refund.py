"""refund: each funder pulls exactly its own pledge, only after its lock or a cancel, never
after an award."""

import pytest

from bountychain import BountyClosed, NothingToPay, PledgeLocked
from tests.conftest import DAY, PR

ETHER = 10**18


@pytest.mark.parametrize("offset, accepted", [(-1, False), (0, True), (1, True)])
def test_refund_deadline_boundaries(world, offset, accepted):
    bounty_id = world.new_bounty()
    funder = world.funders[0]
    world.as_(funder).pledge(bounty_id, ETHER)
    deadline = world.escrow.bounty(bounty_id).deadline
    world.chain.set_next_block_timestamp(deadline + offset)
    before = world.balance(funder)
    fn = world.escrow.contract.functions.refund(bounty_id)
    if accepted:
        receipt = world.mine(funder, fn)
        assert world.balance(funder) == before + ETHER - receipt["gasUsed"] * receipt["effectiveGasPrice"]
        assert world.escrow.pledge_of(bounty_id, funder.address).amount == 0
    else:
        with pytest.raises(PledgeLocked) as refused:
            world.mine(funder, fn)
        assert refused.value.args_by_name["unlocksAt"] == deadline
        assert refused.value.tx_hash is not None  # mined, reverted, decoded
        assert world.escrow.pledge_of(bounty_id, funder.address).amount == ETHER


def test_refund_returns_exactly_the_funders_own_pledge_and_leaves_the_others(world):
    bounty_id = world.new_bounty()
    for i, funder in enumerate(world.funders, start=1):
        world.as_(funder).pledge(bounty_id, i * ETHER)
    world.chain.set_next_block_timestamp(world.escrow.bounty(bounty_id).deadline + 1)
    escrow_before = world.balance(world.escrow.address)
    result = world.as_(world.funders[1]).refund(bounty_id)
    assert result.amount == 2 * ETHER
    assert world.balance(world.escrow.address) == escrow_before - 2 * ETHER
    assert world.escrow.bounty(bounty_id).total == 4 * ETHER
    assert world.escrow.pledge_of(bounty_id, world.funders[0].address).amount == ETHER


def test_refund_twice_or_without_a_pledge_reverts(world):
    bounty_id = world.new_bounty()
    world.as_(world.funders[0]).pledge(bounty_id, ETHER)
    world.escrow.cancel(bounty_id)
    world.as_(world.funders[0]).refund(bounty_id)
    for funder in (world.funders[0], world.outsider):
        with pytest.raises(NothingToPay) as refused:
            world.send(funder, world.escrow.contract.functions.refund(bounty_id))
        assert refused.value.args_by_name["funder"] == funder.address


def test_refund_after_an_award_reverts_even_once_the_deadline_passed(world):
    bounty_id = world.new_bounty()
    world.as_(world.funders[0]).pledge(bounty_id, ETHER)
    claim = world.as_(world.hunters[0]).submit_solution(bounty_id, PR).claim_id
    world.escrow.award(bounty_id, {claim: 10_000})
    world.chain.set_next_block_timestamp(world.escrow.bounty(bounty_id).deadline + 1)
    with pytest.raises(BountyClosed) as refused:
        world.send(world.funders[0], world.escrow.contract.functions.refund(bounty_id))
    assert refused.value.error_name == "AlreadyAwarded"


def test_a_pledge_made_before_an_extension_unlocks_at_its_own_deadline(world):
    bounty_id = world.new_bounty(days=5)
    first_deadline = world.escrow.bounty(bounty_id).deadline
    world.as_(world.funders[0]).pledge(bounty_id, ETHER)
    world.escrow.extend_deadline(bounty_id, first_deadline + 20 * DAY)
    world.as_(world.funders[1]).pledge(bounty_id, ETHER)
    world.chain.set_next_block_timestamp(first_deadline + 1)
    assert world.as_(world.funders[0]).refund(bounty_id).amount == ETHER  # old lock ended
    with pytest.raises(PledgeLocked):
        world.as_(world.funders[1]).refund(bounty_id)  # new lock holds


def test_refund_by_a_funder_that_refuses_ether_reverts_and_keeps_its_pledge(world):
    from tests.conftest import deploy_mock

    wallet = deploy_mock(world.chain, world.outsider, "ScriptedAccount", world.escrow.address)
    bounty_id = world.new_bounty()
    world.send(world.outsider, wallet.functions.pledge(bounty_id), value=ETHER)
    world.escrow.cancel(bounty_id)
    world.send(world.outsider, wallet.functions.setMode(1))  # Revert
    from bountychain import TransferFailed

    with pytest.raises(TransferFailed) as refused:
        world.send(world.outsider, wallet.functions.refund(bounty_id))
    assert refused.value.error_name == "EtherTransferFailed"
    assert world.escrow.pledge_of(bounty_id, wallet.address).amount == ETHER
    world.send(world.outsider, wallet.functions.setMode(0))  # Accept: the refund now goes through
    world.send(world.outsider, wallet.functions.refund(bounty_id))
    assert world.balance(wallet.address) == ETHER
