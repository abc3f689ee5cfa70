"""How each event of the escrow and of its review contract is stored: one handler per event name.

A handler inserts the event's row and returns the bounty ids whose summary must be
recomputed. Events without a handler (added to the contract later, or not of interest) are
skipped, so a newer escrow can be indexed by an older index; supporting a new event means a
table in `schema.py`, a handler here and, if it changes a bounty, a line in
`store.refresh_bounty`.

Logs are decoded here (`decode_log`), not by web3: nothing a log carries is trusted. A
`string` field (a bounty's or fundraiser's URI, a solution's URI) is whatever bytes the
caller sent the escrow, so it is read as bytes and decoded by `chainstrings`: valid UTF-8 is
stored as it is; anything else is stored with U+FFFD (the replacement character) in place of
each invalid sequence. That replacement is the stored marker: the page, the API and the
CLI show it as it is, so a reader sees that the chain's bytes were not text. For a bounty or
fundraiser the chain's own hash of the raw bytes is stored beside it (`uri_hash`), and
keccak256 of the stored text differs from it exactly when bytes were replaced.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from eth_abi import decode as abi_decode
from eth_utils import to_checksum_address

from bountychain.chainstrings import decode_chain_string


@dataclass(frozen=True)
class Event:
    """A decoded escrow log."""

    name: str
    args: dict[str, Any]
    block_number: int
    block_hash: str
    log_index: int
    tx_hash: str
    block_time: int = 0  # the block's timestamp, read only for the events that store it (DisputeRaised)

    @property
    def position(self) -> tuple[int, int, str]:
        return self.block_number, self.log_index, self.tx_hash


def _decoding_type(item: dict[str, Any]) -> str:
    """The ABI type to decode `item` with: every `string` read as `bytes` (the same encoding)."""
    kind = str(item["type"])
    if kind.startswith("tuple"):
        return "(" + ",".join(_decoding_type(part) for part in item["components"]) + ")" + kind[len("tuple"):]
    if kind.startswith("string"):
        return "bytes" + kind[len("string"):]
    return kind


def _restore(item: dict[str, Any], value: Any, path: str, replaced: list[str]) -> Any:
    """`value` decoded as `_decoding_type(item)`, given back as web3 gives it (checksummed
    addresses, lists for arrays, dicts for tuples), its strings decoded by `chainstrings`."""
    kind = str(item["type"])
    if kind.endswith("]"):
        element = {**item, "type": kind[:kind.rindex("[")]}
        return [_restore(element, part, f"{path}[{index}]", replaced) for index, part in enumerate(value)]
    if kind == "tuple":
        return {part["name"]: _restore(part, field, f"{path}.{part['name']}", replaced)
                for part, field in zip(item["components"], value, strict=True)}
    if kind == "string":
        decoded = decode_chain_string(value)
        if not decoded.valid:
            replaced.append(path)
        return decoded.text
    if kind == "address":
        return to_checksum_address(value)
    return value


def _bytes(value: Any) -> bytes:
    return bytes.fromhex(value.removeprefix("0x")) if isinstance(value, str) else bytes(value)


def decode_log(event_abi: Any, log: Any) -> tuple[dict[str, Any], list[str]]:
    """A log's arguments by name, decoded against `event_abi` without trusting its strings,
    and the names of the string fields that were not valid UTF-8 (stored with U+FFFD, see the
    module's doc). Indexed dynamic values (an indexed string, bytes or array) are their
    32-byte topic, as web3 gives them. Raises if the log does not fit the event at all (wrong
    topic count, data too short or malformed): the caller skips such a log."""
    inputs = list(event_abi["inputs"])
    topics = [_bytes(topic) for topic in log["topics"]][0 if event_abi.get("anonymous") else 1:]
    indexed = [item for item in inputs if item.get("indexed")]
    if len(topics) != len(indexed):
        raise ValueError(f"{event_abi['name']}: {len(indexed)} indexed arguments, the log has {len(topics)} topics")
    args: dict[str, Any] = {}
    replaced: list[str] = []
    for item, topic in zip(indexed, topics, strict=True):
        kind = str(item["type"])
        if kind in ("string", "bytes") or kind.startswith("tuple") or kind.endswith("]"):
            args[item["name"]] = topic  # the hash of the value
        else:
            args[item["name"]] = _restore(item, abi_decode([kind], topic)[0], item["name"], replaced)
    data = _bytes(log["data"])
    plain = [item for item in inputs if not item.get("indexed")]
    values = abi_decode([_decoding_type(item) for item in plain], data)
    for item, value in zip(plain, values, strict=True):
        args[item["name"]] = _restore(item, value, item["name"], replaced)
    return {item["name"]: args[item["name"]] for item in inputs}, replaced


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


def _payout(db: sqlite3.Connection, e: Event, credited: int) -> set[int]:
    a = e.args
    db.execute("INSERT INTO payouts (block_number, log_index, tx_hash, bounty_id, claim_id, hunter, amount, credited)"
               " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (*e.position, a["bountyId"], a["claimId"], a["hunter"],
                                                    str(a["amount"]), credited))
    return {a["bountyId"]}


@handles("WinnerPaid")
def _winner_paid(db: sqlite3.Connection, e: Event) -> set[int]:
    return _payout(db, e, 0)


@handles("WinnerCredited")
def _winner_credited(db: sqlite3.Connection, e: Event) -> set[int]:
    """The push to the winner failed: its share became a credit. It is still what it won."""
    return _payout(db, e, 1)


@handles("Credited")
def _credited(db: sqlite3.Connection, e: Event) -> set[int]:
    a = e.args
    db.execute("INSERT INTO credits (block_number, log_index, tx_hash, account, token, amount) VALUES (?, ?, ?, ?, ?, ?)",
               (*e.position, a["account"], a["token"], str(a["amount"])))
    return set()


@handles("Withdrawn")
def _withdrawn(db: sqlite3.Connection, e: Event) -> set[int]:
    a = e.args
    db.execute("INSERT INTO withdrawals (block_number, log_index, tx_hash, account, token, amount, recipient)"
               " VALUES (?, ?, ?, ?, ?, ?, ?)", (*e.position, a["account"], a["token"], str(a["amount"]), a["to"]))
    return set()


@handles("FeesWithdrawn")
def _fees_withdrawn(db: sqlite3.Connection, e: Event) -> set[int]:
    a = e.args
    db.execute("INSERT INTO fee_withdrawals (block_number, log_index, tx_hash, token, amount, recipient)"
               " VALUES (?, ?, ?, ?, ?, ?)", (*e.position, a["token"], str(a["amount"]), a["to"]))
    return set()


@handles("Refunded")
def _refunded(db: sqlite3.Connection, e: Event) -> set[int]:
    a = e.args
    db.execute("INSERT INTO refunds (block_number, log_index, tx_hash, bounty_id, funder, amount, recipient)"
               " VALUES (?, ?, ?, ?, ?, ?, ?)", (*e.position, a["bountyId"], a["funder"], str(a["amount"]), a["to"]))
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


def _raised(db: sqlite3.Connection, e: Event, credited: int) -> set[int]:
    a = e.args
    db.execute("INSERT INTO raised_paid (bounty_id, beneficiary, amount, credited, block_number, log_index, tx_hash)"
               " VALUES (?, ?, ?, ?, ?, ?, ?)", (a["id"], a["beneficiary"], str(a["amount"]), credited, *e.position))
    return {a["id"]}


@handles("RaisedPaid")
def _raised_paid(db: sqlite3.Connection, e: Event) -> set[int]:
    return _raised(db, e, 0)


@handles("RaisedCredited")
def _raised_credited(db: sqlite3.Connection, e: Event) -> set[int]:
    """The push to the beneficiary failed: the payout became its credit. It still received it."""
    return _raised(db, e, 1)


# --- backer governance: the review contract's events -------------------------------------------

_ZERO = "0x0000000000000000000000000000000000000000"
# RejectReason, in order, with the SDK's names.
REJECT_REASONS = ("unanimous", "arbiter-rejected", "arbiter-refused", "lapsed")


@handles("ReviewPolicySet")
def _review_policy(db: sqlite3.Connection, e: Event) -> set[int]:
    a = e.args
    db.execute("INSERT INTO review_policies (bounty_id, approver, review_window, quorum_bps, arbiter,"
               " arbiter_is_erc792, block_number, log_index, tx_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
               (a["bountyId"], a["approver"], a["reviewWindow"], a["quorumBps"],
                "" if a["arbiter"] == _ZERO else a["arbiter"],
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


def _step(db: sqlite3.Connection, e: Event, step: str, reason: str = "", pool: str = "") -> set[int]:
    a = e.args
    db.execute("INSERT INTO proposal_steps (block_number, log_index, tx_hash, bounty_id, nonce, step, reason, pool)"
               " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (*e.position, a["bountyId"], a["nonce"], step, reason, pool))
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
    return _step(db, e, "finalized", pool=str(e.args["pool"]))


@handles("DisputeRaised")
def _dispute(db: sqlite3.Connection, e: Event) -> set[int]:
    a = e.args
    db.execute("INSERT INTO disputes (block_number, log_index, tx_hash, bounty_id, nonce, arbiter, dispute_id,"
               " escalated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
               (*e.position, a["bountyId"], a["nonce"], a["arbiter"], str(a["disputeId"]), e.block_time))
    return {a["bountyId"]}


@handles("Ruling")
def _ruling(db: sqlite3.Connection, e: Event) -> set[int]:
    """ERC-792's Ruling (emitted by the review contract) names no bounty: the latest dispute of
    this arbiter with this id does. A plain arbiter's decision has no Ruling: its outcome is
    the proposal's step (upheld or rejected)."""
    a = e.args
    row = db.execute("SELECT d.bounty_id FROM disputes d JOIN review_policies p ON p.bounty_id = d.bounty_id"
                     " WHERE d.arbiter = ? AND d.dispute_id = ? AND p.arbiter_is_erc792 = 1"
                     " ORDER BY d.block_number DESC, d.log_index DESC",
                     (a["arbitrator"], str(a["disputeID"]))).fetchone()
    if row is None:
        return set()  # a dispute raised before the index's start: nothing to attach it to
    db.execute("INSERT INTO rulings (block_number, log_index, tx_hash, bounty_id, arbiter, dispute_id, ruling)"
               " VALUES (?, ?, ?, ?, ?, ?, ?)", (*e.position, row[0], a["arbitrator"], str(a["disputeID"]),
                                                 int(a["ruling"])))
    return {row[0]}
