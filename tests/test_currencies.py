"""The same behaviour for every currency a bounty can hold: ETH, a standard ERC-20, a
USDT-style token that returns nothing, and a token that takes a 1% fee on transfer.
Every path that moves value checks balances before and after."""

import pytest

from bountychain import ETH, RejectedInput
from tests.conftest import FEE_BPS, PR

CURRENCIES = ["eth", "standard", "no-return", "fee-on-transfer"]
AMOUNT = 5 * 10**18


def received(kind: str, amount: int) -> int:
    """What arrives after one transfer of `amount`."""
    return amount - amount // 100 if kind == "fee-on-transfer" else amount


def change(world, account, token, before, *results) -> int:
    """Balance change, not counting gas paid by `results` when the currency is ETH."""
    gas = sum(r.gas_cost_wei + (r.approval.gas_cost_wei if getattr(r, "approval", None) else 0) for r in results)
    return world.balance(account, token) - before + (gas if token == ETH else 0)


@pytest.fixture(params=CURRENCIES)
def kind(request):
    return request.param


def test_pledge_moves_value_in_and_credits_what_arrived(world, kind):
    token, funder = world.token(kind), world.funders[0]
    bounty_id = world.new_bounty(kind)
    funder_before, escrow_before = world.balance(funder, token), world.balance(world.escrow.address, token)
    result = world.as_(funder).pledge(bounty_id, AMOUNT)
    assert change(world, funder, token, funder_before, result) == -AMOUNT
    assert world.balance(world.escrow.address, token) - escrow_before == received(kind, AMOUNT) == result.amount
    assert world.escrow.pledge_of(bounty_id, funder.address).amount == result.amount
    if kind != "eth":
        assert world.tokens[kind].functions.allowance(funder.address, world.escrow.address).call() == 0


def test_award_pays_the_winners_in_the_bounty_currency(world, kind):
    token = world.token(kind)
    bounty_id = world.new_bounty(kind)
    pool = sum(world.as_(f).pledge(bounty_id, AMOUNT).amount for f in world.funders[:2])
    ids = [world.as_(h).submit_solution(bounty_id, PR).claim_id for h in world.hunters[:2]]
    before = [world.balance(h, token) for h in world.hunters[:2]]
    escrow_before = world.balance(world.escrow.address, token)
    result = world.escrow.award(bounty_id, {ids[0]: 6_000, ids[1]: 4_000})
    fee = pool * FEE_BPS // 10_000
    assert result.fee == fee and sum(p.amount for p in result.payouts) == pool - fee
    for hunter, payout, start in zip(world.hunters, result.payouts, before):
        assert not payout.credited
        assert world.balance(hunter, token) - start == received(kind, payout.amount)
    assert escrow_before - world.balance(world.escrow.address, token) == pool - fee
    assert world.escrow.fees_accrued(token) == fee
    assert world.escrow.credit_of(world.treasury.address, token) == 0  # a fee is not a credit


def test_fee_in_the_bounty_currency_is_withdrawn_by_the_recipient(world, kind):
    token = world.token(kind)
    bounty_id = world.new_bounty(kind)
    world.as_(world.funders[0]).pledge(bounty_id, AMOUNT)
    claim = world.as_(world.hunters[0]).submit_solution(bounty_id, PR).claim_id
    fee = world.escrow.award(bounty_id, {claim: 10_000}).fee
    before = world.balance(world.treasury, token)
    escrow_before = world.balance(world.escrow.address, token)
    result = world.as_(world.treasury).withdraw_fees(token)
    assert result.amount == fee and result.to == world.treasury.address
    assert change(world, world.treasury, token, before, result) == received(kind, fee)
    assert escrow_before - world.balance(world.escrow.address, token) == fee
    assert world.escrow.fees_accrued(token) == 0


def test_fees_are_withdrawn_in_parts_and_to_another_recipient(world, kind):
    token = world.token(kind)
    bounty_id = world.new_bounty(kind)
    world.as_(world.funders[0]).pledge(bounty_id, AMOUNT)
    claim = world.as_(world.hunters[0]).submit_solution(bounty_id, PR).claim_id
    fee = world.escrow.award(bounty_id, {claim: 10_000}).fee
    part = fee // 3
    recipient, before = world.outsider, world.balance(world.outsider, token)
    escrow_before = world.balance(world.escrow.address, token)
    result = world.as_(world.treasury).withdraw_fees(token, amount=part, to=recipient.address)
    assert (result.amount, result.to) == (part, recipient.address)
    assert world.balance(recipient, token) - before == received(kind, part)
    assert escrow_before - world.balance(world.escrow.address, token) == part
    assert world.escrow.fees_accrued(token) == fee - part
    with pytest.raises(RejectedInput) as refused:  # more than is left
        world.send(world.treasury, world.escrow.contract.functions.withdrawFees(token, fee - part + 1,
                                                                                 world.treasury.address))
    assert refused.value.error_name == "AmountNotAvailable"
    assert world.as_(world.treasury).withdraw_fees(token).amount == fee - part
    assert world.escrow.fees_accrued(token) == 0


def test_refund_returns_what_the_escrow_credited(world, kind):
    token, funder = world.token(kind), world.funders[1]
    bounty_id = world.new_bounty(kind)
    credited = world.as_(funder).pledge(bounty_id, AMOUNT).amount
    world.escrow.cancel(bounty_id)
    before, escrow_before = world.balance(funder, token), world.balance(world.escrow.address, token)
    result = world.as_(funder).refund(bounty_id)
    assert result.amount == credited
    assert change(world, funder, token, before, result) == received(kind, credited)
    assert escrow_before - world.balance(world.escrow.address, token) == credited


def test_refund_in_parts_and_to_another_recipient_moves_exactly_each_part(world, kind):
    """A funder takes its pledge back in two parts, the second sent to another address
    (a funder whose token caps each transfer, or that cannot receive it itself): each
    part leaves the escrow exactly, arrives as one transfer of it, and the rest of the
    pledge stays owed until it is taken; asking for more than is left is refused."""
    token, funder, recipient = world.token(kind), world.funders[1], world.outsider
    bounty_id = world.new_bounty(kind)
    credited = world.as_(funder).pledge(bounty_id, AMOUNT).amount
    world.escrow.cancel(bounty_id)
    first, second = credited // 3, credited - credited // 3

    funder_before, escrow_before = world.balance(funder, token), world.balance(world.escrow.address, token)
    result = world.as_(funder).refund(bounty_id, amount=first)
    assert (result.funder, result.amount, result.to) == (funder.address, first, funder.address)
    assert change(world, funder, token, funder_before, result) == received(kind, first)
    assert escrow_before - world.balance(world.escrow.address, token) == first
    assert world.escrow.pledge_of(bounty_id, funder.address).amount == second
    assert world.escrow.bounty(bounty_id).total == second

    with pytest.raises(RejectedInput) as refused:
        world.send(funder, world.escrow.contract.functions.refundTo(bounty_id, second + 1, recipient.address))
    assert refused.value.error_name == "AmountNotAvailable"
    assert refused.value.args_by_name == {"requested": second + 1, "available": second}

    funder_before, escrow_before = world.balance(funder, token), world.balance(world.escrow.address, token)
    recipient_before = world.balance(recipient, token)
    result = world.as_(funder).refund(bounty_id, amount=second, to=recipient.address)
    assert (result.funder, result.amount, result.to) == (funder.address, second, recipient.address)
    assert world.balance(recipient, token) - recipient_before == received(kind, second)
    assert change(world, funder, token, funder_before, result) == 0  # the funder only paid gas
    assert escrow_before - world.balance(world.escrow.address, token) == second
    assert world.escrow.pledge_of(bounty_id, funder.address).amount == 0
    assert world.escrow.bounty(bounty_id).total == 0
    logs = world.escrow.contract.events.Refunded.get_logs(from_block=world.escrow.from_block,
                                                         argument_filters={"bountyId": bounty_id})
    assert [(log["args"]["amount"], log["args"]["to"]) for log in logs] == [
        (first, funder.address), (second, recipient.address)]


def test_token_pledge_sets_an_exact_allowance_even_over_a_stale_one(world):
    """USDT-style tokens refuse to change a non-zero allowance: the SDK resets it to 0 first."""
    token = world.tokens["no-return"]
    funder = world.funders[2]
    world.send(funder, token.functions.approve(world.escrow.address, 123))
    bounty_id = world.new_bounty("no-return")
    assert world.as_(funder).pledge(bounty_id, AMOUNT).amount == AMOUNT
    assert token.functions.allowance(funder.address, world.escrow.address).call() == 0


def test_human_token_amounts_use_the_tokens_decimals(world):
    bounty_id = world.new_bounty("standard")
    assert world.as_(world.funders[0]).pledge(bounty_id, "12.5 USDC").amount == 12_500_000
