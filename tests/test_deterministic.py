"""One escrow address on every chain (issue 15): deployed through the deterministic deployment
proxy on two separate anvil chains, the escrow lands at the predicted address on both, works,
and cannot be deployed twice."""

from __future__ import annotations

import pytest
from eth_utils import keccak, to_checksum_address

from bountychain import AnvilNode, BountyClient
from bountychain import deployments as registry
from bountychain.deterministic import (
    DEPLOYMENT_PROXY,
    NoDeploymentProxy,
    deploy_client,
    deploy_escrow,
    escrow_init_code,
    predicted_address,
    predicted_escrow,
    salt_for,
)
from bountychain.errors import BountychainError

pytestmark = pytest.mark.anvil
TREASURY = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


def test_create2_address_matches_eip1014s_example() -> None:
    # EIP-1014, example 1: deployer 0x0, salt 0, init code 0x00.
    assert predicted_address(b"\x00", bytes(32), "0x0000000000000000000000000000000000000000") == \
        to_checksum_address("0x4D1A2e2bB4F88F0250f26Ffff098B0b30B26BF38")


def test_the_escrow_lands_at_the_predicted_address_on_two_chains() -> None:
    expected = predicted_escrow(TREASURY, 100)
    assert expected != predicted_escrow(TREASURY, 50) != predicted_escrow(TREASURY, 100, salt_for("other"))
    with AnvilNode() as first, AnvilNode(chain_id=31338) as second:
        addresses = []
        for node in (first, second):
            assert node.w3.eth.get_code(DEPLOYMENT_PROXY), "anvil ships the CREATE2 proxy"
            deployer = node.new_account()
            address, receipt = deploy_escrow(node.w3, deployer, fee_recipient=TREASURY, fee_bps=100)
            assert receipt["status"] == 1 and receipt["to"] == DEPLOYMENT_PROXY
            check = registry.check_escrow(node.w3, address, node.chain_id)  # this version's code, consistent
            client = BountyClient(node, address, node.new_account(), from_block=receipt["blockNumber"])
            assert client.fee() == (TREASURY, 100)
            assert check.address == address
            addresses.append(address)
            nonce = node.w3.eth.get_transaction_count(deployer.address)
            with pytest.raises(BountychainError, match="already deployed at"):
                deploy_escrow(node.w3, deployer, fee_recipient=TREASURY, fee_bps=100)
            assert node.w3.eth.get_transaction_count(deployer.address) == nonce
        assert addresses == [expected, expected]
    assert keccak(escrow_init_code(TREASURY, 100)) != keccak(escrow_init_code(TREASURY, 99))


def test_deploy_client_falls_back_to_an_ordinary_deployment_and_says_so_where_there_is_no_proxy() -> None:
    """What `bountychain node` uses: through the proxy where it is, else told in words and
    deployed the ordinary way; without a listener for that, refused with nothing sent."""
    with AnvilNode() as node:
        deployer = node.new_account()
        through_proxy = deploy_client(node.w3, deployer)
        assert through_proxy.address == predicted_escrow("0x" + "00" * 20, 0)
        assert through_proxy.deployment is not None and through_proxy.deployment.fee_bps == 0
        assert registry.check_escrow(node.w3, through_proxy.address, node.chain_id).address == through_proxy.address
        node.w3.provider.make_request("anvil_setCode", [DEPLOYMENT_PROXY, "0x"])
        nonce = node.w3.eth.get_transaction_count(deployer.address)
        with pytest.raises(NoDeploymentProxy, match="has no deterministic deployment proxy"):
            deploy_client(node.w3, deployer, fee_recipient=TREASURY, fee_bps=100)
        assert node.w3.eth.get_transaction_count(deployer.address) == nonce
        told: list[str] = []
        ordinary = deploy_client(node.w3, deployer, fee_recipient=TREASURY, fee_bps=100, on_no_proxy=told.append)
        assert told == [f"chain 31337 has no deterministic deployment proxy at {DEPLOYMENT_PROXY}, so the escrow is "
                        "deployed the ordinary way: its address differs from other chains'"]
        assert ordinary.address != predicted_escrow(TREASURY, 100) and ordinary.fee() == (TREASURY, 100)
        assert ordinary.deployment is not None and ordinary.deployment.address == ordinary.address
