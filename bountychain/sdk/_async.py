"""`AsyncBountyClient`: `BountyClient`'s API, awaited, over web3's AsyncWeb3 (aiohttp).

There is one implementation of the client: every check, transaction, decoding and error
mapping is `BountyClient`'s own code. It runs in a greenlet whose Web3 has a bridge
provider: each JSON-RPC request the client makes suspends the greenlet, the event loop
awaits the request on the AsyncWeb3 provider, and the client resumes with the answer (the
pattern SQLAlchemy's asyncio layer uses). While a request is in flight, the loop runs
other tasks; so do the client's waits (retry backoff, receipt polls), which sleep on the
loop too (`pause`).

    client = await AsyncBountyClient.connect("https://rpc.example", escrow, signer)
    bounty = await client.bounty(1)
    result = await client.pledge(1, "0.1 ether")
"""

from __future__ import annotations

from typing import Any

from web3 import AsyncHTTPProvider, AsyncWeb3, Web3
from web3.providers import JSONBaseProvider

from bountychain.sdk._bridge import await_in_bridge, run_bridged
from bountychain.sdk._client import BountyClient
from bountychain.sdk._fees import remember_chain_id


class BridgeProvider(JSONBaseProvider):
    """A synchronous provider whose requests are made by an AsyncWeb3 provider."""

    supports_batches = True  # JSON-RPC batches, as the HTTP provider (see `_rpc.supports_batches`)

    def __init__(self, async_w3: AsyncWeb3[Any]) -> None:
        super().__init__()
        self.async_w3 = async_w3

    def make_request(self, method: Any, params: Any) -> Any:
        return await_in_bridge(self.async_w3.provider.make_request(method, params))

    def make_batch_request(self, requests: Any) -> Any:
        return await_in_bridge(self.async_w3.provider.make_batch_request(requests))  # type: ignore[attr-defined]

    def is_connected(self, show_traceback: bool = False) -> bool:
        return True


class AsyncBountyClient:
    """`BountyClient`'s methods and attributes, its methods awaited (`await client.pledge(...)`),
    with the same typed results and exceptions. Build it with `connect` or `deploy`."""

    def __init__(self, client: BountyClient) -> None:
        self._client = client

    @staticmethod
    def _bridge(connection: str | AsyncWeb3[Any]) -> Web3:
        async_w3 = AsyncWeb3(AsyncHTTPProvider(connection)) if isinstance(connection, str) else connection
        provider: Any = async_w3.provider
        provider.exception_retry_configuration = None  # the client's RetryPolicy bounds retries
        remember_chain_id(async_w3)  # type: ignore[arg-type]
        return Web3(BridgeProvider(async_w3))

    @classmethod
    async def connect(cls, connection: str | AsyncWeb3[Any], escrow: str, signer: Any = None,
                      **options: Any) -> AsyncBountyClient:
        """A client for `escrow` (as `BountyClient(...)`), over an RPC URL or an AsyncWeb3."""
        return cls(await run_bridged(BountyClient, cls._bridge(connection), escrow, signer, **options))

    @classmethod
    async def deploy(cls, connection: str | AsyncWeb3[Any], signer: Any, **options: Any) -> AsyncBountyClient:
        """Deploys a new escrow (as `BountyClient.deploy`)."""
        return cls(await run_bridged(BountyClient.deploy, cls._bridge(connection), signer, **options))

    async def close(self) -> None:
        """Closes the connection's HTTP sessions (also on leaving `async with`)."""
        provider = self._client.w3.provider
        if isinstance(provider, BridgeProvider):
            await provider.async_w3.provider.disconnect()

    async def __aenter__(self) -> AsyncBountyClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def as_signer(self, signer: Any) -> AsyncBountyClient:
        return AsyncBountyClient(self._client.as_signer(signer))

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._client, name)
        if name.startswith("_") or not callable(value):
            return value

        async def awaited(*args: Any, **kwargs: Any) -> Any:
            return await run_bridged(value, *args, **kwargs)

        awaited.__name__ = name
        awaited.__doc__ = value.__doc__
        return awaited

    def __repr__(self) -> str:
        return "Async" + repr(self._client)


__all__ = ["AsyncBountyClient", "BridgeProvider"]
