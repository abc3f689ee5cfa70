"""One escrow address on every chain: the escrow deployed through the deterministic deployment
proxy (Arachnid's CREATE2 factory at 0x4e59b44847b379578588920cA78FbF26c0B4956C, present on
anvil and on the major chains). The address arithmetic is `bountychain.create2`'s (re-exported
here); this module sends the deployment.

The proxy runs CREATE2 with the 32-byte salt and the init code it is sent, so the address
depends only on the salt, the escrow's bytecode and its constructor arguments (fee recipient
and fee): never on the deployer or its nonce. The same settings give the same address on
every chain, and an address can be predicted, and recorded, before anything is mined. A second
deployment with the same settings cannot happen: the address already holds the escrow.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from eth_account.signers.local import LocalAccount
from web3 import Web3

from bountychain.create2 import (
    DEFAULT_SALT_TEXT,
    DEPLOYMENT_PROXY,
    canonical_escrow,
    escrow_init_code,
    predicted_address,
    predicted_escrow,
    proxy_call_data,
    salt_for,
)
from bountychain.errors import BountychainError
from bountychain.results import ETH, Deployment

if TYPE_CHECKING:
    from bountychain.sdk import BountyClient


class NoDeploymentProxy(BountychainError):
    """The chain has no deterministic deployment proxy at its usual address."""


def check_proxy(w3: Web3) -> None:
    if not w3.eth.get_code(DEPLOYMENT_PROXY):
        raise NoDeploymentProxy(f"chain {w3.eth.chain_id} has no deterministic deployment proxy at {DEPLOYMENT_PROXY}: "
                                "deploy the escrow the ordinary way (its address will then differ per chain)")


class _ProxyCall:
    """A contract-call stand-in for the SDK's transaction path: a call to the proxy with raw data."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.fn_name = "deploy through the CREATE2 proxy"

    def build_transaction(self, params: dict[str, Any]) -> dict[str, Any]:
        return {**params, "to": DEPLOYMENT_PROXY, "data": "0x" + self.data.hex()}


def deploy_escrow(w3: Web3, signer: LocalAccount, *, fee_recipient: str, fee_bps: int,
                  salt: bytes | None = None) -> tuple[str, Any]:
    """Deploys the escrow through the proxy; returns (address, receipt). Refuses, sending
    nothing, when the address already holds code (the same escrow was deployed before)."""
    from bountychain.sdk import send_transaction

    check_proxy(w3)
    address = predicted_escrow(fee_recipient, fee_bps, salt)
    if w3.eth.get_code(address):
        raise BountychainError(f"an escrow with these settings is already deployed at {address} on chain "
                               f"{w3.eth.chain_id}: use it, or choose another salt")
    receipt = send_transaction(w3, signer, _ProxyCall(proxy_call_data(fee_recipient, fee_bps, salt)))
    if not w3.eth.get_code(address):
        raise BountychainError(f"the proxy transaction {receipt['transactionHash'].hex()} left no code at {address}")
    return address, receipt


def deploy_client(connection: Any, signer: LocalAccount, *, fee_recipient: str = ETH, fee_bps: int = 0,
                  salt: bytes | None = None, on_no_proxy: Callable[[str], None] | None = None,
                  **options: Any) -> BountyClient:
    """A `BountyClient` for an escrow deployed through the proxy (`deploy_escrow`), its
    `.deployment` set as `BountyClient.deploy` sets it. Where the chain has no proxy and
    `on_no_proxy` is given, it is told why in words and the escrow is deployed the ordinary way
    (`BountyClient.deploy`: an address from the deployer's nonce); without it, NoDeploymentProxy."""
    from bountychain.sdk import BountyClient
    from bountychain.sdk._transactions import tx_fields, web3_for

    w3 = web3_for(connection)
    try:
        address, receipt = deploy_escrow(w3, signer, fee_recipient=fee_recipient, fee_bps=fee_bps, salt=salt)
    except NoDeploymentProxy:
        if on_no_proxy is None:
            raise
        on_no_proxy(f"chain {w3.eth.chain_id} has no deterministic deployment proxy at {DEPLOYMENT_PROXY}, so the "
                    "escrow is deployed the ordinary way: its address differs from other chains'")
        return BountyClient.deploy(w3, signer, fee_recipient=fee_recipient, fee_bps=fee_bps, **options)
    client = BountyClient(w3, address, signer, from_block=receipt["blockNumber"], **options)
    client.deployment = Deployment(**tx_fields(receipt), address=address, fee_recipient=fee_recipient,
                                   fee_bps=fee_bps)
    return client


__all__ = ["DEFAULT_SALT_TEXT", "DEPLOYMENT_PROXY", "NoDeploymentProxy", "canonical_escrow", "check_proxy",
           "deploy_client", "deploy_escrow", "escrow_init_code", "predicted_address", "predicted_escrow",
           "proxy_call_data", "salt_for"]
