"""Backers' review on the command line, end to end against a real anvil node, every step a
real `python -m bountychain.cli` subprocess, with balances checked to the wei: an objection
that withholds the objector's pledge (the award takes the rest, the objector refunds at
once), and objections reaching the quorum that block a proposal, escalated to a Safe-like
arbiter that decides it."""

from __future__ import annotations

import re

import pytest

from tests.test_cli import DAY, ETHER, FEE_BPS, ISSUE, PR1, PR2, World, w, world  # noqa: F401 (fixtures)

pytestmark = pytest.mark.anvil


WIDE = {"COLUMNS": "400"}  # a wide terminal, so that no sentence wraps inside a panel


def said(proc) -> str:
    """The output as one line of words."""
    return " ".join((proc.stdout + proc.stderr).split())


def test_an_objection_withholds_the_objectors_pledge_and_it_comes_back_at_once(w: World) -> None:  # noqa: F811
    created = w.json("--yes", "create-optimistic", ISSUE, "--deadline", "30d", "--window", "3d",
                     "--approver", w.approver_address, key=w.issuer)
    bounty_id = str(created["bounty_id"])
    assert (created["review_window"], created["quorum_bps"], created["arbiter"]) == (3 * DAY, 0, None)
    w.json("--yes", "--account", "funder", "pledge", bounty_id, "0.6 ETH")
    w.escrow.as_signer(w.issuer).pledge(int(bounty_id), ETHER // 2)
    hunter1, _ = w.hunters
    w.escrow.as_signer(hunter1).submit_solution(int(bounty_id), PR1)
    proposed = w.json("--yes", "--account", "approver", "propose", bounty_id, "1=100%")

    plan = said(w.run("--account", "funder", "object", bounty_id, stdin="n\n", env=WIDE))
    assert "your 0.6 ETH is withheld from this proposal" in plan
    assert "the award takes the pool without it and you refund your 0.6 ETH at once" in plan
    objected = w.json("--yes", "--account", "funder", "object", bounty_id)
    assert (objected["weight"], objected["outcome"], objected["weight_text"]) == (ETHER * 6 // 10, "withheld",
                                                                                  "0.6 ETH")
    proposal = w.json("proposal", bounty_id)
    assert (proposal["state"], proposal["weight_against_text"], proposal["weight_for_text"]) == (
        "pending", "0.6 ETH", "0.5 ETH")
    assert proposal["quorum_weight"] is None and proposal["decide_by_text"] is None
    text = said(w.ok("proposal", bounty_id, env=WIDE))
    assert "withheld 0.6 ETH (objectors' pledges, refunded after an award)" in text
    assert "for 0.5 ETH (silent funders: what an unblocked award takes)" in text
    assert "quorum none (no arbiter)" in text
    # An arbiter's steps on a bounty without one: said in words, before anything is sent.
    nonce = w.nonce(w.hunters[1].address)
    for args in (("escalate", bounty_id), ("rule", bounty_id, "pay"), ("lapse", bounty_id)):
        refused = w.run("--yes", *args, key=w.hunters[1])
        assert refused.returncode == 1 and f"bounty {bounty_id} has no arbiter" in " ".join(refused.stderr.split())
        assert "anyone finalizes a proposal once its window ends" in " ".join(refused.stderr.split())
    assert w.nonce(w.hunters[1].address) == nonce

    w.node.set_next_block_timestamp(proposed["window_end"])
    before = w.balance(hunter1.address)
    finalized = w.json("--yes", "finalize", bounty_id, key=w.hunters[1])
    pool = ETHER // 2
    assert (finalized["pool"], finalized["fee"]) == (pool, pool * FEE_BPS // 10_000)
    assert w.balance(hunter1.address) - before == pool - pool * FEE_BPS // 10_000
    before = w.balance(w.funder.address)
    refund = w.json("--yes", "--account", "funder", "refund", bounty_id)
    assert refund["amount"] == ETHER * 6 // 10
    assert w.balance(w.funder.address) - before == ETHER * 6 // 10 - w.gas_cost(refund["tx_hash"])


def test_optimistic_bounty_blocked_escalated_decided_and_finalized(w: World) -> None:  # noqa: F811
    safe = w.node.new_account()
    w.secrets.append(bytes(safe.key).hex())
    created = w.json("--yes", "create-optimistic", ISSUE, "--deadline", "30d", "--window", "3d", "--quorum", "50%",
                     "--approver", w.approver_address, "--arbiter", safe.address, key=w.issuer)
    bounty_id = str(created["bounty_id"])
    assert (created["review_window"], created["quorum_bps"], created["arbiter"]) == (3 * DAY, 5_000, safe.address)
    assert created["approver"] == w.approver_address

    w.json("--yes", "--account", "funder", "pledge", bounty_id, "0.6 ETH")
    w.escrow.as_signer(w.issuer).pledge(int(bounty_id), ETHER // 2)
    hunter1, hunter2 = w.hunters
    w.escrow.as_signer(hunter1).submit_solution(int(bounty_id), PR1)
    w.escrow.as_signer(hunter2).submit_solution(int(bounty_id), PR2)

    refused = w.run("--yes", "--account", "approver", "award", bounty_id, "1=100%")
    assert refused.returncode == 1 and "under optimistic review" in refused.stderr
    proposed = w.json("--yes", "--account", "approver", "propose", bounty_id, "1=60%", "2=40%")
    assert proposed["nonce"] == 1 and proposed["total"] == ETHER * 11 // 10

    shown = w.json("show", bounty_id)
    review = shown["review"]
    assert shown["status"] == "under_review"
    listed = w.json("list", "--status", "under_review", "--source", "chain")
    assert [row["bounty_id"] for row in listed["bounties"]] == [int(bounty_id)]
    assert (review["state"], review["quorum_bps"], review["weight_against"], review["weight_for"]) == (
        "pending", 5_000, 0, ETHER * 11 // 10)
    assert review["claims"] == [{"claim_id": 1, "share_bps": 6_000}, {"claim_id": 2, "share_bps": 4_000}]
    text = w.ok("show", bounty_id, env=WIDE).stdout
    assert re.search(r"window ends\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(open\)", text)
    one_line = " ".join(text.split())
    assert "quorum 50% of the pool at the proposal sends it to the arbiter" in one_line
    assert "the arbiter decides from 0.55 ETH" in one_line and "for 1.1 ETH" in one_line

    early = w.run("--yes", "finalize", bounty_id, key=hunter1)
    assert early.returncode == 1 and "is open until" in early.stderr
    held = w.run("--yes", "--account", "funder", "refund", bounty_id)
    assert held.returncode == 1 and "holds this pledge" in said(held)

    objected = w.json("--yes", "--account", "funder", "object", bounty_id)
    assert (objected["weight"], objected["outcome"]) == (ETHER * 6 // 10, "blocked")
    twice = w.run("--yes", "--account", "funder", "object", bounty_id)
    assert twice.returncode == 1 and "is blocked, waiting for escalation" in twice.stderr
    proposal = w.json("proposal", bounty_id)
    assert (proposal["state"], proposal["blocked"], proposal["weight_against_text"]) == ("blocked", True, "0.6 ETH")
    assert proposal["decide_by_text"].startswith("escalate by ")
    assert "the arbiter may also decide without it" in proposal["decide_by_text"]
    shown_proposal = w.ok("proposal", bounty_id, env=WIDE).stdout
    assert re.search(r"decide by\s+escalate by \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", shown_proposal)

    escalated = w.json("--yes", "escalate", bounty_id, key=hunter1)
    assert (escalated["fee_paid"], escalated["arbiter"], escalated["dispute_id"]) == (0, safe.address, None)
    assert escalated["decide_by"] == w.escrow.proposal(int(bounty_id)).decide_by
    intruder = w.run("--yes", "rule", bounty_id, "pay", key=hunter1)
    assert intruder.returncode == 1 and "is not the plain arbiter" in intruder.stderr
    plan = said(w.run("rule", bounty_id, "pay", key=safe, stdin="n\n", env=WIDE))
    assert "the proposal stands for the whole pool (1.1 ETH, the objectors' pledges included)" in plan
    ruled = w.json("--yes", "rule", bounty_id, "pay", key=safe)
    assert (ruled["outcome"], ruled["dispute_id"]) == ("upheld", None)

    before = {h.address: w.balance(h.address) for h in w.hunters}
    finalized = w.json("--yes", "finalize", bounty_id, key=hunter2)
    pool = ETHER * 11 // 10  # the objector's pledge too: the arbiter overruled it
    fee = pool * FEE_BPS // 10_000
    first = (pool - fee) * 6_000 // 10_000
    assert (finalized["pool"], finalized["fee"]) == (pool, fee)
    assert w.balance(hunter1.address) - before[hunter1.address] == first
    assert w.balance(hunter2.address) - before[hunter2.address] == pool - fee - first - w.gas_cost(
        finalized["tx_hash"])
    assert w.json("show", bounty_id)["review"]["state"] == "executed"


def test_a_blocked_proposal_nobody_escalates_lapses(w: World) -> None:  # noqa: F811
    safe = w.node.new_account()
    created = w.json("--yes", "create-optimistic", ISSUE, "--deadline", "30d", "--window", "1d", "--quorum", "1%",
                     "--approver", w.approver_address, "--arbiter", safe.address, key=w.issuer)
    bounty_id = str(created["bounty_id"])
    w.json("--yes", "--account", "funder", "pledge", bounty_id, "0.1 ETH")
    w.escrow.as_signer(w.hunters[0]).submit_solution(int(bounty_id), PR1)
    w.json("--yes", "--account", "approver", "propose", bounty_id, "1=100%")
    assert w.json("--yes", "--account", "funder", "object", bounty_id)["outcome"] == "blocked"
    w.node.set_next_block_timestamp(w.escrow.proposal(int(bounty_id)).decide_by)
    lapsed = w.json("--yes", "lapse", bounty_id, key=w.hunters[0])
    assert lapsed["reason"] == "lapsed"
    assert lapsed["why"] == "nobody escalated it within 7 days of the window's end"
    assert w.json("show", bounty_id)["status"] == "open"


def test_bad_review_terms_are_refused_in_one_line(w: World) -> None:  # noqa: F811
    arbiter = w.hunters[0].address
    for args, message in [(("--window", "12h"), "--window 12h is 12 hours: a review window is from 1 day to 30 days"),
                          (("--window", "3 days"), "give a duration such as 7d"),
                          (("--window", "3d", "--quorum", "150%", "--arbiter", arbiter),
                           "from 0.01% (1 basis point) to 100%"),
                          (("--window", "3d", "--quorum", "50%"), "--quorum needs --arbiter"),
                          (("--window", "3d", "--arbiter", arbiter), "--arbiter needs --quorum"),
                          (("--window", "3d", "--erc792"), "--erc792 needs --arbiter"),
                          (("--window", "3d", "--quorum", "50%", "--arbiter", arbiter, "--erc792"),
                           "holds no contract, so it cannot be an ERC-792 arbitrator"),
                          (("--window", "3d", "--quorum", "50%", "--arbiter", arbiter, "--extra-data", "0x01"),
                           "--extra-data and --meta-evidence are for an ERC-792 arbitrator")]:
        proc = w.run("--yes", "create-optimistic", ISSUE, "--deadline", "30d", *args, key=w.issuer)
        assert proc.returncode == 1 and message in proc.stderr, proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1
