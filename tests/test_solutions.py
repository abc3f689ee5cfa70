"""submitSolution: claim ids, the registry, and refusals."""

import pytest

from bountychain import BountyClosed, InvalidAward, RejectedInput
from bountychain.errors import translating_reverts
from tests.conftest import PR


def test_submit_solution_numbers_claims_per_bounty_from_one(world):
    first, second = world.new_bounty(), world.new_bounty()
    results = [world.as_(hunter).submit_solution(first, f"{PR}{i}") for i, hunter in enumerate(world.hunters)]
    assert [r.claim_id for r in results] == [1, 2, 3]
    assert world.as_(world.hunters[0]).submit_solution(second, PR).claim_id == 1
    assert world.escrow.bounty(first).claim_count == 3
    assert [world.escrow.contract.functions.claimant(first, i).call() for i in (1, 2, 3)] == [
        h.address for h in world.hunters]


def test_claims_lists_each_solution_with_its_hunter_and_url(world):
    bounty_id = world.new_bounty()
    world.as_(world.hunters[1]).submit_solution(bounty_id, PR)
    world.as_(world.hunters[1]).submit_solution(bounty_id, PR + "-v2")
    claims = world.escrow.claims(bounty_id)
    assert [(c.claim_id, c.hunter, c.uri) for c in claims] == [
        (1, world.hunters[1].address, PR), (2, world.hunters[1].address, PR + "-v2")]


def test_submit_solution_reverts_with_empty_uri(world):
    bounty_id = world.new_bounty()
    with pytest.raises(RejectedInput, match="URI is empty"):
        world.send(world.hunters[0], world.escrow.contract.functions.submitSolution(bounty_id, ""))


@pytest.mark.parametrize("offset, accepted", [(-1, True), (0, False), (1, False)])
def test_submit_solution_deadline_boundaries(world, offset, accepted):
    bounty_id = world.new_bounty()
    world.chain.set_next_block_timestamp(world.escrow.bounty(bounty_id).deadline + offset)
    fn = world.escrow.contract.functions.submitSolution(bounty_id, PR)
    if accepted:
        world.mine(world.hunters[0], fn)
        assert world.escrow.bounty(bounty_id).claim_count == 1
    else:
        with pytest.raises(BountyClosed):
            world.mine(world.hunters[0], fn)


def test_submit_solution_reverts_on_a_cancelled_bounty(world):
    bounty_id = world.new_bounty()
    world.escrow.cancel(bounty_id)
    with pytest.raises(BountyClosed) as refused:
        world.send(world.hunters[0], world.escrow.contract.functions.submitSolution(bounty_id, PR))
    assert refused.value.error_name == "BountyNotOpen"


def test_claimant_of_an_unknown_claim_reverts(world):
    bounty_id = world.new_bounty()
    world.as_(world.hunters[0]).submit_solution(bounty_id, PR)
    for claim_id in (0, 2):
        with pytest.raises(InvalidAward) as refused, translating_reverts():
            world.escrow.contract.functions.claimant(bounty_id, claim_id).call()
        assert refused.value.error_name == "UnknownClaim"
