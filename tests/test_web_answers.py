"""The API's fast paths give what the plain ones gave: records built field by field
(`records.built`) equal their dataclass's own, and the JSON of the index's records
(`responses.to_json`: a plan per record type, msgspec) is the standard library's JSON of the
records turned to dicts with every amount, at any depth, as a decimal string."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from bountychain.index.records import (BountyDetail, BountySummary, ClaimRow, FunderPledge, Objection, PledgeEvent,
                                       SponsorRecord, TokenAmounts, built)
from bountychain.web.responses import AMOUNT_KEYS, jsonable, to_json

BIG = 2**256 - 1  # an amount beyond JavaScript's and msgspec's integers
FUNDER = "0x" + "ab" * 20


def summary(**changes: Any) -> BountySummary:
    fields = dict(bounty_id=7, uri="https://github.com/örg/répo/issues/7", host="github.com", repo="örg/répo",
                  issuer=FUNDER, approver=FUNDER, token="0x" + "00" * 20, symbol="ETH", decimals=18,
                  deadline=1_800_000_000, status="open", total=BIG, pledged=BIG, refunded=0, pool=5, fee=1,
                  paid_out=4, funder_count=2, claim_count=1, created_block=12, proposed_claims=(1, 2),
                  proposed_shares=(6_000, 4_000), quorum_weight=10**30, dispute_id="", chain_id=31337,
                  chain_name="Local dev chain")
    fields.update(changes)
    return BountySummary(**fields)


def pledge(bounty_id: int = 7) -> FunderPledge:
    return FunderPledge(bounty_id, FUNDER, "0x" + "00" * 20, "ETH", 18, BIG, 3, BIG - 3, 0, 1_800_000_000, "locked",
                        "bounty", 31337, "Local dev chain")


def reference(value: Any) -> Any:
    """The conversion the API has always meant, written the plain way."""
    if dataclasses.is_dataclass(value):
        value = {field.name: getattr(value, field.name) for field in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {key: str(item) if key in AMOUNT_KEYS and type(item) is int else reference(item)
                for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [reference(item) for item in value]
    return value


def test_built_records_equal_their_dataclasss_own() -> None:
    made = summary()
    assert built(BountySummary, **{field.name: getattr(made, field.name)
                                   for field in dataclasses.fields(BountySummary)}) == made
    assert built(FunderPledge, *dataclasses.astuple(pledge())) == pledge()
    event = PledgeEvent(7, FUNDER, 5, 9, 12, "0x" + "cd" * 32)  # the chain left to its defaults
    assert built(PledgeEvent, 7, FUNDER, 5, 9, 12, "0x" + "cd" * 32) == event
    assert hash(built(PledgeEvent, 7, FUNDER, 5, 9, 12, "0x" + "cd" * 32)) == hash(event)
    with pytest.raises(dataclasses.FrozenInstanceError):
        built(PledgeEvent, 7, FUNDER, 5, 9, 12, "0x" + "cd" * 32).amount = 6  # type: ignore[misc]
    for values, named in (((7, FUNDER, 5, 9, 12), {}), ((7, FUNDER, 5, 9, 12, "0x", 1), {"bounty_id": 7}),
                          ((7, FUNDER, 5, 9, 12, "0x", 1, "x", "extra"), {}), ((7, FUNDER, 5, 9, 12, "0x"), {"x": 1})):
        with pytest.raises(TypeError, match="PledgeEvent takes its fields"):
            built(PledgeEvent, *values, **named)


def test_every_record_type_is_planned_to_json_as_the_plain_conversion() -> None:
    claim = ClaimRow(7, 1, FUNDER, "ipfs://x", BIG, "0x" + "00" * 20, "ETH", 18, 12, "0x" + "cd" * 32, 31337,
                     "Local dev chain", False, None)
    objection = Objection(7, 1, FUNDER, BIG, BIG, "0x" + "00" * 20, "ETH", 18, 12, "0x" + "cd" * 32)
    detail = BountyDetail(summary(), [pledge()], [PledgeEvent(7, FUNDER, BIG, 9, 12, "0x")], [claim], [objection])
    record = SponsorRecord(FUNDER, 1, [TokenAmounts("0x" + "00" * 20, "ETH", 18, pledged=BIG, outstanding=1)],
                           [pledge(), pledge(8)], 0)
    answer = {"bounty": detail, "record": record, "recent": [summary(kind="fundraiser", goal=BIG, raised=2)],
              "pay_rate": {"awarded": 1}, "amount": BIG, "text": "ünïcode", "nothing": None}
    encoded = to_json(answer)
    assert json.loads(encoded) == reference(answer)
    assert json.loads(encoded)["bounty"]["bounty"]["total"] == str(BIG)  # amounts are strings, exact
    assert json.loads(encoded)["bounty"]["bounty"]["proposed_claims"] == [1, 2]
    # Converted once: converting again changes nothing.
    assert jsonable(jsonable(answer)) == jsonable(answer)


def test_text_msgspec_cannot_write_is_written_as_json_always_was() -> None:
    assert json.loads(to_json({"uri": "broken \ud800 text", "amount": 5})) == {"uri": "broken \ud800 text",
                                                                              "amount": "5"}
