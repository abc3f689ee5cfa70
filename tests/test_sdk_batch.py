"""Many transactions from one account without waiting for each receipt (issue 12): the
client counts the nonces, simulates everything before sending anything, and every value
lands exactly once."""

from __future__ import annotations

import pytest

from bountychain.errors import BountyClosed, InvalidAmount, InvalidInput, InvalidURI

PR = "https://github.com/org/repo/pull/{}"


def test_pledge_many_sends_every_pledge_once_with_consecutive_nonces(world) -> None:
    first, second = world.new_bounty(), world.new_bounty()
    funder = world.funders[0]
    client = world.as_(funder)
    balance, nonce = world.balance(funder), world.nonce(funder)
    escrow_before = world.balance(world.escrow.address)
    plan = [(first, 10**15), (second, "0.002 ether"), (first, 3 * 10**15), (second, 4 * 10**15), (first, 5)]
    results = client.pledge_many(plan)
    assert [(r.bounty_id, r.amount) for r in results] == [
        (first, 10**15), (second, 2 * 10**15), (first, 3 * 10**15), (second, 4 * 10**15), (first, 5)]
    assert [world.chain.w3.eth.get_transaction(r.tx_hash)["nonce"] for r in results] == list(
        range(nonce, nonce + 5))
    assert world.nonce(funder) == nonce + 5
    paid = 10**15 + 2 * 10**15 + 3 * 10**15 + 4 * 10**15 + 5
    assert world.balance(funder) == balance - paid - sum(r.gas_cost_wei for r in results)
    assert world.balance(world.escrow.address) == escrow_before + paid
    assert client.pledge_of(first, funder.address).amount == 10**15 + 3 * 10**15 + 5
    assert client.pledge_of(second, funder.address).amount == 6 * 10**15


def test_a_bad_item_sends_nothing_at_all(world) -> None:
    open_bounty = world.new_bounty()
    closing = world.new_bounty()
    world.escrow.cancel(closing)
    funder = world.funders[1]
    client = world.as_(funder)
    nonce = world.nonce(funder)
    with pytest.raises(BountyClosed):
        client.pledge_many([(open_bounty, 10**15), (closing, 10**15)])
    with pytest.raises(InvalidAmount):
        client.pledge_many([(open_bounty, 10**15), (open_bounty, 0)])
    with pytest.raises(InvalidInput, match="paid in a token"):
        client.pledge_many([(open_bounty, 10**15), (world.new_bounty("standard"), 10)])
    with pytest.raises(InvalidURI):
        world.as_(world.hunters[0]).submit_solutions([(open_bounty, PR.format(1)), (open_bounty, "not a url")])
    assert world.nonce(funder) == nonce
    assert client.pledge_of(open_bounty, funder.address).amount == 0
    assert client.pledge_many([]) == []


def test_submit_solutions_registers_each_claim_in_order(world) -> None:
    bounty_id = world.new_bounty(days=10)
    hunter = world.as_(world.hunters[2])
    results = hunter.submit_solutions([(bounty_id, PR.format(n)) for n in range(1, 4)])
    assert [(r.claim_id, r.uri) for r in results] == [(n, PR.format(n)) for n in range(1, 4)]
    assert [c.uri for c in hunter.claims(bounty_id)] == [PR.format(n) for n in range(1, 4)]
