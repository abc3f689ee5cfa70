"""The node suggests the fee; it cannot set it (issue 18, finding 3). Through a lying node (a
JSON-RPC proxy on loopback in front of anvil that inflates the suggested tip or gas price),
the SDK and the command line refuse a fee above the caps before signing, and the fee the
command line shows is the one signed: the transaction's gas limit times its max fee."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from benchmarks.rpc_tools import RpcProxy
from bountychain import deployments as registry
from bountychain.amounts import format_amount
from bountychain.devchain import AnvilNode, find_anvil
from bountychain.errors import NetworkFeeTooHigh
from bountychain.sdk import BountyClient, FeeCaps
from bountychain.sdk._fees import GWEI

pytestmark = pytest.mark.anvil

REPO = Path(__file__).resolve().parent.parent
ISSUE = "https://github.com/org/repo/issues/18"


def lying(*, tip: int | None = None, gas_price: int | None = None, legacy: bool = False) -> Any:
    """A proxy's answer: the node's own, except the suggested tip and gas price, and (with
    `legacy`) blocks without a base fee, as on a chain before EIP-1559."""

    def answer(call: dict[str, Any], forward: Any) -> dict[str, Any]:
        response = forward(call)
        if call["method"] == "eth_maxPriorityFeePerGas" and tip is not None:
            response["result"] = hex(tip)
        if call["method"] == "eth_gasPrice" and gas_price is not None:
            response["result"] = hex(gas_price)
        if call["method"] == "eth_getBlockByNumber" and legacy and isinstance(response.get("result"), dict):
            response["result"].pop("baseFeePerGas", None)
        return response

    return answer


@pytest.fixture(scope="module")
def escrow(node: AnvilNode) -> BountyClient:
    # Anvil suggests the tips of recent blocks: after a test's busy-network pledge it asks 20
    # gwei, which the setup's own client accepts.
    return BountyClient.deploy(node, node.new_account(), poll_latency=0.005,
                               fee_caps=FeeCaps(max_priority_fee=100 * GWEI))


@pytest.fixture
def proxy(node: AnvilNode) -> Iterator[RpcProxy]:
    proxy = RpcProxy(node.url)
    yield proxy
    proxy.close()


def _bounty(escrow: BountyClient, node: AnvilNode) -> int:
    return escrow.create_bounty(ISSUE, node.now() + 30 * 86_400).bounty_id


def _nothing_sent(node: AnvilNode, account: Any, balance: int) -> None:
    assert node.w3.eth.get_transaction_count(account.address) == 0
    assert node.w3.eth.get_balance(account.address) == balance


def test_a_node_inflating_the_tip_is_refused_before_signing(node, escrow, proxy) -> None:
    bounty_id = _bounty(escrow, node)
    funder = node.new_account()
    balance = node.w3.eth.get_balance(funder.address)
    proxy.answer = lying(tip=35_000 * GWEI)  # the review's node: 3.59 ETH of fee for a 0.01 ETH pledge
    client = BountyClient(proxy.url, escrow.address, funder)
    with pytest.raises(NetworkFeeTooHigh) as refused:
        client.pledge(bounty_id, "0.01 ether")
    message = str(refused.value)
    assert "priority fee (tip) of 35000 gwei per gas, above the cap of 10 gwei" in message
    assert "nothing was sent" in message and "FeeCaps.max_priority_fee" in message
    _nothing_sent(node, funder, balance)


def test_a_legacy_node_inflating_the_gas_price_is_refused(node, escrow, proxy) -> None:
    bounty_id = _bounty(escrow, node)
    funder = node.new_account()
    balance = node.w3.eth.get_balance(funder.address)
    proxy.answer = lying(gas_price=5_000 * GWEI, legacy=True)
    client = BountyClient(proxy.url, escrow.address, funder)
    with pytest.raises(NetworkFeeTooHigh, match=r"gas price of 5000 gwei per gas, above the cap of 1000 gwei"):
        client.pledge(bounty_id, "0.01 ether")
    _nothing_sent(node, funder, balance)


def test_a_max_fee_past_its_cap_is_refused_even_with_a_modest_tip(node, escrow, proxy) -> None:
    bounty_id = _bounty(escrow, node)
    funder = node.new_account()
    balance = node.w3.eth.get_balance(funder.address)
    proxy.answer = lying(tip=2 * GWEI)
    client = BountyClient(proxy.url, escrow.address, funder, fee_caps=FeeCaps(max_fee=3 * GWEI))
    with pytest.raises(NetworkFeeTooHigh, match=r"max fee \(twice the base fee of .* gwei plus the tip\)"):
        client.pledge(bounty_id, "0.01 ether")
    _nothing_sent(node, funder, balance)


class Recording(BountyClient):
    """Keeps the transaction `before_send` is shown, as a confirmation would show it."""

    shown: list[dict[str, Any]]

    def before_send(self, fn: Any, *, value: int, bounty_id: int | None, tx: dict[str, Any]) -> None:
        self.shown.append(dict(tx))


def test_raised_caps_let_a_busy_network_through_and_what_is_shown_is_signed(node, escrow, proxy) -> None:
    bounty_id = _bounty(escrow, node)
    funder = node.new_account()
    balance = node.w3.eth.get_balance(funder.address)
    proxy.answer = lying(tip=20 * GWEI)
    refused = BountyClient(proxy.url, escrow.address, funder)
    with pytest.raises(NetworkFeeTooHigh):
        refused.pledge(bounty_id, "0.01 ether")
    client = Recording(proxy.url, escrow.address, funder, fee_caps=FeeCaps(max_priority_fee=25 * GWEI))
    client.shown = []
    result = client.pledge(bounty_id, "0.01 ether")
    [shown] = client.shown
    signed = node.w3.eth.get_transaction(result.tx_hash)
    assert (signed["gas"], signed["maxFeePerGas"], signed["maxPriorityFeePerGas"]) == (
        shown["gas"], shown["maxFeePerGas"], shown["maxPriorityFeePerGas"])
    assert signed["maxPriorityFeePerGas"] == 20 * GWEI
    # The fee paid never passes what was shown: gas limit x max fee.
    assert result.gas_cost_wei <= shown["gas"] * shown["maxFeePerGas"]
    assert node.w3.eth.get_balance(funder.address) == balance - 10**16 - result.gas_cost_wei


@pytest.fixture
def cli(node: AnvilNode, escrow: BountyClient, proxy: RpcProxy, tmp_path: Path) -> Any:
    assert escrow.deployment is not None
    issuer = escrow.signer
    assert issuer is not None
    registry.save(registry.record_for(node.chain_id, escrow.deployment, issuer.address), tmp_path / "deployments")
    env = {key: value for key, value in os.environ.items() if not key.startswith(("BOUNTYCHAIN_", "XDG_"))}
    env.update({"BOUNTYCHAIN_RPC": proxy.url, "BOUNTYCHAIN_DEPLOYMENTS": str(tmp_path / "deployments"),
                "BOUNTYCHAIN_ANVIL": find_anvil(), "XDG_CONFIG_HOME": str(tmp_path / "config"),
                "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
                "PYTHONIOENCODING": "utf-8", "COLUMNS": "200"})

    def run(*args: str, key: Any) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "bountychain.cli", *args], capture_output=True, text=True,
                              env={**env, "BOUNTYCHAIN_PRIVATE_KEY": "0x" + bytes(key.key).hex()},
                              cwd=tmp_path, timeout=180)

    return run


def test_the_cli_panel_shows_the_fee_signed(node, escrow, proxy, cli) -> None:
    bounty_id = _bounty(escrow, node)
    funder = node.new_account()
    proxy.answer = lying(tip=3 * GWEI)  # within the caps: a node that asks more than anvil's own
    proc = cli("--yes", "pledge", str(bounty_id), "0.01 ETH", key=funder)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    text = " ".join(proc.stdout.split())
    shown = re.search(r"network fee at most ([0-9.]+) ETH \(pledge ([0-9,]+) gas at a max fee of ([0-9.]+) gwei\)",
                      text)
    assert shown, text
    tx_hash = re.search(r"tx (0x[0-9a-f]{64})", text)
    assert tx_hash, text
    signed = node.w3.eth.get_transaction(tx_hash.group(1))
    assert signed["maxPriorityFeePerGas"] == 3 * GWEI
    assert shown.group(1) + " ETH" == format_amount(signed["gas"] * signed["maxFeePerGas"], 18, "ETH")
    assert int(shown.group(2).replace(",", "")) == signed["gas"]
    assert shown.group(3) + " gwei" == format_amount(signed["maxFeePerGas"], 9, "gwei")


def test_the_cli_refuses_a_lying_node_in_words(node, escrow, proxy, cli) -> None:
    bounty_id = _bounty(escrow, node)
    funder = node.new_account()
    balance = node.w3.eth.get_balance(funder.address)
    proxy.answer = lying(tip=35_000 * GWEI)
    proc = cli("--yes", "pledge", str(bounty_id), "0.01 ETH", key=funder)
    assert proc.returncode != 0
    text = " ".join((proc.stdout + proc.stderr).split())
    assert "priority fee (tip) of 35000 gwei per gas, above the cap of 10 gwei" in text, text
    assert "nothing was sent" in text and "traceback" not in text.lower()
    _nothing_sent(node, funder, balance)
