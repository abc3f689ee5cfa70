"""How each escrow event is stored: one handler per event name.

A handler inserts the event's row and returns the bounty ids whose summary must be
recomputed. Events without a handler (added to the contract later, or not of interest) are
skipped, so a newer escrow can be indexed by an older index; supporting a new event means a
table in `schema.py`, a handler here and, if it changes a bounty, a line in
`store.refresh_bounty`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Event:
    """A decoded escrow log."""

    name: str
    args: dict[str, Any]
    block_number: int
    block_hash: str
    log_index: int
    tx_hash: str

    @property
    def position(self) -> tuple[int, int, str]:
        return self.block_number, self.log_index, self.tx_hash


Handler = Callable[[sqlite3.Connection, Event], set[int]]
HANDLERS: dict[str, Handler] = {}


def handles(name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        HANDLERS[name] = handler
        return handler

    return register


def _hex(value: Any) -> str:
    return "0x" + bytes(value).hex() if isinstance(value, (bytes, bytearray)) else str(value)


@handles("BountyCreated")
def _created(db: sqlite3.Connection, e: Event) -> set[int]:
    a = e.args
    db.execute(
        "INSERT INTO created (bounty_id, issuer, approver, token, deadline, uri, uri_hash, block_number, log_index,"
        " tx_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (a["bountyId"], a["issuer"], a["approver"], a["token"], a["deadline"], a["uri"], _hex(a["uriHash"]),
         *e.position),
    )
    return {a["bountyId"]}


@handles("Pledged")
def _pledged(db: sqlite3.Connection, e: Event) -> set[int]:
    a = e.args
    db.execute("INSERT INTO pledges (block_number, log_index, tx_hash, bounty_id, funder, amount, unlocks_at)"
               " VALUES (?, ?, ?, ?, ?, ?, ?)", (*e.position, a["bountyId"], a["funder"], str(a["amount"]),
                                                 a["unlocksAt"]))
    return {a["bountyId"]}


@handles("SolutionSubmitted")
def _submitted(db: sqlite3.Connection, e: Event) -> set[int]:
    a = e.args
    db.execute("INSERT INTO claims (bounty_id, claim_id, hunter, uri, block_number, log_index, tx_hash)"
               " VALUES (?, ?, ?, ?, ?, ?, ?)", (a["bountyId"], a["claimId"], a["hunter"], a["uri"], *e.position))
    return {a["bountyId"]}


@handles("Awarded")
def _awarded(db: sqlite3.Connection, e: Event) -> set[int]:
    a = e.args
    db.execute("INSERT INTO awards (bounty_id, pool, fee, block_number, log_index, tx_hash) VALUES (?, ?, ?, ?, ?, ?)",
               (a["bountyId"], str(a["pool"]), str(a["fee"]), *e.position))
    return {a["bountyId"]}


@handles("WinnerPaid")
def _winner_paid(db: sqlite3.Connection, e: Event) -> set[int]:
    a = e.args
    db.execute("INSERT INTO payouts (block_number, log_index, tx_hash, bounty_id, claim_id, hunter, amount)"
               " VALUES (?, ?, ?, ?, ?, ?, ?)", (*e.position, a["bountyId"], a["claimId"], a["hunter"],
                                                 str(a["amount"])))
    return {a["bountyId"]}


@handles("Credited")
def _credited(db: sqlite3.Connection, e: Event) -> set[int]:
    a = e.args
    db.execute("INSERT INTO credits (block_number, log_index, tx_hash, account, token, amount) VALUES (?, ?, ?, ?, ?, ?)",
               (*e.position, a["account"], a["token"], str(a["amount"])))
    return set()


@handles("Withdrawn")
def _withdrawn(db: sqlite3.Connection, e: Event) -> set[int]:
    a = e.args
    db.execute("INSERT INTO withdrawals (block_number, log_index, tx_hash, account, token, amount)"
               " VALUES (?, ?, ?, ?, ?, ?)", (*e.position, a["account"], a["token"], str(a["amount"])))
    return set()


@handles("Refunded")
def _refunded(db: sqlite3.Connection, e: Event) -> set[int]:
    a = e.args
    db.execute("INSERT INTO refunds (block_number, log_index, tx_hash, bounty_id, funder, amount)"
               " VALUES (?, ?, ?, ?, ?, ?)", (*e.position, a["bountyId"], a["funder"], str(a["amount"])))
    return {a["bountyId"]}


@handles("Cancelled")
def _cancelled(db: sqlite3.Connection, e: Event) -> set[int]:
    db.execute("INSERT INTO cancellations (bounty_id, block_number, log_index, tx_hash) VALUES (?, ?, ?, ?)",
               (e.args["bountyId"], *e.position))
    return {e.args["bountyId"]}


@handles("DeadlineExtended")
def _extended(db: sqlite3.Connection, e: Event) -> set[int]:
    a = e.args
    db.execute("INSERT INTO extensions (block_number, log_index, tx_hash, bounty_id, deadline) VALUES (?, ?, ?, ?, ?)",
               (*e.position, a["bountyId"], a["deadline"]))
    return {a["bountyId"]}


@handles("FundraiserCreated")
def _fundraiser_created(db: sqlite3.Connection, e: Event) -> set[int]:
    a = e.args
    db.execute(
        "INSERT INTO fundraisers (bounty_id, creator, beneficiary, token, goal, deadline, all_or_nothing, uri,"
        " uri_hash, block_number, log_index, tx_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (a["id"], a["creator"], a["beneficiary"], a["token"], str(a["goal"]), a["deadline"],
         1 if a["allOrNothing"] else 0, a["uri"], _hex(a["uriHash"]), *e.position),
    )
    return {a["id"]}


@handles("RaisedPaid")
def _raised_paid(db: sqlite3.Connection, e: Event) -> set[int]:
    a = e.args
    db.execute("INSERT INTO raised_paid (bounty_id, beneficiary, amount, block_number, log_index, tx_hash)"
               " VALUES (?, ?, ?, ?, ?, ?)", (a["id"], a["beneficiary"], str(a["amount"]), *e.position))
    return {a["id"]}
