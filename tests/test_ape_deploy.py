"""The maintainers' path: `ape run deploy` against ape's in-process chain and against a real
anvil node, the deployment registry it writes, and the SDK driven by that registry."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bountychain import AnvilNode, BountyClient
from bountychain import deployments as registry

ROOT = Path(__file__).resolve().parent.parent
APE = Path(sys.executable).parent / "ape"
FEE_RECIPIENT = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"  # anvil's second default account
pytestmark = pytest.mark.skipif(not APE.exists(), reason="ape is installed by `make test`")


def ape_deploy(network: str, deployments: Path, *extra: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT),
           "PATH": f"{ROOT / 'node_modules' / '.bin'}{os.pathsep}{os.environ['PATH']}"}
    command = [str(APE), "run", "deploy", "--network", network, "--account", "TEST::0",
               "--deployments-dir", str(deployments), *extra]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_deploy_on_apes_in_process_chain_records_it_and_refuses_to_overwrite(tmp_path):
    first = ape_deploy("ethereum:local:test", tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr
    record = json.loads((tmp_path / "1337.json").read_text())
    assert record["chain_id"] == 1337 and record["fee_bps"] == 0
    assert record["abi_sha256"] == registry.abi_sha256()
    again = ape_deploy("ethereum:local:test", tmp_path)
    assert again.returncode != 0 and "already has an escrow" in again.stdout + again.stderr
    assert json.loads((tmp_path / "1337.json").read_text()) == record


def test_deploy_on_anvil_then_the_sdk_finds_and_uses_it(tmp_path):
    with AnvilNode() as node:
        result = ape_deploy(node.url, tmp_path, "--fee-recipient", FEE_RECIPIENT, "--fee-bps", "100")
        assert result.returncode == 0, result.stdout + result.stderr
        record = registry.load(31337, tmp_path)
        receipt = node.w3.eth.get_transaction_receipt(record.tx_hash)
        assert receipt["contractAddress"] == record.address and receipt["blockNumber"] == record.block_number
        assert record.constructor_args == registry.constructor_args(FEE_RECIPIENT, 100)

        issuer, funder, hunter = (node.new_account() for _ in range(3))
        client = BountyClient.connect(node.url, issuer, deployments=tmp_path)
        assert client.address == record.address and client.fee() == (FEE_RECIPIENT, 100)
        bounty = client.create_bounty("https://github.com/o/r/issues/1", node.now() + 86_400)
        client.as_signer(funder).pledge(bounty.bounty_id, "1 ether")
        claim = client.as_signer(hunter).submit_solution(bounty.bounty_id, "https://github.com/o/r/pull/2")
        before = client.balance_of(hunter.address)
        award = client.award(bounty.bounty_id, {claim.claim_id: 10_000})
        assert client.balance_of(hunter.address) == before + 10**18 - award.fee
        assert award.fee == 10**16 and client.fees_accrued() == 10**16 and client.credit_of(FEE_RECIPIENT) == 0

        refused = ape_deploy(node.url, tmp_path)
        assert refused.returncode != 0
        replaced = ape_deploy(node.url, tmp_path, "--replace")
        assert replaced.returncode == 0, replaced.stdout + replaced.stderr
        assert registry.load(31337, tmp_path).address != record.address


def test_deploy_through_the_foundry_provider(tmp_path):
    """ape-foundry starts its own anvil (found on PATH) for the run."""
    result = ape_deploy("ethereum:local:foundry", tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert registry.load(31337, tmp_path).fee_bps == 0
