"""The API's answers as JSON: the index's records (frozen dataclasses) as objects and amounts,
by key, as decimal strings (uint256 exceeds JavaScript's safe integers). A page of the list is
thousands of values, so each record type's fields are sorted once (`_plan`) into amounts,
plain scalars passed through as they are, and the few that hold records or lists; msgspec
writes the JSON (several times faster than the standard library's encoder)."""

from __future__ import annotations

import dataclasses
import functools
import json
from typing import Any

import msgspec

AMOUNT_KEYS = frozenset({"total", "pledged", "refunded", "pool", "fee", "paid_out", "amount", "outstanding", "paid",
                         "goal", "raised", "to_fundraisers", "proposal_total", "weight_against", "quorum_weight",
                         "weight"})
_SCALARS = frozenset({str, int, float, bool, type(None)})
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


class Ready(dict[str, Any]):
    """A dict already as the JSON is to be (records converted, amounts as strings): `jsonable`
    returns it as it is, so an answer built of converted parts is not walked again."""


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
    value = jsonable(data)
    try:
        return msgspec.json.encode(value)
    except (TypeError, UnicodeEncodeError):  # not JSON for msgspec (a lone surrogate): as JSON always did
        return json.dumps(value).encode()
