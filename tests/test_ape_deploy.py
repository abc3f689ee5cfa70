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
from bountychain.deterministic import DEPLOYMENT_PROXY, predicted_escrow, salt_for

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
        # Through the CREATE2 proxy anvil ships: the address every chain gets for these settings.
        assert receipt["to"] == DEPLOYMENT_PROXY and receipt["blockNumber"] == record.block_number
        assert record.address == predicted_escrow(FEE_RECIPIENT, 100) and record.status == "confirmed"
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
        # --replace keeps the fee unless told, and the old escrow stays listed (it holds money).
        # The same settings give the same CREATE2 address, so a new escrow takes another salt.
        replaced = ape_deploy(node.url, tmp_path, "--replace", "--salt", "second")
        assert replaced.returncode == 0, replaced.stdout + replaced.stderr
        new = registry.load(31337, tmp_path)
        assert new.address != record.address and (new.fee_recipient, new.fee_bps) == (FEE_RECIPIENT, 100)
        assert [entry["address"] for entry in new.escrows()] == [record.address, new.address]
        assert new.address == predicted_escrow(FEE_RECIPIENT, 100, salt_for("second"))


def test_deploy_through_the_foundry_provider(tmp_path):
    """ape-foundry starts its own anvil (found on PATH) for the run."""
    result = ape_deploy("ethereum:local:foundry", tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert registry.load(31337, tmp_path).fee_bps == 0


def one_line_error(result: subprocess.CompletedProcess, message: str) -> None:
    output = (result.stdout + result.stderr).strip()
    assert result.returncode != 0, output
    assert output.splitlines() == [f"Error: {message}"] or (len(output.splitlines()) == 1 and message in output), output
    assert "Traceback" not in output


def ape_run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    full = {**os.environ, "PYTHONPATH": str(ROOT),
            "PATH": f"{ROOT / 'node_modules' / '.bin'}{os.pathsep}{os.environ['PATH']}", **(env or {})}
    for name in ("SEPOLIA_RPC_URL", "ETHERSCAN_API_KEY"):
        if name not in (env or {}):
            full.pop(name, None)
    return subprocess.run([str(APE), "run", *args], cwd=ROOT, env=full, capture_output=True, text=True, timeout=300)


def test_maintainer_mistakes_end_in_one_clear_line(tmp_path):
    one_line_error(ape_run("deploy", "--network", "ethereum:sepolia:node", "--account", "TEST::0"),
                   "SEPOLIA_RPC_URL is not set: export SEPOLIA_RPC_URL=https://...")
    one_line_error(ape_deploy("ethereum:local:test", tmp_path, "--fee-recipient", "0xabc"),
                   "--fee-recipient: '0xabc' is not a 20-byte hex address")
    assert not (tmp_path / "1337.json").exists()
    # Checked before the contracts are recompiled (no build output appears).
    build = tmp_path / "build-marker"
    one_line_error(ape_run("verify", "--network", "ethereum:local:test", "--deployments-dir", str(tmp_path)),
                   "ETHERSCAN_API_KEY is not set")
    assert not build.exists()
    one_line_error(ape_run("verify", "--deployments-dir", str(tmp_path), env={"ETHERSCAN_API_KEY": "k"}),
                   "chain 1337 is a local test chain, which no explorer shows")


def test_a_deployment_is_recorded_pending_at_once_and_a_rerun_confirms_it_without_deploying_again(tmp_path):
    with AnvilNode() as node:
        waiting = ape_deploy(node.url, tmp_path, "--confirmations", "3", "--timeout", "3")
        output = waiting.stdout + waiting.stderr
        assert waiting.returncode != 0 and "the record stays pending; rerun this command to confirm it" in output
        pending = json.loads((tmp_path / "31337.json").read_text())
        assert pending["status"] == "pending" and node.w3.eth.get_code(pending["address"])
        deployer = node.w3.eth.get_transaction_receipt(pending["tx_hash"])["from"]
        nonce = node.w3.eth.get_transaction_count(deployer)

        for _ in range(3):
            node.w3.provider.make_request("evm_mine", [])
        resumed = ape_deploy(node.url, tmp_path, "--confirmations", "3", "--timeout", "30")
        assert resumed.returncode == 0, resumed.stdout + resumed.stderr
        assert "confirming it, nothing is sent" in resumed.stdout
        record = registry.load(31337, tmp_path)
        assert (record.status, record.address, record.tx_hash) == ("confirmed", pending["address"], pending["tx_hash"])
        assert record.block_number == node.w3.eth.get_transaction_receipt(record.tx_hash)["blockNumber"]
        assert node.w3.eth.get_transaction_count(deployer) == nonce  # no second escrow was sent
