"""The deployment registry: record, refuse to overwrite, and let the SDK find the escrow
from the RPC connection alone."""

import json
from dataclasses import asdict

import pytest

from bountychain import BountyClient, WrongChain
from bountychain import deployments as registry
from bountychain.deployments import DeploymentRecord


def _record(world):
    return registry.record_for(world.escrow.chain_id, world.escrow.deployment, world.issuer.address)


def test_a_recorded_deployment_is_found_from_the_connection_alone(world, tmp_path):
    registry.save(_record(world), tmp_path)
    client = BountyClient.connect(world.chain.w3, world.funders[0], deployments=tmp_path)
    assert client.address == world.escrow.address
    assert client.from_block == world.escrow.deployment.block_number
    bounty_id = world.new_bounty()
    assert client.pledge(bounty_id, 10**18).amount == 10**18


def test_the_record_holds_what_explorers_and_auditors_need(world, tmp_path):
    path = registry.save(_record(world), tmp_path)
    data = json.loads(path.read_text())
    assert path.name == f"{world.escrow.chain_id}.json"
    assert data["address"] == world.escrow.address and data["deployer"] == world.issuer.address
    assert data["compiler"]["version"].startswith("0.8.37")
    assert data["constructor_args"] == "0x" + world.treasury.address[2:].lower().rjust(64, "0") + f"{100:064x}"
    receipt = world.chain.w3.eth.get_transaction_receipt(data["tx_hash"])
    assert receipt["contractAddress"] == world.escrow.address and receipt["blockNumber"] == data["block_number"]


def test_recording_over_an_existing_deployment_needs_replace(world, tmp_path):
    record = _record(world)
    registry.save(record, tmp_path)
    with pytest.raises(registry.RegistryError, match="already has an escrow"):
        registry.save(record, tmp_path)
    registry.save(record, tmp_path, replace=True)


def test_connect_without_a_record_or_on_another_chain_fails_clearly(world, tmp_path):
    with pytest.raises(registry.RegistryError, match=f"chain {world.escrow.chain_id}"):
        BountyClient.connect(world.chain.w3, deployments=tmp_path)
    registry.save(_record(world), tmp_path)
    with pytest.raises(WrongChain):
        BountyClient.connect(world.chain.w3, deployments=tmp_path, chain_id=1)


def test_a_registry_in_the_working_directory_is_read_only_when_named(world, tmp_path, monkeypatch):
    """Issue 18, finding 2: with no folder named, only the registry shipped in the package is
    read; a planted ./deployments is named in the error, more sternly on a public chain."""
    record = _record(world)
    for chain_id in (1, 31337):
        registry.save(DeploymentRecord(**{**asdict(record), "chain_id": chain_id}), tmp_path / "deployments")
    monkeypatch.delenv("BOUNTYCHAIN_DEPLOYMENTS", raising=False)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(registry.RegistryError, match="not read unless you ask for it .* if you trust it"):
        registry.load(1)
    with pytest.raises(registry.RegistryError, match="as `bountychain node` prints"):
        registry.load(31337)
    assert registry.load(1, "deployments").chain_id == 1
    monkeypatch.setenv("BOUNTYCHAIN_DEPLOYMENTS", "deployments")
    assert registry.load(1).chain_id == 1
