"""The escrow's events: decoded without trusting them, and scanned in bounded block ranges.

- `EventDecoder` maps (contract address, topic) to the event, once per client (web3 would
  rebuild that table for every receipt), and decodes a log with the index's `decode_log`:
  strings go through `chainstrings` (invalid UTF-8 gets U+FFFD), and a log that does not
  fit its event is skipped, so one bad log never breaks a read.
- `LogScanner` asks `eth_getLogs` for at most `page` blocks at a time (public endpoints refuse
  wider ranges, typically past 10,000 blocks or 10,000 results) and halves the page, for
  this scan and the next, whenever the endpoint refuses one.
"""

from __future__ import annotations

from typing import Any

from eth_abi import encode
from eth_utils import keccak, to_checksum_address
from web3 import Web3
from web3.contract.contract import Contract
from web3.exceptions import Web3RPCError
from web3.types import TxReceipt

from bountychain.errors import BountychainError
from bountychain.index.events import decode_log
from bountychain.sdk._rpc import abi_type

DEFAULT_LOG_RANGE = 10_000


def event_topic(event_abi: dict[str, Any]) -> bytes:
    """keccak256 of the event's signature: its logs' first topic."""
    return keccak(text=f"{event_abi['name']}({','.join(abi_type(i) for i in event_abi['inputs'])})")


def event_abi(contract: Contract, name: str) -> dict[str, Any]:
    return next(item for item in contract.abi if item.get("type") == "event" and item["name"] == name)


def topic_filter(event: dict[str, Any], filters: dict[str, Any]) -> list[str | None]:
    """eth_getLogs topics: the event's topic, then each indexed argument's 32-byte value
    (value types only), or None for any."""
    topics: list[str | None] = ["0x" + event_topic(event).hex()]
    for item in (i for i in event["inputs"] if i.get("indexed")):
        value = filters.get(item["name"])
        topics.append(None if value is None else "0x" + encode([item["type"]], [value]).hex())
    while topics[-1] is None:
        topics.pop()
    return topics


class EventDecoder:
    """Decodes the events of some contracts (the escrow and its review contract) from
    receipts and logs, without trusting them (see the module's doc)."""

    def __init__(self, contracts: tuple[Contract, ...]) -> None:
        self.by_topic: dict[tuple[str, bytes], dict[str, Any]] = {
            (contract.address, event_topic(item)): item
            for contract in contracts for item in contract.abi if item.get("type") == "event"}

    def decode_log(self, log: Any) -> tuple[str, dict[str, Any]] | None:
        """(event name, args) of one log, or None if it is no known event or does not fit it."""
        if not log["topics"]:
            return None
        event = self.by_topic.get((to_checksum_address(log["address"]), bytes(log["topics"][0])))
        if event is None:
            return None
        try:
            args, _ = decode_log(event, log)
        except Exception:  # a log that does not fit its event's layout
            return None
        return event["name"], args

    def decode(self, receipt: TxReceipt) -> list[tuple[str, Any]]:
        """The known events in the receipt, in log order, as (name, args)."""
        return [decoded for log in receipt["logs"] if (decoded := self.decode_log(log)) is not None]


def decode_events(contracts: tuple[Contract, ...], receipt: TxReceipt) -> list[tuple[str, Any]]:
    """The events of the given contracts in the receipt, in log order, as (name, args)."""
    return EventDecoder(contracts).decode(receipt)


class LogRangeRefused(BountychainError, ConnectionError):
    """The endpoint refused eth_getLogs even for a single block."""


class LogScanner:
    """eth_getLogs in pages of at most `page` blocks, halved when the endpoint refuses one."""

    def __init__(self, w3: Web3, page: int = DEFAULT_LOG_RANGE) -> None:
        if isinstance(page, bool) or not isinstance(page, int) or page < 1:
            raise ValueError(f"a log range must be a positive number of blocks, got {page!r}")
        self.w3 = w3
        self.page = page

    def scan(self, address: str, topics: list[str | None], from_block: int, to_block: int) -> list[Any]:
        logs: list[Any] = []
        start = from_block
        while start <= to_block:
            end = min(start + self.page - 1, to_block)
            try:
                logs += self.w3.eth.get_logs({"address": address, "topics": topics,  # type: ignore[typeddict-item]
                                              "fromBlock": start, "toBlock": end})
            except Web3RPCError as exc:  # too many blocks, or too many results
                if end == start:
                    raise LogRangeRefused(f"the endpoint refuses logs even for block {start}: {exc}") from exc
                self.page = max(1, (end - start + 1) // 2)
                continue
            start = end + 1
        return logs


__all__ = ["DEFAULT_LOG_RANGE", "EventDecoder", "LogScanner", "LogRangeRefused", "decode_events", "event_abi",
           "event_topic", "topic_filter"]
