"""Paying never bricks a bounty: a winner that reverts or burns gas is credited instead,
the other winners are paid, and the credit is withdrawable later."""

import pytest

from bountychain import RejectedInput
from tests.conftest import FEE_BPS, PR, deploy_mock

ETHER = 10**18
ACCEPT, REVERT, BURN_GAS = 0, 1, 2


@pytest.fixture
def wallet(world):
    """A contract hunter whose ETH receipt the test scripts."""
    return deploy_mock(world.chain, world.outsider, "ScriptedAccount", world.escrow.address)


def _bounty_with_wallet_and_eoa_claims(world, wallet, mode):
    world.send(world.outsider, wallet.functions.setMode(mode))
    bounty_id = world.new_bounty()
    world.as_(world.funders[0]).pledge(bounty_id, 2 * ETHER)
    world.send(world.outsider, wallet.functions.submitSolution(bounty_id, PR))
    world.as_(world.hunters[0]).submit_solution(bounty_id, PR)
    return bounty_id


@pytest.mark.parametrize("mode", [REVERT, BURN_GAS])
def test_a_refusing_winner_is_credited_and_the_others_are_paid(world, wallet, mode):
    bounty_id = _bounty_with_wallet_and_eoa_claims(world, wallet, mode)
    eoa_before = world.balance(world.hunters[0])
    result = world.escrow.award(bounty_id, {1: 5_000, 2: 5_000})
    half = (2 * ETHER - 2 * ETHER * FEE_BPS // 10_000) // 2
    assert [(p.hunter, p.amount, p.credited) for p in result.payouts] == [
        (wallet.address, half, True), (world.hunters[0].address, half, False)]
    assert world.balance(wallet.address) == 0
    assert world.escrow.credit_of(wallet.address) == half
    assert world.balance(world.hunters[0]) == eoa_before + half
    # A gas burner gets only the stipend: the award stays cheap and cannot be starved.
    assert result.gas_used < 200_000

    world.send(world.outsider, wallet.functions.setMode(ACCEPT))
    world.send(world.outsider, wallet.functions.withdraw("0x" + "00" * 20))
    assert world.balance(wallet.address) == half
    assert world.escrow.credit_of(wallet.address) == 0


def test_a_contract_wallet_that_needs_more_than_2300_gas_is_paid_directly(world, wallet):
    bounty_id = _bounty_with_wallet_and_eoa_claims(world, wallet, ACCEPT)
    result = world.escrow.award(bounty_id, {1: 10_000})
    assert result.payouts[0].credited is False
    assert world.balance(wallet.address) == result.payouts[0].amount


def test_an_award_sent_with_too_little_gas_reverts_rather_than_crediting(world, wallet):
    """Otherwise an approver could starve a payment on purpose and turn it into a credit."""
    bounty_id = _bounty_with_wallet_and_eoa_claims(world, wallet, ACCEPT)
    fn = world.escrow.contract.functions.award(bounty_id, [1], [10_000])
    with pytest.raises(RejectedInput) as refused:
        world.mine(world.issuer, fn, gas=120_000)
    assert refused.value.error_name == "InsufficientGasForPayout"
    assert world.escrow.bounty(bounty_id).total == 2 * ETHER  # nothing moved


def test_withdraw_without_credit_reverts(world):
    from bountychain import NothingToPay

    with pytest.raises(NothingToPay) as refused:
        world.send(world.outsider, world.escrow.contract.functions.withdraw("0x" + "00" * 20))
    assert refused.value.error_name == "NothingToWithdraw"
