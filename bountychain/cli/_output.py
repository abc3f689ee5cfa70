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
from rich.table import Table
from rich.text import Text

from bountychain.amounts import format_amount
from bountychain.results import TokenInfo


class UI:
    """Human output on stdout; with --json, humans get stderr and stdout holds one object."""

    def __init__(self, json_mode: bool) -> None:
        self.json = json_mode
        self.out = Console(highlight=False, soft_wrap=True, stderr=json_mode)
        self.err = Console(highlight=False, soft_wrap=True, stderr=True)
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


def utc(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def eth(wei: int) -> str:
    return format_amount(wei, 18, "ETH")


def human(amount: int, info: TokenInfo) -> str:
    return format_amount(amount, info.decimals, info.symbol)


def kv_table(rows: list[tuple[str, str | Text]]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    for label, value in rows:
        table.add_row(label, value if isinstance(value, Text) else Text(str(value)))
    return table


__all__ = ["UI", "eth", "human", "kv_table", "utc"]
