"""`bountychain link`: an EIP-681 payment link, and its QR code, for pledging from a wallet.

    bountychain link 1 "0.05 ETH"
    bountychain link 1 "0.05 ETH" --svg pledge.svg   # also the QR code as an SVG file
"""

from __future__ import annotations

from pathlib import Path

import click
from rich.text import Text

from bountychain import qr
from bountychain.cli._context import command, get_settings
from bountychain.cli._errors import CliInputError
from bountychain.cli._lookups import bounty_amount, issue_url, status_name
from bountychain.cli._output import human
from bountychain.cli._params import AMOUNT_ARGUMENTS, bounty_id_argument
from bountychain.cli._session import connect


@command(context_settings=AMOUNT_ARGUMENTS)
@bounty_id_argument
@click.argument("amount")
@click.option("--svg", "svg_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the QR code as SVG here (a token's approve step beside it, as NAME.approve.svg).")
def link(bounty_id: int, amount: str, svg_path: Path | None) -> None:
    """An EIP-681 payment link (and QR code) for pledging AMOUNT to a bounty from a wallet."""
    client = connect(signer=False)
    bounty, info, base = bounty_amount(client, bounty_id, amount)
    state = status_name(bounty)
    if state != "open":  # a wallet would send it and pay gas for a refusal
        raise CliInputError(f"bounty {bounty_id} is {state.replace('_', ' ')}: it takes no more pledges, so there "
                            "is no payment link for it")
    uri = pledge_uri(client.address, client.chain_id, bounty_id, base, bounty.deadline, eth_value=bounty.is_eth)
    approve = None if bounty.is_eth else approve_uri(bounty.token, client.chain_id, client.address, base)
    data = {"bounty_id": bounty_id, "uri": uri, "approve_uri": approve, "amount": base, "symbol": info.symbol,
            "token": bounty.token, "status": state, "escrow": client.address, "chain_id": client.chain_id}
    if svg_path is not None:
        data["svg"] = write_svg(uri, svg_path)
        if approve is not None:
            data["approve_svg"] = write_svg(approve, svg_path.with_suffix(".approve" + (svg_path.suffix or ".svg")))

    def human_view() -> None:
        ui = get_settings().ui
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

    get_settings().ui.emit(data, human_view)


def pledge_uri(escrow: str, chain_id: int, bounty_id: int, amount: int, max_unlocks_at: int, *,
               eth_value: bool) -> str:
    """EIP-681 URI calling the escrow's pledge(uint256 bountyId, uint256 amount, uint64 maxUnlocksAt)
    (with the ETH as value); `max_unlocks_at` is the latest lock the funder accepts, the
    bounty's deadline as the SDK's default."""
    uri = f"ethereum:{escrow}@{chain_id}/pledge?uint256={bounty_id}&uint256={amount}&uint64={max_unlocks_at}"
    return f"{uri}&value={amount}" if eth_value else uri


def approve_uri(token: str, chain_id: int, spender: str, amount: int) -> str:
    """EIP-681 URI calling a token's approve(address,uint256)."""
    return f"ethereum:{token}@{chain_id}/approve?address={spender}&uint256={amount}"


def write_svg(data: str, path: Path) -> str:
    """Writes the QR code of `data` as an SVG file; returns its path."""
    try:
        path.write_text(qr.to_svg(data))
    except qr.QRCapacityError as exc:
        raise CliInputError(f"--svg: {exc}") from None
    return str(path)


def print_qr(data: str) -> None:
    ui = get_settings().ui
    try:
        matrix = qr.encode(data, "L")
    except qr.QRCapacityError:
        ui.note("(too long for a terminal QR code: use the link above)")
        return
    style = "black on white" if ui.out.is_terminal else ""
    for line in qr.to_text(matrix):
        ui.say(Text(line, style=style))


COMMANDS = [link]

__all__ = ["COMMANDS", "approve_uri", "pledge_uri", "print_qr", "write_svg"]
