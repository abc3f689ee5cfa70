"""The SDK's event reads: chain strings decoded without trusting them (issue 18, finding 1:
one bad URI never breaks a read), and logs scanned in bounded block ranges that shrink when
the endpoint refuses one (issue 12)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from eth_abi import encode

from benchmarks.rpc_tools import RpcProxy
from bountychain._artifacts import load_artifact
from bountychain.devchain import AnvilNode
from bountychain.sdk import BountyClient
from bountychain.sdk._events import LogRangeRefused, decode_events
from tests.conftest import ISSUE as ISSUE_URL
from tests.test_index_hostile import BAD_ISSUE, BAD_PR, lenient, raw_bounty, raw_solution, send_raw

ISSUE = "https://github.com/org/repo/issues/5"
PR = "https://github.com/org/repo/pull/6"


def test_invalid_utf8_uris_never_break_the_sdks_reads(world) -> None:
    escrow = world.escrow
    before = escrow.bounty_count()
    bad = raw_bounty(world, BAD_ISSUE)
    good = world.new_bounty()
    raw_solution(world, world.hunters[0], bad, BAD_PR)
    world.as_(world.hunters[1]).submit_solution(bad, PR)
    listed = {b.bounty_id: b.uri for b in escrow.bounties()}
    assert len(listed) == before + 2
    assert listed[bad] == lenient(BAD_ISSUE) and "\ufffd" in listed[bad]
    assert listed[good] == ISSUE_URL
    # The node filters by the hash of the raw bytes; the listing keeps the marked text.
    assert [b.bounty_id for b in escrow.bounties(lenient(BAD_ISSUE))] == []
    claims = escrow.claims(bad)
    assert [(c.claim_id, c.hunter, c.uri) for c in claims] == [
        (1, world.hunters[0].address, lenient(BAD_PR)), (2, world.hunters[1].address, PR)]


def test_decode_events_reads_a_receipt_with_a_bad_uri(world) -> None:
    escrow = world.escrow
    bounty_id = world.new_bounty()
    receipt = send_raw(world, world.hunters[0], "submitSolution(uint256,string)", ["uint256", "bytes"],
                       [bounty_id, BAD_PR])
    [(name, args)] = decode_events((escrow.contract, escrow.review_contract), receipt)
    assert name == "SolutionSubmitted"
    assert (args["bountyId"], args["claimId"], args["uri"]) == (bounty_id, 1, lenient(BAD_PR))


def test_a_token_symbol_that_is_not_utf8_is_shown_marked(world) -> None:
    artifact = load_artifact("TestToken")
    data = artifact.bytecode + encode(["bytes", "bytes", "uint8"], [b"Odd", b"US\xffD", 6]).hex()
    # A fresh deployer: its contract's address was never another token's (the session's chain
    # is reverted between tests, and the client caches token info by address).
    w3, issuer = world.chain.w3, world.chain.new_account()
    tip = 10**9
    tx = {"data": data, "value": 0, "gas": 3_000_000, "chainId": int(w3.eth.chain_id),
          "nonce": w3.eth.get_transaction_count(issuer.address, "pending"), "maxPriorityFeePerGas": tip,
          "maxFeePerGas": 2 * int(w3.eth.get_block("latest")["baseFeePerGas"]) + tip}
    tx_hash = w3.eth.send_raw_transaction(issuer.sign_transaction(tx).raw_transaction)
    token = w3.eth.wait_for_transaction_receipt(tx_hash, poll_latency=0.005)["contractAddress"]
    info = world.escrow.token_info(token)
    assert (info.symbol, info.decimals) == ("US\ufffdD", 6)


# --- bounded log ranges, through an endpoint that refuses wide ones ---------------------------

LIMIT = 100  # blocks per eth_getLogs the endpoint accepts


class Refusing:
    """A proxy's answer: eth_getLogs over more than LIMIT blocks is refused, as public
    endpoints do; every range asked is recorded."""

    def __init__(self) -> None:
        self.ranges: list[tuple[int, int, bool]] = []

    def __call__(self, call: dict[str, Any], forward: Any) -> dict[str, Any]:
        if call["method"] == "eth_getLogs":
            query = call["params"][0]
            low, high = int(query["fromBlock"], 16), int(query["toBlock"], 16)
            refused = high - low + 1 > LIMIT
            self.ranges.append((low, high, refused))
            if refused:
                return {"jsonrpc": "2.0", "id": call["id"],
                        "error": {"code": -32005, "message": f"query exceeds max block range {LIMIT}"}}
        return forward(call)


@pytest.fixture(scope="module")
def spread() -> Iterator[tuple[AnvilNode, BountyClient, list[int]]]:
    """An escrow whose bounties lie hundreds of blocks apart."""
    with AnvilNode() as node:
        issuer, hunter = node.new_account(), node.new_account()
        client = BountyClient.deploy(node, issuer, poll_latency=0.005)
        bounty_ids = []
        for gap in (0, 230, 170):
            if gap:
                node._rpc("anvil_mine", [hex(gap)])
            bounty_ids.append(client.create_bounty(ISSUE, node.now() + 86_400 * 30).bounty_id)
            client.as_signer(hunter).submit_solution(bounty_ids[-1], PR)
        yield node, client, bounty_ids


def test_a_refused_range_is_halved_until_the_endpoint_answers(spread) -> None:
    node, direct, bounty_ids = spread
    refusing = Refusing()
    proxy = RpcProxy(node.url, refusing)
    try:
        client = BountyClient(proxy.url, direct.address, from_block=direct.from_block)
        assert node.w3.eth.block_number - direct.from_block > 400
        assert [b.bounty_id for b in client.bounties()] == bounty_ids == [b.bounty_id for b in direct.bounties()]
        first_scan = [(low, high) for low, high, refused in refusing.ranges if not refused]
        assert any(refused for *_, refused in refusing.ranges)  # the default range was refused first
        assert all(high - low + 1 <= LIMIT for low, high in first_scan)
        # The answered ranges cover the blocks from the deployment exactly once, in order.
        assert first_scan[0][0] == direct.from_block
        assert all(nxt[0] == prev[1] + 1 for prev, nxt in zip(first_scan, first_scan[1:], strict=False))
        assert first_scan[-1][1] >= node.w3.eth.block_number - 1
        # The page it settled on is kept: the next read asks no refused range.
        refused_before = sum(refused for *_, refused in refusing.ranges)
        assert [c.uri for c in client.claims(bounty_ids[2])] == [PR]
        assert sum(refused for *_, refused in refusing.ranges) == refused_before
    finally:
        proxy.close()


def test_the_log_range_is_configurable(spread) -> None:
    node, direct, bounty_ids = spread
    refusing = Refusing()
    proxy = RpcProxy(node.url, refusing)
    try:
        client = BountyClient(proxy.url, direct.address, from_block=direct.from_block, log_range=40)
        assert [b.bounty_id for b in client.bounties()] == bounty_ids
        asked = [(low, high) for low, high, _ in refusing.ranges]
        assert all(high - low + 1 <= 40 for low, high in asked) and not any(r for *_, r in refusing.ranges)
        assert asked[0][0] == direct.from_block
        assert all(nxt[0] == prev[1] + 1 for prev, nxt in zip(asked, asked[1:], strict=False))
    finally:
        proxy.close()


def test_an_endpoint_refusing_even_one_block_is_a_clear_error(spread) -> None:
    node, direct, _ = spread
    proxy = RpcProxy(node.url, lambda call, forward: (
        {"jsonrpc": "2.0", "id": call["id"], "error": {"code": -32000, "message": "logs disabled"}}
        if call["method"] == "eth_getLogs" else forward(call)))
    try:
        client = BountyClient(proxy.url, direct.address, from_block=direct.from_block, log_range=4)
        with pytest.raises(LogRangeRefused, match="refuses logs even for block .*logs disabled"):
            client.bounties()
    finally:
        proxy.close()
