"""Milestones and spam marking on an optimistic bounty, on the command line against anvil:
the words a person reads before and after each step, and the exact wei that moves."""

from __future__ import annotations

import pytest

from tests.test_cli import ETHER, FEE_BPS, ISSUE, PR1, PR2, World, w, world  # noqa: F401 (fixtures)
from tests.test_cli_review import WIDE, said

pytestmark = pytest.mark.anvil

BOND = ETHER // 100


def test_a_milestone_through_the_review_keeps_the_objectors_pledge_and_spam_pays_the_funders(w: World) -> None:
    created = w.json("--yes", "create-optimistic", ISSUE, "--deadline", "30d", "--window", "3d",
                     "--approver", w.approver_address, "--bond", "0.01 ETH", key=w.issuer)
    bounty_id = str(created["bounty_id"])
    assert w.escrow.bond_of(int(bounty_id)) == BOND
    w.json("--yes", "--account", "funder", "pledge", bounty_id, "0.6 ETH")
    w.escrow.as_signer(w.issuer).pledge(int(bounty_id), ETHER // 2)
    hunter, flooder = w.hunters
    w.json("submit", bounty_id, PR1, "--yes", key=hunter)
    spam = w.json("submit", bounty_id, PR2, "--yes", key=flooder)

    # The proposer marks the flood: the bond goes to the funder, never to the issuer's pledge.
    refused = w.run("--yes", "mark-spam", bounty_id, str(spam["claim_id"]), key=w.issuer)
    assert refused.returncode != 0 and "is not the approver who proposes awards" in said(refused)
    text = said(w.ok("--yes", "--account", "approver", "mark-spam", bounty_id, str(spam["claim_id"]), env=WIDE))
    assert "through the review contract" in text and "0.01 ETH" in text
    assert BOND - 1 <= w.escrow.slashed_owed(int(bounty_id), w.funder.address) <= BOND  # rounded down
    assert w.escrow.slashed_owed(int(bounty_id), w.issuer.address) == 0

    plan = said(w.run("--account", "approver", "propose", bounty_id, "1=100%", "--part", "30%", stdin="n\n",
                      env=WIDE))
    assert "propose a milestone of bounty" in plan and "30% of the pledges that pay = at most 0.33 ETH" in plan
    proposed = w.json("--yes", "--account", "approver", "propose", bounty_id, "1=100%", "--part", "30%")
    assert proposed["part_bps"] == 3_000
    shown = said(w.ok("proposal", bounty_id, env=WIDE))
    assert "a milestone of 30% of the pledges that pay; the rest stays open" in shown

    plan = said(w.run("--account", "funder", "object", bounty_id, stdin="n\n", env=WIDE))
    assert "your 0.6 ETH is withheld from this milestone (30%) only" in plan
    assert "pays the next milestone unless you object to that one too" in plan
    w.json("--yes", "--account", "funder", "object", bounty_id)

    w.node.set_next_block_timestamp(proposed["window_end"])
    before = w.balance(hunter.address)
    words = said(w.ok("--yes", "finalize", bounty_id, key=flooder, env=WIDE))
    pool = ETHER // 2 * 3_000 // 10_000
    fee = pool * FEE_BPS // 10_000
    assert f"Paid milestone #1 of bounty {bounty_id}; it stays open" in words
    assert "still pledged 0.95 ETH" in words
    assert w.balance(hunter.address) - before == pool - fee
    assert ETHER * 6 // 10 - 2 <= w.escrow.pledge_of(int(bounty_id), w.funder.address).amount <= ETHER * 6 // 10
    assert w.escrow.bounty(int(bounty_id)).status.name == "OPEN"


def test_milestone_proposals_are_refused_in_words_and_send_nothing(w: World) -> None:
    created = w.json("--yes", "create-optimistic", ISSUE, "--deadline", "30d", "--window", "3d",
                     "--approver", w.approver_address, key=w.issuer)
    bounty_id = str(created["bounty_id"])
    w.json("--yes", "--account", "funder", "pledge", bounty_id, "0.1 ETH")
    w.escrow.as_signer(w.hunters[0]).submit_solution(int(bounty_id), PR1)
    approver_nonce = w.nonce(w.approver_address)
    for part, words in (("100%", "less than 100%"), ("0", "more than 0%"), ("x", "not a part of the pool")):
        proc = w.run("--yes", "--account", "approver", "propose", bounty_id, "1=100%", "--part", part)
        assert proc.returncode != 0 and words in said(proc)
    proc = w.run("--yes", "--account", "approver", "award", bounty_id, "1=100%", "--part", "30%")
    assert proc.returncode != 0 and "propose --part for a milestone" in said(proc)
    proc = w.run("--yes", "create-optimistic", ISSUE, "--deadline", "30d", "--window", "3d", "--bond", "0 ETH",
                 key=w.issuer)
    assert proc.returncode != 0 and "--bond must be above zero" in said(proc)
    assert w.nonce(w.approver_address) == approver_nonce
