"""`bountychain`: the command line for funders, hunters, issuers and approvers.

    bountychain node                                   # a local anvil chain with an escrow
    bountychain --rpc URL --account alice create https://github.com/o/r/issues/1 --deadline 30d
    bountychain --account bob pledge 1 "0.05 ETH"
    bountychain show 1

The RPC URL comes from --rpc, else $BOUNTYCHAIN_RPC, else `rpc` in
$XDG_CONFIG_HOME/bountychain/config.toml (~/.config/...). The escrow comes from --escrow, else
the deployment registry of the connected chain (--deployments DIR, $BOUNTYCHAIN_DEPLOYMENTS,
./deployments). Transactions are signed with --keystore PATH, --account NAME (a keystore in
the accounts directory), --ape-account ALIAS, or $BOUNTYCHAIN_PRIVATE_KEY; every one is shown
with its estimated network fee and confirmed first unless --yes.

Every refusal (bad input, wrong chain, a refusal decoded from the contract) ends with one red
line on stderr and exit status 1, before anything is sent; usage errors exit with 2. With
--json, stdout carries exactly one JSON object (the result, or {"error": ...}).
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import os
import re
import signal
import sys
import time
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext, redirect_stdout
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from enum import Enum
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlparse

import click
from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from bountychain import deployments as registry
from bountychain import qr
from bountychain.amounts import format_amount
from bountychain.client import BountyClient, checksum
from bountychain.errors import (
    BountychainError,
    ContractError,
    InsufficientFunds,
    InvalidAddress,
    InvalidAmount,
    InvalidDeadline,
    InvalidInput,
    InvalidShares,
    NoSigner,
    translating_reverts,
)
from bountychain.results import ETH, Bounty, BountyStatus, TokenInfo
from bountychain.signers import from_keystore, from_private_key, write_keystore

BPS = 10_000
# Gas of steps that cannot be simulated before an earlier step is mined (a token pledge
# before its approval): typical receipts with headroom, shown as approximate.
TYPICAL_GAS = {"approve": 50_000, "pledge": 140_000}
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class CliInputError(InvalidInput):
    """A command-line value that is malformed (the SDK's InvalidInput family)."""


class SetupError(BountychainError):
    """No RPC URL, an unreadable config file, an unavailable signer backend, ..."""


class CliFailure(click.ClickException):
    """Ends the command with one red line on stderr (and {"error": ...} on stdout with --json)."""

    exit_code = 1

    def __init__(self, message: str, *, kind: str = "Error", json_mode: bool = False) -> None:
        super().__init__(" ".join(message.split()))  # one line, whatever the message held
        self.kind = kind
        self.json_mode = json_mode

    def show(self, file: Any = None) -> None:
        if self.json_mode:
            click.echo(json.dumps({"error": self.message, "error_type": self.kind}))
        Console(stderr=True, highlight=False, soft_wrap=True).print(Text(f"error: {self.message}", style="bold red"))


# --- settings, shared by the group and every command --------------------------------------


@dataclass
class Settings:
    rpc: str | None = None
    escrow: str | None = None
    deployments: str | None = None
    chain_id: int | None = None
    json: bool = False
    yes: bool = False
    keystore: str | None = None
    account: str | None = None
    ape_account: str | None = None
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
    (("--escrow",), dict(metavar="ADDRESS", help="Escrow address (else the registry's for the connected chain).")),
    (("--deployments",), dict(metavar="DIR", help="Deployment registry directory (else $BOUNTYCHAIN_DEPLOYMENTS, "
                                                  "else ./deployments).")),
    (("--chain-id", "chain_id"), dict(type=int, metavar="N", help="Refuse to act on any chain but this one.")),
    (("--json", "json"), dict(is_flag=True, help="Print one JSON object on stdout and nothing else there.")),
    (("--yes", "-y", "yes"), dict(is_flag=True, help="Send transactions without asking for confirmation.")),
    (("--keystore",), dict(metavar="PATH", help="Sign with this encrypted keystore (password from "
                                               "$BOUNTYCHAIN_PASSWORD or a prompt).")),
    (("--account",), dict(metavar="NAME", help="Sign with the keystore NAME of the accounts directory.")),
    (("--ape-account", "ape_account"), dict(metavar="ALIAS", help="Sign with an ape account (needs eth-ape).")),
]


def global_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The global options, accepted before the command name and after it alike."""
    for decls, kwargs in reversed(_GLOBAL_OPTIONS):
        command = click.option(*decls, expose_value=False, callback=_store, **kwargs)(command)
    return command


def _settings() -> Settings:
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
            raise CliFailure(_describe(exc), kind=type(exc).__name__,
                             json_mode=_settings_json(ctx, json_mode)) from None
        except Exception as exc:  # a connection refused, a node's error: still one line
            raise CliFailure(_describe_unexpected(exc), kind=type(exc).__name__,
                             json_mode=_settings_json(ctx, json_mode)) from None


def _settings_json(ctx: click.Context, default: bool) -> bool:
    obj = ctx.obj
    return obj.json if isinstance(obj, Settings) else default


def _describe(exc: BountychainError) -> str:
    """The error's own words; the times a contract refusal names are also given as dates."""
    message = str(exc)
    if isinstance(exc, ContractError):
        times = [f"{name} {value} = {utc(value)}" for name, value in exc.args_by_name.items()
                 if name in ("unlocksAt", "deadline", "currentTime") and isinstance(value, int)]
        if times:
            message += f" ({'; '.join(times)})"
    return message


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
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text} (set BOUNTYCHAIN_DEBUG=1 for the traceback)"


# --- output -------------------------------------------------------------------------------


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


def _kv_table(rows: list[tuple[str, str | Text]]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    for label, value in rows:
        table.add_row(label, value if isinstance(value, Text) else Text(str(value)))
    return table


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


# --- signers ------------------------------------------------------------------------------


def read_secret(label: str, *, confirm: bool = False) -> str:
    """A secret from a hidden prompt on a terminal, else one line of standard input."""
    if sys.stdin.isatty():
        return click.prompt(label, hide_input=True, confirmation_prompt=confirm, err=True)
    line = sys.stdin.readline()
    if not line:
        raise SetupError(f"{label.lower()}: nothing on standard input")
    return line.rstrip("\r\n")


def keystore_password(path: Path, *, new: bool = False) -> str:
    password = os.environ.get("BOUNTYCHAIN_PASSWORD")
    if password is not None:
        return password
    return read_secret(f"Password for {path.name}" if not new else f"New password for {path.name}", confirm=new)


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


# --- the client: every transaction shown and confirmed before it is sent -------------------


@dataclass
class Plan:
    """What a command is about to send, shown before the first transaction."""

    title: str
    rows: list[tuple[str, str]]
    later_steps: list[str] = field(default_factory=list)  # names in TYPICAL_GAS, not yet simulable
    confirmed: bool = False


class CliClient(BountyClient):
    """A BountyClient that, right before the first transaction of a command is signed (so after
    every check the SDK makes), estimates its fee, shows the plan, asks for confirmation, and
    shows a spinner while the receipt is awaited."""

    settings: Settings
    plan: Plan | None = None

    def run(self, plan: Plan, action: Callable[[], Any]) -> Any:
        self.plan = plan
        try:
            return action()
        finally:
            self.plan = None

    def before_send(self, fn: Any, *, value: int, bounty_id: int | None) -> None:
        plan = self.plan
        if plan is not None and not plan.confirmed:
            self._confirm(plan, fn, value, bounty_id)

    @contextmanager
    def sending(self, fn: Any) -> Iterator[None]:
        name = getattr(fn, "fn_name", "transaction")
        with self.settings.ui.status(f"sending {name}, waiting for the receipt..."):
            yield

    def _confirm(self, plan: Plan, fn: Any, value: int, bounty_id: int | None) -> None:
        ui = self.settings.ui
        signer = self.signer
        if signer is None:
            raise NoSigner("this command needs a signer")
        gas, price = estimate_gas(self.w3, fn, signer.address, value, bounty_id)
        name = getattr(fn, "fn_name", "transaction")
        fee_parts = [f"{name} {gas:,} gas"] + [f"{step} ≈{TYPICAL_GAS[step]:,} gas" for step in plan.later_steps]
        total_gas = gas + sum(TYPICAL_GAS[step] for step in plan.later_steps)
        approx = "≈ " if plan.later_steps else ""
        rows = [*plan.rows,
                ("value sent", eth(value) if value else "0 ETH"),
                ("network fee", f"{approx}{eth(total_gas * price)} (estimated: {' + '.join(fee_parts)} "
                                f"at {format_amount(price, 9, 'gwei')})"),
                ("from", signer.address),
                ("escrow", f"{self.address} on chain {self.chain_id}")]
        ui.out.print(Panel(_kv_table(rows), title=Text(plan.title, style="bold"), expand=False))
        if not self.settings.yes:
            prompt = "Send these transactions?" if plan.later_steps else "Send this transaction?"
            try:
                confirmed = click.confirm(prompt, default=False, err=ui.json)
            except click.Abort:
                confirmed = False
            if not confirmed:
                raise SetupError("not confirmed: nothing was sent")
        plan.confirmed = True


def estimate_gas(w3: Any, fn: Any, sender: str, value: int, bounty_id: int | None) -> tuple[int, int]:
    """(gas the node estimates on the pending block, current gas price in wei). A refusal
    raises the decoded ContractError."""
    with translating_reverts(bounty_id):
        gas = int(fn.estimate_gas({"from": sender, "value": value}, block_identifier="pending"))
    return gas, int(w3.eth.gas_price)


def connect(*, signer: bool) -> CliClient:
    settings = _settings()
    url = resolve_rpc(settings)
    client = CliClient.connect(url, None, escrow=settings.escrow, chain_id=settings.chain_id,
                               deployments=settings.deployments)
    client.settings = settings
    if signer:
        client.signer = load_signer(settings)
    return client


def tx_rows(result: Any) -> list[tuple[str, str]]:
    return [("tx", result.tx_hash), ("block", str(result.block_number)), ("gas used", f"{result.gas_used:,}"),
            ("fee paid", eth(result.gas_cost_wei))]


def report(action: str, result: Any, headline: str, rows: list[tuple[str, str]] | None = None,
           extra: dict[str, Any] | None = None, after: Callable[[], None] | None = None) -> None:
    ui = _settings().ui
    data = {"action": action, **dataclasses.asdict(result), **(extra or {})}

    def show() -> None:
        ui.say(Text("✓ " + headline, style="bold green"))
        approval = getattr(result, "approval", None)
        all_rows = list(rows or [])
        if approval is not None:
            all_rows += [("approve tx", approval.tx_hash), ("approve gas", f"{approval.gas_used:,}")]
        ui.say(_kv_table(all_rows + tx_rows(result)))
        if after:
            after()

    ui.emit(data, show)


# --- parsing ------------------------------------------------------------------------------

_AMOUNT = re.compile(r"^\s*([0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9][0-9_]*)\s*([A-Za-z][A-Za-z0-9.\-]*)?\s*$")
_DURATION_PART = re.compile(r"(\d+)\s*(w|d|h|m|s)", re.IGNORECASE)
_DURATION_UNITS = {"w": 7 * 86_400, "d": 86_400, "h": 3_600, "m": 60, "s": 1}


def amount_text(text: str) -> str:
    """'0.05 ETH', '0.05eth', '25 USDC' -> '<number> <unit>'; a bare number is refused."""
    match = _AMOUNT.match(text)
    if not match:
        raise InvalidAmount(f"{text!r} is not an amount: write a number and a unit, e.g. '0.05 ETH' or '25 USDC'")
    number, unit = match.groups()
    if not unit:
        raise InvalidAmount(f"{text!r} has no unit: write e.g. '{number} ETH' (or ether, gwei, wei) for an ETH "
                            "bounty, or the token's symbol, e.g. '{number} USDC'".replace("{number}", number))
    return f"{number} {unit}"


def parse_deadline(text: str, now: int) -> int:
    """A unix timestamp, an ISO 8601 date-time with a zone, or a duration from the chain's
    current time (30d, 12h, 1w2d, 90m)."""
    value = text.strip()
    if value.isdigit():
        deadline = int(value)
        if deadline < 1_000_000_000:
            raise InvalidDeadline(f"deadline {value!r} is not a unix timestamp: for a duration write e.g. "
                                  f"'{value}d' ({value} days) or '{value}h'")
    elif re.fullmatch(r"(\s*\d+\s*[wdhms]\s*)+", value, re.IGNORECASE):
        deadline = now + sum(int(n) * _DURATION_UNITS[u.lower()] for n, u in _DURATION_PART.findall(value))
    else:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise InvalidDeadline(f"deadline {text!r}: give a unix timestamp, an ISO date-time with a zone "
                                  "(2030-01-31T12:00:00Z) or a duration (30d, 12h)") from None
        if moment.tzinfo is None:
            raise InvalidDeadline(f"deadline {text!r} has no time zone: add one, e.g. {value}Z for UTC")
        deadline = int(moment.timestamp())
    if deadline <= now:
        raise InvalidDeadline(f"deadline {utc(deadline)} is in the past (the chain's time is {utc(now)})")
    return deadline


def parse_shares(pairs: tuple[str, ...]) -> dict[int, int]:
    """CLAIM=SHARE pairs: 1=70% (percent, up to two decimals) or 1=7000 (basis points)."""
    if not pairs:
        raise InvalidShares("name at least one winner as CLAIM=SHARE, e.g. 1=70% 2=30%")
    shares: dict[int, int] = {}
    for pair in pairs:
        claim_text, sep, share_text = pair.partition("=")
        claim_text, share_text = claim_text.strip(), share_text.strip()
        if not sep or not claim_text.isdigit() or int(claim_text) == 0:
            raise InvalidShares(f"{pair!r}: write CLAIM=SHARE with a claim id, e.g. 1=70% or 1=7000")
        claim_id = int(claim_text)
        if claim_id in shares:
            raise InvalidShares(f"claim {claim_id} is named twice")
        try:
            if share_text.endswith("%"):
                bps = Decimal(share_text[:-1]) * 100
            else:
                bps = Decimal(share_text)
                if bps != bps.to_integral_value():
                    raise InvalidShares(f"{pair!r}: a share is basis points (an integer, 7000 = 70%) "
                                        "or a percentage such as 70%")
        except InvalidOperation:
            raise InvalidShares(f"{pair!r}: {share_text!r} is not a share (70% or 7000 basis points)") from None
        if bps != bps.to_integral_value():
            raise InvalidShares(f"{pair!r}: a percentage takes at most two decimals (1 basis point = 0.01%)")
        if bps <= 0:
            raise InvalidShares(f"{pair!r}: a share must be positive")
        shares[claim_id] = int(bps)
    total = sum(shares.values())
    if total != BPS:
        raise InvalidShares(f"shares sum to {total / 100:g}% ({total} basis points), not 100%")
    return shares


def status_name(bounty: Bounty) -> str:
    if bounty.status == BountyStatus.OPEN and bounty.expired:
        return "expired"
    return bounty.status.name.lower()


def issue_url(client: BountyClient, bounty_id: int) -> str | None:
    logs = client.contract.events.BountyCreated.get_logs(from_block=client.from_block,
                                                         argument_filters={"bountyId": bounty_id})
    if not logs:  # a fundraiser shares the id space: its project URL
        logs = client.contract.events.FundraiserCreated.get_logs(from_block=client.from_block,
                                                                 argument_filters={"id": bounty_id})
    return logs[0]["args"]["uri"] if logs else None


def check_balance(client: BountyClient, account: str, info: TokenInfo, needed: int) -> None:
    held = client.balance_of(account, info.address)
    if held < needed:
        raise InsufficientFunds(f"{account} holds {human(held, info)}, less than the {human(needed, info)} "
                                "to pledge")


# --- the commands -------------------------------------------------------------------------


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@global_options
def cli() -> None:
    """Crowdfunded bounties on open-source issues, held by an escrow contract."""


@cli.command()
@global_options
@click.argument("issue")
@click.option("--deadline", required=True, help="Unix timestamp, ISO date-time with zone, or a duration (30d, 12h).")
@click.option("--token", metavar="ADDRESS", help="ERC-20 the bounty is paid in (default: ETH).")
@click.option("--approver", metavar="ADDRESS", help="Who awards (default: you, the issuer).")
def create(issue: str, deadline: str, token: str | None, approver: str | None) -> None:
    """Create a bounty on ISSUE (the issue's URL)."""
    client = connect(signer=True)
    token_address = checksum(token, "--token") if token else ETH
    approver_address = checksum(approver, "--approver") if approver else None
    info = client.token_info(token_address)
    deadline_ts = parse_deadline(deadline, int(client.w3.eth.get_block("latest")["timestamp"]))
    currency = "ETH" if token_address == ETH else f"{info.symbol} ({token_address}, {info.decimals} decimals)"
    plan = Plan(f"create a bounty paid in {info.symbol}", [
        ("issue", issue), ("currency", currency), ("deadline", utc(deadline_ts)),
        ("approver", approver_address or "you (the issuer)"),
    ])
    result = client.run(plan, lambda: client.create_bounty(issue, deadline_ts, token=token_address,
                                                           approver=approver_address))
    report("create", result, f"Created bounty {result.bounty_id}",
           [("bounty", str(result.bounty_id)), ("issue", result.uri), ("currency", currency),
            ("deadline", utc(result.deadline)), ("approver", result.approver)],
           extra={"symbol": info.symbol})


def bounty_amount(client: BountyClient, bounty_id: int, text: str) -> tuple[Any, Any, int]:
    """(bounty, its token's info, `text` in the token's base units, positive)."""
    bounty = client.bounty(bounty_id)
    info = client.token_info(bounty.token)
    base = client.parse_amount(text, bounty.token)
    if base <= 0:
        raise InvalidAmount(f"the amount must be positive, got {text!r}")
    return bounty, info, base


@cli.command()
@global_options
@click.argument("bounty_id", type=click.IntRange(min=1))
@click.argument("amount")
def pledge(bounty_id: int, amount: str) -> None:
    """Pledge AMOUNT ("0.05 ETH", "25 USDC") to a bounty; a token pledge approves exactly AMOUNT first."""
    text = amount_text(amount)
    client = connect(signer=True)
    bounty, info, base = bounty_amount(client, bounty_id, text)
    signer = client.signer
    assert signer is not None
    check_balance(client, signer.address, info, base)
    rows = [("bounty", f"{bounty_id}: {issue_url(client, bounty_id)}"), ("amount", human(base, info)),
            ("locked until", f"{utc(bounty.deadline)} (the bounty's deadline)")]
    later: list[str] = []
    if not bounty.is_eth and client.supports_permit(bounty.token):
        rows.append(("steps", f"sign a permit for exactly {human(base, info)} (no transaction); pledge with it"))
    elif not bounty.is_eth:
        allowance = erc20(client, bounty.token).functions.allowance(signer.address, client.address).call()
        if allowance != base:
            steps = ["approve 0 (reset the current allowance)"] if allowance else []
            steps.append(f"approve the escrow for exactly {human(base, info)}")
            rows.append(("steps", "; then ".join([*steps, "pledge"])))
            later = ["approve"] * (len(steps) - 1) + ["pledge"]
    plan = Plan(f"pledge {human(base, info)} to bounty {bounty_id}", rows, later_steps=later)
    result = client.run(plan, lambda: client.pledge(bounty_id, base))
    report("pledge", result, f"Pledged {human(result.amount, info)} to bounty {bounty_id}",
           [("bounty", str(bounty_id)), ("amount", human(result.amount, info)),
            ("locked until", utc(result.unlocks_at))],
           extra={"symbol": info.symbol, "token": info.address, "amount_text": human(result.amount, info)})


@cli.command()
@global_options
@click.argument("bounty_id", type=click.IntRange(min=1))
@click.argument("solution_url")
def submit(bounty_id: int, solution_url: str) -> None:
    """Register SOLUTION_URL (a pull request or commit) as a claim on a bounty."""
    client = connect(signer=True)
    signer = client.signer
    assert signer is not None
    plan = Plan(f"submit a solution to bounty {bounty_id}", [
        ("bounty", f"{bounty_id}: {issue_url(client, bounty_id)}"), ("solution", solution_url),
        ("paid to", f"{signer.address} if it wins"),
    ])
    result = client.run(plan, lambda: client.submit_solution(bounty_id, solution_url))
    report("submit", result, f"Registered claim {result.claim_id} on bounty {bounty_id}",
           [("claim", str(result.claim_id)), ("solution", result.uri), ("hunter", result.hunter)])


@cli.command()
@global_options
@click.argument("bounty_id", type=click.IntRange(min=1))
@click.argument("shares", nargs=-1, metavar="CLAIM=SHARE...")
def award(bounty_id: int, shares: tuple[str, ...]) -> None:
    """Award the whole pool: CLAIM=SHARE pairs in percent (1=70% 2=30%) or basis points (1=7000)."""
    split = parse_shares(shares)
    client = connect(signer=True)
    bounty = client.bounty(bounty_id)
    info = client.token_info(bounty.token)
    hunters = {claim.claim_id: claim for claim in client.claims(bounty_id)}
    _, fee_bps = client.fee()
    fee = bounty.total * fee_bps // BPS
    net = bounty.total - fee
    rows = [("bounty", f"{bounty_id}: {issue_url(client, bounty_id)}"), ("pool", human(bounty.total, info)),
            ("protocol fee", f"{human(fee, info)} ({fee_bps / 100:g}%)")]
    remaining = net
    for index, (claim_id, bps) in enumerate(split.items()):
        part = remaining if index == len(split) - 1 else net * bps // BPS
        remaining -= part
        claim = hunters.get(claim_id)
        who = f"{claim.hunter} ({claim.uri})" if claim else "unknown claim"
        rows.append((f"claim {claim_id}", f"{bps / 100:g}% = {human(part, info)} to {who}"))
    plan = Plan(f"award bounty {bounty_id}", rows)
    result = client.run(plan, lambda: client.award(bounty_id, split))

    def payouts() -> None:
        table = Table("claim", "hunter", "amount", "paid")
        for payout in result.payouts:
            table.add_row(str(payout.claim_id), payout.hunter, human(payout.amount, info),
                          "credited: withdraw with `bountychain withdraw`" if payout.credited else "paid")
        _settings().ui.say(table)

    report("award", result, f"Awarded bounty {bounty_id}",
           [("pool", human(result.pool, info)), ("fee", human(result.fee, info))],
           extra={"symbol": info.symbol, "token": info.address}, after=payouts)


@cli.command()
@global_options
@click.argument("bounty_id", type=click.IntRange(min=1))
def refund(bounty_id: int) -> None:
    """Take back your whole pledge (after its lock, or at once if the bounty was cancelled)."""
    client = connect(signer=True)
    signer = client.signer
    assert signer is not None
    bounty = client.bounty(bounty_id)
    info = client.token_info(bounty.token)
    mine = client.pledge_of(bounty_id, signer.address)
    plan = Plan(f"refund your pledge on bounty {bounty_id}", [
        ("bounty", f"{bounty_id}: {issue_url(client, bounty_id)} ({status_name(bounty)})"),
        ("amount", human(mine.amount, info)), ("unlocks at", utc(mine.unlocks_at) if mine.unlocks_at else "-"),
    ])
    result = client.run(plan, lambda: client.refund(bounty_id))
    report("refund", result, f"Refunded {human(result.amount, info)} from bounty {bounty_id}",
           [("amount", human(result.amount, info))], extra={"symbol": info.symbol, "token": info.address})


@cli.command()
@global_options
@click.option("--token", metavar="ADDRESS", default=ETH, show_default="ETH", help="Token of the credit.")
def withdraw(token: str) -> None:
    """Pull your credit (an award that could not be pushed, or fees) in ETH or a token."""
    client = connect(signer=True)
    signer = client.signer
    assert signer is not None
    token_address = checksum(token, "--token")
    info = client.token_info(token_address)
    credit = client.credit_of(signer.address, token_address)
    plan = Plan(f"withdraw your {info.symbol} credit", [("amount", human(credit, info))])
    result = client.run(plan, lambda: client.withdraw(token_address))
    report("withdraw", result, f"Withdrew {human(result.amount, info)}", [("amount", human(result.amount, info))],
           extra={"symbol": info.symbol})


@cli.command()
@global_options
@click.argument("bounty_id", type=click.IntRange(min=1))
def cancel(bounty_id: int) -> None:
    """Cancel an open bounty (issuer only): every pledge becomes refundable at once."""
    client = connect(signer=True)
    bounty = client.bounty(bounty_id)
    info = client.token_info(bounty.token)
    plan = Plan(f"cancel bounty {bounty_id}", [
        ("bounty", f"{bounty_id}: {issue_url(client, bounty_id)}"), ("pool", human(bounty.total, info)),
        ("effect", "irreversible: no award; every funder can take its pledge back at once"),
    ])
    result = client.run(plan, lambda: client.cancel(bounty_id))
    report("cancel", result, f"Cancelled bounty {bounty_id}: every pledge is refundable now")


@cli.command("extend-deadline")
@global_options
@click.argument("bounty_id", type=click.IntRange(min=1))
@click.argument("deadline")
def extend_deadline(bounty_id: int, deadline: str) -> None:
    """Move a bounty's deadline later (issuer only); existing pledges keep their lock."""
    client = connect(signer=True)
    bounty = client.bounty(bounty_id)
    new_deadline = parse_deadline(deadline, bounty.as_of)
    if new_deadline <= bounty.deadline:
        raise InvalidDeadline(f"a deadline can only move later: {utc(new_deadline)} is not after the current "
                              f"deadline, {utc(bounty.deadline)}")
    plan = Plan(f"extend the deadline of bounty {bounty_id}", [
        ("bounty", f"{bounty_id}: {issue_url(client, bounty_id)}"),
        ("deadline", f"{utc(bounty.deadline)} -> {utc(new_deadline)}"),
    ])
    result = client.run(plan, lambda: client.extend_deadline(bounty_id, new_deadline))
    report("extend-deadline", result, f"Bounty {bounty_id} now ends at {utc(result.deadline)}",
           [("deadline", utc(result.deadline))])


@cli.command()
@global_options
@click.argument("bounty_id", type=click.IntRange(min=1))
def show(bounty_id: int) -> None:
    """Everything about one bounty: parties, currency, pool, deadline, pledges and claims."""
    client = connect(signer=False)
    bounty = client.bounty(bounty_id)
    info = client.token_info(bounty.token)
    funders: dict[str, int] = {}
    for log in client.contract.events.Pledged.get_logs(from_block=client.from_block,
                                                       argument_filters={"bountyId": bounty_id}):
        funder = log["args"]["funder"]
        funders[funder] = funders.get(funder, 0) + log["args"]["amount"]
    pledges = []
    for funder, pledged in funders.items():
        current = client.pledge_of(bounty_id, funder)
        outstanding = current.amount
        if bounty.status == BountyStatus.AWARDED:
            state, outstanding = "awarded", 0  # paid out to the winners
        elif current.amount == 0:
            state = "refunded"
        elif bounty.status == BountyStatus.UNDER_REVIEW:
            state = "frozen (proposal under review)"
        elif bounty.status == BountyStatus.CANCELLED or bounty.as_of >= current.unlocks_at:
            state = "refundable"
        else:
            state = "locked"
        pledges.append({"funder": funder, "pledged": pledged, "outstanding": outstanding,
                        "unlocks_at": current.unlocks_at, "state": state})
    claims = client.claims(bounty_id)
    payouts = [dict(log["args"]) for log in client.contract.events.WinnerPaid.get_logs(
        from_block=client.from_block, argument_filters={"bountyId": bounty_id})]
    status = status_name(bounty)
    data = {
        "bounty_id": bounty_id, "issue": issue_url(client, bounty_id), "issuer": bounty.issuer,
        "approver": bounty.approver, "token": bounty.token, "symbol": info.symbol, "decimals": info.decimals,
        "total": bounty.total, "total_text": human(bounty.total, info), "deadline": bounty.deadline,
        "deadline_utc": utc(bounty.deadline), "expired": bounty.expired, "status": status,
        "claim_count": bounty.claim_count, "pledges": pledges,
        "claims": [{"claim_id": c.claim_id, "hunter": c.hunter, "uri": c.uri} for c in claims],
        "payouts": [{"claim_id": p["claimId"], "hunter": p["hunter"], "amount": p["amount"]} for p in payouts],
        "escrow": client.address, "chain_id": client.chain_id,
        "review": _review_data(client, bounty, info),
    }

    def human_view() -> None:
        ui = _settings().ui
        currency = "ETH" if bounty.is_eth else f"{info.symbol} ({bounty.token})"
        deadline_text = f"{utc(bounty.deadline)} ({'expired' if bounty.expired else 'not expired'})"
        ui.say(Panel(_kv_table([
            ("issue", data["issue"] or "?"), ("status", status), ("issuer", bounty.issuer),
            ("approver", bounty.approver), ("currency", currency), ("total", human(bounty.total, info)),
            ("deadline", deadline_text), ("escrow", f"{client.address} on chain {client.chain_id}"),
        ]), title=Text(f"bounty {bounty_id}", style="bold"), expand=False))
        table = Table("funder", "pledged", "outstanding", "unlocks at", "state", title="pledges")
        for p in pledges:
            table.add_row(p["funder"], human(p["pledged"], info), human(p["outstanding"], info),
                          utc(p["unlocks_at"]) if p["unlocks_at"] else "-", p["state"])
        ui.say(table if pledges else Text("no pledges"))
        claim_table = Table("claim", "hunter", "solution", "paid", title="claims")
        paid = {p["claimId"]: p["amount"] for p in payouts}
        for c in claims:
            claim_table.add_row(str(c.claim_id), c.hunter, Text(c.uri, overflow="fold"),
                                human(paid[c.claim_id], info) if c.claim_id in paid else "-")
        ui.say(claim_table if claims else Text("no claims"))
        if data["review"] is not None:
            ui.say(sys.modules["bountychain.cli_review"].review_panel(data["review"]))

    _settings().ui.emit(data, human_view)


def _review_data(client: BountyClient, bounty: Bounty, info: TokenInfo) -> dict[str, Any] | None:
    from bountychain.cli_review import review_data  # registered below; imported at call time

    return review_data(client, bounty, info)


@cli.command("list")
@global_options
@click.option("--issue", metavar="URL", help="Only bounties on this issue URL (exact).")
@click.option("--repo", metavar="OWNER/NAME", help="Only bounties on issues of this repository.")
@click.option("--status", type=click.Choice(["open", "under_review", "awarded", "cancelled", "expired"]))
@click.option("--token", metavar="ADDRESS", help="Only bounties paid in this token (0x0...0 for ETH).")
@click.option("--source", type=click.Choice(["auto", "index", "chain"]), default="auto", show_default=True,
              help="Read the local index (synced first), the chain's logs, or the index when one exists.")
@click.option("--db", metavar="PATH", help="The index database (see `bountychain index`).")
def list_bounties(issue: str | None, repo: str | None, status: str | None, token: str | None, source: str,
                  db: str | None) -> None:
    """A table of bounties, optionally filtered."""
    if repo is not None and not re.fullmatch(r"[^/\s]+/[^/\s]+", repo.strip("/")):
        raise CliInputError(f"--repo {repo!r}: write OWNER/NAME, e.g. bountychain/toolkit")
    token_filter = checksum(token, "--token") if token else None
    client = connect(signer=False)
    rows = []
    indexed = None
    if source != "chain":
        from bountychain.cli_index import list_from_index

        indexed = list_from_index(client, db, required=source == "index", issue=issue, repo=repo, status=status,
                                  token=token_filter)
        rows = indexed["rows"] if indexed else []
    for listing in client.bounties(issue_url=issue) if indexed is None else []:
        if repo is not None:
            path = urlparse(listing.uri).path.strip("/").lower()
            wanted = repo.strip("/").lower()
            if not (path == wanted or path.startswith(wanted + "/")):
                continue
        if token_filter is not None and listing.token != token_filter:
            continue
        bounty = client.bounty(listing.bounty_id)
        state = status_name(bounty)
        if status is not None and state != status:
            continue
        info = client.token_info(bounty.token)
        rows.append({"bounty_id": listing.bounty_id, "issue": listing.uri, "token": bounty.token,
                     "symbol": info.symbol, "total": bounty.total, "total_text": human(bounty.total, info),
                     "deadline": bounty.deadline, "deadline_utc": utc(bounty.deadline), "status": state,
                     "claims": bounty.claim_count, "issuer": bounty.issuer, "approver": bounty.approver})

    def human_view() -> None:
        if not rows:
            _settings().ui.say("no bounties match")
            return
        table = Table("id", "issue", "total", "deadline", "status", "claims")
        table.columns[1].overflow = "fold"
        for row in rows:
            table.add_row(str(row["bounty_id"]), row["issue"], row["total_text"], row["deadline_utc"],
                          row["status"], str(row["claims"]))
        _settings().ui.say(table)

    source_data = {"source": "index", "index": indexed["index"], "indexed_block": indexed["cursor"]} if indexed \
        else {"source": "chain"}
    _settings().ui.emit({"bounties": rows, "escrow": client.address, "chain_id": client.chain_id, **source_data},
                        human_view)


@cli.command()
@global_options
@click.argument("bounty_id", type=click.IntRange(min=1))
@click.argument("amount")
def link(bounty_id: int, amount: str) -> None:
    """An EIP-681 payment link (and QR code) for pledging AMOUNT to a bounty from a wallet."""
    text = amount_text(amount)
    client = connect(signer=False)
    bounty, info, base = bounty_amount(client, bounty_id, text)
    uri = pledge_uri(client.address, client.chain_id, bounty_id, base, eth_value=bounty.is_eth)
    approve = None if bounty.is_eth else approve_uri(bounty.token, client.chain_id, client.address, base)
    state = status_name(bounty)
    data = {"bounty_id": bounty_id, "uri": uri, "approve_uri": approve, "amount": base, "symbol": info.symbol,
            "token": bounty.token, "status": state, "escrow": client.address, "chain_id": client.chain_id}
    if state != "open":
        _settings().ui.note(f"warning: bounty {bounty_id} is {state}: the escrow will refuse this pledge")

    def human_view() -> None:
        ui = _settings().ui
        ui.say(Text(f"Pledge {human(base, info)} to bounty {bounty_id} ({issue_url(client, bounty_id)})",
                    style="bold"))
        if approve is not None:
            ui.say(Text(f"A {info.symbol} pledge takes two transactions: first approve the escrow for exactly "
                        f"{human(base, info)} (step 1), then call pledge (step 2). A wallet that opens only the "
                        "second link will see the pledge refused for lack of allowance."))
            ui.say(Text("step 1, approve:"))
            ui.say(Text(approve))
            print_qr(approve)
            ui.say(Text("step 2, pledge:"))
        ui.say(Text(uri))
        print_qr(uri)

    _settings().ui.emit(data, human_view)


def pledge_uri(escrow: str, chain_id: int, bounty_id: int, amount: int, *, eth_value: bool) -> str:
    """EIP-681 URI calling the escrow's pledge(uint256,uint256) (with the ETH as value)."""
    uri = f"ethereum:{escrow}@{chain_id}/pledge?uint256={bounty_id}&uint256={amount}"
    return f"{uri}&value={amount}" if eth_value else uri


def approve_uri(token: str, chain_id: int, spender: str, amount: int) -> str:
    """EIP-681 URI calling a token's approve(address,uint256)."""
    return f"ethereum:{token}@{chain_id}/approve?address={spender}&uint256={amount}"


def print_qr(data: str) -> None:
    ui = _settings().ui
    try:
        matrix = qr.encode(data, "L")
    except qr.QRCapacityError:
        ui.note("(too long for a terminal QR code: use the link above)")
        return
    style = "black on white" if ui.out.is_terminal else ""
    for line in qr.to_text(matrix):
        ui.say(Text(line, style=style))


# --- accounts -----------------------------------------------------------------------------


@cli.group(cls=Group)
def accounts() -> None:
    """Keystores in the accounts directory ($BOUNTYCHAIN_KEYSTORES, else
    $XDG_CONFIG_HOME/bountychain/keystores)."""


def _save_account(name: str, account: Any) -> None:
    path = account_path(name)
    if path.exists():
        raise CliInputError(f"account {name!r} exists already ({path}): choose another name")
    password = keystore_password(path, new=True)
    ui = _settings().ui
    with ui.status("encrypting the keystore..."):
        write_keystore(account, path, password)
    ui.emit({"name": name, "address": account.address, "keystore": str(path)},
            lambda: ui.say(_kv_table([("account", name), ("address", account.address), ("keystore", str(path))])))


@accounts.command("new")
@global_options
@click.argument("name")
def accounts_new(name: str) -> None:
    """Create a random key, stored encrypted as NAME (password from $BOUNTYCHAIN_PASSWORD or a prompt)."""
    from eth_account import Account

    account_path(name)  # validates the name before asking anything
    _save_account(name, Account.create())


@accounts.command("import")
@global_options
@click.argument("name")
def accounts_import(name: str) -> None:
    """Store an existing private key as NAME; the key is read from a hidden prompt or standard input."""
    path = account_path(name)
    if path.exists():
        raise CliInputError(f"account {name!r} exists already ({path}): choose another name")
    secret = read_secret("Private key (hex)").strip()
    try:
        account = from_private_key(secret)
    except InvalidInput:
        raise CliInputError("that is not a valid 32-byte hex private key") from None
    finally:
        del secret
    _save_account(name, account)


@accounts.command("list")
@global_options
def accounts_list() -> None:
    """The stored accounts: names and addresses."""
    directory = keystores_dir()
    found = []
    for path in sorted(directory.glob("*.json")) if directory.is_dir() else []:
        try:
            address = json.loads(path.read_text()).get("address")
            address = checksum("0x" + address.removeprefix("0x"), path.name) if address else None
        except (OSError, ValueError, AttributeError, InvalidAddress):
            address = None
        found.append({"name": path.stem, "address": address, "keystore": str(path)})
    ui = _settings().ui

    def human_view() -> None:
        if not found:
            ui.say(f"no accounts in {directory}: create one with `bountychain accounts new NAME`")
            return
        table = Table("name", "address", "keystore")
        for entry in found:
            table.add_row(entry["name"], entry["address"] or "?", entry["keystore"])
        ui.say(table)

    ui.emit({"accounts": found, "directory": str(directory)}, human_view)


# --- a local chain ------------------------------------------------------------------------


@cli.command()
@global_options
@click.option("--port", type=click.IntRange(1, 65535), help="Port of the node (default: a free one).")
def node(port: int | None) -> None:
    """Start a local anvil chain with an escrow (fee 0) and a funded key, until Ctrl-C."""
    from bountychain.client import deploy_contract, send_transaction
    from bountychain.devchain import AnvilNode

    settings = _settings()
    ui = settings.ui
    with ui.status("starting anvil and deploying the escrow..."):
        chain = AnvilNode(port=port)
    try:
        # Ctrl-C, or SIGINT from a script (even where the shell started us ignoring it), and
        # SIGTERM all stop the node through the `finally` below.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        dev = chain.new_account()
        client = BountyClient.deploy(chain, dev)
        assert client.deployment is not None
        record = registry.record_for(chain.chain_id, client.deployment, dev.address)
        path = registry.save(record, settings.deployments, replace=True)
        token = deploy_contract(chain.w3, dev, "TestToken", "USD Coin", "USDC", 6)
        send_transaction(chain.w3, dev, token.functions.mint(dev.address, 1_000_000 * 10**6))
        key = "0x" + bytes(dev.key).hex()
        data = {"rpc": chain.url, "chain_id": chain.chain_id, "escrow": client.address, "registry": str(path),
                "address": dev.address, "private_key": key, "test_token": token.address}

        def human_view() -> None:
            ui.say(Panel(_kv_table([
                ("rpc", chain.url), ("chain id", str(chain.chain_id)), ("escrow", client.address),
                ("registry", str(path)), ("funded account", f"{dev.address} (10000 ETH, 1000000 USDC)"),
                ("private key", key), ("test token", f"{token.address} (USDC, 6 decimals, anyone may mint)"),
            ]), title=Text("bountychain dev node", style="bold"), expand=False))
            ui.say(Text("A throwaway key for this local chain only. Try:", style="yellow"))
            ui.say(Text(f"  export BOUNTYCHAIN_RPC={chain.url} BOUNTYCHAIN_DEPLOYMENTS={path.parent} "
                        f"BOUNTYCHAIN_PRIVATE_KEY={key}"))
            ui.say(Text("  bountychain create https://github.com/org/repo/issues/1 --deadline 30d"))
            ui.say(Text("Press Ctrl-C to stop the node."))

        ui.emit(data, human_view)
        sys.stdout.flush()
        while chain.w3.is_connected():
            time.sleep(1)
        raise SetupError("the anvil node stopped answering")
    except KeyboardInterrupt:
        ui.note("stopping the node")
    finally:
        chain.close()


def erc20(client: BountyClient, token: str) -> Any:
    return client.w3.eth.contract(address=token, abi=_ERC20_ABI)


_ERC20_ABI = [{
    "type": "function", "name": "allowance", "stateMutability": "view",
    "inputs": [{"name": "owner", "type": "address"}, {"name": "spender", "type": "address"}],
    "outputs": [{"name": "", "type": "uint256"}],
}]


# Fundraisers and signed solutions live in their own module, on the helpers above.
from bountychain import cli_fundraise  # noqa: E402

cli_fundraise.register(cli, sys.modules[__name__])


def main(argv: list[str] | None = None) -> Any:
    """The console script's entry point."""
    return cli.main(args=argv, prog_name="bountychain")


# Commands defined in their own modules register themselves on `cli` when imported.
import bountychain.cli_index  # noqa: E402,F401 - index, serve, seed
import bountychain.cli_review  # noqa: E402,F401 - create-optimistic, propose, object, finalize, escalate, rule, lapse

if __name__ == "__main__":
    # `python -m bountychain.cli` runs this file as __main__: use the importable module, on
    # which the other modules' commands are registered, so that both share one Settings.
    from bountychain.cli import main as _main

    _main()
