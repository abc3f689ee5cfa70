"""What the SDK puts on the wire: for every write, the exact HTTP requests it sends to a real
anvil node, next to what raw web3.py sends for the same transaction (`build_transaction`,
sign, `send_raw_transaction`, wait for the receipt). The SDK may send at most one request
more than raw web3.py; a change that adds a round trip fails here. A JSON-RPC batch is one
request (one round trip), listed with the methods it carries; polls for one receipt count
once (see `on_the_wire`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from web3 import Web3

from benchmarks.rpc_tools import CountingHTTPProvider
from bountychain.devchain import AnvilNode
from bountychain.results import ETH
from bountychain.sdk import BountyClient, deploy_contract
from tests.conftest import deploy_mock

pytestmark = pytest.mark.anvil

DAY = 86_400
ISSUE = "https://github.com/org/repo/issues/7"
PR = "https://github.com/org/repo/pull/8"
STATE_BATCH = ("eth_getTransactionCount", "eth_getBalance", "eth_getBlockByNumber", "eth_maxPriorityFeePerGas")
# One SDK transaction: the state batch, the gas simulation, the send and the receipt.
SDK_TX = [STATE_BATCH, ("eth_estimateGas",), ("eth_sendRawTransaction",), ("eth_getTransactionReceipt",)]
BOUNTY_READ = [("eth_getBlockByNumber", "eth_call")]  # the latest block and the bounty, in one batch
CALL = [("eth_call",)]
# Raw web3.py, one transaction: the nonce, then build_transaction (the gas estimate, the tip,
# the base fee, and the chain id asked three times, mostly by web3's validation middleware),
# the send and the receipt.
RAW_TX = 9


def raw_send(w3: Web3, signer: LocalAccount, fn: Any, value: int = 0) -> Any:
    """What a developer writes with web3.py alone."""
    tx = fn.build_transaction({"from": signer.address, "value": value,
                               "nonce": w3.eth.get_transaction_count(signer.address)})
    tx_hash = w3.eth.send_raw_transaction(signer.sign_transaction(tx).raw_transaction)
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, poll_latency=0.005)
    assert receipt["status"] == 1
    return receipt


def on_the_wire(provider: CountingHTTPProvider, action: Callable[[], Any]) -> list[tuple[str, ...]]:
    """The requests `action` sent. Waiting for a receipt polls until the block is mined, and
    anvil mines a moment after it accepts a transaction, so repeated polls for one receipt
    count once: how many there are depends on the node's timing, not on the client."""
    provider.requests.clear()
    action()
    requests: list[tuple[str, ...]] = []
    for request in provider.requests:
        if not (request == ("eth_getTransactionReceipt",) and requests and requests[-1] == request):
            requests.append(request)
    return requests


class Scene:
    def __init__(self, node: AnvilNode) -> None:
        self.node = node
        self.issuer, self.funder, self.hunter = (node.new_account() for _ in range(3))
        setup = BountyClient.deploy(node, self.issuer, poll_latency=0.005)
        self.sdk_provider = CountingHTTPProvider(node.url)
        self.client = BountyClient(Web3(self.sdk_provider), setup.address, self.issuer, poll_latency=0.005)
        self.raw_provider = CountingHTTPProvider(node.url)
        self.raw = Web3(self.raw_provider)  # web3.py's defaults, untouched by the SDK
        self.escrow = self.raw.eth.contract(address=setup.address, abi=setup.contract.abi)
        self.token = deploy_contract(node.w3, self.issuer, "TestToken", "USD Coin", "USDC", 6)
        self.permit_token = deploy_contract(node.w3, self.issuer, "TestPermitToken", "Permit USD", "PUSD", 6)
        for token in (self.token, self.permit_token):
            raw_send(node.w3, self.issuer, token.functions.mint(self.funder.address, 10**12))

    def as_(self, account: LocalAccount) -> BountyClient:
        return self.client.as_signer(account)

    def bounty(self, token: str = ETH) -> int:
        return self.client.create_bounty(ISSUE, self.node.now() + 30 * DAY, token=token).bounty_id


@pytest.fixture(scope="module")
def scene():
    with AnvilNode() as node:
        yield Scene(node)


def assert_at_most_one_more(sdk: list[tuple[str, ...]], raw: list[tuple[str, ...]]) -> None:
    assert len(sdk) <= len(raw) + 1, (sdk, raw)


def test_create_bounty(scene: Scene) -> None:
    scene.bounty()  # warm: the first write of a client is no different, but keep every test alike
    deadline = scene.node.now() + 30 * DAY
    sdk = on_the_wire(scene.sdk_provider, lambda: scene.client.create_bounty(ISSUE, deadline))
    raw = on_the_wire(scene.raw_provider, lambda: raw_send(
        scene.raw, scene.issuer, scene.escrow.functions.createBounty(ETH, deadline, ETH, ISSUE)))
    assert sdk == [("eth_getBlockByNumber",), *SDK_TX]  # the deadline is checked against chain time
    assert len(raw) == RAW_TX
    assert_at_most_one_more(sdk, raw)


def test_raw_web3_sends_what_this_file_expects(scene: Scene) -> None:
    bounty_id = scene.bounty()
    raw = on_the_wire(scene.raw_provider, lambda: raw_send(
        scene.raw, scene.hunter, scene.escrow.functions.submitSolution(bounty_id, PR)))
    assert raw == [("eth_getTransactionCount",), ("eth_chainId",), ("eth_estimateGas",), ("eth_chainId",),
                   ("eth_maxPriorityFeePerGas",), ("eth_getBlockByNumber",), ("eth_chainId",),
                   ("eth_sendRawTransaction",), ("eth_getTransactionReceipt",)]


def test_pledge_eth(scene: Scene) -> None:
    bounty_id = scene.bounty()
    funder = scene.as_(scene.funder)
    funder.pledge(bounty_id, 10**15)
    sdk = on_the_wire(scene.sdk_provider, lambda: funder.pledge(bounty_id, 10**15))
    raw = on_the_wire(scene.raw_provider, lambda: raw_send(
        scene.raw, scene.funder, scene.escrow.functions.pledge(bounty_id, 10**15, 2**64 - 1), value=10**15))
    # The balance check rides in the state batch: no separate eth_getBalance.
    assert sdk == [*BOUNTY_READ, *SDK_TX]
    assert len(raw) == RAW_TX
    assert_at_most_one_more(sdk, raw)


def test_pledge_token_by_approve(scene: Scene) -> None:
    token = scene.token.address
    bounty_id = scene.bounty(token)
    funder = scene.as_(scene.funder)
    funder.pledge(bounty_id, 10**6)  # reads the token's symbol and decimals, and finds it has no permit
    sdk = on_the_wire(scene.sdk_provider, lambda: funder.pledge(bounty_id, 10**6))
    approve = scene.raw.eth.contract(address=token, abi=scene.token.abi).functions.approve(
        scene.escrow.address, 10**6)
    raw = on_the_wire(scene.raw_provider, lambda: (
        raw_send(scene.raw, scene.funder, approve),
        raw_send(scene.raw, scene.funder, scene.escrow.functions.pledge(bounty_id, 10**6, 2**64 - 1))))
    # The bounty, the token balance, the permit probe (DOMAIN_SEPARATOR), the allowance, then
    # the approve and the pledge.
    assert sdk == [*BOUNTY_READ, *CALL, *CALL, *CALL, *SDK_TX, *SDK_TX]
    assert len(raw) == 2 * RAW_TX
    assert_at_most_one_more(sdk, raw)


def test_pledge_token_by_permit(scene: Scene) -> None:
    token = scene.permit_token.address
    bounty_id = scene.bounty(token)
    funder = scene.as_(scene.funder)
    funder.pledge(bounty_id, 10**6)  # reads the token's symbol, decimals and EIP-712 domain once
    sdk = on_the_wire(scene.sdk_provider, lambda: funder.pledge(bounty_id, 10**6))
    permit_token = scene.raw.eth.contract(address=token, abi=scene.permit_token.abi)

    def raw_permit_pledge() -> None:
        permit_token.functions.nonces(scene.funder.address).call()  # the nonce the permit signs
        deadline = scene.node.now() + 3600
        v, r, s = funder.sign_permit(token, 10**6, deadline)  # signing, here on the SDK's connection
        raw_send(scene.raw, scene.funder,
                 scene.escrow.functions.pledgeWithPermit(bounty_id, 10**6, 2**64 - 1, deadline, v, r, s))

    raw = on_the_wire(scene.raw_provider, raw_permit_pledge)
    # The bounty, the token balance, the token's DOMAIN_SEPARATOR, the permit nonce, then one
    # transaction.
    assert sdk == [*BOUNTY_READ, *CALL, *CALL, *CALL, *SDK_TX]
    assert len(raw) == RAW_TX + 3  # the nonce's eth_call, with two more chain ids
    assert_at_most_one_more(sdk, raw)
    assert scene.as_(scene.funder).pledge_of(bounty_id, scene.funder.address).amount == 3 * 10**6


def test_submit_solution(scene: Scene) -> None:
    hunter = scene.as_(scene.hunter)
    hunter.submit_solution(scene.bounty(), PR)  # warm
    bounty_id = scene.bounty()
    sdk = on_the_wire(scene.sdk_provider, lambda: hunter.submit_solution(bounty_id, PR))
    raw = on_the_wire(scene.raw_provider, lambda: raw_send(
        scene.raw, scene.hunter, scene.escrow.functions.submitSolution(bounty_id, PR)))
    # A bounty with no claim yet: no duplicate to look for.
    assert sdk == [*BOUNTY_READ, *SDK_TX]
    assert len(raw) == RAW_TX
    assert_at_most_one_more(sdk, raw)
    # With claims, the hunter's own claims on the bounty are read first (the duplicate check):
    # the block number and one page of logs, still within raw web3.py's count.
    sdk = on_the_wire(scene.sdk_provider, lambda: hunter.submit_solution(bounty_id, PR + "0"))
    assert sdk == [*BOUNTY_READ, ("eth_blockNumber",), ("eth_getLogs",), *SDK_TX]
    assert_at_most_one_more(sdk, raw)


def _awardable(scene: Scene) -> int:
    bounty_id = scene.bounty()
    scene.as_(scene.funder).pledge(bounty_id, 10**15)
    scene.as_(scene.hunter).submit_solution(bounty_id, PR)
    return bounty_id


def test_award(scene: Scene) -> None:
    sdk_bounty, raw_bounty = _awardable(scene), _awardable(scene)
    sdk = on_the_wire(scene.sdk_provider, lambda: scene.client.award(sdk_bounty, {1: 10_000}))
    raw = on_the_wire(scene.raw_provider, lambda: raw_send(
        scene.raw, scene.issuer, scene.escrow.functions.award(raw_bounty, [1], [10_000])))
    assert sdk == [*BOUNTY_READ, *SDK_TX]
    assert len(raw) == RAW_TX
    assert_at_most_one_more(sdk, raw)


def test_refund(scene: Scene) -> None:
    bounties = []
    for _ in range(2):
        bounty_id = scene.bounty()
        scene.as_(scene.funder).pledge(bounty_id, 10**15)
        scene.client.cancel(bounty_id)  # every pledge is refundable at once
        bounties.append(bounty_id)
    funder = scene.as_(scene.funder)
    sdk = on_the_wire(scene.sdk_provider, lambda: funder.refund(bounties[0]))
    raw = on_the_wire(scene.raw_provider, lambda: raw_send(
        scene.raw, scene.funder, scene.escrow.functions.refund(bounties[1])))
    # The bounty and the signer's pledge are read to refuse clearly what the contract would.
    assert sdk == [*BOUNTY_READ, *CALL, *SDK_TX]
    assert len(raw) == RAW_TX
    assert_at_most_one_more(sdk, raw)


def test_withdraw(scene: Scene) -> None:
    """A winner the token refused to pay is credited; it withdraws later."""
    blocklist = deploy_mock(scene.node, scene.issuer, "BlocklistToken")
    raw_send(scene.node.w3, scene.issuer, blocklist.functions.mint(scene.funder.address, 10**12))
    raw_send(scene.node.w3, scene.issuer, blocklist.functions.blocklist(scene.hunter.address))
    for _ in range(2):
        bounty_id = scene.bounty(blocklist.address)
        scene.as_(scene.funder).pledge(bounty_id, 10**6)
        scene.as_(scene.hunter).submit_solution(bounty_id, PR)
        assert scene.client.award(bounty_id, {1: 10_000}).payouts[0].credited
    raw_send(scene.node.w3, scene.issuer, blocklist.functions.unblocklist(scene.hunter.address))
    hunter = scene.as_(scene.hunter)
    assert hunter.credit_of(scene.hunter.address, blocklist.address) == 2 * 10**6
    sdk = on_the_wire(scene.sdk_provider, lambda: hunter.withdraw(blocklist.address, amount=10**6))
    raw = on_the_wire(scene.raw_provider, lambda: raw_send(
        scene.raw, scene.hunter, scene.escrow.functions.withdraw(blocklist.address)))
    assert sdk == [*CALL, *SDK_TX]  # the credit, then the transaction
    assert len(raw) == RAW_TX
    assert_at_most_one_more(sdk, raw)
    assert hunter.credit_of(scene.hunter.address, blocklist.address) == 0


def test_eth_keys_signs_natively_with_coincurve() -> None:
    from eth_keys import KeyAPI
    from eth_keys.backends import CoinCurveECCBackend

    assert isinstance(KeyAPI().backend, CoinCurveECCBackend)


def test_pledge_many_costs_a_handful_of_round_trips_whatever_the_count(scene: Scene) -> None:
    bounty_id = scene.bounty()
    funder = scene.as_(scene.funder)
    sdk = on_the_wire(scene.sdk_provider, lambda: funder.pledge_many([(bounty_id, 10**15)] * 5))
    # The bounty (read once), the account state, the five simulations in one batch, the five
    # sends in one batch; then receipts: polled in batches of what is still pending (all five at
    # first; fewer when some were mined between two polls), then each read once.
    assert sdk[:4] == [*BOUNTY_READ, STATE_BATCH, ("eth_estimateGas",) * 5, ("eth_sendRawTransaction",) * 5]
    receipts = sdk[4:]
    assert all(set(request) == {"eth_getTransactionReceipt"} for request in receipts), receipts
    polls = [len(request) for request in receipts if len(request) > 1]
    assert polls[0] == 5 and polls == sorted(polls, reverse=True), receipts
    assert len(receipts) - len(polls) <= 5, receipts  # each receipt read once at most
    assert funder.pledge_of(bounty_id, scene.funder.address).amount == 5 * 10**15
