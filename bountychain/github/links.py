"""Linking a GitHub login to an address: the holder of the address signs an EIP-712 statement
naming the login (no chain and no contract: a link is not a transaction), then posts
`/link ADDRESS SIGNATURE` as that login. The bot recovers the signer and records the link only
if it is ADDRESS and the comment's author is the login the statement names, so a copied
comment links nobody else."""

from __future__ import annotations

from typing import Any

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount
from eth_utils import to_checksum_address

DOMAIN = {"name": "bountychain GitHub link", "version": "1"}
TYPES = {"GitHubAccount": [{"name": "login", "type": "string"}, {"name": "account", "type": "address"}]}


def link_typed_data(login: str, address: str) -> dict[str, Any]:
    """The statement "GitHub login LOGIN is held by ADDRESS" as EIP-712 typed data (what a
    wallet's eth_signTypedData_v4 takes). Logins are case-insensitive: lowercase is signed."""
    return {"domain": DOMAIN, "types": {"EIP712Domain": [{"name": "name", "type": "string"},
                                                         {"name": "version", "type": "string"}], **TYPES},
            "primaryType": "GitHubAccount", "message": {"login": login.lower(), "account": to_checksum_address(address)}}


def sign_link(account: LocalAccount, login: str) -> str:
    signed = account.sign_message(encode_typed_data(full_message=link_typed_data(login, account.address)))
    return "0x" + bytes(signed.signature).hex()


def link_signer(login: str, address: str, signature: str) -> str | None:
    """The address that signed the statement for (login, address), or None if the signature
    cannot be read."""
    try:
        return Account.recover_message(encode_typed_data(full_message=link_typed_data(login, address)),
                                       signature=signature)
    except (ValueError, TypeError):
        return None
