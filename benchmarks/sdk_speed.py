"""The SDK against raw web3.py, per write, side by side and interleaved in one run.

    .venv/bin/python -m benchmarks.sdk_speed [ROUNDS] [ROUNDS_AT_LATENCY]

On a fresh anvil node, each round runs every operation once through `BountyClient` and once
as raw web3.py (`build_transaction`, sign, `send_raw_transaction`, wait for the receipt),
alternating which goes first. Both use a default HTTPProvider and the same kind of signer;
whatever an operation needs beforehand (a bounty, a pledge, a claim, a credit) is set up
outside the timed part. It runs on anvil directly, then through a TCP proxy on loopback that
holds every packet 25 ms each way (50 ms per round trip, as a distant public endpoint).
Prints, per operation, the median wall time of each and the ratio SDK / raw (goal: <= 1.10),
and the HTTP requests each sent. Then the throughput of many pledges from one account, one
at a time against `pledge_many` (sent without waiting for each receipt).
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from eth_account.signers.local import LocalAccount
from web3 import Web3

from benchmarks.rpc_tools import CountingHTTPProvider, LatencyProxy
from bountychain import AnvilNode, BountyClient, deploy_contract
from bountychain.results import ETH

DAY = 86_400
ISSUE = "https://github.com/org/repo/issues/12"
PR = "https://github.com/org/repo/pull/13"
POLL = 0.005  # both poll for receipts alike; short, so that a poll landing just before anvil mines costs little
UNLOCK = 2**64 - 1
PLEDGE = 10**15


def raw_send(w3: Web3, signer: LocalAccount, fn: Any, value: int = 0) -> Any:
    """What a developer writes with web3.py alone."""
    tx = fn.build_transaction({"from": signer.address, "value": value,
                               "nonce": w3.eth.get_transaction_count(signer.address)})
    tx_hash = w3.eth.send_raw_transaction(signer.sign_transaction(tx).raw_transaction)
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, poll_latency=POLL)
    assert receipt["status"] == 1
    return receipt


@dataclass
class Timings:
    sdk: list[float] = field(default_factory=list)
    raw: list[float] = field(default_factory=list)
    sdk_requests: int = 0
    raw_requests: int = 0


class Bench:
    """One endpoint (anvil directly, or the latency proxy), its SDK client and raw web3."""

    def __init__(self, node: AnvilNode, setup: BountyClient, url: str, token: Any) -> None:
        self.node, self.setup, self.token = node, setup, token
        self.issuer, self.funder, self.hunter = (node.new_account() for _ in range(3))
        # The setup client stays on anvil directly: only the timed calls go through `url`.
        raw_send(node.w3, setup.signer, token.functions.mint(self.funder.address, 10**15))
        self.sdk_provider = CountingHTTPProvider(url, request_kwargs={"timeout": 60})
        self.raw_provider = CountingHTTPProvider(url, request_kwargs={"timeout": 60})
        self.sdk = BountyClient(Web3(self.sdk_provider), setup.address, self.issuer, poll_latency=POLL)
        self.raw = Web3(self.raw_provider)
        self.escrow = self.raw.eth.contract(address=setup.address, abi=setup.contract.abi)
        self.raw_token = self.raw.eth.contract(address=token.address, abi=token.abi)
        self.timings: dict[str, Timings] = {}

    def bounty(self, token: str = ETH, *, pledged: bool = False, claimed: bool = False) -> int:
        issuer = self.setup.as_signer(self.issuer)
        bounty_id = issuer.create_bounty(ISSUE, self.node.now() + 30 * DAY, token=token).bounty_id
        if pledged:
            issuer.as_signer(self.funder).pledge(bounty_id, PLEDGE if token == ETH else 10**6)
        if claimed:
            issuer.as_signer(self.hunter).submit_solution(bounty_id, PR)
        return bounty_id

    def operations(self) -> dict[str, tuple[Callable[[], Callable[[], Any]], Callable[[], Callable[[], Any]]]]:
        """Per operation: (prepare the SDK's call, prepare raw web3's), each returning the
        timed call."""
        sdk, raw, escrow = self.sdk, self.raw, self.escrow.functions
        funder, hunter = sdk.as_signer(self.funder), sdk.as_signer(self.hunter)
        token = self.token.address

        return {
            "create_bounty": (
                lambda: (lambda d=self.node.now() + 30 * DAY: sdk.create_bounty(ISSUE, d)),
                lambda: (lambda d=self.node.now() + 30 * DAY: raw_send(
                    raw, self.issuer, escrow.createBounty(ETH, d, ETH, ISSUE)))),
            "pledge ETH": (
                lambda: (lambda b=self.bounty(): funder.pledge(b, PLEDGE)),
                lambda: (lambda b=self.bounty(): raw_send(raw, self.funder, escrow.pledge(b, PLEDGE, UNLOCK),
                                                          value=PLEDGE))),
            "pledge token (approve + pledge)": (
                lambda: (lambda b=self.bounty(token): funder.pledge(b, 10**6)),
                lambda: (lambda b=self.bounty(token): (
                    raw_send(raw, self.funder, self.raw_token.functions.approve(self.escrow.address, 10**6)),
                    raw_send(raw, self.funder, escrow.pledge(b, 10**6, UNLOCK))))),
            "submit_solution": (
                lambda: (lambda b=self.bounty(): hunter.submit_solution(b, PR)),
                lambda: (lambda b=self.bounty(): raw_send(raw, self.hunter, escrow.submitSolution(b, PR)))),
            "award": (
                lambda: (lambda b=self.bounty(pledged=True, claimed=True): sdk.award(b, {1: 10_000})),
                lambda: (lambda b=self.bounty(pledged=True, claimed=True): raw_send(
                    raw, self.issuer, escrow.award(b, [1], [10_000])))),
            "refund": (
                lambda: (lambda b=self._cancelled(): funder.refund(b)),
                lambda: (lambda b=self._cancelled(): raw_send(raw, self.funder, escrow.refund(b)))),
        }

    def _cancelled(self) -> int:
        bounty_id = self.bounty(pledged=True)
        self.setup.as_signer(self.issuer).cancel(bounty_id)
        return bounty_id

    def run(self, rounds: int) -> None:
        for name, (sdk_call, raw_call) in self.operations().items():
            timing = self.timings.setdefault(name, Timings())
            for n in range(rounds):
                order = [("sdk", sdk_call), ("raw", raw_call)]
                for who, prepare in order if n % 2 == 0 else reversed(order):
                    call = prepare()
                    provider = self.sdk_provider if who == "sdk" else self.raw_provider
                    provider.requests.clear()
                    started = time.perf_counter()
                    call()
                    elapsed = time.perf_counter() - started
                    getattr(timing, who).append(elapsed)
                    setattr(timing, f"{who}_requests", len(provider.requests))

    def report(self, title: str) -> list[tuple[str, float, float, float, int, int]]:
        print(f"\n{title}")
        print(f"{'operation':<34}{'SDK ms':>9}{'raw ms':>9}{'SDK/raw':>9}{'requests':>12}")
        rows = []
        for name, timing in self.timings.items():
            sdk, raw = statistics.median(timing.sdk) * 1000, statistics.median(timing.raw) * 1000
            rows.append((name, sdk, raw, sdk / raw, timing.sdk_requests, timing.raw_requests))
            print(f"{name:<34}{sdk:>9.1f}{raw:>9.1f}{sdk / raw:>9.2f}{timing.sdk_requests:>6} / {timing.raw_requests}")
        return rows


def batch_throughput(node: AnvilNode, setup: BountyClient, url: str, count: int, title: str) -> tuple[float, float]:
    """`count` ETH pledges from one account: one at a time (each waits for its receipt), then
    with `pledge_many` (sent without waiting). Returns pledges per second of each."""
    funder = node.new_account()
    client = BountyClient(url, setup.address, funder, poll_latency=POLL)
    bounty_id = setup.create_bounty(ISSUE, node.now() + 30 * DAY).bounty_id
    started = time.perf_counter()
    for _ in range(count):
        client.pledge(bounty_id, PLEDGE)
    one_by_one = count / (time.perf_counter() - started)
    started = time.perf_counter()
    client.pledge_many([(bounty_id, PLEDGE)] * count)
    batched = count / (time.perf_counter() - started)
    assert client.pledge_of(bounty_id, funder.address).amount == 2 * count * PLEDGE
    print(f"{title}: {count} pledges, one at a time {one_by_one:.1f}/s, pledge_many {batched:.1f}/s "
          f"({batched / one_by_one:.1f}x)")
    return one_by_one, batched


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    rounds_at_latency = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    with AnvilNode() as node:
        issuer = node.new_account()
        setup = BountyClient.deploy(node, issuer, poll_latency=0.002)
        token = deploy_contract(node.w3, issuer, "TestToken", "USD Coin", "USDC", 6)
        direct = Bench(node, setup, node.url, token)
        direct.run(rounds)
        direct.report(f"anvil directly, median of {rounds} interleaved rounds (requests: SDK / raw)")
        proxy = LatencyProxy(f"127.0.0.1:{node.port}", one_way=0.025)
        try:
            distant = Bench(node, setup, proxy.url, token)
            distant.run(rounds_at_latency)
            distant.report(f"through a 50 ms round-trip proxy, median of {rounds_at_latency} interleaved rounds")
            print()
            batch_throughput(node, setup, node.url, 100, "anvil directly")
            batch_throughput(node, setup, proxy.url, 30, "through the 50 ms proxy")
        finally:
            proxy.close()


if __name__ == "__main__":
    main()
