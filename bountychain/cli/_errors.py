"""The command line's own errors, and the one-line failure every refusal ends with."""

from __future__ import annotations

import json
from typing import Any

import click
from rich.text import Text

from bountychain.cli._output import PlainConsole
from bountychain.errors import BountychainError, InvalidInput


class CliInputError(InvalidInput):
    """A command-line value that is malformed (the SDK's InvalidInput family)."""


class SetupError(BountychainError):
    """No RPC URL, an unreadable config file, an unavailable signer backend, ..."""


class CliFailure(click.ClickException):
    """Ends the command with one red line on stderr (and {"error": ...} on stdout with --json)."""

    exit_code = 1

    def __init__(self, message: str, *, kind: str = "Error", json_mode: bool = False,
                 details: dict[str, Any] | None = None) -> None:
        super().__init__(" ".join(message.split()))  # one line, whatever the message held
        self.kind = kind
        self.json_mode = json_mode
        self.details = details or {}

    def show(self, file: Any = None) -> None:
        if self.json_mode:
            click.echo(json.dumps({"error": self.message, "error_type": self.kind, **self.details}))
        PlainConsole(stderr=True).print(Text(f"error: {self.message}", style="bold red"))


__all__ = ["CliFailure", "CliInputError", "SetupError"]
