"""Strings read from the chain, which nobody checked.

A Solidity `string` is any bytes: the escrow takes whatever a caller sends as a URI, valid
UTF-8 or not, and eth-abi's strict decoding raises `UnicodeDecodeError` on the latter. Every
reader of a chain string (event fields, call results) should decode it here instead:

- valid UTF-8 is the text, exactly (`valid` is True);
- anything else becomes text with each invalid sequence replaced by U+FFFD (the Unicode
  replacement character, shown as "�"), and `valid` is False. The replacement is the visible
  marker: wherever the text is stored or shown, a reader sees that the chain's bytes were not
  text. The result never holds a lone surrogate, so it always encodes back to UTF-8 (SQLite,
  JSON, terminals).

The exact bytes stay available (`raw`, `hex`) for a caller that must show or hash them.
Only the encoding is handled here: control characters, markup and URL schemes are the
displaying code's concern.
"""

from __future__ import annotations

from dataclasses import dataclass

REPLACEMENT = "\ufffd"


@dataclass(frozen=True)
class ChainString:
    """A chain string, decoded: `text` to store or show, `valid` False if the bytes were not
    UTF-8 (then `text` carries U+FFFD where they were invalid), `raw` the bytes themselves."""

    text: str
    valid: bool
    raw: bytes

    @property
    def hex(self) -> str:
        return "0x" + self.raw.hex()


def decode_chain_string(value: bytes | bytearray | memoryview | str) -> ChainString:
    """Decodes a chain string without trusting it (see the module's doc). A `str` (already
    decoded elsewhere) is checked the same way: one holding lone surrogates is not text."""
    raw = value.encode("utf-8", errors="surrogatepass") if isinstance(value, str) else bytes(value)
    try:
        return ChainString(raw.decode("utf-8"), True, raw)
    except UnicodeDecodeError:
        return ChainString(raw.decode("utf-8", errors="replace"), False, raw)


def chain_text(value: bytes | bytearray | memoryview | str) -> str:
    """The text of a chain string: valid UTF-8 as it is, else with U+FFFD in place of each
    invalid sequence."""
    return decode_chain_string(value).text
