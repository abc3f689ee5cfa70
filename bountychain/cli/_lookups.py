"""What commands read from the chain to show a plan: a bounty's status name and issue URL,
an amount in a bounty's token, a balance check, a token's allowance."""

from __future__ import annotations

from typing import Any

from bountychain.cli._output import human
from bountychain.errors import InsufficientFunds, InvalidAmount
from bountychain.results import Bounty, BountyStatus, TokenInfo
from bountychain.sdk import BountyClient


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


def bounty_and_token(client: BountyClient, bounty_id: int) -> tuple[Bounty, TokenInfo]:
    """A bounty and its token's symbol and decimals."""
    bounty = client.bounty(bounty_id)
    return bounty, client.token_info(bounty.token)


def bounty_line(client: BountyClient, bounty_id: int) -> str:
    """"<id>: <issue URL>", how a plan names the bounty it acts on."""
    return f"{bounty_id}: {issue_url(client, bounty_id)}"


def check_balance(client: BountyClient, account: str, info: TokenInfo, needed: int) -> None:
    held = client.balance_of(account, info.address)
    if held < needed:
        raise InsufficientFunds(f"{account} holds {human(held, info)}, less than the {human(needed, info)} "
                                "to pledge")


def bounty_amount(client: BountyClient, bounty_id: int, text: str) -> tuple[Any, Any, int]:
    """(bounty, its token's info, `text` in the token's base units, positive)."""
    bounty, info = bounty_and_token(client, bounty_id)
    base = client.parse_amount(text, bounty.token)
    if base <= 0:
        raise InvalidAmount(f"the amount must be positive, got {text!r}")
    return bounty, info, base


def erc20(client: BountyClient, token: str) -> Any:
    return client.w3.eth.contract(address=token, abi=_ERC20_ABI)


_ERC20_ABI = [{
    "type": "function", "name": "allowance", "stateMutability": "view",
    "inputs": [{"name": "owner", "type": "address"}, {"name": "spender", "type": "address"}],
    "outputs": [{"name": "", "type": "uint256"}],
}]


__all__ = ["bounty_amount", "bounty_and_token", "bounty_line", "check_balance", "erc20", "issue_url", "status_name"]
