"""How each escrow event is stored: one handler per event name.

A handler inserts the event's row and returns the bounty ids whose summary must be
recomputed. Events without a handler (added to the contract later, or not of interest) are
skipped, so a newer escrow can be indexed by an older index; supporting a new event means a
table in `schema.py`, a handler here and, if it changes a bounty, a line in
`store.refresh_bounty`.
"""

from __future__ import annotations

import json
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


# --- backer governance: optimistic review ----------------------------------------------------

_ZERO = "0x0000000000000000000000000000000000000000"
REJECT_REASONS = ("quorum", "arbiter_rejected", "arbiter_refused", "lapsed")  # RejectReason, in order


@handles("ReviewPolicySet")
def _review_policy(db: sqlite3.Connection, e: Event) -> set[int]:
    a = e.args
    db.execute("INSERT INTO review_policies (bounty_id, review_window, quorum_bps, arbiter, arbiter_is_erc792,"
               " block_number, log_index, tx_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
               (a["bountyId"], a["reviewWindow"], a["quorumBps"], "" if a["arbiter"] == _ZERO else a["arbiter"],
                1 if a["arbiterIsErc792"] else 0, *e.position))
    return {a["bountyId"]}


@handles("AwardProposed")
def _proposed(db: sqlite3.Connection, e: Event) -> set[int]:
    a = e.args
    db.execute("INSERT INTO proposals (bounty_id, nonce, claim_ids, shares_bps, window_end, total, block_number,"
               " log_index, tx_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
               (a["bountyId"], a["nonce"], json.dumps([int(c) for c in a["claimIds"]]),
                json.dumps([int(s) for s in a["sharesBps"]]), a["windowEnd"], str(a["total"]), *e.position))
    return {a["bountyId"]}


@handles("Objected")
def _objected(db: sqlite3.Connection, e: Event) -> set[int]:
    a = e.args
    db.execute("INSERT INTO objections (block_number, log_index, tx_hash, bounty_id, nonce, funder, weight,"
               " weight_against) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
               (*e.position, a["bountyId"], a["nonce"], a["funder"], str(a["weight"]), str(a["weightAgainst"])))
    return {a["bountyId"]}


def _step(db: sqlite3.Connection, e: Event, step: str, reason: str = "") -> set[int]:
    a = e.args
    db.execute("INSERT INTO proposal_steps (block_number, log_index, tx_hash, bounty_id, nonce, step, reason)"
               " VALUES (?, ?, ?, ?, ?, ?, ?)", (*e.position, a["bountyId"], a["nonce"], step, reason))
    return {a["bountyId"]}


@handles("ProposalBlocked")
def _blocked(db: sqlite3.Connection, e: Event) -> set[int]:
    return _step(db, e, "blocked")


@handles("ProposalUpheld")
def _upheld(db: sqlite3.Connection, e: Event) -> set[int]:
    return _step(db, e, "upheld")


@handles("ProposalRejected")
def _rejected(db: sqlite3.Connection, e: Event) -> set[int]:
    reason = int(e.args["reason"])
    return _step(db, e, "rejected", REJECT_REASONS[reason] if reason < len(REJECT_REASONS) else str(reason))


@handles("ProposalFinalized")
def _finalized(db: sqlite3.Connection, e: Event) -> set[int]:
    return _step(db, e, "finalized")


@handles("DisputeRaised")
def _dispute(db: sqlite3.Connection, e: Event) -> set[int]:
    a = e.args
    db.execute("INSERT INTO disputes (block_number, log_index, tx_hash, bounty_id, nonce, arbiter, dispute_id)"
               " VALUES (?, ?, ?, ?, ?, ?, ?)", (*e.position, a["bountyId"], a["nonce"], a["arbiter"],
                                                 str(a["disputeId"])))
    return {a["bountyId"]}


@handles("Ruling")
def _ruling(db: sqlite3.Connection, e: Event) -> set[int]:
    """ERC-792's Ruling names no bounty: the latest dispute of this arbiter with this id does."""
    a = e.args
    row = db.execute("SELECT bounty_id FROM disputes WHERE arbiter = ? AND dispute_id = ?"
                     " ORDER BY block_number DESC, log_index DESC", (a["arbitrator"], str(a["disputeID"]))).fetchone()
    if row is None:
        return set()  # a dispute raised before the index's start: nothing to attach it to
    db.execute("INSERT INTO rulings (block_number, log_index, tx_hash, bounty_id, arbiter, dispute_id, ruling)"
               " VALUES (?, ?, ?, ?, ?, ?, ?)", (*e.position, row[0], a["arbitrator"], str(a["disputeID"]),
                                                 int(a["ruling"])))
    return {row[0]}
