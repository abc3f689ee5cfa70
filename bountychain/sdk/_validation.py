"""Checks of the values callers pass in, shared by every part of the client: each raises an
`InvalidInput` subclass before anything is sent."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlparse

from web3 import Web3

from bountychain.errors import InvalidAddress, InvalidDeadline, InvalidInput, InvalidURI


def checksum(value: Any, what: str) -> str:
    """Validates an address and returns its checksummed form; raises InvalidAddress."""
    if not isinstance(value, str) or not Web3.is_address(value):
        raise InvalidAddress(f"{what}: {value!r} is not a 20-byte hex address")
    if value != value.lower() and not Web3.is_checksum_address(value):
        raise InvalidAddress(f"{what}: {value!r} has a bad checksum (mistyped?)")
    return Web3.to_checksum_address(value)


def check_uri(uri: Any, what: str) -> str:
    parsed = urlparse(uri) if isinstance(uri, str) else None
    if not parsed or not parsed.scheme or not (parsed.netloc or parsed.path) or uri != uri.strip():
        raise InvalidURI(f"{what}: {uri!r} is not a URL")
    return uri


def as_timestamp(deadline: int | datetime) -> int:
    if isinstance(deadline, datetime):
        if deadline.tzinfo is None:
            raise InvalidDeadline(f"deadline {deadline} has no time zone")
        return int(deadline.timestamp())
    if isinstance(deadline, bool) or not isinstance(deadline, int):
        raise InvalidDeadline(f"deadline {deadline!r} is not a unix timestamp or an aware datetime")
    return deadline


def as_bounty_id(bounty_id: Any) -> int:
    if isinstance(bounty_id, bool) or not isinstance(bounty_id, int) or not 0 < bounty_id < 2**256:
        raise InvalidInput(f"bounty id must be a positive integer below 2**256, got {bounty_id!r}")
    return bounty_id


__all__ = ["as_bounty_id", "as_timestamp", "check_uri", "checksum"]
