"""`bountychain fundraiser ...`, `bountychain sign-solution` and `bountychain relay`.

Kept apart from cli.py, which registers them with `register(cli, <cli module>)`; they reuse
its helpers (connection, signer, confirmation plan, reporting) through that module, so they
behave like every other command: checked, simulated, shown with a fee and confirmed first.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

import click
from rich.panel import Panel
from rich.text import Text

from bountychain.client import checksum
from bountychain.errors import InvalidAmount, InvalidInput
from bountychain.results import ETH, SignedSolution


def register(cli: click.Group, base: ModuleType) -> None:
    """Adds the fundraiser group and the signed-solution commands to `cli`. `base` is the
    cli module (passed in so that `python -m bountychain.cli` shares one module's state)."""
    global_options, connect, Plan, report = base.global_options, base.connect, base.Plan, base.report
    utc, human, settings = base.utc, base.human, base._settings

    @cli.group(cls=base.Group)
    def fundraiser() -> None:
        """Goal-based fundraisers: all-or-nothing or flexible, held by the escrow."""

    @fundraiser.command("create")
    @global_options
    @click.argument("project_url")
    @click.option("--beneficiary", required=True, metavar="ADDRESS", help="Who receives the raised funds.")
    @click.option("--goal", required=True, help='The target, e.g. "10 ETH" or "5000 USDC".')
    @click.option("--deadline", required=True, help="Unix timestamp, ISO date-time with zone, or a duration (30d).")
    @click.option("--token", metavar="ADDRESS", help="ERC-20 the fundraiser is paid in (default: ETH).")
    @click.option("--flexible", is_flag=True,
                  help="Pay out whatever was raised (default: all-or-nothing, refunds if the goal is missed).")
    def create(project_url: str, beneficiary: str, goal: str, deadline: str, token: str | None,
               flexible: bool) -> None:
        """Create a fundraiser for PROJECT_URL. Its kind, goal, deadline and beneficiary are fixed."""
        client = connect(signer=True)
        token_address = checksum(token, "--token") if token else ETH
        beneficiary_address = checksum(beneficiary, "--beneficiary")
        info = client.token_info(token_address)
        goal_units = client.parse_amount(base.amount_text(goal), token_address)
        if goal_units <= 0 and not flexible:
            raise InvalidAmount(f"an all-or-nothing fundraiser needs a positive goal, got {goal!r}")
        deadline_ts = base.parse_deadline(deadline, int(client.w3.eth.get_block("latest")["timestamp"]))
        kind = "flexible" if flexible else "all-or-nothing"
        plan = Plan(f"create a {kind} fundraiser in {info.symbol}", [
            ("project", project_url), ("beneficiary", beneficiary_address), ("goal", human(goal_units, info)),
            ("deadline", utc(deadline_ts)), ("kind", kind),
        ])
        result = client.run(plan, lambda: client.create_fundraiser(
            project_url, beneficiary_address, goal_units, deadline_ts, token=token_address,
            all_or_nothing=not flexible))
        report("fundraiser-create", result, f"Created fundraiser {result.fundraiser_id}",
               [("fundraiser", str(result.fundraiser_id)), ("beneficiary", result.beneficiary),
                ("goal", human(result.goal, info)), ("deadline", utc(result.deadline)), ("kind", kind)],
               extra={"symbol": info.symbol, "kind": kind})

    @fundraiser.command("show")
    @global_options
    @click.argument("fundraiser_id", type=click.IntRange(min=1))
    def show(fundraiser_id: int) -> None:
        """A fundraiser's terms, total raised and state."""
        client = connect(signer=False)
        state = client.fundraiser(fundraiser_id)
        info = client.token_info(state.token)
        data = {
            "fundraiser_id": fundraiser_id, "creator": state.creator, "beneficiary": state.beneficiary,
            "token": state.token, "symbol": info.symbol, "goal": state.goal, "raised": state.raised,
            "raised_text": human(state.raised, info), "goal_text": human(state.goal, info),
            "kind": state.kind, "state": state.state.value, "deadline": state.deadline,
            "deadline_utc": utc(state.deadline), "claim_deadline": state.claim_deadline,
            "escrow": client.address, "chain_id": client.chain_id,
        }

        def human_view() -> None:
            settings().ui.say(Panel(base._kv_table([
                ("state", state.state.value), ("kind", state.kind), ("beneficiary", state.beneficiary),
                ("creator", state.creator), ("raised", f"{human(state.raised, info)} of {human(state.goal, info)}"),
                ("deadline", utc(state.deadline)), ("paid out until", utc(state.claim_deadline)),
                ("escrow", f"{client.address} on chain {client.chain_id}"),
            ]), title=Text(f"fundraiser {fundraiser_id}", style="bold"), expand=False))

        settings().ui.emit(data, human_view)

    @fundraiser.command("withdraw")
    @global_options
    @click.argument("fundraiser_id", type=click.IntRange(min=1))
    def withdraw(fundraiser_id: int) -> None:
        """Pay the raised total, less the fee, to the beneficiary (anyone may send this)."""
        client = connect(signer=True)
        state = client.fundraiser(fundraiser_id)
        info = client.token_info(state.token)
        plan = Plan(f"pay fundraiser {fundraiser_id} out", [
            ("raised", human(state.raised, info)), ("to", f"{state.beneficiary} (the beneficiary)"),
        ])
        result = client.run(plan, lambda: client.withdraw_raised(fundraiser_id))
        report("fundraiser-withdraw", result,
               f"Paid {human(result.amount, info)} to {result.beneficiary}"
               + (" (credited: it withdraws with `withdraw`)" if result.credited else ""),
               [("raised", human(result.pool, info)), ("fee", human(result.fee, info)),
                ("beneficiary", result.beneficiary)], extra={"symbol": info.symbol})

    @cli.command("sign-solution")
    @global_options
    @click.argument("bounty_id", type=click.IntRange(min=1))
    @click.argument("solution_url")
    @click.option("--expiry", default="7d", show_default=True,
                  help="Until when a relayer may send it: timestamp, ISO date-time or duration.")
    @click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path),
                  help="Write the signed payload here (default: standard output).")
    def sign_solution(bounty_id: int, solution_url: str, expiry: str, out_path: Path | None) -> None:
        """Sign a solution registration off-chain (no gas); anyone can `relay` it. The claim is yours."""
        client = connect(signer=True)
        expiry_ts = base.parse_deadline(expiry, int(client.w3.eth.get_block("latest")["timestamp"]))
        signed = client.sign_solution(bounty_id, solution_url, expiry=expiry_ts)
        text = signed.to_json()
        if out_path is not None:
            out_path.write_text(text + "\n")
            base.Console(stderr=True).print(f"wrote the signed solution to {out_path} (valid until {utc(expiry_ts)})")
        else:
            click.echo(text)

    @cli.command("relay")
    @global_options
    @click.argument("payload", type=click.File("r"))
    def relay(payload: Any) -> None:
        """Send a signed solution (a file from `sign-solution`, or - for standard input), paying its gas."""
        text = payload.read()
        try:
            signed = SignedSolution.from_json(text)
        except (ValueError, TypeError) as exc:
            raise InvalidInput(f"not a signed solution: {exc}") from None
        client = connect(signer=True)
        plan = Plan(f"relay a solution to bounty {signed.bounty_id}", [
            ("bounty", f"{signed.bounty_id}: {base.issue_url(client, signed.bounty_id)}"),
            ("solution", signed.uri), ("hunter", f"{signed.hunter} (signed; paid if it wins)"),
            ("expires", utc(signed.expiry)),
        ])
        result = client.run(plan, lambda: client.relay_solution(signed))
        report("relay", result, f"Registered claim {result.claim_id} on bounty {signed.bounty_id} for {result.hunter}",
               [("claim", str(result.claim_id)), ("solution", result.uri), ("hunter", result.hunter)])


__all__ = ["register"]
