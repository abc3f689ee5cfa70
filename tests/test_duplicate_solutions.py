"""A hunter registers one pull request once per bounty (issue 15): the SDK refuses the same
hunter claiming the same URL on the same bounty again, by every path that registers a claim
(direct, batched, bonded, signed and relayed), with `DuplicateSolution` and no transaction
sent. Another hunter's claim of the same URL, or another URL, is still accepted."""

from __future__ import annotations

import pytest

from bountychain.errors import DuplicateSolution

PR = "https://github.com/org/repo/pull/{}"


def _nothing_sent(world, accounts, action) -> DuplicateSolution:
    nonces = [world.nonce(account) for account in accounts]
    balances = [world.balance(account) for account in accounts]
    with pytest.raises(DuplicateSolution) as refused:
        action()
    assert [world.nonce(account) for account in accounts] == nonces
    assert [world.balance(account) for account in accounts] == balances
    return refused.value


def test_submit_solution_refuses_the_same_hunters_same_url_twice(world) -> None:
    bounty_id = world.new_bounty()
    hunter, other = world.hunters[0], world.hunters[1]
    first = world.as_(hunter).submit_solution(bounty_id, PR.format(1))
    error = _nothing_sent(world, [hunter], lambda: world.as_(hunter).submit_solution(bounty_id, PR.format(1)))
    assert str(error) == (f"{hunter.address} already registered {PR.format(1)} on bounty {bounty_id} as claim "
                          f"{first.claim_id}: a solution counts once, so nothing was sent")
    assert world.as_(hunter).submit_solution(bounty_id, PR.format(2)).claim_id == 2  # another URL
    assert world.as_(other).submit_solution(bounty_id, PR.format(1)).claim_id == 3  # another hunter
    elsewhere = world.new_bounty()
    assert world.as_(hunter).submit_solution(elsewhere, PR.format(1)).claim_id == 1  # another bounty
    with pytest.raises(DuplicateSolution):
        world.as_(other).check_new_solution(bounty_id, PR.format(1))
    world.as_(other).check_new_solution(elsewhere, PR.format(1))  # no claim of its own there: no error
    assert [c.uri for c in world.escrow.claims(bounty_id)] == [PR.format(1), PR.format(2), PR.format(1)]


def test_a_batch_refuses_a_url_already_claimed_or_listed_twice(world) -> None:
    bounty_id = world.new_bounty()
    hunter = world.hunters[2]
    world.as_(hunter).submit_solution(bounty_id, PR.format(1))
    _nothing_sent(world, [hunter], lambda: world.as_(hunter).submit_solutions(
        [(bounty_id, PR.format(2)), (bounty_id, PR.format(1))]))
    error = _nothing_sent(world, [hunter], lambda: world.as_(hunter).submit_solutions(
        [(bounty_id, PR.format(3)), (bounty_id, PR.format(3))]))
    assert "is listed twice for bounty" in str(error)
    assert len(world.escrow.claims(bounty_id)) == 1


def test_a_bonded_claim_is_refused_before_its_bond_is_approved_or_sent(world) -> None:
    bounty_id = world.escrow.create_bonded_bounty(
        "https://github.com/org/repo/issues/7", world.chain.now() + 30 * 86_400, 10**15).bounty_id
    hunter = world.hunters[0]
    world.as_(hunter).submit_bonded_solution(bounty_id, PR.format(1))
    escrow_before = world.balance(world.escrow.address)
    _nothing_sent(world, [hunter], lambda: world.as_(hunter).submit_bonded_solution(bounty_id, PR.format(1)))
    assert world.balance(world.escrow.address) == escrow_before  # no second bond


def test_signing_and_relaying_refuse_a_claim_the_hunter_already_registered(world) -> None:
    bounty_id = world.new_bounty()
    hunter, relayer = world.hunters[1], world.funders[0]
    # The hunter hands a signed claim to a relayer, then registers the same PR itself.
    signed = world.as_(hunter).sign_solution(bounty_id, PR.format(1))
    world.as_(hunter).submit_solution(bounty_id, PR.format(1))
    _nothing_sent(world, [hunter, relayer], lambda: world.as_(relayer).relay_solution(signed))
    _nothing_sent(world, [hunter], lambda: world.as_(hunter).sign_solution(bounty_id, PR.format(1)))
    # A relayed claim counts too: relaying it again is refused by the SDK, not just by the nonce.
    other = world.as_(hunter).sign_solution(bounty_id, PR.format(2))
    world.as_(relayer).relay_solution(other)
    again = world.as_(hunter).sign_solution(bounty_id, PR.format(3))
    world.as_(relayer).relay_solution(again)
    assert [c.uri for c in world.escrow.claims(bounty_id)] == [PR.format(n) for n in (1, 2, 3)]
