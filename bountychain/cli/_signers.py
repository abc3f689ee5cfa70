"""Signers for the command line: a keystore (by path or account name), an ape account, or
$BOUNTYCHAIN_PRIVATE_KEY; passwords and keys from the environment, a hidden prompt or stdin."""

from __future__ import annotations

import importlib.util
import os
import re
import sys
from contextlib import redirect_stdout
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import click

from bountychain.cli._context import Settings, keystores_dir
from bountychain.cli._errors import CliInputError, SetupError
from bountychain.errors import InvalidInput, NoSigner
from bountychain.sdk import checksum
from bountychain.signers import from_keystore, from_private_key

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def read_secret(label: str, *, confirm: bool = False) -> str:
    """A secret from a hidden prompt on a terminal, else one line of standard input; with
    `confirm`, asked twice (two lines on standard input) and refused unless both agree."""
    if sys.stdin.isatty():
        return click.prompt(label, hide_input=True, confirmation_prompt=confirm, err=True)
    line = sys.stdin.readline()
    if not line:
        raise SetupError(f"{label.lower()}: nothing on standard input")
    secret = line.rstrip("\r\n")
    if confirm:
        again = sys.stdin.readline()
        if not again:
            raise SetupError(f"{label.lower()}: give it twice on standard input (two lines), to confirm it")
        if again.rstrip("\r\n") != secret:
            raise SetupError(f"{label.lower()}: the two entries differ; nothing was written")
    return secret


def keystore_password(path: Path, *, new: bool = False) -> str:
    password = os.environ.get("BOUNTYCHAIN_PASSWORD")
    if password is None:
        password = read_secret(f"Password for {path.name}" if not new else f"New password for {path.name}",
                               confirm=new)
    if new and not password:
        raise SetupError(f"an empty password would leave {path.name} unprotected: choose one")
    return password


def account_path(name: str) -> Path:
    if not _NAME.match(name):
        raise CliInputError(f"account name {name!r}: use letters, digits, '.', '_' and '-' (64 at most)")
    return keystores_dir() / f"{name}.json"


def _ape_output() -> Any:
    """ape logs and prompts on stdout: send that to stderr, which keeps stdout for our output."""
    return redirect_stdout(sys.stderr)


class ApeSigner:
    """Lets an ape account (a keyfile alias, a Ledger or Trezor through their plugins) sign
    what the SDK builds: the SDK needs `.address` and `.sign_transaction(dict).raw_transaction`."""

    def __init__(self, account: Any) -> None:
        self._account = account
        self.address = checksum(str(account.address), "ape account")

    @classmethod
    def load(cls, alias: str, *, autosign: bool) -> ApeSigner:
        import ape  # type: ignore[import-not-found]

        try:
            with _ape_output():
                account = ape.accounts.load(alias)
        except KeyError:
            raise SetupError(f"ape has no account {alias!r} (see `ape accounts list`)") from None
        except Exception as exc:
            raise SetupError(f"ape cannot load account {alias!r}: {type(exc).__name__}") from None
        if autosign and hasattr(account, "set_autosign"):
            # --yes: the CLI has nothing to ask, so ape's own "Sign:" prompt must not block either.
            # The passphrase comes from $APE_ACCOUNTS_<alias>_PASSPHRASE or ape's prompt.
            try:
                with _ape_output():
                    account.set_autosign(True)
            except Exception as exc:
                raise SetupError(f"ape cannot unlock account {alias!r}: {type(exc).__name__}") from None
        return cls(account)

    def sign_transaction(self, tx: dict[str, Any]) -> Any:
        from ape import networks  # type: ignore[import-not-found]

        with _ape_output():
            txn = networks.ethereum.create_transaction(**tx)
            signed = self._account.sign_transaction(txn)
        if signed is None:
            raise NoSigner("the ape account did not sign the transaction")
        return SimpleNamespace(raw_transaction=signed.serialize_transaction())


def load_signer(settings: Settings) -> Any:
    chosen = [name for name, value in (("--keystore", settings.keystore), ("--account", settings.account),
                                       ("--ape-account", settings.ape_account)) if value]
    if len(chosen) > 1:
        raise CliInputError(f"give only one signer, not {' and '.join(chosen)}")
    if settings.ape_account:
        if importlib.util.find_spec("ape") is None:
            raise SetupError("--ape-account needs the `ape` package (eth-ape), which is not installed; "
                             "use --keystore or --account instead")
        return ApeSigner.load(settings.ape_account, autosign=settings.yes)
    if settings.keystore or settings.account:
        path = Path(settings.keystore) if settings.keystore else account_path(settings.account or "")
        if not path.exists():
            hint = " (see `bountychain accounts list`)" if settings.account else ""
            raise CliInputError(f"no keystore at {path}{hint}")
        return from_keystore(path, keystore_password(path))
    key = os.environ.get("BOUNTYCHAIN_PRIVATE_KEY")
    if key:
        try:
            return from_private_key(key.strip())
        except InvalidInput:
            raise CliInputError("BOUNTYCHAIN_PRIVATE_KEY is not a valid 32-byte hex private key") from None
    raise NoSigner("no signer: pass --keystore PATH, --account NAME or --ape-account ALIAS "
                   "(or set BOUNTYCHAIN_PRIVATE_KEY)")


__all__ = ["ApeSigner", "account_path", "keystore_password", "load_signer", "read_secret"]
