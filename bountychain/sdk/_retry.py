"""Surviving real endpoints: dropped connections, stalls, 429 and 502 answers.

- Reads are idempotent: a transient failure is retried with exponential backoff and full
  jitter (so many clients do not retry in step), within `RetryPolicy.timeout` seconds in all;
  then `EndpointUnavailable` says the endpoint kept failing and that nothing was sent.
- A transaction is never re-signed. Its hash is known before it is sent, so a send whose
  answer was lost is looked up by that hash, and sending the same bytes again can only
  ever land the same transaction ("already known" means the node has it). When time runs
  out, `TransactionNotConfirmed` says whether it was sent, and its hash.

web3's own retry loop of the HTTP provider (fixed delays, no bound on the total time) is
replaced on the client's connection by this one, installed as a middleware.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import aiohttp
import requests
from web3 import Web3
from web3.middleware import Web3Middleware

from bountychain.errors import BountychainError
from bountychain.sdk._bridge import pause

T = TypeVar("T")

# Methods that change nothing on the node: asking twice is harmless.
IDEMPOTENT = frozenset({
    "eth_chainId", "eth_blockNumber", "eth_call", "eth_estimateGas", "eth_getBalance", "eth_getBlockByNumber",
    "eth_getBlockByHash", "eth_getCode", "eth_getLogs", "eth_getTransactionCount", "eth_getTransactionByHash",
    "eth_getTransactionReceipt", "eth_maxPriorityFeePerGas", "eth_gasPrice", "eth_feeHistory", "net_version",
})
MIDDLEWARE_NAME = "bountychain_retries"


@dataclass(frozen=True)
class RetryPolicy:
    """How long the client keeps at a failing endpoint.

    timeout: the most seconds one read keeps retrying, and the most a sent transaction is
        looked for after its answer was lost.
    first_delay, max_delay: the backoff's first and largest wait (each wait is drawn at
        random between half of and the whole of min(max_delay, first_delay x 2^attempt))."""

    timeout: float = 30.0
    first_delay: float = 0.1
    max_delay: float = 2.0

    def delays(self) -> Callable[[], float]:
        attempt = 0

        def next_delay() -> float:
            nonlocal attempt
            ceiling = min(self.max_delay, self.first_delay * 2**attempt)
            attempt += 1
            return random.uniform(ceiling / 2, ceiling)

        return next_delay


class EndpointUnavailable(BountychainError, ConnectionError):
    """The endpoint kept failing a read for the whole retry time; nothing was sent."""


class TransactionNotConfirmed(BountychainError):
    """A transaction's fate is not known when time ran out.

    Attributes:
        tx_hash: its hash (0x-hex), to look it up in an explorer before trying again.
        sent: True if the node acknowledged it, False if no node ever did."""

    def __init__(self, message: str, *, tx_hash: str, sent: bool) -> None:
        self.tx_hash = tx_hash
        self.sent = sent
        super().__init__(message)


class NonceTaken(BountychainError):
    """The transaction's nonce was used by another transaction: this one was not sent."""


class PledgeIncomplete(BountychainError):
    """A token pledge's approve was mined, but the pledge was not (or is not confirmed).

    Attributes:
        approval_tx: the mined approve's hash.
        pledge_tx: the pledge's hash if it was sent, else None."""

    def __init__(self, message: str, *, approval_tx: str, pledge_tx: str | None) -> None:
        self.approval_tx = approval_tx
        self.pledge_tx = pledge_tx
        super().__init__(message)


def is_transient(exc: BaseException) -> bool:
    """A failure worth retrying: the connection dropped or stalled, or the endpoint said
    "too many requests" (429) or failed upstream (5xx)."""
    if isinstance(exc, requests.HTTPError):
        status = exc.response.status_code if exc.response is not None else 0
        return status == 429 or status >= 500
    if isinstance(exc, aiohttp.ClientResponseError):  # the async client's transport
        return exc.status == 429 or exc.status >= 500
    return isinstance(exc, (requests.ConnectionError, requests.Timeout, aiohttp.ClientConnectionError,
                            aiohttp.ServerTimeoutError, ConnectionError, TimeoutError))


def retrying(policy: RetryPolicy, what: str, call: Callable[[], T]) -> T:
    """`call()`, retried on transient failures within `policy.timeout` seconds."""
    deadline = time.monotonic() + policy.timeout
    next_delay = policy.delays()
    while True:
        try:
            return call()
        except Exception as exc:
            if not is_transient(exc):
                raise
            delay = next_delay()
            if time.monotonic() + delay > deadline:
                raise EndpointUnavailable(
                    f"{what}: the endpoint kept failing for {policy.timeout:g} s ({type(exc).__name__}: {exc}); "
                    f"nothing was sent") from exc
            pause(delay)


class _Retries(Web3Middleware):
    policy = RetryPolicy()

    def wrap_make_request(self, make_request: Any) -> Any:
        def middleware(method: str, params: Any) -> Any:
            if method not in IDEMPOTENT:
                return make_request(method, params)
            return retrying(self.policy, method, lambda: make_request(method, params))

        return middleware


def install_retries(w3: Web3, policy: RetryPolicy) -> None:
    """Retries the connection's idempotent requests under `policy` (replacing web3's own
    retry loop of the HTTP provider, so the time bound holds)."""
    provider: Any = w3.provider
    if isinstance(provider, Web3.HTTPProvider):
        provider.exception_retry_configuration = None
    retries = type("Retries", (_Retries,), {"policy": policy})
    if MIDDLEWARE_NAME in w3.middleware_onion:
        w3.middleware_onion.replace(MIDDLEWARE_NAME, retries)
    else:
        w3.middleware_onion.inject(retries, name=MIDDLEWARE_NAME, layer=0)


__all__ = ["EndpointUnavailable", "NonceTaken", "PledgeIncomplete", "RetryPolicy", "TransactionNotConfirmed",
           "install_retries", "is_transient",
           "retrying"]
