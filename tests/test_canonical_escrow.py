"""A chain with no official deployment (issue 15): the shipped registry is empty until a public
deployment exists, so `BountyClient.connect(rpc_url)` and the command line look for the
canonical escrow (no fee, deployed through the CREATE2 proxy) at the address it has on every
chain, check its code, and use it; with nothing there, one sentence names the chain and says
what to do. Something else at that address is refused, never used. On anvil, with a chain id
of a public chain (Sepolia's), so no dev-chain leniency applies."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bountychain import AnvilNode, BountyClient
from bountychain import deployments as registry
from bountychain.create2 import canonical_escrow
from bountychain.deterministic import deploy_escrow
from bountychain.results import ETH

pytestmark = pytest.mark.anvil
REPO = Path(__file__).resolve().parents[1]
SEPOLIA = 11155111
ISSUE = "https://github.com/org/repo/issues/1"
TREASURY = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


@pytest.fixture
def sepolia_like(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """An anvil chain with Sepolia's id; no registry folder is named, and the working directory
    holds none."""
    monkeypatch.delenv("BOUNTYCHAIN_DEPLOYMENTS", raising=False)
    monkeypatch.chdir(tmp_path)
    with AnvilNode(chain_id=SEPOLIA) as node:
        yield node


def cli(node: AnvilNode, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("BOUNTYCHAIN_", "XDG_CONFIG_HOME"))}
    env.update({"BOUNTYCHAIN_RPC": node.url, "XDG_CONFIG_HOME": str(tmp_path / "config"),
                "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))})
    return subprocess.run([sys.executable, "-m", "bountychain.cli", *args], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=120)


def test_with_no_official_and_no_canonical_escrow_one_sentence_says_what_to_do(sepolia_like, tmp_path) -> None:
    with pytest.raises(registry.RegistryError) as missing:
        BountyClient.connect(sepolia_like.url)
    assert str(missing.value) == (
        f"no official escrow is recorded for Sepolia (chain {SEPOLIA}), and none is deployed at the address a "
        f"fee-free escrow of this version has on every chain ({canonical_escrow()}): pass the escrow's address "
        "(--escrow ADDRESS on the command line, escrow= in the SDK), or deploy one (`ape run deploy`, or "
        "`bountychain node` for a local chain)")
    # An escrow with a fee through the same proxy is someone's choice of recipient: not looked for.
    deploy_escrow(sepolia_like.w3, sepolia_like.new_account(), fee_recipient=TREASURY, fee_bps=100)
    with pytest.raises(registry.RegistryError, match="none is deployed at the address"):
        BountyClient.connect(sepolia_like.url)
    refused = cli(sepolia_like, tmp_path, "show", "1")
    assert refused.returncode == 1 and len(refused.stderr.strip().splitlines()) == 1, refused.stderr
    assert "no official escrow is recorded for Sepolia (chain 11155111)" in refused.stderr
    assert "--escrow ADDRESS" in refused.stderr and "Traceback" not in refused.stderr


def test_the_canonical_escrow_is_found_checked_and_read_from_its_deployment_block(sepolia_like, tmp_path) -> None:
    node = sepolia_like
    node.w3.provider.make_request("anvil_mine", [hex(40)])  # the escrow arrives at a later block
    address, receipt = deploy_escrow(node.w3, node.new_account(), fee_recipient=ETH, fee_bps=0)
    assert address == canonical_escrow()
    issuer = node.new_account()
    client = BountyClient.connect(node.url, issuer)
    assert (client.address, client.from_block) == (address, receipt["blockNumber"])
    assert client.fee() == (ETH, 0)
    assert registry.check_escrow(node.w3, address, SEPOLIA).official  # no --allow-unofficial-escrow needed
    bounty_id = client.create_bounty(ISSUE, node.now() + 30 * 86_400).bounty_id
    client.as_signer(node.new_account()).pledge(bounty_id, 10**15)
    assert [b.uri for b in client.bounties()] == [ISSUE]
    shown = cli(node, tmp_path, "--json", "show", str(bounty_id))
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["issue"] == ISSUE and "WARNING" not in shown.stderr


def test_something_else_at_the_canonical_address_is_refused_not_used(sepolia_like, tmp_path) -> None:
    """CREATE2 ties the address to the creation code, so only a chain whose state was written
    by other means (a genesis allocation, a node that lies) can hold anything else there: the
    code is checked anyway, and such a contract is refused with its reason."""
    node = sepolia_like
    charging, _ = deploy_escrow(node.w3, node.new_account(), fee_recipient=TREASURY, fee_bps=100)
    node.w3.provider.make_request("anvil_setCode", [canonical_escrow(), "0x6000"])
    with pytest.raises(registry.UnofficialEscrow, match="not this version's BountyEscrow"):
        BountyClient.connect(node.url)
    # The escrow's own code, copied from an escrow with a fee: the code check passes, but its
    # immutables (EIP-712 domain, fee, review contract) are the other escrow's.
    code = node.w3.eth.get_code(charging)
    node.w3.provider.make_request("anvil_setCode", [canonical_escrow(), "0x" + bytes(code).hex()])
    with pytest.raises(registry.UnofficialEscrow):
        BountyClient.connect(node.url)
    refused = cli(node, tmp_path, "show", "1")
    assert refused.returncode == 1 and len(refused.stderr.strip().splitlines()) == 1, refused.stderr
    assert f"the escrow at {canonical_escrow()} on chain {SEPOLIA} signs solutions for another domain" in refused.stderr
