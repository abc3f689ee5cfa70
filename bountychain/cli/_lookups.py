"""What commands read from the chain to show a plan: a bounty's status name, issue URL and
claims, an amount in a bounty's token, a balance check, a token's allowance.

Event logs are read here as the index reads them (`bountychain.index.events.decode_log`), not
through web3's strict decoder: a URI is whatever bytes its sender chose, and invalid UTF-8
shows with U+FFFD instead of stopping `show`, `list` or `award` for everyone."""

from __future__ import annotations

from typing import Any

from eth_abi import encode
from eth_utils import keccak

from bountychain.amounts import parse_amount
from bountychain.cli._output import human
from bountychain.errors import InsufficientFunds, InvalidAmount
from bountychain.index.events import decode_log
from bountychain.results import Bounty, BountyStatus, Claim, TokenInfo
from bountychain.sdk import BountyClient


def status_name(bounty: Bounty) -> str:
    if bounty.status == BountyStatus.OPEN and bounty.expired:
        return "expired"
    return bounty.status.name.lower()


def escrow_events(client: BountyClient, name: str, **indexed: Any) -> list[dict[str, Any]]:
    """The arguments of the escrow's `name` events, in order, filtered by indexed arguments
    (exact values), decoded without trusting their strings. Logs of other contracts, which a
    node ignoring the address filter could return, are dropped."""
    event = getattr(client.contract.events, name)
    abi = event.abi
    topics: list[Any] = [event.topic]
    for item in (item for item in abi["inputs"] if item["indexed"]):
        value = indexed.pop(item["name"], None)
        topics.append(None if value is None else "0x" + encode([item["type"]], [value]).hex())
    if indexed:
        raise TypeError(f"{name} has no indexed argument {', '.join(indexed)}")
    while topics[-1] is None:
        topics.pop()
    logs = client.w3.eth.get_logs({"address": client.address, "fromBlock": client.from_block, "toBlock": "latest",
                                   "topics": topics})
    return [decode_log(abi, log)[0] for log in logs if log["address"] == client.address]


def issue_url(client: BountyClient, bounty_id: int) -> str | None:
    created = escrow_events(client, "BountyCreated", bountyId=bounty_id)
    if not created:  # a fundraiser shares the id space: its project URL
        created = escrow_events(client, "FundraiserCreated", id=bounty_id)
    return created[0]["uri"] if created else None


def is_fundraiser(client: BountyClient, bounty_id: int) -> bool:
    """Whether the escrow's id `bounty_id` is a fundraiser's (its FundraiserCreated event)."""
    return bool(escrow_events(client, "FundraiserCreated", id=bounty_id))


def awarded_pool(client: BountyClient, bounty_id: int) -> int | None:
    """What an award paid out of a bounty (the pool, the protocol fee included), from its
    Awarded event; None if it was not awarded."""
    awarded = escrow_events(client, "Awarded", bountyId=bounty_id)
    return awarded[-1]["pool"] if awarded else None


def claims(client: BountyClient, bounty_id: int) -> list[Claim]:
    """The solutions registered on a bounty, in order."""
    return [Claim(bounty_id, args["claimId"], args["hunter"], args["uri"])
            for args in escrow_events(client, "SolutionSubmitted", bountyId=bounty_id)]


def bounties_created(client: BountyClient, issue: str | None = None) -> list[dict[str, Any]]:
    """BountyCreated's arguments, in order; only those on `issue` (the node filters by its hash)."""
    return escrow_events(client, "BountyCreated", **({"uriHash": keccak(text=issue)} if issue is not None else {}))


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


def amount_in(info: TokenInfo, text: str) -> int:
    """`text` in the token's base units; ETH units only for ether itself (a token may call
    itself "ETH")."""
    return parse_amount(text, symbol=info.symbol, decimals=info.decimals, token=info.address)


def bounty_amount(client: BountyClient, bounty_id: int, text: str) -> tuple[Any, Any, int]:
    """(bounty, its token's info, `text` in the token's base units, positive)."""
    bounty, info = bounty_and_token(client, bounty_id)
    base = amount_in(info, text)
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


__all__ = ["amount_in", "awarded_pool", "bounties_created", "bounty_amount", "bounty_and_token", "bounty_line", "check_balance", "claims", "erc20",
           "escrow_events", "issue_url", "status_name"]
