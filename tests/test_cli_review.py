"""Backer governance on the command line, end to end against a real anvil node: an
optimistic bounty created, funded, proposed, objected to until blocked, escalated to a
Safe-like arbiter, upheld and finalized, every step a real `python -m bountychain.cli`
subprocess, with balances checked to the wei."""

from __future__ import annotations

import re

import pytest

from tests.test_cli import DAY, ETHER, FEE_BPS, ISSUE, PR1, PR2, World, w, world  # noqa: F401 (fixtures)

pytestmark = pytest.mark.anvil


def test_optimistic_bounty_blocked_escalated_upheld_and_finalized(w: World) -> None:  # noqa: F811
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
    assert {p["state"] for p in shown["pledges"]} == {"frozen (proposal under review)"}
    text = w.ok("show", bounty_id).stdout
    assert re.search(r"window ends\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(open\)", text)
    assert "weight against" in text and "0.55 ETH" in text and "quorum 50% of the pledged total" in text

    early = w.run("--yes", "finalize", bounty_id, key=hunter1)
    assert early.returncode == 1 and "is open until" in early.stderr
    frozen = w.run("--yes", "--account", "funder", "refund", bounty_id)
    assert frozen.returncode == 1 and "under review" in frozen.stderr

    objected = w.json("--yes", "--account", "funder", "object", bounty_id)
    assert (objected["weight"], objected["outcome"]) == (ETHER * 6 // 10, "blocked")
    twice = w.run("--yes", "--account", "funder", "object", bounty_id)
    assert twice.returncode == 1 and "is blocked, waiting for escalation" in twice.stderr
    proposal = w.json("proposal", bounty_id)
    assert (proposal["state"], proposal["blocked"], proposal["weight_against_text"]) == ("blocked", True, "0.6 ETH")

    escalated = w.json("--yes", "escalate", bounty_id, key=hunter1)
    assert escalated["fee_paid"] == 0 and escalated["arbiter"] == safe.address
    intruder = w.run("--yes", "rule", bounty_id, "pay", key=hunter1)
    assert intruder.returncode == 1 and "is not the arbiter" in intruder.stderr
    ruled = w.json("--yes", "rule", bounty_id, "pay", key=safe)
    assert (ruled["outcome"], ruled["dispute_id"]) == ("upheld", escalated["dispute_id"])

    before = {h.address: w.balance(h.address) for h in w.hunters}
    finalized = w.json("--yes", "finalize", bounty_id, key=hunter2)
    pool = ETHER * 11 // 10
    fee = pool * FEE_BPS // 10_000
    first = (pool - fee) * 6_000 // 10_000
    assert (finalized["pool"], finalized["fee"]) == (pool, fee)
    assert w.balance(hunter1.address) - before[hunter1.address] == first
    assert w.balance(hunter2.address) - before[hunter2.address] == pool - fee - first - w.gas_cost(
        finalized["tx_hash"])
    assert w.json("show", bounty_id)["review"]["state"] == "executed"


def test_bad_review_terms_are_refused_in_one_line(w: World) -> None:  # noqa: F811
    for args, message in [(("--window", "12h", "--quorum", "50%"), "review_window must be from 86400 s"),
                          (("--window", "3 days", "--quorum", "50%"), "give a duration such as 7d"),
                          (("--window", "3d", "--quorum", "150%"), "from 0.01% (1 basis point) to 100%"),
                          (("--window", "3d", "--quorum", "50%", "--erc792"), "--erc792 needs --arbiter")]:
        proc = w.run("--yes", "create-optimistic", ISSUE, "--deadline", "30d", *args, key=w.issuer)
        assert proc.returncode == 1 and message in proc.stderr, proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1
