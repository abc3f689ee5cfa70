"""The index and API on milestones and spam marks through the review (issue 16), checked
against the chain to the wei. A reviewed milestone that an objector's pledge stayed out of
leaves that pledge its value: the escrow rewrites the objector's shares at the new ratio when
it next acts, and `pledgeOf` values it so before it does; the index replays the same
arithmetic (`index.shares`), so each funder's `outstanding` is what `pledgeOf` says at every
step. A pending proposal names the part of the pool it asks for (PartProposed), and the
proposer's spam marks (SpamMarked) are listed with the bonds they slashed. On both chains, and
on both index backends where the scenario is the main one."""

from __future__ import annotations

import itertools
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bountychain import BountyStatus
from bountychain.index import Indexer, migrations, queries
from bountychain.index.records import BountyDetail
from bountychain.index.store import set_meta
from bountychain.web import WebApp
from tests.conftest import DAY, ISSUE, PR
from tests.test_review import past_window, review_bounty
from tests.test_review_parts import BOND, _bonded_review, _pass_part
from tests.test_web_api import _start

ETHER = 10**18
BPS = 10_000


def _checked(world: Any, indexer: Indexer, bounty_id: int) -> BountyDetail:
    """Syncs the index and checks every funder's pledge against the chain: `outstanding` is
    what `pledgeOf` says, to the wei, and pledged = refunded + outstanding + paid_out; each
    funder's record sums its pledges the same way. Returns the bounty's detail."""
    indexer.sync()
    detail = queries.bounty(indexer.db, bounty_id, escrow=world.escrow.address)
    assert detail is not None
    assert detail.pledges
    for pledge in detail.pledges:
        on_chain = world.escrow.pledge_of(bounty_id, pledge.funder).amount
        assert pledge.outstanding == on_chain, (pledge, detail.bounty.status, on_chain)
        assert pledge.pledged == pledge.refunded + pledge.outstanding + pledge.paid_out, pledge
        record = queries.sponsor_record(indexer.db, pledge.funder, escrow=world.escrow.address)
        for tokens in record.by_token:
            assert tokens.pledged == tokens.refunded + tokens.outstanding + tokens.paid_out + tokens.to_fundraisers
        assert sum(p.outstanding for p in record.pledges if p.bounty_id == bounty_id) == pledge.outstanding
    # Together the pledges hold what the bounty holds, but for the units the shares' rounding
    # leaves in the pool (taken by the last shares out).
    assert 0 <= detail.bounty.total - sum(p.outstanding for p in detail.pledges) <= len(detail.pledges)
    return detail


def test_each_pledge_is_worth_what_pledge_of_says_through_milestones_that_left_objectors_out(
        world: Any, index_db: Any) -> None:
    a, b, c = world.funders[:3]
    bounty_id = review_bounty(world, pledges=(ETHER + 7, 2 * ETHER + 1, 3 * ETHER - 5))
    indexer = Indexer.for_client(world.escrow, index_db(), confirmations=0)

    # A milestone that a and b objected to: their pledges keep their value, and neither has acted
    # since (the escrow still stores their shares of the old ratio).
    _pass_part(world, bounty_id, 3_000, shares={2: BPS}, objectors=[a, b])
    detail = _checked(world, indexer, bounty_id)
    by_funder = {p.funder: p for p in detail.pledges}
    assert by_funder[c.address].to_milestones > 0
    assert abs(by_funder[a.address].to_milestones) <= 3 and abs(by_funder[b.address].to_milestones) <= 3

    # a tops up (its shares are rewritten first); b still holds old shares through the next
    # milestone, which c objects to (b's pledge pays it).
    world.as_(a).pledge(bounty_id, 10**17 + 3)
    _pass_part(world, bounty_id, 4_567, shares={1: 6_001, 2: 3_999}, objectors=[c])
    _checked(world, indexer, bounty_id)

    # A pending proposal of a part names it; b objects to it (rewritten at round 1's record, the
    # last of its round: it takes the rest) and its pledge is withheld at its new value.
    world.as_(world.approver).propose(bounty_id, {1: 7_000, 2: 3_000}, part_bps=2_500)
    summary = _checked(world, indexer, bounty_id).bounty
    assert (summary.status, summary.proposal_state, summary.proposed_part_bps, summary.proposed_claims,
            summary.proposed_shares) == ("under_review", "pending", 2_500, (1, 2), (7_000, 3_000))
    world.as_(b).object(bounty_id)
    assert {p.state for p in _checked(world, indexer, bounty_id).pledges} == {"frozen"}
    past_window(world, bounty_id)
    world.as_(world.outsider).finalize(bounty_id)
    assert _checked(world, indexer, bounty_id).bounty.proposal_state == "executed"

    # A whole award that c objects to (c rewritten at round 2's record first): c's pledge stays.
    world.as_(world.approver).propose(bounty_id, {1: BPS})
    assert _checked(world, indexer, bounty_id).bounty.proposed_part_bps == 0  # the whole pool
    world.as_(c).object(bounty_id)
    past_window(world, bounty_id)
    world.as_(world.outsider).finalize(bounty_id)
    detail = _checked(world, indexer, bounty_id)
    assert detail.bounty.status == "awarded"
    states = {p.funder: (p.state, p.outstanding > 0) for p in detail.pledges}
    assert states == {a.address: ("awarded", False), b.address: ("awarded", False), c.address: ("refundable", True)}
    world.as_(c).refund(bounty_id)
    detail = _checked(world, indexer, bounty_id)
    assert detail.bounty.total == 0 and {p.state for p in detail.pledges} == {"awarded", "refunded"}


def test_an_arbiter_upholding_a_milestone_takes_the_objectors_fraction_too_in_the_index(
        world: Any, index_db: Any) -> None:
    """An arbiter who upholds a blocked milestone makes it take every pledge's fraction, the
    objector's too: the index values each pledge as `pledgeOf` does, none withheld."""
    arbiter = world.chain.new_account()
    bounty_id = review_bounty(world, arbiter=arbiter.address, quorum=3_000, pledges=(2 * ETHER, 2 * ETHER))
    objector, silent = world.funders[:2]
    indexer = Indexer.for_client(world.escrow, index_db(), confirmations=0)
    world.as_(world.approver).propose(bounty_id, {1: BPS}, part_bps=2_500)
    assert world.as_(objector).object(bounty_id).outcome == "blocked"
    assert {p.state for p in _checked(world, indexer, bounty_id).pledges} == {"frozen"}
    world.as_(arbiter).rule(bounty_id, "pay")
    world.as_(world.outsider).finalize(bounty_id)
    detail = _checked(world, indexer, bounty_id)
    by_funder = {p.funder: p for p in detail.pledges}
    # Each gave its fraction of the part (a quarter of 4 ether between two equal pledges).
    assert by_funder[objector.address].to_milestones == by_funder[silent.address].to_milestones == ETHER // 2
    assert by_funder[objector.address].outstanding == by_funder[silent.address].outstanding == 3 * ETHER // 2
    assert detail.bounty.status == "open"


def test_an_arbiter_upholding_a_whole_award_takes_the_objectors_pledge_too_in_the_index(
        world: Any, index_db: Any) -> None:
    """Objectors are left out of an award only when the review's own count passed it; an award
    the arbiter upheld took every pledge, and the index says so (no refund is open to them)."""
    arbiter = world.chain.new_account()
    bounty_id = review_bounty(world, arbiter=arbiter.address, quorum=3_000, pledges=(2 * ETHER, ETHER))
    objector, silent = world.funders[:2]
    indexer = Indexer.for_client(world.escrow, index_db(), confirmations=0)
    world.as_(world.approver).propose(bounty_id, {1: BPS})
    assert world.as_(objector).object(bounty_id).outcome == "blocked"
    world.as_(arbiter).rule(bounty_id, "pay")
    world.as_(world.outsider).finalize(bounty_id)
    detail = _checked(world, indexer, bounty_id)
    assert detail.bounty.status == "awarded"
    assert {p.funder: (p.state, p.outstanding, p.paid_out) for p in detail.pledges} == {
        objector.address: ("awarded", 0, 2 * ETHER), silent.address: ("awarded", 0, ETHER)}
    record = queries.sponsor_record(indexer.db, objector.address, escrow=world.escrow.address)
    assert [(p.state, p.outstanding) for p in record.pledges if p.bounty_id == bounty_id] == [("awarded", 0)]


def test_spam_marks_through_the_review_are_listed_and_rewrite_the_proposers_and_issuers_shares(
        world: Any, tmp_path: Any) -> None:
    """The proposer and the issuer both objected to a milestone; the proposer's spam mark rewrites
    the proposer's shares, then the issuer's (the last of the round, taking the rest), before
    either is credited. A funder's claim of its slashed-bond part rewrites its own. The detail
    lists each mark, and the API answers with the part a pending proposal asks for, the marks
    and each funder's value as `pledgeOf` gives it."""
    bounty_id = _bonded_review(world)
    funder, other = world.funders[:2]
    proposer, issuer = world.approver, world.issuer
    for account, amount in ((funder, ETHER + 1), (other, ETHER // 3), (proposer, 2 * ETHER + 3),
                            (issuer, 3 * ETHER - 1)):
        world.as_(account).pledge(bounty_id, amount)
    claims = [world.as_(hunter).submit_bonded_solution(bounty_id, f"{PR}{n}").claim_id
              for n, hunter in enumerate(world.hunters[:3])]
    good, spam, later_spam = claims
    indexer = Indexer.for_client(world.escrow, tmp_path / "index.sqlite3", confirmations=0)

    _pass_part(world, bounty_id, 3_333, shares={good: BPS}, objectors=[issuer, proposer])
    _checked(world, indexer, bounty_id)
    marked = world.as_(proposer).mark_spam(bounty_id, spam)
    detail = _checked(world, indexer, bounty_id)
    assert [(m.claim_id, m.hunter, m.bond, m.marked_by, m.through_review) for m in detail.spam_marks] == [
        (spam, world.hunters[1].address, BOND, proposer.address, True)]
    assert detail.spam_marks[0].tx_hash == marked.tx_hash

    # funder objects to the next milestone; a second mark; funder then claims its part of the
    # bonds (the claim rewrites its shares first) and other pledges again.
    _pass_part(world, bounty_id, 1_234, shares={good: BPS}, objectors=[funder])
    world.as_(proposer).mark_spam(bounty_id, later_spam)
    world.as_(funder).claim_slashed(bounty_id)
    world.as_(other).pledge(bounty_id, 10**15 + 1)
    detail = _checked(world, indexer, bounty_id)
    assert [m.claim_id for m in detail.spam_marks] == [spam, later_spam]

    # A pending part proposal, and the API's answers.
    world.as_(proposer).propose(bounty_id, {good: BPS}, part_bps=5_000)
    _checked(world, indexer, bounty_id)
    web = WebApp(None, str(tmp_path / "index.sqlite3"))
    server, base = _start(web)
    try:
        with httpx.Client(base_url=base, timeout=10) as http:
            answer = http.get(f"/api/bounties/{bounty_id}").json()
            funder_answer = http.get(f"/api/funders/{funder.address}").json()
    finally:
        server.shutdown()
        server.server_close()
    assert {key: answer["bounty"][key] for key in ("proposal_state", "proposed_part_bps", "proposed_claims")} == {
        "proposal_state": "pending", "proposed_part_bps": 5_000, "proposed_claims": [good]}
    assert answer["spam_marks"][0] == {
        "bounty_id": bounty_id, "claim_id": spam, "hunter": world.hunters[1].address, "bond": str(BOND),
        "marked_by": proposer.address, "through_review": True, "block_number": detail.spam_marks[0].block_number,
        "tx_hash": marked.tx_hash}
    assert {p["funder"]: p["outstanding"] for p in answer["pledges"]} == {
        account.address: str(world.escrow.pledge_of(bounty_id, account.address).amount)
        for account in (funder, other, proposer, issuer)}
    (tokens,) = funder_answer["by_token"]
    assert tokens["outstanding"] == str(world.escrow.pledge_of(bounty_id, funder.address).amount)
    assert tokens["slashed_credit"] == str(world.escrow.credit_of(funder.address))

    # An index that read these blocks before schema 10 lacks the part and the marks; the upgrade
    # notes the escrow (`migrations._to_10`) and its indexer reads them once.
    parts = sorted(tuple(row) for row in indexer.db.execute("SELECT * FROM part_proposals"))
    marks = sorted(tuple(row) for row in indexer.db.execute("SELECT * FROM spam_marks"))
    assert len(parts) == 3 and len(marks) == 2
    with indexer.db.transaction():
        indexer.db.execute("DELETE FROM part_proposals")
        indexer.db.execute("DELETE FROM spam_marks")
        indexer.db.execute("UPDATE bounties SET proposed_part_bps = 0")
        set_meta(indexer.db, f"{migrations.BACKFILL_REVIEW_PARTS}{indexer.chain_id}:{world.escrow.address}",
                 indexer.cursor)
    assert queries.bounty(indexer.db, bounty_id, escrow=world.escrow.address).bounty.proposed_part_bps == 0
    assert indexer.sync().ranges == 0
    assert sorted(tuple(row) for row in indexer.db.execute("SELECT * FROM part_proposals")) == parts
    assert sorted(tuple(row) for row in indexer.db.execute("SELECT * FROM spam_marks")) == marks
    assert _checked(world, indexer, bounty_id).bounty.proposed_part_bps == 5_000


def test_a_plain_bountys_spam_mark_is_the_approvers_on_the_escrow(world: Any, tmp_path: Any) -> None:
    created = world.escrow.create_bonded_bounty(ISSUE, world.chain.now() + 30 * DAY, BOND,
                                                approver=world.approver.address)
    world.as_(world.funders[0]).pledge(created.bounty_id, ETHER)
    spam = world.as_(world.hunters[0]).submit_bonded_solution(created.bounty_id, f"{PR}1").claim_id
    world.as_(world.approver).mark_spam(created.bounty_id, spam)
    indexer = Indexer.for_client(world.escrow, tmp_path / "index.sqlite3", confirmations=0)
    detail = _checked(world, indexer, created.bounty_id)
    assert [(m.claim_id, m.bond, m.marked_by, m.through_review) for m in detail.spam_marks] == [
        (spam, BOND, world.approver.address, False)]
    assert indexer.db.execute("SELECT COUNT(*) FROM spam_marks").fetchone()[0] == 0  # no review event


_examples = itertools.count()


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    pledges=st.lists(st.integers(1, 10**21), min_size=3, max_size=3),
    steps=st.lists(st.tuples(st.sampled_from(["part", "pledge"]), st.integers(1, 9_999), st.integers(0, 7),
                             st.integers(1, 10**20)), min_size=1, max_size=5),
    end=st.tuples(st.sampled_from(["award", "cancel"]), st.integers(0, 7)),
    refunds=st.lists(st.integers(1, 99), min_size=3, max_size=3),
)
def test_any_reviewed_parts_objections_top_ups_and_refunds_index_to_the_wei(
        world: Any, tmp_path: Any, pledges: list[int], steps: list[tuple[str, int, int, int]],
        end: tuple[str, int], refunds: list[int]) -> None:
    """Whatever the milestones, their objectors, the top-ups, the end (a whole award some object
    to, or a cancel) and the partial refunds after it: after every step each funder's pledge in
    the index is what `pledgeOf` says."""
    if type(world.chain).__name__ == "AnvilNode":
        pytest.skip("the in-process chain runs the property; anvil runs the scenarios above")
    snapshot = world.chain.snapshot()
    try:
        bounty_id = review_bounty(world, days=120, window=DAY, pledges=pledges, claims=1)
        funders = world.funders[:3]
        indexer = Indexer.for_client(world.escrow, tmp_path / f"index{next(_examples)}.sqlite3", confirmations=0)

        def review(part_bps: int | None, mask: int) -> None:
            world.as_(world.approver).propose(bounty_id, {1: BPS}, part_bps=part_bps)
            for i, funder in enumerate(funders):
                if mask >> i & 1 and world.escrow.pledge_of(bounty_id, funder.address).amount:
                    world.as_(funder).object(bounty_id)
            past_window(world, bounty_id)
            world.as_(world.outsider).finalize(bounty_id)
            _checked(world, indexer, bounty_id)

        for action, part, mask, amount in steps:
            if action == "part" and world.escrow.bounty(bounty_id).total * part // BPS > 0:
                review(part, mask)
            elif action == "pledge":
                world.as_(funders[mask % 3]).pledge(bounty_id, amount)
                _checked(world, indexer, bounty_id)
        how, mask = end
        if how == "award":
            review(None, mask)
        if world.escrow.bounty(bounty_id).status == BountyStatus.OPEN:
            world.escrow.cancel(bounty_id)
        for funder, percent in zip(funders, refunds):  # a part of each pledge left, then the rest
            value = world.escrow.pledge_of(bounty_id, funder.address).amount
            if value * percent // 100:
                world.as_(funder).refund(bounty_id, amount=value * percent // 100)
                _checked(world, indexer, bounty_id)
        # Every share the award did not take leaves, even one milestones left worth nothing.
        taken = {p.funder for p in _checked(world, indexer, bounty_id).pledges if p.state == "awarded"}
        for funder in funders:
            if funder.address not in taken and world.escrow.shares_of(bounty_id, funder.address)[0]:
                world.as_(funder).refund(bounty_id)
        assert _checked(world, indexer, bounty_id).bounty.total == world.escrow.bounty(bounty_id).total == 0
        indexer.db.close()
    finally:
        world.chain.revert(snapshot)
