"""The client a command uses: a `BountyClient` that shows each command's plan with the most
its transaction can pay in fees (what is signed) and asks for confirmation right before the
first transaction is signed; and the report of what was sent."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import click
from rich.panel import Panel
from rich.text import Text
from web3 import Web3

from bountychain import deployments
from bountychain.amounts import format_amount
from bountychain.chains import chain_name, wrong_chain_message
from bountychain.cli._context import Settings, get_settings, resolve_rpc
from bountychain.cli._errors import SetupError
from bountychain.cli._output import eth, kv_table
from bountychain.cli._signers import load_signer
from bountychain.errors import NoSigner, WrongChain
from bountychain.sdk import BountyClient, checksum, max_gas_price

# Gas of steps that cannot be simulated before an earlier step is mined (a token pledge
# before its approval): typical receipts with headroom, shown as approximate.
TYPICAL_GAS = {"approve": 50_000, "pledge": 140_000}


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

    def before_send(self, fn: Any, *, value: int, bounty_id: int | None, tx: dict[str, Any]) -> None:
        plan = self.plan
        if plan is not None and not plan.confirmed:
            self._confirm(plan, fn, value, tx)

    @contextmanager
    def sending(self, fn: Any) -> Iterator[None]:
        name = getattr(fn, "fn_name", "transaction")
        with self.settings.ui.status(f"sending {name}, waiting for the receipt..."):
            yield

    def _confirm(self, plan: Plan, fn: Any, value: int, tx: dict[str, Any]) -> None:
        ui = self.settings.ui
        signer = self.signer
        if signer is None:
            raise NoSigner("this command needs a signer")
        ui.out.print(Panel(kv_table(plan.rows + confirmation_rows(plan, fn, value, tx, self.address, self.chain_id)),
                           title=Text(plan.title, style="bold"), expand=False))
        if not self.settings.yes:
            prompt = "Send these transactions?" if plan.later_steps else "Send this transaction?"
            try:
                confirmed = click.confirm(prompt, default=False, err=ui.json)
            except click.Abort:
                confirmed = False
            if not confirmed:
                raise SetupError("not confirmed: nothing was sent")
        plan.confirmed = True


def confirmation_rows(plan: Plan, fn: Any, value: int, tx: dict[str, Any], escrow: str, chain_id: int
                      ) -> list[tuple[str, str]]:
    """The rows under a plan: the value, the network fee and who sends where. The fee is
    the one signed: the transaction's gas limit times its max fee per gas, the most it can
    cost (a later step that cannot be simulated yet is priced at its typical gas, the same
    max fee, and marked approximate)."""
    price = max_gas_price(tx)
    name = getattr(fn, "fn_name", "transaction")
    fee_parts = [f"{name} {tx['gas']:,} gas"] + [f"{step} ≈{TYPICAL_GAS[step]:,} gas" for step in plan.later_steps]
    total_gas = tx["gas"] + sum(TYPICAL_GAS[step] for step in plan.later_steps)
    approx = "≈ " if plan.later_steps else ""
    return [("value sent", eth(value) if value else "0 ETH"),
            ("network fee", f"at most {approx}{eth(total_gas * price)} ({' + '.join(fee_parts)} "
                            f"at a max fee of {format_amount(price, 9, 'gwei')})"),
            ("from", tx["from"]),
            ("escrow", f"{escrow} on {chain_name(chain_id)}")]


def connect(*, signer: bool) -> CliClient:
    settings = get_settings()
    w3 = Web3(Web3.HTTPProvider(resolve_rpc(settings), request_kwargs={"timeout": 60}))
    address, from_block = check_escrow(w3, settings)  # before anything is read from, or sent to, the contract
    client = CliClient.connect(w3, None, escrow=address, chain_id=settings.chain_id, from_block=from_block)
    client.settings = settings
    if signer:
        client.signer = load_signer(settings)
    return client


def recorded_escrows(chain_id: int, directory: str | None) -> list[dict[str, Any]]:
    """Every escrow the registry records for a chain (older ones first); none if there is no record."""
    try:
        return deployments.load(chain_id, directory).escrows()
    except deployments.RegistryError:
        return []


def check_escrow(w3: Web3, settings: Settings) -> tuple[str, int]:
    """The escrow to use and the block its logs start at. Refuses an escrow whose code is not
    this version's, and, on a public chain, one that is not an official deployment unless
    --allow-unofficial-escrow (then warns loudly). A local dev chain's escrow is never official
    and needs no flag."""
    chain_id = int(w3.eth.chain_id)
    if settings.chain_id is not None and settings.chain_id != chain_id:
        raise WrongChain(wrong_chain_message(chain_id, settings.chain_id))
    if settings.escrow:
        address, where = checksum(settings.escrow, "--escrow"), f"--escrow {settings.escrow}"
        # An older escrow of the registry: its logs start at its deployment.
        listed = recorded_escrows(chain_id, settings.deployments)
        from_block = next((e["block_number"] for e in listed if e["address"] == address), 0)
    else:
        record = deployments.locate(w3, chain_id, settings.deployments)
        address, from_block = record.address, record.block_number
        named = settings.deployments or os.environ.get("BOUNTYCHAIN_DEPLOYMENTS")
        where = (f"the registry in {named}" if named else "the official registry" if record.tx_hash
                 else "its address on every chain")
    try:
        check = deployments.check_escrow(w3, address, chain_id)
    except deployments.UnofficialEscrow as exc:
        if not settings.allow_unofficial_escrow:
            raise deployments.UnofficialEscrow(f"{exc} (escrow from {where}): nothing was sent. Pass "
                                               "--allow-unofficial-escrow only if you built this contract yourself")
        _warn(settings, f"WARNING: {exc}. You passed --allow-unofficial-escrow: its rules are not bountychain's.")
        return address, from_block
    if check.official or check.dev_chain:
        return address, from_block
    message = (f"the escrow {address} (from {where}) has bountychain's code but is not an official "
               f"deployment on chain {chain_id}: whoever deployed it chose its fee recipient")
    if not settings.allow_unofficial_escrow:
        raise deployments.UnofficialEscrow(f"{message}. Nothing was sent; pass --allow-unofficial-escrow if you "
                                           "deployed it or trust who did")
    _warn(settings, f"WARNING: {message}.")
    return address, from_block


def _warn(settings: Settings, message: str) -> None:
    settings.ui.err.print(Text(message, style="bold red"))


def tx_rows(result: Any) -> list[tuple[str, str]]:
    return [("tx", result.tx_hash), ("block", str(result.block_number)), ("gas used", f"{result.gas_used:,}"),
            ("fee paid", eth(result.gas_cost_wei))]


def report(action: str, result: Any, headline: str, rows: list[tuple[str, str]] | None = None,
           extra: dict[str, Any] | None = None, after: Callable[[], None] | None = None) -> None:
    ui = get_settings().ui
    data = {"action": action, **dataclasses.asdict(result), **(extra or {})}

    def show() -> None:
        ui.say(Text("✓ " + headline, style="bold green"))
        approval = getattr(result, "approval", None)
        all_rows = list(rows or [])
        if approval is not None:
            all_rows += [("approve tx", approval.tx_hash), ("approve gas", f"{approval.gas_used:,}")]
        ui.say(kv_table(all_rows + tx_rows(result)))
        if after:
            after()

    ui.emit(data, show)


__all__ = ["TYPICAL_GAS", "CliClient", "Plan", "check_escrow", "confirmation_rows", "connect", "recorded_escrows", "report",
           "tx_rows"]
