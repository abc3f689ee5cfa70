"""Parsing what people type: deadlines and durations, award shares, review windows and
quorums. Each raises an `InvalidInput` subclass that names what was wrong. (Amounts are
parsed by `bountychain.amounts`, the one parser the SDK uses too.)"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation

from typing import Any

import click

from bountychain.cli._errors import CliInputError
from bountychain.cli._output import utc
from bountychain.errors import InvalidDeadline, InvalidShares
from bountychain.sdk.constants import BPS, MAX_REVIEW_WINDOW, MIN_REVIEW_WINDOW
from bountychain.words import duration

# The id arguments every command on one bounty or fundraiser takes.
class EscrowId(click.ParamType):
    """An id the escrow gives (a bounty's, a fundraiser's): a whole number from 1, refused in
    words that name what it was for."""

    name = "ID"

    def __init__(self, what: str) -> None:
        self.what = what

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        text = str(value).strip()
        if not (text.isascii() and text.isdigit()) or int(text) < 1:
            self.fail(f"{self.what} id {value!r} is not a whole number from 1 up", param, ctx)
        return int(text)


bounty_id_argument = click.argument("bounty_id", type=EscrowId("bounty"))
fundraiser_id_argument = click.argument("fundraiser_id", type=EscrowId("fundraiser"))

# For commands whose AMOUNT argument may be typed "-1": click would take it for an option and
# answer "No such option"; with this, the amount parser says what is wrong with it.
AMOUNT_ARGUMENTS = {"ignore_unknown_options": True}

_DURATION_PART = re.compile(r"(\d+)\s*(y|w|d|h|m|s)", re.IGNORECASE)
_DURATION = r"(\s*\d+\s*[ywdhms]\s*)+"
# A year is 365 days: "3y" is a span of time, not a calendar date.
_DURATION_UNITS = {"y": 365 * 86_400, "w": 7 * 86_400, "d": 86_400, "h": 3_600, "m": 60, "s": 1}


def duration_seconds(text: str) -> int:
    """Seconds in a duration such as 1y, 30d, 12h, 1w2d or 90m (already checked to be one)."""
    return sum(int(n) * _DURATION_UNITS[u.lower()] for n, u in _DURATION_PART.findall(text))


def parse_deadline(text: str, now: int, what: str = "deadline") -> int:
    """A unix timestamp, an ISO 8601 date or date-time (UTC when it names no zone, and a remark
    on stderr says so), or a duration from the chain's current time (1y, 30d, 12h,
    1w2d, 90m). `what` names it in a refusal (--expiry is an expiry, not a deadline)."""
    value = text.strip()
    if value.isdigit():
        deadline = int(value)
        if deadline < 1_000_000_000:
            raise InvalidDeadline(f"{what} {value!r} is not a unix timestamp: for a duration write e.g. "
                                  f"'{value}d' ({value} days) or '{value}h'")
    elif re.fullmatch(_DURATION, value, re.IGNORECASE):
        deadline = now + duration_seconds(value)
    else:
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            raise InvalidDeadline(f"{what} {text!r}: give a date (2030-01-31, UTC), a date-time "
                                  "(2030-01-31T12:00:00Z), a duration (30d, 12h, 1y) or a unix timestamp") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
            click.echo(f"note: {what} {value} names no time zone: read as UTC, {utc(int(moment.timestamp()))}",
                       err=True)
        deadline = int(moment.timestamp())
    if deadline <= now:
        raise InvalidDeadline(f"{what} {utc(deadline)} is in the past (the chain's time is {utc(now)})")
    return deadline


def parse_shares(pairs: tuple[str, ...]) -> dict[int, int]:
    """CLAIM=SHARE pairs: 1=70% (percent, up to two decimals) or 1=7000 (basis points)."""
    if not pairs:
        raise InvalidShares("name at least one winner as CLAIM=SHARE, e.g. 1=70% 2=30%")
    shares: dict[int, int] = {}
    for pair in pairs:
        claim_text, sep, share_text = pair.partition("=")
        claim_text, share_text = claim_text.strip(), share_text.strip()
        if not sep or not claim_text.isdigit() or int(claim_text) == 0:
            raise InvalidShares(f"{pair!r}: write CLAIM=SHARE with a claim id, e.g. 1=70% or 1=7000")
        claim_id = int(claim_text)
        if claim_id in shares:
            raise InvalidShares(f"claim {claim_id} is named twice")
        try:
            if share_text.endswith("%"):
                bps = Decimal(share_text[:-1]) * 100
            else:
                bps = Decimal(share_text)
                if bps != bps.to_integral_value():
                    raise InvalidShares(f"{pair!r}: a share is basis points (an integer, 7000 = 70%) "
                                        "or a percentage such as 70%")
        except InvalidOperation:
            raise InvalidShares(f"{pair!r}: {share_text!r} is not a share (70% or 7000 basis points)") from None
        if bps != bps.to_integral_value():
            raise InvalidShares(f"{pair!r}: a percentage takes at most two decimals (1 basis point = 0.01%)")
        if bps <= 0:
            raise InvalidShares(f"{pair!r}: a share must be positive")
        shares[claim_id] = int(bps)
    total = sum(shares.values())
    if total != BPS:
        written_bare = all(not pair.strip().endswith("%") for pair in pairs)
        if written_bare and total == 100:  # 1=70 2=30: percentages without the sign
            meant = " ".join(f"{claim}={bps}%" for claim, bps in shares.items())
            raise InvalidShares(f"shares sum to {total / 100:g}%, not 100%: a bare share is basis points "
                                f"(7000 = 70%); did you mean {meant}?")
        raise InvalidShares(f"shares sum to {total / 100:g}%, not 100%")
    return shares


def parse_window(text: str) -> int:
    """A review window as a duration: 7d, 36h, 1w, 2d12h (1 to 30 days)."""
    value = text.strip()
    if not re.fullmatch(r"(\s*\d+\s*[ywdhms]\s*)+", value, re.IGNORECASE):
        raise CliInputError(f"--window {text!r}: give a duration such as 7d, 36h or 1w")
    seconds = duration_seconds(value)
    if not MIN_REVIEW_WINDOW <= seconds <= MAX_REVIEW_WINDOW:
        raise CliInputError(f"--window {text} is {duration(seconds)}: a review window is from "
                            f"{duration(MIN_REVIEW_WINDOW)} to {duration(MAX_REVIEW_WINDOW)}")
    return seconds


def parse_quorum(text: str) -> int:
    """A quorum as a percentage (33%, 12.5%) or basis points (3300)."""
    value = text.strip()
    try:
        bps = Decimal(value[:-1]) * 100 if value.endswith("%") else Decimal(value)
    except InvalidOperation:
        raise CliInputError(f"--quorum {text!r}: give a percentage (33%) or basis points (3300)") from None
    if bps != bps.to_integral_value() or not 1 <= bps <= BPS:
        raise CliInputError(f"--quorum {text!r}: from 0.01% (1 basis point) to 100%, at most two decimals")
    return int(bps)


__all__ = [
    "AMOUNT_ARGUMENTS",
    "bounty_id_argument",
    "fundraiser_id_argument",
   "duration_seconds", "parse_deadline", "parse_quorum", "parse_shares", "parse_window"]


def parse_part(text: str) -> int:
    """A milestone's part of the pool: 30% (percent, up to two decimals) or 3000 (basis points),
    more than nothing and less than the whole."""
    try:
        bps = Decimal(text[:-1]) * 100 if text.endswith("%") else Decimal(text)
    except InvalidOperation:
        raise InvalidShares(f"--part {text!r} is not a part of the pool (30% or 3000 basis points)") from None
    if bps != bps.to_integral_value() or not 0 < bps < BPS:
        raise InvalidShares(f"--part {text!r}: a milestone pays more than 0% and less than 100% of the pool, in "
                            "whole basis points (0.01%); award without --part pays the whole pool")
    return int(bps)
