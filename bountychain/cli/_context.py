"""What every command shares: the settings its global options fill in, the group class that
turns every error into one line, and where the RPC URL and the keystores come from."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import click

from bountychain.chains import chain_by_shorthand
from bountychain.cli._errors import CliFailure, SetupError
from bountychain.cli._output import UI
from bountychain.errors import BountychainError, ContractError


@dataclass
class Settings:
    rpc: str | None = None
    network: str | None = None
    escrow: str | None = None
    deployments: str | None = None
    chain_id: int | None = None
    json: bool = False
    yes: bool = False
    keystore: str | None = None
    account: str | None = None
    ape_account: str | None = None
    allow_unofficial_escrow: bool = False
    _ui: UI | None = field(default=None, repr=False)

    @property
    def ui(self) -> UI:
        if self._ui is None:
            self._ui = UI(self.json)
        return self._ui


def _store(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    settings = ctx.ensure_object(Settings)
    if value is not None and value is not False:
        setattr(settings, param.name, value)


_GLOBAL_OPTIONS: list[tuple[tuple[str, ...], dict[str, Any]]] = [
    (("--rpc",), dict(metavar="URL", help="JSON-RPC URL (else $BOUNTYCHAIN_RPC, else `rpc` in the config file).")),
    (("--network",), dict(metavar="NAME", help="A chain by name (sepolia, base-sepolia, local, ...): its RPC URL from "
                                              "$<NAME>_RPC_URL (SEPOLIA_RPC_URL) or [networks] in the config file, "
                                              "and no other chain accepted.")),
    (("--escrow",), dict(metavar="ADDRESS", help="Escrow address (else the registry's for the connected chain).")),
    (("--deployments",), dict(metavar="DIR", help="Deployment registry directory (else $BOUNTYCHAIN_DEPLOYMENTS, "
                                                  "else the official registry shipped with bountychain).")),
    (("--allow-unofficial-escrow", "allow_unofficial_escrow"),
     dict(is_flag=True, help="Use an escrow with the right code that is not an official deployment (one you "
                             "deployed yourself) on a public chain; a warning is printed.")),
    (("--chain-id", "chain_id"), dict(type=int, metavar="N", help="Refuse to act on any chain but this one.")),
    (("--json", "json"), dict(is_flag=True, help="Print one JSON object on stdout and nothing else there.")),
    (("--yes", "-y", "yes"), dict(is_flag=True, help="Send transactions without asking for confirmation.")),
    (("--keystore",), dict(metavar="PATH", help="Sign with this encrypted keystore (password from "
                                               "$BOUNTYCHAIN_PASSWORD or a prompt).")),
    (("--account",), dict(metavar="NAME", help="Sign with the keystore NAME of the accounts directory.")),
    (("--ape-account", "ape_account"), dict(metavar="ALIAS", help="Sign with an ape account (needs eth-ape).")),
]


def global_options(command: Callable[..., Any], *, hidden: bool = False) -> Callable[..., Any]:
    """The global options, accepted before the command name and after it alike (`hidden` on
    each command, so its --help lists only its own options)."""
    for decls, kwargs in reversed(_GLOBAL_OPTIONS):
        command = click.option(*decls, expose_value=False, callback=_store, hidden=hidden, **kwargs)(command)
    return command


GLOBAL_OPTIONS_NOTE = ("Global options (--rpc, --escrow, --account, --keystore, --json, --yes, ...) go before or "
                       "after the command name: see `bountychain --help`.")


def command(name: str | None = None, **attrs: Any) -> Callable[[Callable[..., Any]], click.Command]:
    """A `bountychain` command: a click command that takes the global options as well."""
    attrs.setdefault("epilog", GLOBAL_OPTIONS_NOTE)

    def decorate(function: Callable[..., Any]) -> click.Command:
        return click.command(name, **attrs)(global_options(function, hidden=True))

    return decorate


def get_settings() -> Settings:
    """The settings of the running command (its global options)."""
    return click.get_current_context().ensure_object(Settings)


class Group(click.Group):
    """Turns every SDK error into a one-line message and exit status 1: never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        json_mode = ctx.ensure_object(Settings).json
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except BountychainError as exc:
            # error_type is the exception's class, the name the SDK raises; a contract refusal
            # also gives the contract's own error name, which the words above never show.
            raise CliFailure(_describe(exc), kind=type(exc).__name__, json_mode=_settings_json(ctx, json_mode),
                             details={"error_name": exc.error_name} if isinstance(exc, ContractError) else None
                             ) from None
        except Exception as exc:  # a connection refused, a node's error: still one line
            raise CliFailure(_describe_unexpected(exc), kind=type(exc).__name__,
                             json_mode=_settings_json(ctx, json_mode)) from None


def _settings_json(ctx: click.Context, default: bool) -> bool:
    obj = ctx.obj
    return obj.json if isinstance(obj, Settings) else default


def _describe(exc: BountychainError) -> str:
    """The error's own words: a contract refusal's reason (dates and amounts already in words),
    without the contract's internal error name; a mined refusal names its transaction."""
    if not isinstance(exc, ContractError):
        return str(exc)
    if exc.tx_hash is not None:
        return f"{exc.reason} (transaction {exc.tx_hash} was mined and refused; only its gas was spent)"
    return exc.reason


def _describe_unexpected(exc: Exception) -> str:
    if os.environ.get("BOUNTYCHAIN_DEBUG"):
        import traceback

        traceback.print_exc()
    try:
        import requests

        if isinstance(exc, requests.exceptions.RequestException):
            url = getattr(getattr(exc, "request", None), "url", None) or ""
            parsed = urlparse(url)
            where = f"{parsed.scheme}://{parsed.hostname}:{parsed.port}" if parsed.hostname else "the RPC node"
            return f"cannot reach {where} ({type(exc).__name__}): is the node running and the URL right?"
    except ImportError:  # pragma: no cover - web3 depends on requests
        pass
    if isinstance(exc, OSError) and exc.filename is not None and exc.strerror:
        return f"{exc.filename}: {exc.strerror[:1].lower()}{exc.strerror[1:]}"  # a file it could not read or write
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text} (set BOUNTYCHAIN_DEBUG=1 for the traceback)"


# --- configuration ------------------------------------------------------------------------


def config_home() -> Path:
    xdg = os.environ.get("XDG_CONFIG_HOME")
    return (Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".config") / "bountychain"


def keystores_dir() -> Path:
    configured = os.environ.get("BOUNTYCHAIN_KEYSTORES")
    return Path(configured) if configured else config_home() / "keystores"


def read_config() -> dict[str, Any]:
    path = config_home() / "config.toml"
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SetupError(f"cannot read {path}: {exc}") from None


def resolve_rpc(settings: Settings) -> str:
    if settings.network:
        return _network_rpc(settings)
    url = settings.rpc or os.environ.get("BOUNTYCHAIN_RPC")
    source = "--rpc" if settings.rpc else "$BOUNTYCHAIN_RPC"
    if not url:
        url = read_config().get("rpc")
        source = f"`rpc` in {config_home() / 'config.toml'}"
        if url is None:
            raise SetupError(
                "no RPC URL: pass --rpc URL, set BOUNTYCHAIN_RPC, or put rpc = \"URL\" in "
                f"{config_home() / 'config.toml'} (try `bountychain node` for a local chain)"
            )
    if not isinstance(url, str) or urlparse(url).scheme not in ("http", "https") or not urlparse(url).netloc:
        raise SetupError(f"{source}: {url!r} is not an http(s) URL")
    return url


def _network_rpc(settings: Settings) -> str:
    """The RPC URL of `--network NAME`, which also pins the chain id."""
    assert settings.network is not None
    try:
        chain = chain_by_shorthand(settings.network)
    except ValueError as exc:
        raise SetupError(f"--network {exc}") from None
    if settings.chain_id is not None and settings.chain_id != chain.chain_id:
        raise SetupError(f"--network {settings.network} is chain {chain.chain_id}, but --chain-id says {settings.chain_id}")
    settings.chain_id = chain.chain_id
    if settings.rpc:  # an explicit URL wins; the chain is still pinned
        return resolve_rpc(Settings(rpc=settings.rpc))
    configured = read_config().get("networks", {})
    url = os.environ.get(chain.rpc_variable) or (configured.get(chain.shorthand) if isinstance(configured, dict) else None)
    if not url and chain.chain_id == 31337:
        url = "http://127.0.0.1:8545"  # anvil's default
    if not url:
        raise SetupError(f"--network {settings.network}: set {chain.rpc_variable} to your {chain.name} RPC URL, or put "
                         f"{chain.shorthand} = \"URL\" under [networks] in {config_home() / 'config.toml'}")
    if not isinstance(url, str) or urlparse(url).scheme not in ("http", "https") or not urlparse(url).netloc:
        raise SetupError(f"{chain.rpc_variable}: {url!r} is not an http(s) URL")
    return url


__all__ = [
    "Group",
    "command",
    "Settings",
    "config_home",
    "get_settings",
    "global_options",
    "keystores_dir",
    "read_config",
    "resolve_rpc",
]
