"""Output: human text on stdout (or stderr with --json), one JSON object with --json, and
the formatting of times, amounts and key-value tables."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from contextlib import nullcontext
from datetime import datetime, timezone
from enum import Enum
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

from bountychain.amounts import NATIVE, format_amount, poses_as_ether
from bountychain.reports import commitment_of_uri
from bountychain.results import TokenInfo


# What a terminal would obey rather than show: C0 and C1 control characters and DEL (ESC opens
# OSC 52 clipboard writes, cursor moves that rewrite lines already shown, window titles; CR
# overwrites a line) and the bidirectional overrides that reorder the text shown. Newline and
# tab stay: they only lay text out.
_COMMANDS = {code: f"\\x{code:02x}" for code in (*range(0x20), 0x7F, *range(0x80, 0xA0)) if code not in (0x09, 0x0A)}
_COMMANDS |= {code: f"\\u{code:04x}" for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


def inert(text: str) -> str:
    """`text` with every character a terminal would obey shown as an escape ("\\x1b")."""
    return text.translate(_COMMANDS)


class PlainConsole(Console):
    """A console that prints every string as the text it is, which matters for strings read
    from the chain (issue URLs, token symbols): no rich markup ("[/]" would crash a table,
    "[link=...]" would make a hyperlink whose target differs from its text), no emoji codes, and
    no terminal commands (see `inert`). rich's own styles and cursor control (segments it marks
    as control) pass."""

    def __init__(self, **options: Any) -> None:
        super().__init__(markup=False, emoji=False, highlight=False, soft_wrap=True, **options)

    def render_str(self, text: str, **options: Any) -> Text:
        # Strings become Text here (table cells, panels, `say`): made inert before layout, so
        # that the escapes are measured; `_render_buffer` below also catches Text built directly.
        return super().render_str(inert(text), **options)

    def _render_buffer(self, buffer: Any) -> str:
        # rich's one step from segments to terminal text; rich strips only BEL, BS, VT, FF and CR.
        return super()._render_buffer(segment if segment.control else Segment(inert(segment.text), segment.style)
                                      for segment in buffer)


class UI:
    """Human output on stdout; with --json, humans get stderr and stdout holds one object."""

    def __init__(self, json_mode: bool) -> None:
        self.json = json_mode
        self.out = PlainConsole(stderr=json_mode)
        self.err = PlainConsole(stderr=True)
        for console in (self.out, self.err):
            if not console.is_terminal:
                console.width = max(console.width, 160)

    def say(self, *parts: str | Text) -> None:
        self.out.print(*parts)

    def note(self, message: str) -> None:
        """A remark for humans that never pollutes stdout's data."""
        (self.err if self.json else self.out).print(Text(message, style="yellow"))

    def status(self, message: str) -> Any:
        return self.err.status(message) if self.err.is_terminal else nullcontext()

    def emit(self, data: dict[str, Any], human: Callable[[], None]) -> None:
        if self.json:
            click.echo(json.dumps(data, default=_json_default, indent=None))
        else:
            human()


def _json_default(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return dataclasses.asdict(value)
    if isinstance(value, Enum):
        return value.name.lower()
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    if isinstance(value, Path):
        return str(value)
    return str(value)


def solution_text(uri: str) -> str:
    """A claim's solution in words: a private security report's commitment is named as such
    (its URI is a hash, not a place to go)."""
    commitment = commitment_of_uri(uri)
    return uri if commitment is None else f"private security report (commitment 0x{commitment.hex()})"


def utc(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def eth(wei: int) -> str:
    return format_amount(wei, 18, "ETH")


def short(address: str) -> str:
    """0x5FbDB2315678afecb367f032d93F642f64180aa3 -> 0x5FbD…0aa3"""
    return f"{address[:6]}…{address[-4:]}"


def human(amount: int, info: TokenInfo) -> str:
    """"1.5 USDC"; a token that calls itself by an ETH unit name always shows its address."""
    text = format_amount(amount, info.decimals, info.symbol)
    return f"{text} (token {info.address}, not ether)" if poses_as_ether(info.address, info.symbol) else text


def listed(amount: int, info: TokenInfo) -> str:
    """An amount in a listing: a token's carries its short address ("25 USDC (0x5FbD…0aa3)"),
    since any token may take any symbol; ether's does not."""
    if info.address == NATIVE or poses_as_ether(info.address, info.symbol):
        return human(amount, info)
    return f"{human(amount, info)} ({short(info.address)})"


def kv_table(rows: list[tuple[str, str | Text]]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    for label, value in rows:
        table.add_row(label, value if isinstance(value, Text) else Text(inert(str(value))))
    return table


__all__ = ["UI", "PlainConsole", "eth", "human", "inert", "kv_table", "listed", "short", "utc"]
