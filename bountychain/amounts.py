"""Amounts: the one parser and the one formatter of the SDK, the command line, the index and the
web API. The contract counts integers of base units (wei, or a token's smallest unit); people
write "0.5 ETH" or "25 USDC". The conversion is exact: nothing is ever rounded.

The rules (also in the README, "Amounts"):

- **A number and its unit**: "0.5 ETH", "0.5 ether", "0.5eth", "20 gwei", "1 wei", "25 USDC",
  "2.5 usdc". Units match case-insensitively; spaces around and between are ignored. An ETH
  amount takes `ETH`/`ether` (18 decimals), `gwei` (9) or `wei` (0); a token amount takes the
  token's symbol, with the token's decimals. Any other unit is refused, naming the one expected.
- **A bare number is refused** ("0.5"): in text the unit is always written, so that "5" can
  never be read as 5 wei in one place and 5 ETH in another. (An int passed to the SDK is base
  units.) Only where the currency is stated beside the field, as in the page's pledge form
  labelled "amount in USDC", does the caller pass `bare=True`; `to_base_units` likewise takes a
  bare number with the decimals the caller knows.
- **Digits**: `1_000` groups digits; `.5` and `5.` are 0.5 and 5; `e` notation is accepted and
  exact ("1e-3 ETH", "2.5E6 USDC"). No signs, commas, hex, NaN or infinity.
- **Too many decimals are refused**, never rounded: "0.0000001 USDC" (USDC has 6), "1e-19 ETH".
- **Negative amounts are refused**; zero parses (the operations that need a positive amount say
  so). Amounts above what a uint256 holds are refused.
- **Only ether is written in ETH units.** A token may call itself "ETH" (or "wei"): its amounts
  never parse as ether's. Given the token's address (`token=`), ETH units mean ether only for
  the zero address; a token whose symbol is an ETH unit name takes no unit at all (`bare`
  only, where its address is shown beside the field). Without an address, "ETH" means ether
  only with 18 decimals.
- **Formatting** (`format_amount`) writes the exact decimal without trailing zeros or exponent
  and the unit after a space: (1_500_000, 6, "USDC") -> "1.5 USDC". What it writes parses back to
  the same base units.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from bountychain.errors import InvalidAmount
from bountychain.words import format_amount  # the one formatter, here with its parser

# Units of ETH by name, as powers of ten of a wei.
ETHER_UNITS = {"wei": 0, "gwei": 9, "ether": 18, "eth": 18}
UINT256_MAX = 2**256 - 1
NATIVE = "0x0000000000000000000000000000000000000000"  # the escrow's "token" for ether
# The most decimals a token's amounts can be shown with: a uint256 has 78 digits, so with more
# not even one whole token fits (and ethers' formatUnits throws above 80). A token that reports
# more (or a negative count) has no usable metadata.
MAX_DECIMALS = 77


def is_native(token: str | None, symbol: str | None, decimals: int | None) -> bool:
    """Whether amounts are ether's: the zero address when the token is known, else the symbol
    "ETH" (or none) with ether's 18 decimals."""
    if token is not None:
        return int(token, 16) == 0
    return symbol is None or (symbol.upper() == "ETH" and decimals in (None, 18))


def poses_as_ether(token: str | None, symbol: str) -> bool:
    """A token (not the zero address) whose symbol is the name of an ETH unit ("ETH", "wei")."""
    return token is not None and int(token, 16) != 0 and symbol.strip().lower() in ETHER_UNITS

_NUMBER = r"(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][-+]?\d+)?"
_AMOUNT = re.compile(rf"\s*(?P<sign>[-+])?\s*(?P<number>{_NUMBER})\s*(?P<unit>[A-Za-z][A-Za-z0-9.\-]*)?\s*")
_BARE_NUMBER = re.compile(rf"\s*(?P<sign>[-+])?\s*(?P<number>{_NUMBER})\s*")


def to_base_units(quantity: str | Decimal | int, decimals: int) -> int:
    """Converts a bare decimal quantity to base units, e.g. ("2.5", 6) -> 2_500_000.

    Raises InvalidAmount for a malformed number, a negative one, one with more fractional
    digits than the unit has, or one above a uint256.
    """
    if isinstance(quantity, Decimal):
        value = quantity
    else:
        text = str(quantity)
        match = _BARE_NUMBER.fullmatch(text)
        if match is None:
            raise InvalidAmount(f"{quantity!r} is not a number")
        if match["sign"] == "-":
            raise InvalidAmount(f"{quantity!r} is negative: an amount is zero or more")
        try:
            value = Decimal(match["number"].replace("_", ""))
        except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
            raise InvalidAmount(f"{quantity!r} is not a number") from None
    if not value.is_finite():
        raise InvalidAmount(f"{quantity!r} is not a number")
    if value < 0:
        raise InvalidAmount(f"{quantity!r} is negative: an amount is zero or more")
    return _scaled(value, decimals, quantity)


def _scaled(value: Decimal, decimals: int, shown: object) -> int:
    """`value` * 10**decimals as an exact int, from the number's digits and exponent (no
    Decimal context: exponents of any size neither round nor underflow)."""
    _, digit_tuple, exponent = value.as_tuple()
    digits = "".join(map(str, digit_tuple)).lstrip("0")
    if not digits:
        return 0
    assert isinstance(exponent, int)
    stripped = digits.rstrip("0")
    exponent += len(digits) - len(stripped) + decimals
    if exponent < 0:
        raise InvalidAmount(f"{shown!r} has more than {decimals} decimal places for this unit")
    if len(stripped) + exponent > 78:  # 10**78 > 2**256
        raise InvalidAmount(f"{shown!r} is more than a uint256 holds")
    result = int(stripped) * 10**exponent
    if result > UINT256_MAX:
        raise InvalidAmount(f"{shown!r} is more than a uint256 holds")
    return result


def parse_amount(text: str, *, symbol: str | None = None, decimals: int | None = None, bare: bool = False,
                 token: str | None = None) -> int:
    """Parses "0.5 ETH", "20 gwei", "100 USDC" into base units, by the rules above.

    For ether (`is_native`: the zero address as `token`, else `symbol` None or "ETH" with 18
    decimals) the unit is one of ETH's (wei, gwei, ether, eth); otherwise it must be `symbol`
    and converts with `decimals`, and an ETH unit is refused even if the token calls itself so.
    A bare number is refused unless `bare` (the caller states the currency elsewhere), when it
    converts with `decimals`.
    """
    if not isinstance(text, str):
        raise InvalidAmount(f"{text!r} is not an amount: write e.g. '0.5 ETH' or '25 USDC'")
    match = _AMOUNT.fullmatch(text)
    eth = is_native(token, symbol, decimals)
    example_unit = "ETH" if eth else symbol
    if match is None:
        raise InvalidAmount(f"{text!r} is not an amount: write a number and a unit, e.g. '0.5 {example_unit}'")
    if match["sign"] == "-":
        raise InvalidAmount(f"{text!r} is negative: an amount is zero or more")
    number, unit = match["number"], match["unit"]
    if unit is None:
        if not bare:
            raise InvalidAmount(f"{text!r} has no unit: {_unit_hint(number, eth, example_unit, decimals)}")
        if decimals is None:
            raise InvalidAmount(f"{text!r}: no unit given and the token's decimals are unknown")
        places = decimals
    elif eth and unit.lower() in ETHER_UNITS:
        places = ETHER_UNITS[unit.lower()]
    elif not eth and unit.lower() in ETHER_UNITS and str(symbol).strip().lower() in ETHER_UNITS:
        who = f"the token {token}" if token is not None else f"a token with {decimals} decimals"
        raise InvalidAmount(f"{text!r}: {who} calls itself {symbol!r} but is not ether; its amounts cannot be "
                            "written in ETH units")
    elif not eth and unit.lower() == str(symbol).lower():
        if decimals is None:
            raise InvalidAmount(f"{text!r}: the decimals of {symbol} are unknown")
        places = decimals
    else:
        expected = "an ETH unit (ETH, ether, gwei, wei)" if eth else f"'{symbol}'"
        raise InvalidAmount(f"{text!r}: unit {unit!r} does not match {expected}")
    return _scaled(Decimal(number.replace("_", "")), places, text)


def _unit_hint(number: str, eth: bool, unit: str | None, decimals: int | None) -> str:
    """What to write instead of a bare number. A long whole number is most likely base units
    (wei, or a token's smallest unit), so the suggestion converts it rather than appending a
    unit that would ask for a billion times more."""
    digits = number.replace("_", "")
    places = 18 if eth else decimals
    if digits.isdigit() and places and len(digits.lstrip("0")) > 6:
        whole = format_amount(int(digits), places, str(unit))
        if eth:
            return f"if {digits} is wei, write '{whole}' (or '{digits} wei')"
        return f"if {digits} is in the token's base units, write '{whole}'"
    hint = "(or ether, gwei, wei)" if eth else "(the token's symbol)"
    return f"write e.g. '{number} {unit}' {hint}"


__all__ = ["ETHER_UNITS", "MAX_DECIMALS", "NATIVE", "UINT256_MAX", "format_amount", "is_native", "parse_amount", "poses_as_ether",
           "to_base_units"]
