"""Numbers in the words people read: dates in UTC, durations, percentages. Shared by the SDK's
messages, the command line and the error decoder, so a time is never a bare unix timestamp and
a share never bare basis points."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Context, Decimal, localcontext

# Enough digits for any uint256 (78) at any sane number of decimals: formatting is exact, never
# rounded by Decimal's default 28-digit context.
_EXACT = Context(prec=160)


def format_amount(base_units: int, decimals: int, symbol: str) -> str:
    """Formats base units for people: (1_500_000, 6, "USDC") -> "1.5 USDC" (exact, no exponent;
    `bountychain.amounts.parse_amount` reads it back)."""
    with localcontext(_EXACT):
        text = f"{Decimal(base_units).scaleb(-decimals):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text} {symbol}"


def ether(wei: int) -> str:
    """Wei as ether: 86758001214612 -> "0.000086758001214612 ETH"."""
    return format_amount(wei, 18, "ETH")


def utc(timestamp: int) -> str:
    """1796579843 -> "2026-12-07 13:57:23 UTC"; a timestamp beyond the calendar stays a number."""
    try:
        return datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    except (OverflowError, OSError, ValueError):
        return f"timestamp {timestamp}"


def duration(seconds: int) -> str:
    """5184000 -> "60 days", 129600 -> "1 day 12 hours", 90 -> "1 minute 30 seconds"."""
    if seconds <= 0:
        return "0 seconds"
    parts = []
    for name, size in (("day", 86_400), ("hour", 3_600), ("minute", 60), ("second", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count} {name}{'' if count == 1 else 's'}")
    return " ".join(parts[:2]) if len(parts) <= 2 else " ".join(parts)


def percent(bps: int) -> str:
    """Basis points as a percentage: 7000 -> "70%", 1250 -> "12.5%", 1 -> "0.01%"."""
    return f"{bps / 100:g}%"


__all__ = ["duration", "ether", "format_amount", "percent", "utc"]
