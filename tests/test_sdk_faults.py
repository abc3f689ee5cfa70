"""Real endpoints fail; the SDK survives them (issue 12). Through a fault-injecting JSON-RPC
proxy on loopback in front of anvil, which drops connections, stalls, answers 429 and 502,
and answers as a node one block behind:

- idempotent reads are retried, within the configured time, then fail clearly;
- one call never sends two different transactions: a transaction whose answer was lost is
  found again by its hash, the node's "already known"/"nonce too low" are understood;
- when time runs out the error says whether the transaction was sent, and its hash;
- a token pledge whose approve was mined and pledge was not says so and how to finish.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from web3 import Web3

from benchmarks.rpc_tools import Drop, HttpStatus, RpcProxy
from bountychain.devchain import AnvilNode
from bountychain.sdk import (
    BountyClient,
    EndpointUnavailable,
    NonceTaken,
    PledgeIncomplete,
    RetryPolicy,
    TransactionNotConfirmed,
    deploy_contract,
    send_transaction,
)

pytestmark = pytest.mark.anvil

ISSUE = "https://github.com/org/repo/issues/12"
FAST = RetryPolicy(timeout=3.0, first_delay=0.01, max_delay=0.2)
SHORT = RetryPolicy(timeout=0.5, first_delay=0.01, max_delay=0.05)


class Faults:
    """The proxy's answer hook: per method, a list of faults to apply to the next calls
    ("drop", "drop-after" (forwarded, then the answer lost), 429, 502, "stall", "null"),
    then the node's own answers; `always` applies one fault to every call of a method."""

    def __init__(self) -> None:
        self.queued: dict[str, list[Any]] = {}
        self.always: dict[str, Any] = {}
        self.seen: Counter[str] = Counter()
        self.stall = 2.0

    def __call__(self, call: dict[str, Any], forward: Any) -> dict[str, Any]:
        method = call["method"]
        self.seen[method] += 1
        queue = self.queued.get(method) or []
        fault = queue.pop(0) if queue else self.always.get(method)
        if fault == "drop":
            raise Drop
        if fault in (429, 502):
            raise HttpStatus(fault)
        if fault == "stall":
            time.sleep(self.stall)
        if fault == "drop-after":
            forward(call)
            raise Drop
        if fault == "null":
            return {"jsonrpc": "2.0", "id": call["id"], "result": None}
        return forward(call)


@pytest.fixture(scope="module")
def escrow(node: AnvilNode) -> BountyClient:
    return BountyClient.deploy(node, node.new_account(), poll_latency=0.005)


@pytest.fixture
def faults(node: AnvilNode) -> Iterator[tuple[RpcProxy, Faults]]:
    hook = Faults()
    proxy = RpcProxy(node.url, hook)
    yield proxy, hook
    proxy.close()


def client_through(proxy: RpcProxy, escrow: BountyClient, signer: Any = None, retry: RetryPolicy = FAST,
                   **options: Any) -> BountyClient:
    w3 = Web3(Web3.HTTPProvider(proxy.url, request_kwargs={"timeout": 1}))
    return BountyClient(w3, escrow.address, signer, poll_latency=0.005, retry=retry, **options)


def _bounty(escrow: BountyClient, node: AnvilNode) -> int:
    return escrow.create_bounty(ISSUE, node.now() + 30 * 86_400).bounty_id


def test_reads_are_retried_through_drops_stalls_429_and_502(node, escrow, faults) -> None:
    proxy, hook = faults
    bounty_id = _bounty(escrow, node)
    client = client_through(proxy, escrow)
    hook.queued = {"eth_getBlockByNumber": ["drop", 429, "stall", 502]}  # the bounty's batch starts with it
    bounty = client.bounty(bounty_id)
    assert bounty.bounty_id == bounty_id and bounty.issuer == escrow.signer.address
    assert hook.seen["eth_getBlockByNumber"] == 5
    hook.queued = {"eth_call": [502, "drop", 429]}
    assert client.credit_of(escrow.signer.address) == 0
    assert hook.seen["eth_call"] >= 4


def test_a_read_failing_past_its_time_is_a_clear_error(node, escrow, faults) -> None:
    proxy, hook = faults
    client = client_through(proxy, escrow, retry=SHORT)
    hook.always = {"eth_call": 502}
    with pytest.raises(EndpointUnavailable, match=r"eth_call: the endpoint kept failing for 0.5 s .*nothing was sent"):
        client.credit_of(escrow.signer.address)
    assert hook.seen["eth_call"] > 1


def test_a_transaction_whose_answer_was_lost_is_found_by_its_hash(node, escrow, faults) -> None:
    proxy, hook = faults
    bounty_id = _bounty(escrow, node)
    funder = node.new_account()
    balance = node.w3.eth.get_balance(funder.address)
    client = client_through(proxy, escrow, funder)
    hook.queued = {"eth_sendRawTransaction": ["drop-after"]}
    result = client.pledge(bounty_id, 10**15)
    assert hook.seen["eth_sendRawTransaction"] == 1  # found by its hash: not sent again
    assert node.w3.eth.get_transaction_count(funder.address) == 1
    assert escrow.pledge_of(bounty_id, funder.address).amount == 10**15
    assert node.w3.eth.get_balance(funder.address) == balance - 10**15 - result.gas_cost_wei


def test_a_resend_of_the_same_bytes_is_understood(node, escrow, faults) -> None:
    """The answer is lost and a lagging node does not know the hash yet: the same bytes go
    again, the node says the nonce is used, and the hash settles it: one transaction."""
    proxy, hook = faults
    bounty_id = _bounty(escrow, node)
    funder = node.new_account()
    client = client_through(proxy, escrow, funder)
    hook.queued = {"eth_sendRawTransaction": ["drop-after"], "eth_getTransactionByHash": ["null"]}
    result = client.pledge(bounty_id, 10**15)
    assert hook.seen["eth_sendRawTransaction"] == 2
    assert node.w3.eth.get_transaction_count(funder.address) == 1
    assert node.w3.eth.get_transaction(result.tx_hash)["from"] == funder.address
    assert escrow.pledge_of(bounty_id, funder.address).amount == 10**15


def test_a_nonce_from_a_node_one_block_behind_sends_nothing_else(node, escrow, faults) -> None:
    proxy, hook = faults
    bounty_id = _bounty(escrow, node)
    funder = node.new_account()
    escrow.as_signer(funder).pledge(bounty_id, 10**15)  # nonce 0 is used
    client = client_through(proxy, escrow, funder)

    def behind(call: dict[str, Any], forward: Any) -> dict[str, Any]:
        if call["method"] == "eth_getTransactionCount":
            hook.seen["behind"] += 1
            return {"jsonrpc": "2.0", "id": call["id"], "result": "0x0"}  # before the pledge was mined
        return hook(call, forward)

    proxy.answer = behind
    with pytest.raises(NonceTaken, match=r"not sent: nonce 0 of .* is already used by another transaction"):
        client.pledge(bounty_id, 10**15)
    assert node.w3.eth.get_transaction_count(funder.address) == 1
    assert escrow.pledge_of(bounty_id, funder.address).amount == 10**15


def test_a_send_that_never_gets_through_says_not_sent_and_the_hash(node, escrow, faults) -> None:
    proxy, hook = faults
    bounty_id = _bounty(escrow, node)
    funder = node.new_account()
    client = client_through(proxy, escrow, funder, retry=SHORT)
    hook.always = {"eth_sendRawTransaction": 502}
    with pytest.raises(TransactionNotConfirmed) as failed:
        client.pledge(bounty_id, 10**15)
    assert failed.value.sent is False
    assert f"transaction {failed.value.tx_hash} was not sent" in str(failed.value)
    assert node.w3.eth.get_transaction_count(funder.address) == 0


def test_a_receipt_that_never_comes_says_sent_and_the_hash(node, escrow, faults) -> None:
    proxy, hook = faults
    bounty_id = _bounty(escrow, node)
    funder = node.new_account()
    client = client_through(proxy, escrow, funder, timeout=0.5)
    hook.always = {"eth_getTransactionReceipt": "null"}
    with pytest.raises(TransactionNotConfirmed) as failed:
        client.pledge(bounty_id, 10**15)
    assert failed.value.sent is True
    assert f"transaction {failed.value.tx_hash} was sent but no receipt came" in str(failed.value)
    assert node.w3.eth.get_transaction_receipt(failed.value.tx_hash)["status"] == 1  # it was mined after all


def test_a_token_pledge_whose_pledge_failed_after_its_approve_says_how_to_finish(node, escrow, faults) -> None:
    proxy, hook = faults
    token = deploy_contract(node.w3, escrow.signer, "TestToken", "USD Coin", "USDC", 6)
    bounty_id = escrow.create_bounty(ISSUE, node.now() + 30 * 86_400, token=token.address).bounty_id
    funder = node.new_account()
    send_transaction(node.w3, escrow.signer, token.functions.mint(funder.address, 10**9))
    client = client_through(proxy, escrow, funder, retry=SHORT)
    client.token_info(token.address)
    hook.queued = {"eth_sendRawTransaction": [None]}  # the approve goes through
    hook.always = {"eth_sendRawTransaction": 502}  # then the endpoint fails
    with pytest.raises(PledgeIncomplete) as half:
        client.pledge(bounty_id, "25 USDC")
    message = str(half.value)
    assert f"The approve of 25 USDC for the escrow was mined (tx {half.value.approval_tx})" in message
    assert "but the pledge was not" in message and "run the same pledge again to finish" in message
    assert half.value.pledge_tx is None
    assert token.functions.allowance(funder.address, escrow.address).call() == 25 * 10**6
    # Finishing sends only the pledge.
    hook.always = {}
    finished = client.pledge(bounty_id, "25 USDC")
    assert finished.approval is None
    assert node.w3.eth.get_transaction_count(funder.address) == 2  # one approve, one pledge
    assert escrow.pledge_of(bounty_id, funder.address).amount == 25 * 10**6


def test_a_batch_of_sends_lost_midway_lands_each_transaction_once(node, escrow, faults) -> None:
    proxy, hook = faults
    bounty_id = _bounty(escrow, node)
    funder = node.new_account()
    balance = node.w3.eth.get_balance(funder.address)
    client = client_through(proxy, escrow, funder)
    # The first of the batch reaches the node, then the whole answer is lost.
    hook.queued = {"eth_sendRawTransaction": ["drop-after"]}
    results = client.pledge_many([(bounty_id, 10**15)] * 3)
    assert node.w3.eth.get_transaction_count(funder.address) == 3
    assert [node.w3.eth.get_transaction(r.tx_hash)["nonce"] for r in results] == [0, 1, 2]
    assert escrow.pledge_of(bounty_id, funder.address).amount == 3 * 10**15
    assert node.w3.eth.get_balance(funder.address) == balance - 3 * 10**15 - sum(r.gas_cost_wei for r in results)
