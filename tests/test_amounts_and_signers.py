"""Amounts and signers: exact conversions between what people write and base units, and
keys that never leak into messages, files others can read, or a client's repr.

Everything here runs without a chain except the last test, which needs a `BountyClient`.
"""

from __future__ import annotations

import os
import stat
from decimal import Context, Decimal, localcontext

import pytest
from eth_account import Account
from hypothesis import example, given
from hypothesis import strategies as st

from bountychain import (
    InvalidAmount,
    InvalidInput,
    format_amount,
    from_keystore,
    from_private_key,
    parse_amount,
    to_base_units,
)
from bountychain.signers import write_keystore

# Decimal's default context keeps 28 significant digits: the round trips below run under it
# and, separately, over the whole uint256 range.
EXACT_LIMIT = 10**28
UINT256_MAX = 2**256 - 1

decimals_st = st.integers(min_value=0, max_value=30)
base_units_st = st.integers(min_value=0, max_value=EXACT_LIMIT - 1)
symbol_st = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=6).filter(
    lambda s: s.lower() not in {"wei", "gwei", "eth", "ether"}
)


# --- round trips ---------------------------------------------------------------------------


@given(base_units=base_units_st, decimals=decimals_st, symbol=symbol_st)
@example(base_units=0, decimals=30, symbol="USDC")
@example(base_units=1, decimals=30, symbol="USDC")
@example(base_units=EXACT_LIMIT - 1, decimals=0, symbol="USDC")
@example(base_units=10**27, decimals=6, symbol="USDC")
def test_format_then_parse_returns_the_same_base_units(base_units: int, decimals: int, symbol: str) -> None:
    text = format_amount(base_units, decimals, symbol)
    assert text.endswith(f" {symbol}")
    assert parse_amount(text, symbol=symbol, decimals=decimals) == base_units
    # The unit matches case-insensitively.
    assert parse_amount(text.lower(), symbol=symbol, decimals=decimals) == base_units


@given(base_units=base_units_st, decimals=decimals_st)
def test_format_then_to_base_units_returns_the_same_base_units(base_units: int, decimals: int) -> None:
    number, _ = format_amount(base_units, decimals, "TOK").split(" ")
    assert to_base_units(number, decimals) == base_units
    assert to_base_units(Decimal(number), decimals) == base_units


@given(base_units=base_units_st, decimals=decimals_st)
def test_format_amount_writes_no_trailing_zeros_nor_exponent(base_units: int, decimals: int) -> None:
    number, _ = format_amount(base_units, decimals, "TOK").split(" ")
    assert "e" not in number.lower()
    if "." in number:
        assert not number.endswith("0") and not number.endswith(".")
    assert Decimal(number) == Decimal(base_units).scaleb(-decimals)


@given(base_units=st.integers(min_value=0, max_value=EXACT_LIMIT - 1))
def test_ether_units_round_trip_through_their_own_powers_of_ten(base_units: int) -> None:
    assert parse_amount(format_amount(base_units, 18, "ether")) == base_units
    # Wei shown in gwei or wei parse back to the same wei.
    assert parse_amount(format_amount(base_units, 9, "gwei")) == base_units
    assert parse_amount(format_amount(base_units, 0, "wei")) == base_units


@given(
    whole=st.integers(min_value=0, max_value=10**12),
    fraction=st.text(alphabet="0123456789", min_size=0, max_size=12),
    decimals=st.integers(min_value=12, max_value=30),
)
def test_to_base_units_of_a_decimal_string_is_exact(whole: int, fraction: str, decimals: int) -> None:
    text = f"{whole}.{fraction}" if fraction else str(whole)
    expected = whole * 10**decimals + (int(fraction) * 10 ** (decimals - len(fraction)) if fraction else 0)
    assert to_base_units(text, decimals) == expected


@given(decimals=st.integers(min_value=0, max_value=29), extra=st.integers(min_value=1, max_value=9))
def test_to_base_units_refuses_digits_beyond_the_units_decimals(decimals: int, extra: int) -> None:
    text = "0." + "0" * decimals + str(extra)  # one more fractional digit than allowed, non-zero
    with pytest.raises(InvalidAmount, match="decimal places"):
        to_base_units(text, decimals)


# --- documented examples -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kwargs", "expected"),
    [
        ("0.5 ether", {}, 5 * 10**17),
        ("0.5 ETH", {}, 5 * 10**17),
        ("20 gwei", {}, 20 * 10**9),
        ("1 wei", {}, 1),
        ("1 ether", {"symbol": "ETH", "decimals": 18}, 10**18),
        ("1_000 USDC", {"symbol": "USDC", "decimals": 6}, 1_000 * 10**6),
        ("2.5 usdc", {"symbol": "USDC", "decimals": 6}, 2_500_000),
        ("0.000001 USDC", {"symbol": "USDC", "decimals": 6}, 1),
        ("7", {"symbol": "USDC", "decimals": 6, "bare": True}, 7 * 10**6),
        ("0.05eth", {}, 5 * 10**16),
        ("  25   USDC ", {"symbol": "USDC", "decimals": 6}, 25 * 10**6),
        ("1e-3 ETH", {}, 10**15),
        ("1E-3 ether", {"symbol": "ETH", "decimals": 18}, 10**15),
        ("2.5e6 USDC", {"symbol": "USDC", "decimals": 6}, 2_500_000 * 10**6),
        ("1e18 wei", {}, 10**18),
        (".5 ETH", {}, 5 * 10**17),
        ("5. ETH", {}, 5 * 10**18),
        ("0 ETH", {}, 0),
    ],
)
def test_parse_amount_converts_documented_examples(text: str, kwargs: dict, expected: int) -> None:
    assert parse_amount(text, **kwargs) == expected


@pytest.mark.parametrize(
    "text",
    ["1.5.2", "-1 ether", "NaN", "NaN ether", "inf", "inf ether", "-inf ether", "Infinity ether",
     "1 ether extra", "1e-30 ether", "0.0000000000000000001 ether", "0x10 ether", "1,5 ether", "", "ether"],
)
def test_parse_amount_rejects_malformed_text(text: str) -> None:
    with pytest.raises(InvalidAmount):
        parse_amount(text, symbol="ETH", decimals=18)


@pytest.mark.parametrize("text", ["NaN", "inf", "-1", "1.5.2", "1e-30", "abc"])
def test_to_base_units_rejects_malformed_numbers_with_their_text_in_the_message(text: str) -> None:
    with pytest.raises(InvalidAmount) as raised:
        to_base_units(text, 18)
    assert repr(text) in str(raised.value)
    assert isinstance(raised.value, ValueError)


@pytest.mark.parametrize(
    ("text", "kwargs"),
    [
        ("1 BTC", {"symbol": "ETH", "decimals": 18}),
        ("1 ether", {"symbol": "USDC", "decimals": 6}),
        ("1 gwei", {"symbol": "USDC", "decimals": 6}),
        ("1 USDC", {}),
        ("1", {}),  # a bare number needs the token's decimals
        ("1", {"bare": True}),
    ],
)
def test_parse_amount_rejects_a_unit_that_does_not_match_the_token(text: str, kwargs: dict) -> None:
    with pytest.raises(InvalidAmount):
        parse_amount(text, **kwargs)


# --- the documented rules (README, "Amounts") ---------------------------------------------


@pytest.mark.parametrize(
    ("text", "kwargs", "message"),
    [
        ("0.5", {}, "has no unit: write e.g. '0.5 ETH'"),
        ("0.5", {"symbol": "ETH", "decimals": 18}, "has no unit: write e.g. '0.5 ETH'"),
        ("25", {"symbol": "USDC", "decimals": 6}, "has no unit: write e.g. '25 USDC'"),
        ("-1 ETH", {}, "negative"),
        ("- 1 ETH", {}, "negative"),
        ("-0.5", {"symbol": "USDC", "decimals": 6, "bare": True}, "negative"),
        ("0.0000001 USDC", {"symbol": "USDC", "decimals": 6}, "more than 6 decimal places"),
        ("1e-7 USDC", {"symbol": "USDC", "decimals": 6}, "more than 6 decimal places"),
        ("1e-19 ETH", {}, "more than 18 decimal places"),
        ("1e-999999999999 ETH", {}, "more than 18 decimal places"),
        ("1e78 wei", {}, "more than a uint256 holds"),
        ("1e999999999999 ETH", {}, "more than a uint256 holds"),
        (f"{UINT256_MAX + 1} wei", {}, "more than a uint256 holds"),
        ("1 ETH", {"symbol": "USDC", "decimals": 6}, "does not match 'USDC'"),
        ("1 USDC", {}, "does not match an ETH unit"),
        ("one ETH", {}, "is not an amount"),
    ],
)
def test_parse_amount_refuses_with_the_documented_reason(text: str, kwargs: dict, message: str) -> None:
    with pytest.raises(InvalidAmount) as raised:
        parse_amount(text, **kwargs)
    assert message in str(raised.value)
    assert repr(text) in str(raised.value)


def test_a_bare_number_is_the_currency_only_where_the_caller_says_so() -> None:
    assert parse_amount("0.5", symbol="ETH", decimals=18, bare=True) == 5 * 10**17
    assert parse_amount("0.5 ETH", symbol="ETH", decimals=18, bare=True) == 5 * 10**17  # a unit still works
    assert to_base_units("0.5", 18) == 5 * 10**17


@given(base_units=st.integers(min_value=0, max_value=UINT256_MAX), decimals=st.integers(min_value=0, max_value=40),
       exponent=st.integers(min_value=-60, max_value=60))
def test_e_notation_means_the_same_exact_amount(base_units: int, decimals: int, exponent: int) -> None:
    """Any way of writing the same quantity (plain or with an exponent) parses to the same
    base units, or is refused the same way; nothing is rounded."""
    plain = format_amount(base_units, decimals, "TOK").split(" ")[0]
    with localcontext(Context(prec=200)):
        mantissa = Decimal(plain).scaleb(-exponent)
    with_exponent = f"{mantissa:f}e{exponent}"
    assert parse_amount(f"{with_exponent} TOK", symbol="TOK", decimals=decimals) == base_units


@given(base_units=st.integers(min_value=1, max_value=UINT256_MAX), decimals=decimals_st)
def test_negative_amounts_are_always_refused(base_units: int, decimals: int) -> None:
    text = "-" + format_amount(base_units, decimals, "TOK")
    with pytest.raises(InvalidAmount, match="negative"):
        parse_amount(text, symbol="TOK", decimals=decimals)


@given(base_units=base_units_st, decimals=st.integers(min_value=0, max_value=30))
def test_one_more_decimal_than_the_token_has_is_refused_not_rounded(base_units: int, decimals: int) -> None:
    text = format_amount(base_units, decimals, "TOK").split(" ")[0]
    text = (text if "." in text else text + ".") + "0" * (decimals - len(text.partition(".")[2])) + "1"
    with pytest.raises(InvalidAmount, match="decimal places"):
        parse_amount(f"{text} TOK", symbol="TOK", decimals=decimals)


# --- beyond Decimal's default 28-digit context ------------------------------------------


def test_to_base_units_is_exact_beyond_28_significant_digits() -> None:
    # 10**30 + 1 wei: 31 significant digits, more than Decimal's default context keeps.
    assert to_base_units("1000000000000.000000000000000001", 18) == 10**30 + 1
    assert to_base_units("99999999999.999999999999999999", 18) == 10**29 - 1


def test_to_base_units_refuses_19_decimal_places_even_for_large_amounts() -> None:
    # Rounding it under a 28-digit context would accept it as 10**29.
    with pytest.raises(InvalidAmount, match="decimal places"):
        to_base_units("99999999999.9999999999999999999", 18)


def test_format_amount_is_exact_for_uint256_max() -> None:
    assert format_amount(UINT256_MAX, 0, "X") == f"{UINT256_MAX} X"
    assert parse_amount(format_amount(UINT256_MAX, 18, "ether")) == UINT256_MAX


@given(base_units=st.integers(min_value=0, max_value=UINT256_MAX), decimals=decimals_st, symbol=symbol_st)
@example(base_units=UINT256_MAX, decimals=30, symbol="USDC")
@example(base_units=UINT256_MAX, decimals=0, symbol="USDC")
@example(base_units=10**30 + 1, decimals=18, symbol="WETH")
def test_format_then_parse_round_trips_every_uint256(base_units: int, decimals: int, symbol: str) -> None:
    text = format_amount(base_units, decimals, symbol)
    assert parse_amount(text, symbol=symbol, decimals=decimals) == base_units


# --- signers -------------------------------------------------------------------------------

PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def keystore(tmp_path_factory: pytest.TempPathFactory):
    """One keystore written for the module (scrypt makes each write take about a second)."""
    account = Account.create()
    path = write_keystore(account, tmp_path_factory.mktemp("keys") / "nested" / "signer.json", PASSWORD)
    return account, path


def test_keystore_round_trips_the_address(keystore) -> None:
    account, path = keystore
    restored = from_keystore(path, PASSWORD)
    assert restored.address == account.address
    assert restored.key == account.key
    assert from_keystore(str(path), PASSWORD).address == account.address


def test_keystore_file_is_readable_only_by_its_owner(keystore) -> None:
    _, path = keystore
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_keystore_file_does_not_contain_the_private_key(keystore) -> None:
    account, path = keystore
    text = path.read_text().lower()
    assert account.key.hex().lower().removeprefix("0x") not in text


def test_keystore_with_wrong_password_raises_invalid_input_without_the_key(keystore) -> None:
    account, path = keystore
    with pytest.raises(InvalidInput) as raised:
        from_keystore(path, "wrong password")
    message = str(raised.value)
    assert "password" in message and str(path) in message
    assert account.key.hex().removeprefix("0x") not in message.lower()
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


@pytest.mark.parametrize(
    "content",
    [None, "not json", "{}", "[]", "1", '{"version": 3}', '{"version": 3, "crypto": {}}',
     '{"version": 3, "crypto": "x"}'],
)
def test_unreadable_or_non_keystore_file_raises_invalid_input(tmp_path, content) -> None:
    path = tmp_path / "keystore.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(InvalidInput):
        from_keystore(path, PASSWORD)


@pytest.mark.parametrize(
    "key",
    ["0x1234", "1234", "0x" + "12" * 31 + "zz", b"\x12\x34", "0x" + "00" * 32, 0x1234],
)
def test_from_private_key_rejects_malformed_keys_without_echoing_them(key) -> None:
    with pytest.raises(InvalidInput) as raised:
        from_private_key(key)
    message = str(raised.value)
    assert "1234" not in message and "zz" not in message
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


def test_from_private_key_accepts_hex_with_and_without_prefix_and_bytes() -> None:
    account = Account.create()
    hex_key = account.key.hex().removeprefix("0x")
    assert from_private_key("0x" + hex_key).address == account.address
    assert from_private_key(hex_key).address == account.address
    assert from_private_key(bytes(account.key)).address == account.address


def test_client_repr_and_str_do_not_contain_the_private_key(world) -> None:
    signer = world.funders[0]
    client = world.as_(signer)
    key_hex = signer.key.hex().removeprefix("0x").lower()
    for text in (repr(client), str(client), f"{client}", repr(world.escrow)):
        assert key_hex not in text.lower()
    assert signer.address in repr(client)
    read_only = type(world.escrow)(world.chain.w3, world.escrow.address)
    assert "read-only" in repr(read_only)


def test_a_keystore_is_never_readable_by_others_not_even_for_a_moment(tmp_path, monkeypatch) -> None:
    """Issue 18, finding 9: under the most permissive umask, the file is 0600 from the moment
    it exists (checked before a byte of it is written), in a folder created 0700; a keystores
    folder others could list is narrowed; an existing file or a planted symlink is refused."""
    import bountychain.signers as signers

    modes_at_creation = []
    real_fdopen = os.fdopen

    def fdopen_spy(descriptor, *args, **kwargs):
        modes_at_creation.append(stat.S_IMODE(os.fstat(descriptor).st_mode))
        return real_fdopen(descriptor, *args, **kwargs)

    monkeypatch.setattr(signers.os, "fdopen", fdopen_spy)
    previous = os.umask(0)
    try:
        path = write_keystore(Account.create(), tmp_path / "fresh" / "alice.json", PASSWORD)
        shared = tmp_path / "shared"
        shared.mkdir(mode=0o755)
        with pytest.raises(FileExistsError):
            (shared / "planted.json").symlink_to(tmp_path / "elsewhere.json")
            write_keystore(Account.create(), shared / "planted.json", PASSWORD, private_dir=True)
    finally:
        os.umask(previous)
    assert modes_at_creation == [0o600]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(shared.stat().st_mode) == 0o700  # narrowed before anything was written in it
    assert not (tmp_path / "elsewhere.json").exists()


@pytest.mark.parametrize("symbol, decimals", [("ETH", 6), ("eth", 18), ("WEI", 0), ("gwei", 9)])
def test_a_token_named_like_ether_never_parses_in_ether_units(symbol: str, decimals: int) -> None:
    """Issue 18, finding 7: "1 ETH" for a 6-decimal token called ETH once gave 10**18 base units."""
    token = "0x" + "ab" * 20
    for text in ("1 ETH", "1 ether", "1 gwei", "1 wei", f"1 {symbol}"):
        with pytest.raises(InvalidAmount, match=f"the token {token} calls itself '{symbol}' but is not ether"):
            parse_amount(text, symbol=symbol, decimals=decimals, token=token)
    assert parse_amount("1", symbol=symbol, decimals=decimals, token=token, bare=True) == 10**decimals
    if decimals != 18:  # without the address, "ETH" with other decimals than ether's is a token too
        with pytest.raises(InvalidAmount, match="is not ether"):
            parse_amount("1 ETH", symbol="ETH", decimals=decimals)
    zero = "0x" + "00" * 20
    assert parse_amount("1 ETH", symbol="ETH", decimals=18, token=zero) == 10**18
    assert parse_amount("2 gwei", symbol="ETH", decimals=18, token=zero) == 2 * 10**9
    with pytest.raises(InvalidAmount, match="does not match 'USDC'"):
        parse_amount("1 ETH", symbol="USDC", decimals=6, token=token)
