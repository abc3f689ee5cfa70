"""`bountychain fundraiser ...`, `sign-solution` and `relay`, end to end as subprocesses
against a real anvil node (the same set-up as tests/test_cli.py), checked on the chain."""

from __future__ import annotations

import json

import pytest

from bountychain import deploy_contract, send_transaction
from tests.test_cli import DAY, ETHER, FEE_BPS, ISSUE, PR1, USDC, World, w, world  # noqa: F401 (fixtures)

pytestmark = pytest.mark.anvil
PROJECT = "https://github.com/bountychain/toolkit"


def _warp_past(w: World, timestamp: int) -> None:
    w.node.set_next_block_timestamp(timestamp + 1)
    w.node._rpc("evm_mine", [])


def test_all_or_nothing_fundraiser_created_pledged_and_paid_out(w: World) -> None:
    beneficiary = w.hunters[1]
    created = w.json("--yes", "fundraiser", "create", PROJECT, "--beneficiary", beneficiary.address,
                     "--goal", "1 ETH", "--deadline", "10d", key=w.issuer)
    fundraiser_id = created["fundraiser_id"]
    assert created["kind"] == "all-or-nothing" and created["goal"] == ETHER
    pledged = w.json("--yes", "--account", "funder", "pledge", str(fundraiser_id), "1.5 ETH")
    assert pledged["amount"] == 3 * ETHER // 2
    shown = w.json("fundraiser", "show", str(fundraiser_id))
    assert (shown["state"], shown["raised"], shown["beneficiary"]) == ("raising", 3 * ETHER // 2, beneficiary.address)
    # A person who takes it for a bounty reads a fundraiser all the same, in words.
    assert w.json("show", str(fundraiser_id)) == shown
    text = " ".join(w.ok("show", str(fundraiser_id)).stdout.split())
    assert f"fundraiser {fundraiser_id}" in text and "bounty" not in text and "Local dev chain" in text
    assert "then, if not paid out, backers may refund" in text
    said = " ".join(w.ok("--yes", "--account", "funder", "pledge", str(fundraiser_id), "0.1 ETH").stdout.split())
    assert f"Pledged 0.1 ETH to fundraiser {fundraiser_id}" in said
    assert w.json("fundraiser", "show", str(fundraiser_id))["raised"] == 16 * ETHER // 10

    refused = w.run("--yes", "fundraiser", "withdraw", str(fundraiser_id), key=w.hunters[0])
    # In words (the end as a date), not the contract's error name; --json names both.
    assert refused.returncode == 1 and "nothing can be paid out yet" in refused.stderr
    assert "FundraiserNotEnded" not in refused.stderr
    refused_json = w.run("--json", "--yes", "fundraiser", "withdraw", str(fundraiser_id), key=w.hunters[0])
    assert json.loads(refused_json.stdout)["error_name"] == "FundraiserNotEnded"
    _warp_past(w, created["deadline"])
    assert w.json("fundraiser", "show", str(fundraiser_id))["state"] == "succeeded"
    before = w.balance(beneficiary.address)
    paid = w.json("--yes", "fundraiser", "withdraw", str(fundraiser_id), key=w.hunters[0])  # anyone sends it
    fee = 16 * ETHER // 10 * FEE_BPS // 10_000
    assert (paid["pool"], paid["fee"], paid["amount"]) == (16 * ETHER // 10, fee, 16 * ETHER // 10 - fee)
    assert w.balance(beneficiary.address) == before + 16 * ETHER // 10 - fee
    assert w.json("fundraiser", "show", str(fundraiser_id))["state"] == "paid"


def test_flexible_fundraiser_in_a_permit_token_pledges_in_one_transaction(w: World) -> None:
    token = deploy_contract(w.node.w3, w.issuer, "TestPermitToken", "Permit USD", "PUSD", 6)
    send_transaction(w.node.w3, w.issuer, token.functions.mint(w.funder.address, 100 * USDC))
    created = w.json("--yes", "fundraiser", "create", PROJECT, "--beneficiary", w.hunters[1].address,
                     "--goal", "1000 PUSD", "--deadline", "10d", "--token", token.address, "--flexible", key=w.issuer)
    assert created["kind"] == "flexible"
    nonce = w.nonce(w.funder.address)
    pledged = w.json("--yes", "--account", "funder", "pledge", str(created["fundraiser_id"]), "25 PUSD")
    assert pledged["permit"] is True and pledged["approval"] is None
    assert w.nonce(w.funder.address) == nonce + 1
    assert token.functions.allowance(w.funder.address, w.escrow.address).call() == 0
    _warp_past(w, created["deadline"])
    paid = w.json("--yes", "fundraiser", "withdraw", str(created["fundraiser_id"]), key=w.issuer)
    assert token.functions.balanceOf(w.hunters[1].address).call() == paid["amount"] == 25 * USDC - paid["fee"]


def test_sign_solution_then_relay_from_another_account(w: World) -> None:
    bounty_id = w.json("--yes", "create", ISSUE, "--deadline", "30d", key=w.issuer)["bounty_id"]
    hunter = w.hunters[0]
    hunter_nonce = w.nonce(hunter.address)
    payload_file = w.root / "signed.json"
    w.ok("sign-solution", str(bounty_id), PR1, "--expiry", "2d", "--out", str(payload_file), key=hunter)
    payload = json.loads(payload_file.read_text())
    assert (payload["hunter"], payload["bounty_id"], payload["uri"]) == (hunter.address, bounty_id, PR1)
    assert w.nonce(hunter.address) == hunter_nonce  # signing sent nothing
    past = w.run("sign-solution", str(bounty_id), PR1, "--expiry", "-1d", "--out", str(w.root / "past.json"), key=hunter)
    assert past.returncode == 1 and "--expiry '-1d': give a date" in past.stderr and "deadline" not in past.stderr
    relayed = w.json("--yes", "relay", str(payload_file), key=w.issuer)
    assert (relayed["claim_id"], relayed["hunter"]) == (1, hunter.address)
    assert w.escrow.contract.functions.claimant(bounty_id, 1).call() == hunter.address
    assert w.nonce(hunter.address) == hunter_nonce
    issuer_nonce = w.nonce(w.issuer.address)
    again = w.run("--yes", "relay", str(payload_file), key=w.issuer)
    # Relayed twice: the SDK names the claim it already made, before the signature's nonce.
    assert again.returncode == 1 and f"already registered {PR1} on bounty {bounty_id} as claim 1" in again.stderr
    assert "nothing was sent" in again.stderr and w.nonce(w.issuer.address) == issuer_nonce
    # From standard input, tampered: refused before anything is sent.
    payload["uri"] = PR1 + "-other"
    issuer_nonce = w.nonce(w.issuer.address)
    tampered = w.run("--yes", "relay", "-", key=w.issuer, stdin=json.dumps(payload))
    assert tampered.returncode == 1 and w.nonce(w.issuer.address) == issuer_nonce
