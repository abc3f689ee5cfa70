"""Checks of the values callers pass in, shared by every part of the client: each raises an
`InvalidInput` subclass before anything is sent."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlparse

from web3 import Web3

from bountychain.errors import InvalidAddress, InvalidDeadline, InvalidInput, InvalidURI
from bountychain.issue_urls import parse_issue_url


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


def check_solution_url(url: Any, what: str = "solution_url") -> str:
    """A solution's URL: any URL (a pull request, a commit, a patch) but an issue's. An issue is
    what a bounty funds, not what solves it, and registering one sends a transaction for nothing."""
    check_uri(url, what)
    try:
        issue = parse_issue_url(url, what)
    except InvalidURI:
        return url  # not an issue on a forge we know: a solution may live anywhere
    raise InvalidURI(f"{what}: {url!r} is an issue ({issue.repo} #{issue.number}), not a solution: link the pull "
                     "request or commit that solves it")


def address_of(value: Any, what: str) -> str:
    """An address given as a string or as an account object (`LocalAccount`), checksummed."""
    return checksum(getattr(value, "address", value), what)


def as_timestamp(deadline: int | datetime | timedelta, now: int | None = None) -> int:
    """A unix timestamp from a timestamp, an aware datetime, or a timedelta after `now` (the
    chain's time; a timedelta needs it)."""
    if isinstance(deadline, timedelta):
        if now is None:
            raise InvalidDeadline(f"deadline {deadline} is a duration, and no time to count it from was given")
        if deadline.total_seconds() <= 0:
            raise InvalidDeadline(f"deadline {deadline} is not a positive duration")
        return now + int(deadline.total_seconds())
    if isinstance(deadline, datetime):
        if deadline.tzinfo is None:
            raise InvalidDeadline(f"deadline {deadline} has no time zone")
        return int(deadline.timestamp())
    if isinstance(deadline, bool) or not isinstance(deadline, int):
        raise InvalidDeadline(f"deadline {deadline!r} is not a unix timestamp, an aware datetime or a timedelta")
    return deadline


def as_bounty_id(bounty_id: Any) -> int:
    if isinstance(bounty_id, bool) or not isinstance(bounty_id, int) or not 0 < bounty_id < 2**256:
        raise InvalidInput(f"bounty id must be a positive integer below 2**256, got {bounty_id!r}")
    return bounty_id


__all__ = ["address_of", "as_bounty_id", "as_timestamp", "check_uri", "checksum"]
