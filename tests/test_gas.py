"""Gas is exact: no operation may cost more than the committed gas-report.json says, and
none may grow with the number of funders or solutions on the bounty."""

import json

from benchmarks.gas_report import OPERATIONS, README, REPORT, markdown_table, measure
from tests.conftest import DAY, ISSUE, PR

ETHER = 10**18
SIGNED_OPERATIONS = ("pledge_erc20_permit", "submit_solution_by_sig")
SIGNATURE_SLACK = 4 * 12  # four signature bytes that happen to be non-zero this time


def test_gas_report_covers_every_operation():
    assert set(json.loads(REPORT.read_text())) == set(OPERATIONS)


def test_readme_shows_the_committed_report():
    assert markdown_table(json.loads(REPORT.read_text())) in README.read_text(), "run `make bench`"


def test_no_operation_costs_more_than_the_committed_report(session_world):
    """Runs on a fresh deployment in the session's chain (in-process, then anvil)."""
    chain = session_world.chain
    snapshot = chain.snapshot()
    try:
        measured = measure(chain)
    finally:
        chain.revert(snapshot)
    committed = json.loads(REPORT.read_text())
    # A signature's bytes are calldata, and their zero bytes cost 4 gas instead of 16: signed
    # operations vary by a few bytes' worth from run to run (expiry and deadline differ).
    slack = {key: SIGNATURE_SLACK for key in SIGNED_OPERATIONS}
    regressions = {key: (measured[key], committed[key]) for key in committed
                   if measured[key] > committed[key] + slack.get(key, 0)}
    assert not regressions, f"gas rose above gas-report.json (measured, committed): {regressions}"


def _costs(world, funders: int, claims: int) -> dict[str, int]:
    """Gas of each operation on a bounty that already has `funders` pledges and `claims` solutions."""
    bounty_id = world.new_bounty()
    extra = [world.chain.new_account() for _ in range(funders)]
    for account in extra:
        world.as_(account).pledge(bounty_id, ETHER)
    for i in range(claims):
        world.as_(world.hunters[i % 3]).submit_solution(bounty_id, f"{PR}{i:04d}")
    costs = {
        "pledge_new_funder": world.as_(world.funders[0]).pledge(bounty_id, ETHER).gas_used,
        "pledge_topup": world.as_(world.funders[0]).pledge(bounty_id, ETHER).gas_used,
        "submit_solution": world.as_(world.hunters[0]).submit_solution(bounty_id, f"{PR}last").gas_used,
    }
    last_claim = claims + 1
    costs["award_one"] = world.escrow.award(bounty_id, {last_claim: 10_000}).gas_used
    refunding = world.new_bounty()
    for account in extra:
        world.as_(account).pledge(refunding, ETHER)
    world.as_(world.funders[1]).pledge(refunding, ETHER)
    world.escrow.cancel(refunding)
    costs["refund"] = world.as_(world.funders[1]).refund(refunding).gas_used
    return costs


def _fundraiser_costs(world, backers: int) -> dict[str, int]:
    """Gas of fundraiser operations on fundraisers that already have `backers` pledges."""
    now = world.chain.now()
    extra = [world.chain.new_account() for _ in range(backers)]
    met = world.escrow.create_fundraiser(ISSUE, world.outsider.address, ETHER, now + DAY).fundraiser_id
    missed = world.escrow.create_fundraiser(ISSUE, world.outsider.address, 10**9 * ETHER, now + DAY).fundraiser_id
    for account in extra:
        world.as_(account).pledge(met, ETHER)
        world.as_(account).pledge(missed, ETHER)
    costs = {"pledge": world.as_(world.funders[0]).pledge(met, ETHER).gas_used}
    world.as_(world.funders[0]).pledge(missed, ETHER)
    world.chain.set_next_block_timestamp(now + DAY + 1)
    costs["withdraw_raised"] = world.escrow.withdraw_raised(met).gas_used
    costs["refund"] = world.as_(world.funders[0]).refund(missed).gas_used
    return costs


def test_fundraiser_gas_does_not_grow_with_backers(world):
    _fundraiser_costs(world, backers=1)
    assert _fundraiser_costs(world, backers=1) == _fundraiser_costs(world, backers=12)


def test_gas_does_not_grow_with_funders_or_solutions(world):
    # Warm-up: the fee recipient's first credit writes a fresh slot and costs more.
    _costs(world, funders=1, claims=1)
    few = _costs(world, funders=1, claims=1)
    many = _costs(world, funders=12, claims=12)
    assert few == many
