"""`AsyncBountyClient` runs the same scenarios as `BountyClient`, on anvil, with the same
typed results, balances and refusals: each scenario below runs once per client."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from bountychain.devchain import AnvilNode
from bountychain.errors import BountyClosed, InsufficientFunds, InvalidAddress, NetworkFeeTooHigh
from bountychain.results import AwardResult, PledgeResult, RefundResult, SolutionResult
from bountychain.sdk import AsyncBountyClient, BountyClient, FeeCaps, deploy_contract, send_transaction

pytestmark = pytest.mark.anvil

ISSUE = "https://github.com/org/repo/issues/{}"
PR = "https://github.com/org/repo/pull/{}"
DAY = 86_400


class Driver:
    """Makes clients of one flavor and calls their methods: directly, or awaited on one
    event loop."""

    def __init__(self, node: AnvilNode, escrow: str, flavor: str) -> None:
        self.node, self.escrow, self.flavor = node, escrow, flavor
        self.loop = asyncio.new_event_loop()
        self.opened: list[AsyncBountyClient] = []

    def client(self, signer: Any, **options: Any) -> Any:
        if self.flavor == "sync":
            return BountyClient(self.node.url, self.escrow, signer, poll_latency=0.005, **options)
        client = self.loop.run_until_complete(
            AsyncBountyClient.connect(self.node.url, self.escrow, signer, poll_latency=0.005, **options))
        self.opened.append(client)
        return client

    def __call__(self, client: Any, method: str, *args: Any, **kwargs: Any) -> Any:
        result = getattr(client, method)(*args, **kwargs)
        return self.loop.run_until_complete(result) if self.flavor == "async" else result

    def close(self) -> None:
        for client in self.opened:
            self.loop.run_until_complete(client.close())
        self.loop.close()


@pytest.fixture(scope="module")
def setup(node: AnvilNode) -> BountyClient:
    return BountyClient.deploy(node, node.new_account(), poll_latency=0.005)


@pytest.fixture(params=["sync", "async"])
def drive(request: pytest.FixtureRequest, node: AnvilNode, setup: BountyClient) -> Iterator[Driver]:
    driver = Driver(node, setup.address, request.param)
    yield driver
    driver.close()


def test_bounty_story_eth(drive: Driver, node: AnvilNode) -> None:
    issuer, funder, hunters = node.new_account(), node.new_account(), [node.new_account() for _ in range(2)]
    client = drive.client(issuer)
    created = drive(client, "create_bounty", ISSUE.format(1), node.now() + 30 * DAY)
    bounty_id = created.bounty_id
    funder_before = node.w3.eth.get_balance(funder.address)
    pledged = drive(drive.client(funder), "pledge", bounty_id, "0.5 ether")
    assert isinstance(pledged, PledgeResult) and pledged.amount == 5 * 10**17
    assert node.w3.eth.get_balance(funder.address) == funder_before - 5 * 10**17 - pledged.gas_cost_wei
    claims = [drive(drive.client(hunter), "submit_solution", bounty_id, PR.format(n))
              for n, hunter in enumerate(hunters, 1)]
    assert all(isinstance(c, SolutionResult) for c in claims) and [c.claim_id for c in claims] == [1, 2]
    before = [node.w3.eth.get_balance(h.address) for h in hunters]
    award = drive(client, "award", bounty_id, {1: 7_000, 2: 3_000})
    assert isinstance(award, AwardResult) and award.pool == 5 * 10**17
    assert [node.w3.eth.get_balance(h.address) - b for h, b in zip(hunters, before, strict=True)] == [
        35 * 10**16, 15 * 10**16]
    assert [c.uri for c in drive(client, "claims", bounty_id)] == [PR.format(1), PR.format(2)]
    assert bounty_id in [b.bounty_id for b in drive(client, "bounties", ISSUE.format(1))]


def test_token_pledges_by_approve_and_by_permit(drive: Driver, node: AnvilNode, setup: BountyClient) -> None:
    funder = node.new_account()
    client = drive.client(funder)
    for name, symbol, kind, permit in (("USD Coin", "USDC", "TestToken", False),
                                       ("Permit USD", "PUSD", "TestPermitToken", True)):
        token = deploy_contract(node.w3, setup.signer, kind, name, symbol, 6)
        send_transaction(node.w3, setup.signer, token.functions.mint(funder.address, 100 * 10**6))
        bounty_id = setup.create_bounty(ISSUE.format(2), node.now() + 30 * DAY, token=token.address).bounty_id
        pledged = drive(client, "pledge", bounty_id, f"25 {symbol}")
        assert (pledged.amount, pledged.permit, pledged.approval is None) == (25 * 10**6, permit, permit)
        assert token.functions.balanceOf(funder.address).call() == 75 * 10**6
        assert drive(client, "pledge_of", bounty_id, funder.address).amount == 25 * 10**6


def test_refund_after_a_cancel(drive: Driver, node: AnvilNode, setup: BountyClient) -> None:
    funder = node.new_account()
    client = drive.client(funder)
    bounty_id = setup.create_bounty(ISSUE.format(3), node.now() + 30 * DAY).bounty_id
    drive(client, "pledge", bounty_id, 10**16)
    setup.cancel(bounty_id)
    before = node.w3.eth.get_balance(funder.address)
    refunded = drive(client, "refund", bounty_id)
    assert isinstance(refunded, RefundResult) and refunded.amount == 10**16
    assert node.w3.eth.get_balance(funder.address) == before + 10**16 - refunded.gas_cost_wei
    with pytest.raises(BountyClosed):
        drive(client, "pledge", bounty_id, 10**16)


def test_refusals_send_nothing(drive: Driver, node: AnvilNode, setup: BountyClient) -> None:
    poor = node.new_account(wei=10**15)
    bounty_id = setup.create_bounty(ISSUE.format(4), node.now() + 30 * DAY).bounty_id
    client = drive.client(poor)
    with pytest.raises(InvalidAddress):
        drive(client, "create_bounty", ISSUE.format(4), node.now() + DAY, token="0x1234")
    with pytest.raises(InsufficientFunds, match="holds 0.001 ETH"):
        drive(client, "pledge", bounty_id, "1 ether")
    capped = drive.client(poor, fee_caps=FeeCaps(max_priority_fee=1))
    with pytest.raises(NetworkFeeTooHigh):
        drive(capped, "pledge", bounty_id, 10**12)
    assert node.w3.eth.get_transaction_count(poor.address) == 0


def test_the_async_client_lets_the_loop_run_other_tasks(node: AnvilNode, setup: BountyClient) -> None:
    async def scenario() -> list[Any]:
        async with await AsyncBountyClient.connect(node.url, setup.address) as client:
            ticks = 0

            async def ticker() -> None:
                nonlocal ticks
                while True:
                    ticks += 1
                    await asyncio.sleep(0)

            task = asyncio.create_task(ticker())
            reads = await asyncio.gather(*(client.bounty_count() for _ in range(5)), client.bounties())
            task.cancel()
            assert ticks > 5  # the loop ran the ticker while the client's requests were in flight
            return reads

    counts = asyncio.run(scenario())
    assert counts[:5] == [setup.bounty_count()] * 5


def test_the_readmes_async_example_runs(node: AnvilNode, capsys: pytest.CaptureFixture[str]) -> None:
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    example = readme.split("```py\n", 1)[1].split("```", 1)[0]
    assert "AsyncBountyClient.connect" in example
    funder = node.new_account()
    setup = BountyClient.deploy(node, node.new_account(), poll_latency=0.005)  # bounty 1, as in the example
    assert setup.create_bounty(ISSUE.format(5), node.now() + 30 * DAY).bounty_id == 1
    exec(example.replace("http://127.0.0.1:8545", node.url),  # noqa: S102 (the README's own code)
         {"__name__": "readme", "escrow_address": setup.address, "funder": funder})
    assert setup.pledge_of(1, funder.address).amount == 10**17
    assert "0x" in capsys.readouterr().out
