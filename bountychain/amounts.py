"""Amounts: the SDK and the contract count integers of base units (wei, or a token's
smallest unit); people write "0.5 ether" or "100 USDC". These helpers convert exactly,
with `decimal`, and refuse anything that would need rounding."""

from __future__ import annotations

from decimal import Context, Decimal, InvalidOperation, localcontext

from bountychain.errors import InvalidAmount

# Units of ETH by name, as powers of ten of a wei.
ETHER_UNITS = {"wei": 0, "gwei": 9, "ether": 18, "eth": 18}

# Enough digits for any uint256 (78) at any sane number of decimals: arithmetic is exact,
# never rounded by Decimal's default 28-digit context.
_EXACT = Context(prec=160)


def to_base_units(quantity: str | Decimal | int, decimals: int) -> int:
    """Converts a decimal quantity to base units, e.g. ("2.5", 6) -> 2_500_000.

    Raises InvalidAmount for a malformed number, a negative one, or one with more
    fractional digits than the unit has.
    """
    with localcontext(_EXACT):
        try:
            value = Decimal(str(quantity).strip().replace("_", ""))
        except InvalidOperation:
            raise InvalidAmount(f"{quantity!r} is not a number") from None
        if not value.is_finite() or value < 0:
            raise InvalidAmount(f"{quantity!r} is not a non-negative amount")
        scaled = value.scaleb(decimals)
        if scaled != scaled.to_integral_value():
            raise InvalidAmount(f"{quantity!r} has more than {decimals} decimal places for this unit")
        return int(scaled)


def parse_amount(text: str, *, symbol: str | None = None, decimals: int | None = None) -> int:
    """Parses "0.5 ether", "20 gwei", "100 USDC" or a bare number into base units.

    A unit of ETH (wei, gwei, ether, eth) converts by its own power of ten. Any other unit
    must match `symbol` (case-insensitively) and converts with `decimals`; a bare number
    uses `decimals`.
    """
    parts = text.split()
    if len(parts) not in (1, 2):
        raise InvalidAmount(f"{text!r}: write an amount as '<number> <unit>', e.g. '0.5 ether'")
    number, unit = parts[0], (parts[1] if len(parts) == 2 else None)
    if unit is not None and unit.lower() in ETHER_UNITS and (symbol is None or symbol.upper() == "ETH"):
        return to_base_units(number, ETHER_UNITS[unit.lower()])
    if unit is not None and (symbol is None or unit.lower() != symbol.lower()):
        expected = f"'{symbol}'" if symbol else "an ETH unit (wei, gwei, ether)"
        raise InvalidAmount(f"{text!r}: unit {unit!r} does not match {expected}")
    if decimals is None:
        raise InvalidAmount(f"{text!r}: no unit given and the token's decimals are unknown")
    return to_base_units(number, decimals)


def format_amount(base_units: int, decimals: int, symbol: str) -> str:
    """Formats base units for people: (1_500_000, 6, "USDC") -> "1.5 USDC"."""
    with localcontext(_EXACT):
        text = f"{Decimal(base_units).scaleb(-decimals):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text} {symbol}"
