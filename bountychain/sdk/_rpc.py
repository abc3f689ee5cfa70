"""Plain JSON-RPC for the SDK's hot paths: batches, and contract reads encoded directly.

web3's contract functions look the function up among every function of the ABI (hashing
each signature) on each call; a read the SDK makes before every write (a bounty, a pledge,
a balance) is encoded here once per function instead, with eth-abi. Batches put independent
reads in one round trip where the provider speaks HTTP; the in-process chain has no batches,
so callers fall back to one request each.
"""

from __future__ import annotations

from typing import Any

from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_utils import keccak, to_checksum_address
from web3 import Web3
from web3.types import RPCEndpoint

from bountychain.sdk._retry import RetryPolicy, retrying


def supports_batches(w3: Web3) -> bool:
    """True for the HTTP provider and the async client's bridge (JSON-RPC batches); the
    in-process chain has none."""
    return isinstance(w3.provider, Web3.HTTPProvider) or getattr(w3.provider, "supports_batches", False) is True


def rpc_batch(w3: Web3, calls: list[tuple[str, list[Any]]], retry: RetryPolicy) -> list[dict[str, Any]]:
    """One HTTP request carrying `calls` (idempotent reads: retried under `retry`); each
    answer (a "result" or an "error") kept apart, in the order asked."""
    requests = [(RPCEndpoint(method), params) for method, params in calls]
    responses = retrying(retry, "+".join(method for method, _ in calls),
                         lambda: w3.provider.make_batch_request(requests))  # type: ignore[attr-defined]
    if not isinstance(responses, list) or len(responses) != len(calls):
        raise ConnectionError(f"the node answered a batch of {len(calls)} requests with {responses!r}")
    return [dict(response) for response in responses]


def abi_type(item: dict[str, Any]) -> str:
    """The canonical type of an ABI input or output, as in a signature: tuple as (a,b)."""
    kind = str(item["type"])
    if kind.startswith("tuple"):
        return "(" + ",".join(abi_type(part) for part in item["components"]) + ")" + kind[len("tuple"):]
    return kind


def _pythonic(item: dict[str, Any], value: Any) -> Any:
    """A decoded value as web3 gives it: checksummed addresses, tuples for structs."""
    kind = str(item["type"])
    if kind.endswith("]"):
        element = {**item, "type": kind[:kind.rindex("[")]}
        return [_pythonic(element, part) for part in value]
    if kind == "tuple":
        return tuple(_pythonic(part, field) for part, field in zip(item["components"], value, strict=True))
    if kind == "address":
        return to_checksum_address(value)
    return value


class FunctionCodec:
    """One view function of a contract at an address: its call, and its answer decoded."""

    def __init__(self, abi: list[dict[str, Any]], address: str, name: str) -> None:
        [function] = [item for item in abi if item.get("type") == "function" and item["name"] == name]
        self.address = address
        self.name = name
        self.inputs = [abi_type(item) for item in function["inputs"]]
        self.outputs = function["outputs"]
        self.selector = keccak(text=f"{name}({','.join(self.inputs)})")[:4]

    def call(self, *args: Any) -> dict[str, str]:
        """The eth_call transaction object."""
        return {"to": self.address, "data": "0x" + (self.selector + abi_encode(self.inputs, args)).hex()}

    def decode(self, returned: bytes | str) -> Any:
        """The answer: one value, or a tuple of them for several outputs."""
        data = bytes.fromhex(returned[2:]) if isinstance(returned, str) else bytes(returned)
        values = abi_decode([abi_type(item) for item in self.outputs], data)
        decoded = tuple(_pythonic(item, value) for item, value in zip(self.outputs, values, strict=True))
        return decoded[0] if len(decoded) == 1 else decoded


__all__ = ["FunctionCodec", "abi_type", "rpc_batch", "supports_batches"]
