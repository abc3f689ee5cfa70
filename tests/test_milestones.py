"""Milestones: partial awards take a fraction of the pool, every funder's pledge falls by that
fraction (pledges are shares of the pool), refunds return the pro-rata remainder, top-ups buy
at the current ratio, and everything sums exactly, in ETH and awkward tokens."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bountychain import BountyStatus, InvalidAward, NothingToPay, NotAuthorized
from tests.conftest import DAY, FEE_BPS, ISSUE, PR, deploy_mock

ETHER = 10**18
CURRENCIES = ["eth", "standard", "no-return", "fee-on-transfer"]


def _arrived(kind: str, amount: int) -> int:
    """What the escrow receives of `amount` (the test fee-on-transfer token keeps 1%)."""
    return amount - amount // 100 if kind == "fee-on-transfer" else amount


def _bounty_with_claim(world, kind="eth"):
    bounty_id = world.new_bounty(kind)
    claim = world.as_(world.hunters[0]).submit_solution(bounty_id, f"{PR}1").claim_id
    return bounty_id, claim


@pytest.mark.parametrize("kind", CURRENCIES)
def test_a_partial_award_pays_its_fraction_and_each_pledge_falls_pro_rata(world, kind):
    bounty_id, claim = _bounty_with_claim(world, kind)
    token = world.token(kind)
    a, b = world.funders[0], world.funders[1]
    world.as_(a).pledge(bounty_id, 3 * ETHER + 1)
    world.as_(b).pledge(bounty_id, ETHER)
    pool = world.escrow.bounty(bounty_id).total
    hunter = world.hunters[0]
    hunter_before, escrow_before = world.balance(hunter, token), world.balance(world.escrow.address, token)

    result = world.escrow.award_part(bounty_id, 2_500, {claim: 10_000})

    paid = pool * 2_500 // 10_000
    fee = paid * FEE_BPS // 10_000
    assert (result.pool, result.fee, result.remaining, result.part_bps) == (paid, fee, pool - paid, 2_500)
    assert world.balance(hunter, token) == hunter_before + _arrived(kind, paid - fee)
    assert world.balance(world.escrow.address, token) == escrow_before - (paid - fee)
    bounty = world.escrow.bounty(bounty_id)
    assert (bounty.status, bounty.total) == (BountyStatus.OPEN, pool - paid)
    # Each pledge is worth three quarters of what it was, rounded down.
    for funder, pledged in ((a, _arrived(kind, 3 * ETHER + 1)), (b, _arrived(kind, ETHER))):
        assert world.escrow.pledge_of(bounty_id, funder.address).amount == pledged * (pool - paid) // pool


@pytest.mark.parametrize("kind", ["eth", "fee-on-transfer"])
def test_refunds_after_a_cancel_return_the_pro_rata_remainder_and_the_last_takes_the_rest(world, kind):
    bounty_id, claim = _bounty_with_claim(world, kind)
    token = world.token(kind)
    funders = world.funders
    for funder, amount in zip(funders, (10**18 + 7, 333_333_333_333_333_333, 1)):
        world.as_(funder).pledge(bounty_id, amount)
    world.escrow.award_part(bounty_id, 3_333, {claim: 10_000})
    world.escrow.award_part(bounty_id, 1, {claim: 10_000})
    world.escrow.cancel(bounty_id)
    remaining = world.escrow.bounty(bounty_id).total
    returned = 0
    for funder in funders:
        owed = world.escrow.pledge_of(bounty_id, funder.address).amount
        before = world.balance(funder, token)
        result = world.as_(funder).refund(bounty_id)
        assert result.amount >= owed  # the last one out takes the rounding remainder too
        gas = result.gas_cost_wei if kind == "eth" else 0
        assert world.balance(funder, token) == before + _arrived(kind, result.amount) - gas
        returned += result.amount
    assert returned == remaining
    assert world.escrow.bounty(bounty_id).total == 0
    assert world.escrow.shares_of(bounty_id, funders[0].address) == (0, 0)


def test_a_top_up_after_a_milestone_buys_at_the_current_ratio(world):
    bounty_id, claim = _bounty_with_claim(world)
    early, late = world.funders[0], world.funders[1]
    world.as_(early).pledge(bounty_id, 4 * ETHER)
    world.escrow.award_part(bounty_id, 5_000, {claim: 10_000})
    world.as_(late).pledge(bounty_id, 2 * ETHER)
    # The late funder paid nothing of the first milestone: its pledge is worth what it gave.
    assert world.escrow.pledge_of(bounty_id, late.address).amount == 2 * ETHER
    assert world.escrow.pledge_of(bounty_id, early.address).amount == 2 * ETHER
    world.escrow.award_part(bounty_id, 5_000, {claim: 10_000})
    assert world.escrow.pledge_of(bounty_id, late.address).amount == ETHER
    assert world.escrow.pledge_of(bounty_id, early.address).amount == ETHER
    # The final award takes the rest; pledges are then spent.
    world.escrow.award(bounty_id, {claim: 10_000})
    assert world.escrow.pledge_of(bounty_id, late.address).amount == 0
    assert world.escrow.bounty(bounty_id).total == 0


def test_a_funder_refunding_just_before_a_milestone_does_not_raise_the_others_cost(world):
    """The attacker's best move (front-running a partial award with a refund, its lock having
    ended before an extension) leaves the other funders paying the same fraction."""
    bounty_id, claim = world.new_bounty(days=2), None
    leaver, stayer = world.funders[0], world.funders[1]
    world.as_(leaver).pledge(bounty_id, 3 * ETHER)
    now = world.chain.now()
    world.escrow.extend_deadline(bounty_id, now + 30 * DAY)
    world.as_(stayer).pledge(bounty_id, ETHER)
    claim = world.as_(world.hunters[0]).submit_solution(bounty_id, f"{PR}1").claim_id
    world.chain.set_next_block_timestamp(now + 2 * DAY + 1)
    world.as_(leaver).refund(bounty_id)  # mined before the milestone
    world.escrow.award_part(bounty_id, 4_000, {claim: 10_000})
    assert world.escrow.pledge_of(bounty_id, stayer.address).amount == ETHER * 6_000 // 10_000


def test_partial_award_refusals(world):
    bounty_id, claim = _bounty_with_claim(world)
    world.as_(world.funders[0]).pledge(bounty_id, ETHER)
    for part in (0, 10_000, 12_000):
        with pytest.raises(InvalidAward, match="milestone"):
            world.escrow.award_part(bounty_id, part, {claim: 10_000})
    with pytest.raises(NotAuthorized):
        world.as_(world.funders[0]).award_part(bounty_id, 5_000, {claim: 10_000})
    # Refused by the contract too, not only by the SDK.
    with pytest.raises(InvalidAward, match="InvalidPart"):
        world.send(world.issuer, world.escrow.contract.functions.awardPart(bounty_id, 10_000, [claim], [10_000]))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    pledges=st.lists(st.integers(1, 10**21), min_size=1, max_size=3),
    steps=st.lists(st.tuples(st.sampled_from(["part", "pledge"]), st.integers(1, 9_999),
                             st.integers(0, 2), st.integers(1, 10**20)), max_size=8),
    end=st.sampled_from(["award", "cancel"]),
)
def test_many_partial_awards_with_awkward_amounts_sum_exactly(world, pledges, steps, end):
    """Whatever the milestones, pledges and refunds: what left the escrow (winners, fees,
    refunds) plus what is still owed equals what came in, to the wei, and nothing is stranded."""
    snapshot = world.chain.snapshot()
    try:
        bounty_id = world.new_bounty(days=365)
        claim = world.as_(world.hunters[0]).submit_solution(bounty_id, f"{PR}p").claim_id
        came_in = went_out = 0
        for funder, amount in zip(world.funders, pledges):
            came_in += world.as_(funder).pledge(bounty_id, amount).amount
        for action, part, who, amount in steps:
            total = world.escrow.bounty(bounty_id).total
            funder = world.funders[who]
            if action == "part" and total * part // 10_000 > 0:
                result = world.escrow.award_part(bounty_id, part, {claim: 10_000})
                went_out += result.pool
            elif action == "pledge":
                came_in += world.as_(funder).pledge(bounty_id, amount).amount
        if end == "award" and world.escrow.bounty(bounty_id).total:
            went_out += world.escrow.award(bounty_id, {claim: 10_000}).pool
        else:
            world.escrow.cancel(bounty_id)
            for funder in world.funders:  # shares worth 0 wei leave too, sending nothing
                if world.escrow.shares_of(bounty_id, funder.address)[0]:
                    went_out += world.as_(funder).refund(bounty_id).amount
        assert world.escrow.bounty(bounty_id).total == 0
        assert went_out == came_in
    finally:
        world.chain.revert(snapshot)


@pytest.mark.parametrize("kind", ["eth", "zero-transfer-revert"])
def test_shares_a_milestone_left_worth_nothing_leave_so_the_last_wei_is_not_stranded(world, kind):
    """Two 1-wei pledges and a 99.99% milestone leave a pool of 1 wei in 2 shares, each worth
    0: neither funder is the last shares out. The first leaves with nothing (no transfer, which
    this token would refuse at 0), and the second, now the last, takes the wei."""
    contract = None if kind == "eth" else deploy_mock(world.chain, world.outsider, "ZeroTransferRevertToken")
    token = world.token("eth") if contract is None else contract.address
    bounty_id = world.escrow.create_bounty(ISSUE, world.chain.now() + 30 * DAY, token=token).bounty_id
    claim = world.as_(world.hunters[0]).submit_solution(bounty_id, f"{PR}1").claim_id
    first, second = world.funders[0], world.funders[1]
    for funder in (first, second):
        if contract is not None:
            world.send(world.outsider, contract.functions.mint(funder.address, 1))
        world.as_(funder).pledge(bounty_id, 1)
    world.escrow.award_part(bounty_id, 9_999, {claim: 10_000})
    world.escrow.cancel(bounty_id)
    assert world.escrow.bounty(bounty_id).total == 1
    assert world.escrow.pledge_of(bounty_id, first.address).amount == 0
    before = [world.balance(funder, token) for funder in (first, second)]
    assert world.as_(first).refund(bounty_id).amount == 0
    assert world.as_(second).refund(bounty_id).amount == 1
    assert world.escrow.bounty(bounty_id).total == 0
    if kind != "eth":
        assert [world.balance(funder, token) for funder in (first, second)] == [before[0], before[1] + 1]
    with pytest.raises(NothingToPay):
        world.as_(first).refund(bounty_id)


def test_partial_refunds_burn_shares_rounded_up_and_never_strand_a_remainder(world):
    bounty_id, claim = _bounty_with_claim(world)
    funder, other = world.funders[0], world.funders[1]
    world.as_(funder).pledge(bounty_id, 10**18 + 1)
    world.as_(other).pledge(bounty_id, 7)
    world.escrow.award_part(bounty_id, 3_001, {claim: 10_000})
    world.escrow.cancel(bounty_id)
    value = world.escrow.pledge_of(bounty_id, funder.address).amount
    world.as_(funder).refund(bounty_id, amount=value // 3)
    rest = world.escrow.pledge_of(bounty_id, funder.address).amount
    assert rest <= value - value // 3  # the pool never loses to the rounding
    world.as_(funder).refund(bounty_id)
    world.as_(other).refund(bounty_id)
    assert world.escrow.bounty(bounty_id).total == 0


def test_the_index_records_milestones_and_bonds_and_keeps_the_pool_the_chain_holds(world, tmp_path):
    from bountychain.index import Indexer

    bounty_id = world.escrow.create_bonded_bounty(
        "https://github.com/bountychain/toolkit/issues/16", world.chain.now() + 30 * DAY, 10**15).bounty_id
    world.as_(world.funders[0]).pledge(bounty_id, 3 * ETHER)
    claim = world.as_(world.hunters[0]).submit_bonded_solution(bounty_id, f"{PR}1").claim_id
    spam = world.as_(world.hunters[1]).submit_bonded_solution(bounty_id, f"{PR}2").claim_id
    world.escrow.mark_spam(bounty_id, spam)
    milestone = world.escrow.award_part(bounty_id, 3_333, {claim: 10_000})

    indexer = Indexer(world.chain.w3, str(tmp_path / "index.sqlite3"), world.escrow.address, world.escrow.from_block,
                      confirmations=0)
    indexer.sync()
    db = indexer.db
    row = db.execute("SELECT status, total FROM bounties WHERE bounty_id = :b", {"b": bounty_id}).fetchone()
    assert (row[0], int(row[1])) == ("open", world.escrow.bounty(bounty_id).total)
    assert [tuple(r) for r in db.execute("SELECT part_bps, pool, remaining FROM milestones")] == [
        (3_333, str(milestone.pool), str(milestone.remaining))]
    steps = [tuple(r) for r in db.execute("SELECT claim_id, step, amount FROM bonds ORDER BY block_number, log_index")]
    assert steps == [(0, "required", str(10**15)), (claim, "posted", str(10**15)), (spam, "posted", str(10**15)),
                     (spam, "slashed", str(10**15))]
