"""What every route of the web app answers with: JSON made from the index's records (amounts
as decimal strings), errors as `{"error": message}`, and the parameter checks that refuse a
request with a message naming the problem. Shared by `app` and the route modules beside it.

A page of the list is thousands of values, so each record type's fields are sorted once
(`_plan`) into amounts, plain scalars passed through as they are, and the few that hold
records or lists; msgspec writes the JSON (several times faster than the standard library's
encoder)."""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from web3 import Web3

from bountychain.chains import chain_name
from bountychain.index import queries
from bountychain.index.listing import Ready, json_bytes

AMOUNT_KEYS = frozenset({"total", "pledged", "refunded", "pool", "fee", "paid_out", "amount", "outstanding", "paid",
                         "goal", "raised", "to_fundraisers", "proposal_total", "weight_against", "quorum_weight",
                         "weight", "remaining", "bond", "to_milestones", "slashed_credit"})
MAX_ID = 2**63 - 1  # the index stores ids as BIGINT: a larger id cannot be in it
# msgspec.Raw: JSON text already made (`listing.listed`), copied into the answer as it is.
_SCALARS = frozenset({str, int, float, bool, type(None), msgspec.Raw})
# Field annotations whose values JSON takes as they are (a tuple of ints is an array).
_SCALAR_FIELDS = frozenset({"str", "int", "float", "bool", "str | None", "int | None", "float | None",
                            "bool | None", "tuple[int, ...]"})


@functools.lru_cache(maxsize=None)
def _plan(kind: type) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the amount fields, the fields that may hold records, lists or dicts) of a dataclass."""
    fields = dataclasses.fields(kind)
    amounts = tuple(field.name for field in fields if field.name in AMOUNT_KEYS)
    nested = tuple(field.name for field in fields if field.name not in AMOUNT_KEYS
                   and (field.type if isinstance(field.type, str) else getattr(field.type, "__name__", ""))
                   not in _SCALAR_FIELDS)
    return amounts, nested


def _value(item: Any) -> Any:
    return item if type(item) in _SCALARS else jsonable(item)


def jsonable(value: Any) -> Any:
    """Dataclasses to dicts, amounts (by key) to decimal strings; scalars as they are. Its dicts
    are `Ready`."""
    kind = type(value)
    if kind in _SCALARS or kind is Ready:
        return value
    if hasattr(kind, "__dataclass_fields__"):
        # The index's dataclasses have no properties among their fields: their __dict__ is them.
        data = Ready(vars(value))
        amounts, nested = _plan(kind)
        for key in amounts:
            item = data[key]
            data[key] = str(item) if type(item) is int else _value(item)
        for key in nested:
            data[key] = _value(data[key])
        return data
    if kind is dict:
        return Ready({key: str(item) if type(item) is int and key in AMOUNT_KEYS else _value(item)
                      for key, item in value.items()})
    if kind is list or kind is tuple:
        return [_value(item) for item in value]
    return value


def to_json(data: Any) -> bytes:
    """`data` (see `jsonable`) as JSON text in UTF-8."""
    return json_bytes(jsonable(data))


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
    return Response(to_json(data), status, headers=headers, media_type="application/json")


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return json_response({"error": message}, status, headers)


def ambiguous_message(chains: list[dict[str, Any]], exc: queries.AmbiguousBounty) -> str:
    """Which chains (or escrows of one chain) have this bounty id, and how to ask for one of
    them (`chains`: the web app's `WebApp.chains()`)."""
    if len(exc.chain_ids) == 1:
        choices = ", ".join(f"escrow {escrow} (?escrow={escrow})" for _, escrow in exc.choices)
        return (f"bounty {exc.bounty_id} is in several escrows on {chain_name(exc.chain_ids[0])} in this index: "
                f"{choices}; add ?escrow= to choose")
    shorthands = {chain["chain_id"]: chain["shorthand"] for chain in chains}
    twice = {chain for chain in exc.chain_ids if sum(chain == other for other, _ in exc.choices) > 1}
    choices = ", ".join(f"{chain_name(chain)} (?chain={shorthands.get(chain, chain)}"
                        + (f"&escrow={escrow})" if chain in twice else ")") for chain, escrow in exc.choices)
    return f"bounty {exc.bounty_id} is on several chains of this index: {choices}; add ?chain= to choose"


__all__ = ["AMOUNT_KEYS", "MAX_ID", "BadRequest", "ambiguous_message", "checked_address", "error_response",
           "json_response", "jsonable", "query_param"]
