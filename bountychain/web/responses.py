"""What every route of the web app answers with: JSON made from the index's records (amounts
as decimal strings), errors as `{"error": message}`, and the parameter checks that refuse a
request with a message naming the problem. Shared by `app` and the route modules beside it."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from web3 import Web3

from bountychain.chains import chain_name
from bountychain.index import queries

AMOUNT_KEYS = {"total", "pledged", "refunded", "pool", "fee", "paid_out", "amount", "outstanding", "paid", "goal",
               "raised", "to_fundraisers", "proposal_total", "weight_against", "quorum_weight", "weight",
               "remaining", "bond"}
MAX_ID = 2**63 - 1  # the index stores ids as BIGINT: a larger id cannot be in it
_SCALARS = frozenset({str, int, float, bool, type(None)})


def jsonable(value: Any) -> Any:
    """Dataclasses to dicts, amounts (by key) to decimal strings. Called on every answer, so
    scalars are passed through without a call each (a page of bounties holds thousands)."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is dict or hasattr(kind, "__dataclass_fields__"):
        # The index's dataclasses have no properties among their fields: their __dict__ is them.
        items = value.items() if kind is dict else vars(value).items()
        return {key: str(item) if key in AMOUNT_KEYS and type(item) is int
                else item if type(item) in _SCALARS else jsonable(item) for key, item in items}
    if kind is list or kind is tuple:
        return [item if type(item) in _SCALARS else jsonable(item) for item in value]
    return value


class BadRequest(ValueError):
    """A request's parameter is unusable: answered 400 with the message."""


def query_param(request: Request, name: str) -> str | None:
    value = request.query_params.get(name, "").strip()
    return value or None


def checked_address(value: str, what: str) -> str:
    if not Web3.is_address(value):
        raise BadRequest(f"{what}: {value!r} is not an address")
    return Web3.to_checksum_address(value)


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(jsonable(data)), status, headers=headers, media_type="application/json")


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return json_response({"error": message}, status, headers)


def ambiguous_message(chains: list[dict[str, Any]], exc: queries.AmbiguousBounty) -> str:
    """Which chains have this bounty id, and how to ask for one of them (`chains`: the web
    app's `WebApp.chains()`)."""
    shorthands = {chain["chain_id"]: chain["shorthand"] for chain in chains}
    choices = ", ".join(f"{chain_name(chain_id)} (?chain={shorthands.get(chain_id, chain_id)})"
                        for chain_id in exc.chain_ids)
    return f"bounty {exc.bounty_id} is on several chains of this index: {choices}; add ?chain= to choose"


__all__ = ["AMOUNT_KEYS", "MAX_ID", "BadRequest", "ambiguous_message", "checked_address", "error_response",
           "json_response", "jsonable", "query_param"]
