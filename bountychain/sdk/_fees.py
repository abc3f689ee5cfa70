"""What a transaction needs from the node before it is signed, read in one round trip, and
the fee fields built from it once, capped.

The sender's nonce and balance, the latest block (its time, gas limit and base fee) and the
node's suggested priority fee are independent reads: they go in one JSON-RPC batch where the
provider supports batches (HTTP), else one by one (the in-process chain).

The fee is the node's word, and a node can lie: web3's default (the suggested tip plus twice
the base fee) is used only within `FeeCaps`, and an answer above a cap is refused before
anything is signed. The fields built here are the ones signed, so what a confirmation shows
(max fee x gas limit) is the most the transaction can cost in gas.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from web3 import Web3
from web3.types import RPCEndpoint

from bountychain.amounts import format_amount
from bountychain.errors import NetworkFeeTooHigh
from bountychain.sdk._retry import RetryPolicy
from bountychain.sdk._rpc import rpc_batch, supports_batches

GWEI = 10**9


@dataclass(frozen=True)
class FeeCaps:
    """The most a transaction may pay per gas, in wei, whatever the node suggests.

    The defaults stay clear of real fee markets (mainnet's base fee rarely passes 200 gwei,
    tips are a few gwei) while refusing a node that inflates them a thousandfold."""

    max_priority_fee: int = 10 * GWEI
    max_fee: int = 1_000 * GWEI


@dataclass(frozen=True)
class ChainState:
    """What the next transaction of `sender` depends on, as the node saw it."""

    nonce: int  # the sender's next nonce, counting its pending transactions
    balance: int
    block_number: int
    timestamp: int  # the latest block's
    gas_limit: int  # the latest block's
    base_fee: int | None  # None on a chain without EIP-1559
    suggested_tip: int | None  # eth_maxPriorityFeePerGas, None where the node lacks it


def remember_chain_id(w3: Web3) -> None:
    """web3's validation middleware asks the node for its chain id before every call and gas
    estimate. An endpoint's chain id does not change (the client checked it once), so the
    provider is told to cache that one answer, with web3's own request cache; nothing else
    is cached. A provider already configured for caching is left as it is."""
    provider: Any = w3.provider
    if hasattr(provider, "cache_allowed_requests") and not provider.cache_allowed_requests:
        provider.cacheable_requests = {RPCEndpoint("eth_chainId")}
        provider.cache_allowed_requests = True


def read_chain_state(w3: Web3, sender: str, retry: RetryPolicy) -> ChainState:
    """The sender's nonce and balance, the latest block and the suggested tip: one round trip
    over HTTP (a JSON-RPC batch), four calls elsewhere."""
    if not supports_batches(w3):
        block = w3.eth.get_block("latest")
        try:
            tip: int | None = int(w3.eth.max_priority_fee)
        except Exception:  # a chain without EIP-1559
            tip = None
        return ChainState(
            nonce=int(w3.eth.get_transaction_count(sender, "pending")), balance=int(w3.eth.get_balance(sender)),
            block_number=int(block["number"]), timestamp=int(block["timestamp"]), gas_limit=int(block["gasLimit"]),
            base_fee=int(block["baseFeePerGas"]) if "baseFeePerGas" in block else None, suggested_tip=tip)
    # Each answer (or error) stays separate: a node without eth_maxPriorityFeePerGas still
    # answers the rest.
    responses = rpc_batch(w3, [
        ("eth_getTransactionCount", [sender, "pending"]),
        ("eth_getBalance", [sender, "latest"]),
        ("eth_getBlockByNumber", ["latest", False]),
        ("eth_maxPriorityFeePerGas", []),
    ], retry)
    nonce, balance, block, tip_hex = (response.get("result") for response in responses)
    if nonce is None or balance is None or not isinstance(block, dict):
        errors = [response.get("error") for response in responses[:3] if "error" in response]
        raise ConnectionError(f"the node did not answer the account and block reads: {errors}")
    return ChainState(
        nonce=int(nonce, 16), balance=int(balance, 16), block_number=int(block["number"], 16),
        timestamp=int(block["timestamp"], 16), gas_limit=int(block["gasLimit"], 16),
        base_fee=int(block["baseFeePerGas"], 16) if block.get("baseFeePerGas") else None,
        suggested_tip=int(tip_hex, 16) if isinstance(tip_hex, str) else None)


def fee_fields(w3: Web3, state: ChainState, caps: FeeCaps) -> dict[str, int]:
    """The fee fields to sign: EIP-1559's (the suggested tip plus twice the base fee, web3's
    default) or, on a chain without a base fee, the node's gas price. Raises
    `NetworkFeeTooHigh` when the node's answer passes a cap."""
    if state.base_fee is None:
        price = int(w3.eth.gas_price)
        _check_cap("gas price", price, caps.max_fee, "max_fee")
        return {"gasPrice": price}
    tip = state.suggested_tip if state.suggested_tip is not None else int(w3.eth.max_priority_fee)
    _check_cap("priority fee (tip)", tip, caps.max_priority_fee, "max_priority_fee")
    max_fee = 2 * state.base_fee + tip
    _check_cap(f"max fee (twice the base fee of {_gwei(state.base_fee)} plus the tip)", max_fee, caps.max_fee,
               "max_fee")
    return {"maxFeePerGas": max_fee, "maxPriorityFeePerGas": tip}


def max_gas_price(tx: dict[str, Any]) -> int:
    """The most the transaction pays per gas (its max fee, or its legacy gas price)."""
    return int(tx.get("maxFeePerGas", tx.get("gasPrice", 0)))


def _gwei(wei: int) -> str:
    return format_amount(wei, 9, "gwei")


def _check_cap(what: str, wei: int, cap: int, setting: str) -> None:
    if wei > cap:
        raise NetworkFeeTooHigh(
            f"the node asks a {what} of {_gwei(wei)} per gas, above the cap of {_gwei(cap)}: "
            f"nothing was sent. If the network is really that busy, raise FeeCaps.{setting}; "
            f"otherwise the node may be lying about fees, so use another one")


__all__ = ["ChainState", "FeeCaps", "GWEI", "fee_fields", "max_gas_price", "read_chain_state",
           "remember_chain_id"]
