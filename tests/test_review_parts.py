"""Milestones and spam marking on reviewed bounties: a part proposal goes through the same
window, objections, quorum and arbiter as a whole one; when it passes, the part of the pledges
that paid leaves and the bounty stays open. An objector's pledge keeps its value through the
part it objected to (its shares are rewritten at the new ratio when it next acts) and pays the
next part unless it objects again. The proposer marks spam through the review and gains
nothing. Each attacker move of docs/DESIGN.md ("Milestones through the review") has a test
here; balances are checked before and after, in ETH and awkward tokens, on both chains."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bountychain import BountyStatus, InvalidAward, ProposalState, ReviewTerms
from tests.conftest import DAY, FEE_BPS, ISSUE, MINTED, PR, assert_escrow_solvent
from tests.test_review import client_refuses, past_window, raw_refused, refused, review_bounty, review_fns

ETHER = 10**18
BPS = 10_000
BOND = 10**16 + 3
CURRENCIES = ["eth", "no-return", "fee-on-transfer"]


def _arrived(kind: str, amount: int) -> int:
    """What arrives of `amount` (the test fee-on-transfer token keeps 1%)."""
    return amount - amount // 100 if kind == "fee-on-transfer" else amount


def _fee(pool: int) -> int:
    return pool * FEE_BPS // BPS


def _value(world, bounty_id, funder) -> int:
    return world.escrow.pledge_of(bounty_id, funder.address).amount


def _pass_part(world, bounty_id, part_bps, shares=None, objectors=()):
    """Proposes a part, lets `objectors` object, and finalizes it after the window."""
    world.as_(world.approver).propose(bounty_id, shares or {1: BPS}, part_bps=part_bps)
    for objector in objectors:
        assert world.as_(objector).object(bounty_id).outcome == "withheld"
    past_window(world, bounty_id)
    return world.as_(world.outsider).finalize(bounty_id)


def _refund_everything(world, bounty_id, funders, kind):
    """Cancels the bounty and refunds every funder; returns what each got, checking balances."""
    world.escrow.cancel(bounty_id)
    token = world.token(kind)
    got = {}
    for funder in funders:
        if _value(world, bounty_id, funder) == 0:
            continue
        before = world.balance(funder, token)
        result = world.as_(funder).refund(bounty_id)
        gas = result.gas_cost_wei if kind == "eth" else 0
        assert world.balance(funder, token) == before + _arrived(kind, result.amount) - gas
        got[funder.address] = result.amount
    assert world.escrow.bounty(bounty_id).total == 0
    return got


@pytest.mark.parametrize("kind", CURRENCIES)
def test_a_part_pays_its_fraction_of_the_unwithheld_pledges_and_the_objector_keeps_its_value(world, kind):
    pledges = (ETHER + 7, 2 * ETHER, 4 * ETHER - 3)
    bounty_id = review_bounty(world, kind=kind, pledges=pledges)
    token = world.token(kind)
    objector, silent = world.funders[0], world.funders[1:3]
    arrived = [_arrived(kind, amount) for amount in pledges]
    total = sum(arrived)

    fns = review_fns(world)
    refused("NotProposer", world.as_(world.issuer).propose, bounty_id, {1: BPS}, part_bps=3_000)
    for bad in (0, BPS, 12_000, -1, True):
        client_refuses("InvalidPart", world.as_(world.approver).propose, bounty_id, {1: BPS}, part_bps=bad)
    raw_refused(world, "InvalidPart", world.approver, fns.proposePart(bounty_id, BPS, [1], [BPS]))
    raw_refused(world, "InvalidPart", world.approver, fns.proposePart(bounty_id, 0, [1], [BPS]))

    proposed = world.as_(world.approver).propose(bounty_id, {1: 7_000, 2: 3_000}, part_bps=3_000)
    assert (proposed.part_bps, proposed.total) == (3_000, total)
    proposal = world.escrow.proposal(bounty_id)
    assert (proposal.part_bps, proposal.state) == (3_000, ProposalState.PENDING)
    assert world.escrow.bounty(bounty_id).status == BountyStatus.UNDER_REVIEW
    objection = world.as_(objector).object(bounty_id)
    assert objection.weight == arrived[0]

    hunters = world.hunters[:2]
    before = [world.balance(h, token) for h in hunters]
    escrow_before = world.balance(world.escrow.address, token)
    past_window(world, bounty_id)
    result = world.as_(world.outsider).finalize(bounty_id)

    pool = (total - arrived[0]) * 3_000 // BPS
    net = pool - _fee(pool)
    first = net * 7_000 // BPS
    assert (result.pool, result.fee, result.part_bps, result.remaining) == (pool, _fee(pool), 3_000, total - pool)
    assert [world.balance(h, token) - b for h, b in zip(hunters, before)] == [
        _arrived(kind, first), _arrived(kind, net - first)]
    assert world.balance(world.escrow.address, token) == escrow_before - net
    bounty = world.escrow.bounty(bounty_id)
    assert (bounty.status, bounty.total) == (BountyStatus.OPEN, total - pool)
    assert world.escrow.proposal(bounty_id).state == ProposalState.EXECUTED

    # The objector's pledge is worth what it was (rounded down by at most a couple of units, in
    # the pool's favour); the silent ones fell by the part.
    kept = _value(world, bounty_id, objector)
    assert arrived[0] - 2 <= kept <= arrived[0]
    for funder, amount in zip(silent, arrived[1:]):
        assert abs(_value(world, bounty_id, funder) - amount * (BPS - 3_000) // BPS) <= 2
    assert_escrow_solvent(world)

    # A refund after a cancel returns each remainder, and the refunds sum to the pool exactly.
    got = _refund_everything(world, bounty_id, world.funders[:3], kind)
    assert sum(got.values()) == total - pool
    assert arrived[0] - 2 <= got[objector.address] <= arrived[0]
    assert_escrow_solvent(world)


def test_an_objection_is_honoured_on_its_part_only_and_is_restated_for_the_next(world):
    """Attacker: a proposer hoping an objector forgets. The objection to part 1 keeps the
    objector's pledge whole through part 1; part 2 takes its fraction from the objector too
    unless it objects again, which it may."""
    bounty_id = review_bounty(world, pledges=(3 * ETHER, 3 * ETHER))
    objector, silent = world.funders[0], world.funders[1]

    _pass_part(world, bounty_id, 5_000, objectors=[objector])
    assert 3 * ETHER - 2 <= _value(world, bounty_id, objector) <= 3 * ETHER
    assert abs(_value(world, bounty_id, silent) - 3 * ETHER // 2) <= 2
    assert world.escrow.has_objected(bounty_id, objector.address, 1)

    # Part 2, nobody objects: both pledges fall by the same fraction.
    before = (_value(world, bounty_id, objector), _value(world, bounty_id, silent))
    _pass_part(world, bounty_id, 2_000)
    assert abs(_value(world, bounty_id, objector) - before[0] * 8 // 10) <= 2
    assert abs(_value(world, bounty_id, silent) - before[1] * 8 // 10) <= 2
    assert not world.escrow.has_objected(bounty_id, objector.address)
    assert world.escrow.has_objected(bounty_id, objector.address, 1)  # the record of part 1 stays

    # Part 3: it objects again and keeps its value again.
    before = (_value(world, bounty_id, objector), _value(world, bounty_id, silent))
    _pass_part(world, bounty_id, 5_000, objectors=[objector])
    assert before[0] - 2 <= _value(world, bounty_id, objector) <= before[0]
    assert abs(_value(world, bounty_id, silent) - before[1] // 2) <= 2
    assert_escrow_solvent(world)
    left = world.escrow.bounty(bounty_id).total
    got = _refund_everything(world, bounty_id, [objector, silent], "eth")
    assert sum(got.values()) == left


def test_slicing_the_pool_into_small_parts_meets_the_same_veto_and_costs_a_window_each(world):
    """Attacker: a proposer slicing the pool into many small parts to slip each under the
    veto. The quorum weighs the pledges, not the part, so the smallest part is blocked by the
    same funders; without an arbiter each objection keeps its pledge whole through its part,
    and each part takes its own review window (the next cannot be proposed before)."""
    arbiter = world.chain.new_account()
    bounty_id = review_bounty(world, arbiter=arbiter.address, quorum=5_000, pledges=(4 * ETHER, 3 * ETHER))
    world.as_(world.approver).propose(bounty_id, {1: BPS}, part_bps=1)
    assert world.as_(world.funders[0]).object(bounty_id).outcome == "blocked"
    refused("WrongProposalState", world.as_(world.outsider).finalize, bounty_id)
    world.as_(arbiter).rule(bounty_id, "reject")
    assert world.escrow.bounty(bounty_id).total == 7 * ETHER

    bounty_id = review_bounty(world, pledges=(4 * ETHER, 3 * ETHER))
    objector, silent = world.funders[:2]
    started = world.chain.now()
    for _ in range(3):
        world.as_(world.approver).propose(bounty_id, {1: BPS}, part_bps=100)
        refused("BountyNotOpen", world.as_(world.approver).propose, bounty_id, {1: BPS}, part_bps=100)
        world.as_(objector).object(bounty_id)
        past_window(world, bounty_id)
        world.as_(world.outsider).finalize(bounty_id)
    assert world.chain.now() - started >= 3 * world.escrow.proposal(bounty_id).review_window
    assert 4 * ETHER - 6 <= _value(world, bounty_id, objector) <= 4 * ETHER
    assert abs(_value(world, bounty_id, silent) - 3 * ETHER * 99**3 // 100**3) <= 6
    assert_escrow_solvent(world)


def test_a_part_racing_a_refund_costs_the_others_nothing_more_per_share(world):
    """Attacker: a funder whose lock has ended refunds while a part is under review. The part
    is a fraction of what is left when it is paid, so the others pay the same fraction."""
    deadline = world.chain.now() + 10 * DAY
    bounty_id = world.escrow.create_bounty(
        ISSUE, deadline, approver=world.approver.address, review=ReviewTerms(3 * DAY, 0, None, False)).bounty_id
    early, late = world.funders[:2]
    world.as_(early).pledge(bounty_id, ETHER)  # locked until day 10
    world.as_(world.hunters[0]).submit_solution(bounty_id, f"{PR}1")
    world.escrow.extend_deadline(bounty_id, deadline + 30 * DAY)
    world.as_(late).pledge(bounty_id, 2 * ETHER)  # locked until day 40
    world.chain.set_next_block_timestamp(deadline + DAY)
    world.as_(world.approver).propose(bounty_id, {1: BPS}, part_bps=4_000)

    before = world.balance(early)
    refund = world.as_(early).refund(bounty_id)  # unlocked before the proposal: not held
    assert world.balance(early) - before == ETHER - refund.gas_cost_wei
    hunter_before = world.balance(world.hunters[0])
    past_window(world, bounty_id)
    result = world.as_(world.outsider).finalize(bounty_id)
    assert result.pool == 2 * ETHER * 4_000 // BPS
    assert world.balance(world.hunters[0]) - hunter_before == result.pool - _fee(result.pool)
    assert _value(world, bounty_id, late) == 2 * ETHER - result.pool
    assert world.escrow.bounty(bounty_id).status == BountyStatus.OPEN
    assert_escrow_solvent(world)


def test_an_arbiter_upholding_a_part_takes_the_objectors_fraction_too(world):
    arbiter = world.chain.new_account()
    bounty_id = review_bounty(world, arbiter=arbiter.address, quorum=3_000, pledges=(2 * ETHER, 2 * ETHER))
    objector, silent = world.funders[:2]
    world.as_(world.approver).propose(bounty_id, {1: BPS}, part_bps=2_500)
    assert world.as_(objector).object(bounty_id).outcome == "blocked"
    world.as_(arbiter).rule(bounty_id, "pay")
    hunter_before = world.balance(world.hunters[0])
    result = world.as_(world.outsider).finalize(bounty_id)
    assert (result.pool, result.remaining) == (ETHER, 3 * ETHER)
    assert world.balance(world.hunters[0]) - hunter_before == ETHER - _fee(ETHER)
    assert _value(world, bounty_id, objector) == _value(world, bounty_id, silent) == 3 * ETHER // 2
    assert world.escrow.bounty(bounty_id).status == BountyStatus.OPEN
    assert_escrow_solvent(world)


def test_every_pledge_withheld_from_a_part_pays_nothing_and_reopens(world):
    bounty_id = review_bounty(world, pledges=(ETHER,))
    world.as_(world.approver).propose(bounty_id, {1: BPS}, part_bps=5_000)
    world.as_(world.funders[0]).object(bounty_id)
    past_window(world, bounty_id)
    result = world.as_(world.outsider).finalize(bounty_id)
    assert (result.pool, result.rejected) == (0, "unanimous")
    assert world.escrow.bounty(bounty_id).status == BountyStatus.OPEN
    assert _value(world, bounty_id, world.funders[0]) == ETHER


def test_a_whole_award_after_a_part_pays_what_is_left_and_leaves_the_objector_its_value(world):
    bounty_id = review_bounty(world, pledges=(ETHER, 3 * ETHER))
    objector, silent = world.funders[:2]
    _pass_part(world, bounty_id, 5_000, objectors=[objector])
    left = world.escrow.bounty(bounty_id).total
    world.as_(world.approver).propose(bounty_id, {2: BPS})
    world.as_(objector).object(bounty_id)
    past_window(world, bounty_id)
    hunter_before = world.balance(world.hunters[1])
    result = world.as_(world.outsider).finalize(bounty_id)
    kept = left - result.pool
    assert ETHER - 2 <= kept <= ETHER
    assert world.balance(world.hunters[1]) - hunter_before == result.pool - _fee(result.pool)
    assert world.escrow.bounty(bounty_id).status == BountyStatus.AWARDED
    refused("AlreadyAwarded", world.as_(silent).refund, bounty_id)
    before = world.balance(objector)
    refund = world.as_(objector).refund(bounty_id)
    assert refund.amount == kept and world.balance(objector) - before == kept - refund.gas_cost_wei
    assert world.escrow.bounty(bounty_id).total == 0
    assert_escrow_solvent(world)


# --- spam marking through the review --------------------------------------------------------


def _bonded_review(world, kind="eth"):
    created = world.escrow.create_bonded_bounty(
        ISSUE, world.chain.now() + 30 * DAY, BOND, token=world.token(kind), approver=world.approver.address,
        review=ReviewTerms(3 * DAY, 0, None, False))
    assert created.approver == world.approver.address
    if kind != "eth":
        for account in (*world.hunters, world.approver, world.issuer):
            world.send(world.issuer, world.tokens[kind].functions.mint(account.address, MINTED))
    return created.bounty_id


@pytest.mark.parametrize("kind", CURRENCIES)
def test_the_proposer_marks_spam_through_the_review_and_gains_nothing(world, kind):
    """Attacker: the proposer (or the issuer) pledging just before calling a claim spam, to
    take part of the bond. Their pledges are left out: the bond goes to the other funders."""
    bounty_id = _bonded_review(world, kind)
    token = world.token(kind)
    funder = world.funders[0]
    world.as_(funder).pledge(bounty_id, ETHER)
    spam = world.as_(world.hunters[0]).submit_bonded_solution(bounty_id, f"{PR}1").claim_id
    world.as_(world.approver).pledge(bounty_id, 5 * ETHER)
    world.as_(world.issuer).pledge(bounty_id, 5 * ETHER)
    bond = _arrived(kind, BOND)
    assert world.escrow.claim_bond(bounty_id, spam) == bond

    fns = review_fns(world)
    refused("NotProposer", world.as_(world.issuer).mark_spam, bounty_id, spam)
    raw_refused(world, "NotProposer", world.funders[1], fns.markSpam(bounty_id, spam))
    raw_refused(world, "NotApprover", world.approver, world.escrow.contract.functions.markSpam(bounty_id, spam))
    raw_refused(world, "NotReviewContract", world.approver,
                world.escrow.contract.functions.markSpamFor(bounty_id, spam, world.approver.address))

    marked = world.as_(world.approver).mark_spam(bounty_id, spam)
    assert (marked.slashed, marked.amount, marked.hunter) == (True, bond, world.hunters[0].address)
    assert world.escrow.claim_bond(bounty_id, spam) == 0
    assert world.escrow.slashed_owed(bounty_id, world.approver.address) == 0
    assert world.escrow.slashed_owed(bounty_id, world.issuer.address) == 0
    owed = world.escrow.slashed_owed(bounty_id, funder.address)
    assert bond - 1 <= owed <= bond
    refused("NoBond", world.as_(world.approver).mark_spam, bounty_id, spam)

    world.as_(funder).claim_slashed(bounty_id)
    before = world.balance(funder, token)
    withdrawn = world.as_(funder).withdraw(token)
    gas = withdrawn.gas_cost_wei if kind == "eth" else 0
    assert world.balance(funder, token) == before + _arrived(kind, owed) - gas
    world.escrow.cancel(bounty_id)
    refused("NoBond", world.as_(world.hunters[0]).withdraw_bond, bounty_id, spam)
    assert_escrow_solvent(world)


def test_a_part_objector_gets_its_whole_part_of_a_bond_slashed_before_it_rejoins(world):
    """Slashed bonds follow the shares at the new ratio: an objector of a part that has not
    acted since is owed exactly what its pledge's worth earns, as a funder who acted is."""
    bounty_id = _bonded_review(world)
    objector, silent = world.funders[:2]
    world.as_(objector).pledge(bounty_id, 2 * ETHER)
    world.as_(silent).pledge(bounty_id, 2 * ETHER)
    world.as_(world.hunters[0]).submit_bonded_solution(bounty_id, f"{PR}1")
    spam = world.as_(world.hunters[1]).submit_bonded_solution(bounty_id, f"{PR}2").claim_id
    _pass_part(world, bounty_id, 7_500, objectors=[objector])
    # The objector keeps 2 ETH, the silent funder 0.5 ETH: the bond splits 4 to 1.
    world.as_(world.approver).mark_spam(bounty_id, spam)
    owed = {f.address: world.escrow.slashed_owed(bounty_id, f.address) for f in (objector, silent)}
    assert abs(owed[objector.address] - BOND * 4 // 5) <= 2 and abs(owed[silent.address] - BOND // 5) <= 2
    assert sum(owed.values()) <= BOND
    for funder in (objector, silent):
        credited = world.as_(funder).claim_slashed(bounty_id)
        assert credited.tx_hash
        assert world.escrow.credit_of(funder.address, world.token("eth")) == owed[funder.address]
    assert_escrow_solvent(world)


def test_a_bonded_reviewed_bounty_refuses_a_zero_bond(world):
    client_refuses("ZeroBond", world.escrow.create_bonded_bounty, ISSUE, world.chain.now() + 30 * DAY, 0,
                   review=ReviewTerms(3 * DAY, 0, None, False))
    terms = (3 * DAY, 0, "0x" + "00" * 20, False, b"", "")
    raw_refused(world, "ZeroBond", world.issuer, review_fns(world).createBondedBountyWithReview(
        world.token("eth"), world.chain.now() + 30 * DAY, world.approver.address, ISSUE, terms, 0))


def test_a_part_proposal_on_a_plain_bounty_is_refused(world):
    bounty_id = world.new_bounty(approver=world.approver)
    world.as_(world.funders[0]).pledge(bounty_id, ETHER)
    world.as_(world.hunters[0]).submit_solution(bounty_id, f"{PR}1")
    with pytest.raises(InvalidAward):
        world.as_(world.approver).propose(bounty_id, {1: BPS}, part_bps=BPS)
    refused("NotOptimistic", world.as_(world.approver).propose, bounty_id, {1: BPS}, part_bps=3_000)


def test_the_index_records_a_milestone_through_the_review_and_who_the_award_left_out(world, tmp_path):
    """Part 1's objector did not object to the whole award that followed: the index counts its
    pledge as paid to the award, not as withheld (only the award's own objectors are)."""
    from bountychain.index import Indexer, queries

    bounty_id = review_bounty(world, pledges=(ETHER, 2 * ETHER, ETHER))
    part_objector, silent, award_objector = world.funders[:3]
    _pass_part(world, bounty_id, 3_000, objectors=[part_objector])
    world.as_(world.approver).propose(bounty_id, {2: BPS})
    world.as_(award_objector).object(bounty_id)
    past_window(world, bounty_id)
    world.as_(world.outsider).finalize(bounty_id)

    indexer = Indexer.for_client(world.escrow, tmp_path / "index.db", confirmations=0)
    indexer.sync()
    found = queries.bounty(indexer.db, bounty_id)
    assert (found.bounty.status, found.bounty.proposal_state, found.bounty.proposal_nonce) == ("awarded", "executed", 2)
    assert [tuple(r) for r in indexer.db.execute(
        "SELECT part_bps FROM milestones WHERE bounty_id = :value", {"value": bounty_id})] == [(3_000,)]
    states = {p.funder: p.state for p in found.pledges}
    assert states == {part_objector.address: "awarded", silent.address: "awarded",
                      award_objector.address: "refundable"}
    assert world.escrow.pledge_of(bounty_id, part_objector.address).amount == 0
    assert world.escrow.pledge_of(bounty_id, award_objector.address).amount > 0


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    pledges=st.lists(st.integers(1, 10**21), min_size=2, max_size=3),
    steps=st.lists(st.tuples(st.sampled_from(["part", "pledge"]), st.integers(1, 9_999), st.integers(0, 7),
                             st.integers(1, 10**20)), max_size=5),
    end=st.tuples(st.sampled_from(["award", "cancel"]), st.integers(0, 7)),
)
def test_many_reviewed_parts_with_objectors_and_awkward_amounts_sum_exactly(world, pledges, steps, end):
    """Whatever the parts, objections and top-ups: winners + fees + refunds equal what came in,
    to the wei; each objector's pledge keeps its worth through its part (within a few units);
    nothing is stranded."""
    if type(world.chain).__name__ == "AnvilNode":
        pytest.skip("the in-process chain runs the property; anvil runs the examples above")
    snapshot = world.chain.snapshot()
    try:
        created = world.escrow.create_bounty(ISSUE, world.chain.now() + 120 * DAY, approver=world.approver.address,
                                             review=ReviewTerms(DAY, 0, None, False))
        bounty_id = created.bounty_id
        world.as_(world.hunters[0]).submit_solution(bounty_id, f"{PR}p")
        funders = world.funders[:3]
        came_in = went_out = 0
        for funder, amount in zip(funders, pledges):
            came_in += world.as_(funder).pledge(bounty_id, amount).amount

        def review(part_bps, mask):
            """One proposal with the funders in `mask` objecting; returns what it paid."""
            world.as_(world.approver).propose(bounty_id, {1: BPS}, part_bps=part_bps)
            objectors = [f for i, f in enumerate(funders) if mask >> i & 1 and _value(world, bounty_id, f)]
            before = {f.address: _value(world, bounty_id, f) for f in objectors}
            for objector in objectors:
                world.as_(objector).object(bounty_id)
            past_window(world, bounty_id)
            paid = world.as_(world.outsider).finalize(bounty_id).pool
            if part_bps is not None:
                # Rounding moves it by a few units at most: down for the pool, or up by what the
                # round's last objector takes of the rounded-up kept value.
                for objector in objectors:
                    assert abs(_value(world, bounty_id, objector) - before[objector.address]) <= 3
            return paid

        for action, part, mask, amount in steps:
            total = world.escrow.bounty(bounty_id).total
            if action == "part" and total * part // BPS > 0:
                went_out += review(part, mask)
            elif action == "pledge":
                came_in += world.as_(funders[mask % 3]).pledge(bounty_id, amount).amount
        how, mask = end
        if how == "award":
            went_out += review(None, mask)
        if world.escrow.bounty(bounty_id).status == BountyStatus.OPEN:
            world.escrow.cancel(bounty_id)
        for funder in funders:
            if _value(world, bounty_id, funder):
                went_out += world.as_(funder).refund(bounty_id).amount
        assert world.escrow.bounty(bounty_id).total == 0
        assert went_out == came_in
    finally:
        world.chain.revert(snapshot)
