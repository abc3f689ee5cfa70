"""How each event of the escrow and of its review contract is stored: one handler per event name.

A handler inserts the event's row and returns the bounty ids whose summary must be
recomputed. Events without a handler (added to the contract later, or not of interest) are
skipped, so a newer escrow can be indexed by an older index; supporting a new event means a
table in `schema.py`, a handler here and, if it changes a bounty, a line in
`summaries.refresh_bounty`.

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

import functools
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from eth_abi import decode as abi_decode
from eth_utils import to_checksum_address

from bountychain.chainstrings import decode_chain_string
from bountychain.index.store import Index


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
        return _checksummed(value)
    return value


@functools.lru_cache(maxsize=65_536)
def _checksummed(address: str) -> str:
    """EIP-55 (a keccak per call): the same few addresses recur in every range."""
    return to_checksum_address(address)


def _bytes(value: Any) -> bytes:
    return bytes.fromhex(value.removeprefix("0x")) if isinstance(value, str) else bytes(value)


def _is_word(kind: str) -> bool:
    """A static value encoded in one 32-byte word (not a string, bytes, array or tuple)."""
    digits = kind.removeprefix("uint").removeprefix("int").removeprefix("bytes")
    return kind in ("address", "bool") or (digits != kind and digits.isdigit())


def _uint_bits(kind: str) -> int:
    """N of a uintN, else 0."""
    return int(kind[4:]) if kind.startswith("uint") and kind[4:].isdigit() else 0


def _topic_word(item: dict[str, Any], kind: str, word: bytes, replaced: list[str]) -> Any:
    """An indexed static value from its 32-byte topic, as eth_abi's strict decoder reads it
    (same values, same refusals: a short word, non-zero padding, an out-of-range number or
    bool), without its per-call machinery for the common types."""
    return _word(item, kind, _uint_bits(kind), word, replaced)


def _word(item: dict[str, Any], kind: str, bits: int, word: bytes, replaced: list[str]) -> Any:
    """`_topic_word` with the width of a uintN type (`bits`, else 0) worked out beforehand."""
    if len(word) != 32:
        raise ValueError(f"{item['name']}: a topic is 32 bytes, this one {len(word)}")
    if bits:
        value = int.from_bytes(word, "big")
        if value >> bits:
            raise ValueError(f"{item['name']}: {value} does not fit {kind}")
        return value
    if kind == "address":
        if any(word[:12]):
            raise ValueError(f"{item['name']}: an address topic with non-zero padding")
        return _checksummed("0x" + word[12:].hex())
    return _restore(item, abi_decode([kind], word)[0], item["name"], replaced)


@dataclass(frozen=True)
class EventPlan:
    """What decoding one event's logs needs, worked out once per event (`event_plan`)."""

    name: str
    inputs: tuple[dict[str, Any], ...]
    anonymous: bool
    # (input, its type, N of a uintN else 0) of each indexed input, then of each input in the data
    indexed: tuple[tuple[dict[str, Any], str, int], ...]
    plain: tuple[tuple[dict[str, Any], str, int], ...]
    # Every value in the data is a word or a string or bytes: the canonical encoding is read here.
    readable: bool


def event_plan(event_abi: Any) -> EventPlan:
    inputs = tuple(event_abi["inputs"])
    indexed = tuple((item, str(item["type"]), _uint_bits(str(item["type"]))) for item in inputs if item.get("indexed"))
    plain = tuple((item, str(item["type"]), _uint_bits(str(item["type"]))) for item in inputs
                  if not item.get("indexed"))
    return EventPlan(str(event_abi["name"]), inputs, bool(event_abi.get("anonymous")), indexed, plain,
                     all(_is_word(kind) or kind in ("string", "bytes") for _, kind, _ in plain))


def decode_log(event_abi: Any, log: Any) -> tuple[dict[str, Any], list[str]]:
    """A log's arguments by name, decoded against `event_abi` without trusting its strings,
    and the names of the string fields that were not valid UTF-8 (stored with U+FFFD, see the
    module's doc). Indexed dynamic values (an indexed string, bytes or array) are their
    32-byte topic, as web3 gives them. Raises if the log does not fit the event at all (wrong
    topic count, data too short or malformed): the caller skips such a log."""
    return decode_planned(event_plan(event_abi), log)


def decode_planned(plan: EventPlan, log: Any) -> tuple[dict[str, Any], list[str]]:
    """`decode_log` with the event's plan worked out beforehand (the sync decodes ~100,000 logs
    of a dozen events)."""
    topics = log["topics"]
    if not plan.anonymous:
        topics = topics[1:]
    if len(topics) != len(plan.indexed):
        raise ValueError(f"{plan.name}: {len(plan.indexed)} indexed arguments, the log has {len(topics)} topics")
    args: dict[str, Any] = {}
    replaced: list[str] = []
    for (item, kind, bits), topic in zip(plan.indexed, topics, strict=True):
        if kind in ("string", "bytes") or kind.startswith("tuple") or kind.endswith("]"):
            args[item["name"]] = _bytes(topic)  # the hash of the value
        else:
            args[item["name"]] = _word(item, kind, bits, _bytes(topic), replaced)
    data = _bytes(log["data"])
    words = _read_canonical(plan, data) if plan.readable else None
    if words is None:  # not the canonical encoding, or not only words, strings and bytes
        for (item, _, _), value in zip(plan.plain, decode_data(plan, data), strict=True):
            args[item["name"]] = _restore(item, value, item["name"], replaced)
    else:
        for (item, kind, bits), value in zip(plan.plain, words, strict=True):
            args[item["name"]] = (_restore(item, value, item["name"], replaced) if kind in ("string", "bytes")
                                  else _word(item, kind, bits, value, replaced))
    return {item["name"]: args[item["name"]] for item in plan.inputs}, replaced


def decode_data(plan: EventPlan, data: bytes) -> tuple[Any, ...]:
    """The values in a log's data as eth_abi decodes them, every string read as bytes (`_restore`
    gives them back as web3 does): the path of any encoding that `_read_canonical` does not
    read, and the reference it is tested against."""
    return tuple(abi_decode([_decoding_type(item) for item, _, _ in plan.plain], data))


def _read_canonical(plan: EventPlan, data: bytes) -> list[Any] | None:
    """The values in `data` when it is the canonical encoding of the event's words, strings
    and bytes (what the contract emits: each offset where the encoder puts it, zero padding,
    nothing after the last value): each word as its 32 bytes (then checked and read as a topic
    is), each string or bytes as its bytes. None for anything else, which eth_abi then decodes:
    every value it would give for a canonical encoding is these bytes, and every refusal of a
    non-canonical one stays its own."""
    head = 32 * len(plan.plain)
    if len(data) < head:
        return None
    values: list[Any] = []
    position = head  # where the next string or bytes must start
    for index, (_, kind, _) in enumerate(plan.plain):
        word = data[32 * index:32 * index + 32]
        if kind != "string" and kind != "bytes":
            values.append(word)
            continue
        if int.from_bytes(word, "big") != position or len(data) < position + 32:
            return None
        length = int.from_bytes(data[position:position + 32], "big")
        start, end = position + 32, position + 32 + length
        position = start + -(-length // 32) * 32
        if position > len(data) or any(data[end:position]):
            return None
        values.append(data[start:end])
    return values if position == len(data) else None


class Rows:
    """The rows a range's events add, by table, written at once (`flush`: one `Index.insert` per
    table) inside the range's transaction. A handler that reads what an earlier event of the
    range wrote (Ruling) flushes first."""

    def __init__(self, db: Index, chain_id: int, escrow: str) -> None:
        self.db = db
        self.chain_id, self.escrow = chain_id, escrow  # every row is this escrow's, on this chain
        self.pending: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.counts: dict[str, int] = defaultdict(int)  # rows added per table, flushed or not

    def add(self, table: str, e: Event, **row: Any) -> None:
        self.counts[table] += 1
        self.pending[table].append({"chain_id": self.chain_id, "escrow": self.escrow, **row,
                                    "block_number": e.block_number, "log_index": e.log_index, "tx_hash": e.tx_hash})

    def flush(self) -> None:
        for table, rows in self.pending.items():
            self.db.insert(table, rows)
        self.pending.clear()


Handler = Callable[[Rows, Event], set[int]]
HANDLERS: dict[str, Handler] = {}


def handles(name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        HANDLERS[name] = handler
        return handler

    return register


def _hex(value: Any) -> str:
    return "0x" + bytes(value).hex() if isinstance(value, (bytes, bytearray)) else str(value)


@handles("BountyCreated")
def _created(rows: Rows, e: Event) -> set[int]:
    a = e.args
    rows.add("created", e, bounty_id=a["bountyId"], issuer=a["issuer"], approver=a["approver"], token=a["token"],
             deadline=a["deadline"], uri=a["uri"], uri_hash=_hex(a["uriHash"]))
    return {a["bountyId"]}


@handles("Pledged")
def _pledged(rows: Rows, e: Event) -> set[int]:
    a = e.args
    rows.add("pledges", e, bounty_id=a["bountyId"], funder=a["funder"], amount=str(a["amount"]),
             unlocks_at=a["unlocksAt"])
    return {a["bountyId"]}


@handles("SolutionSubmitted")
def _submitted(rows: Rows, e: Event) -> set[int]:
    a = e.args
    rows.add("claims", e, bounty_id=a["bountyId"], claim_id=a["claimId"], hunter=a["hunter"], uri=a["uri"])
    return {a["bountyId"]}


@handles("Awarded")
def _awarded(rows: Rows, e: Event) -> set[int]:
    a = e.args
    rows.add("awards", e, bounty_id=a["bountyId"], pool=str(a["pool"]), fee=str(a["fee"]))
    return {a["bountyId"]}


def _payout(rows: Rows, e: Event, credited: int) -> set[int]:
    a = e.args
    rows.add("payouts", e, bounty_id=a["bountyId"], claim_id=a["claimId"], hunter=a["hunter"],
             amount=str(a["amount"]), credited=credited)
    return {a["bountyId"]}


@handles("PartAwarded")
def _milestone(rows: Rows, e: Event) -> set[int]:
    a = e.args
    rows.add("milestones", e, bounty_id=a["bountyId"], part_bps=a["partBps"], pool=str(a["pool"]), fee=str(a["fee"]),
             remaining=str(a["remaining"]))
    return {a["bountyId"]}


@handles("BondRequired")
def _bond_required(rows: Rows, e: Event) -> set[int]:
    a = e.args
    rows.add("bonds", e, bounty_id=a["bountyId"], claim_id=0, step="required", hunter="", amount=str(a["bond"]))
    return {a["bountyId"]}


def _bond_step(rows: Rows, e: Event, step: str) -> set[int]:
    a = e.args
    rows.add("bonds", e, bounty_id=a["bountyId"], claim_id=a["claimId"], step=step, hunter=a["hunter"],
             amount=str(a["amount"]))
    return {a["bountyId"]}


@handles("BondPosted")
def _bond_posted(rows: Rows, e: Event) -> set[int]:
    return _bond_step(rows, e, "posted")


@handles("BondSlashed")
def _bond_slashed(rows: Rows, e: Event) -> set[int]:
    return _bond_step(rows, e, "slashed")


@handles("BondReturned")
def _bond_returned(rows: Rows, e: Event) -> set[int]:
    return _bond_step(rows, e, "returned")


@handles("SlashedBondsCredited")
def _slashed_credited(rows: Rows, e: Event) -> set[int]:
    """A funder's part of the bonds slashed on a bounty, credited for `withdraw` (issue 16): it
    changes no bounty's summary."""
    a = e.args
    rows.add("slashed_credits", e, bounty_id=a["bountyId"], funder=a["funder"], amount=str(a["amount"]))
    return set()


@handles("WinnerPaid")
def _winner_paid(rows: Rows, e: Event) -> set[int]:
    return _payout(rows, e, 0)


@handles("WinnerCredited")
def _winner_credited(rows: Rows, e: Event) -> set[int]:
    """The push to the winner failed: its share became a credit. It is still what it won."""
    return _payout(rows, e, 1)


@handles("Credited")
def _credited(rows: Rows, e: Event) -> set[int]:
    a = e.args
    rows.add("credits", e, account=a["account"], token=a["token"], amount=str(a["amount"]))
    return set()


@handles("Withdrawn")
def _withdrawn(rows: Rows, e: Event) -> set[int]:
    a = e.args
    rows.add("withdrawals", e, account=a["account"], token=a["token"], amount=str(a["amount"]), recipient=a["to"])
    return set()


@handles("FeesWithdrawn")
def _fees_withdrawn(rows: Rows, e: Event) -> set[int]:
    a = e.args
    rows.add("fee_withdrawals", e, token=a["token"], amount=str(a["amount"]), recipient=a["to"])
    return set()


@handles("Refunded")
def _refunded(rows: Rows, e: Event) -> set[int]:
    a = e.args
    rows.add("refunds", e, bounty_id=a["bountyId"], funder=a["funder"], amount=str(a["amount"]), recipient=a["to"])
    return {a["bountyId"]}


@handles("Cancelled")
def _cancelled(rows: Rows, e: Event) -> set[int]:
    rows.add("cancellations", e, bounty_id=e.args["bountyId"])
    return {e.args["bountyId"]}


@handles("DeadlineExtended")
def _extended(rows: Rows, e: Event) -> set[int]:
    a = e.args
    rows.add("extensions", e, bounty_id=a["bountyId"], deadline=a["deadline"])
    return {a["bountyId"]}


@handles("FundraiserCreated")
def _fundraiser_created(rows: Rows, e: Event) -> set[int]:
    a = e.args
    rows.add("fundraisers", e, bounty_id=a["id"], creator=a["creator"], beneficiary=a["beneficiary"], token=a["token"],
             goal=str(a["goal"]), deadline=a["deadline"], all_or_nothing=1 if a["allOrNothing"] else 0, uri=a["uri"],
             uri_hash=_hex(a["uriHash"]))
    return {a["id"]}


def _raised(rows: Rows, e: Event, credited: int) -> set[int]:
    a = e.args
    rows.add("raised_paid", e, bounty_id=a["id"], beneficiary=a["beneficiary"], amount=str(a["amount"]),
             credited=credited)
    return {a["id"]}


@handles("RaisedPaid")
def _raised_paid(rows: Rows, e: Event) -> set[int]:
    return _raised(rows, e, 0)


@handles("RaisedCredited")
def _raised_credited(rows: Rows, e: Event) -> set[int]:
    """The push to the beneficiary failed: the payout became its credit. It still received it."""
    return _raised(rows, e, 1)


# --- backer governance: the review contract's events -------------------------------------------

_ZERO = "0x0000000000000000000000000000000000000000"
# RejectReason, in order, with the SDK's names.
REJECT_REASONS = ("unanimous", "arbiter-rejected", "arbiter-refused", "lapsed")


@handles("ReviewPolicySet")
def _review_policy(rows: Rows, e: Event) -> set[int]:
    a = e.args
    rows.add("review_policies", e, bounty_id=a["bountyId"], approver=a["approver"], review_window=a["reviewWindow"],
             quorum_bps=a["quorumBps"], arbiter="" if a["arbiter"] == _ZERO else a["arbiter"],
             arbiter_is_erc792=1 if a["arbiterIsErc792"] else 0)
    return {a["bountyId"]}


@handles("AwardProposed")
def _proposed(rows: Rows, e: Event) -> set[int]:
    a = e.args
    rows.add("proposals", e, bounty_id=a["bountyId"], nonce=a["nonce"],
             claim_ids=json.dumps([int(c) for c in a["claimIds"]]),
             shares_bps=json.dumps([int(s) for s in a["sharesBps"]]), window_end=a["windowEnd"], total=str(a["total"]))
    return {a["bountyId"]}


@handles("PartProposed")
def _part_proposed(rows: Rows, e: Event) -> set[int]:
    """Proposal `nonce` (its AwardProposed came just before, in the same call) asks for a part
    of the pool, a milestone (issue 16), not the whole."""
    a = e.args
    rows.add("part_proposals", e, bounty_id=a["bountyId"], nonce=a["nonce"], part_bps=a["partBps"])
    return {a["bountyId"]}


@handles("SpamMarked")
def _spam_marked(rows: Rows, e: Event) -> set[int]:
    """The proposer of a reviewed bounty called a claim spam through the review (the escrow's
    BondSlashed, just before, slashed the claim's bond to the other funders)."""
    a = e.args
    rows.add("spam_marks", e, bounty_id=a["bountyId"], claim_id=a["claimId"], marked_by=a["proposer"])
    return {a["bountyId"]}


@handles("Objected")
def _objected(rows: Rows, e: Event) -> set[int]:
    a = e.args
    rows.add("objections", e, bounty_id=a["bountyId"], nonce=a["nonce"], funder=a["funder"], weight=str(a["weight"]),
             weight_against=str(a["weightAgainst"]))
    return {a["bountyId"]}


def _step(rows: Rows, e: Event, step: str, reason: str = "", pool: str = "") -> set[int]:
    a = e.args
    rows.add("proposal_steps", e, bounty_id=a["bountyId"], nonce=a["nonce"], step=step, reason=reason, pool=pool)
    return {a["bountyId"]}


@handles("ProposalBlocked")
def _blocked(rows: Rows, e: Event) -> set[int]:
    return _step(rows, e, "blocked")


@handles("ProposalUpheld")
def _upheld(rows: Rows, e: Event) -> set[int]:
    return _step(rows, e, "upheld")


@handles("ProposalRejected")
def _rejected(rows: Rows, e: Event) -> set[int]:
    reason = int(e.args["reason"])
    return _step(rows, e, "rejected", REJECT_REASONS[reason] if reason < len(REJECT_REASONS) else str(reason))


@handles("ProposalFinalized")
def _finalized(rows: Rows, e: Event) -> set[int]:
    return _step(rows, e, "finalized", pool=str(e.args["pool"]))


@handles("DisputeRaised")
def _dispute(rows: Rows, e: Event) -> set[int]:
    a = e.args
    rows.add("disputes", e, bounty_id=a["bountyId"], nonce=a["nonce"], arbiter=a["arbiter"],
             dispute_id=str(a["disputeId"]), escalated_at=e.block_time)
    return {a["bountyId"]}


@handles("Ruling")
def _ruling(rows: Rows, e: Event) -> set[int]:
    """ERC-792's Ruling (emitted by the review contract) names no bounty: the latest dispute of
    this arbiter with this id does. A plain arbiter's decision has no Ruling: its outcome is
    the proposal's step (upheld or rejected)."""
    a = e.args
    rows.flush()  # the dispute may have been raised earlier in this range
    row = rows.db.execute("SELECT d.bounty_id FROM disputes d JOIN review_policies p"
                          " ON p.chain_id = d.chain_id AND p.escrow = d.escrow AND p.bounty_id = d.bounty_id"
                          " WHERE d.chain_id = :chain_id AND d.escrow = :escrow AND d.arbiter = :arbiter"
                          " AND d.dispute_id = :dispute_id"
                          " AND p.arbiter_is_erc792 = 1 ORDER BY d.block_number DESC, d.log_index DESC",
                          {"chain_id": rows.chain_id, "escrow": rows.escrow, "arbiter": a["arbitrator"],
                           "dispute_id": str(a["disputeID"])}).fetchone()
    if row is None:
        return set()  # a dispute raised before the index's start: nothing to attach it to
    rows.add("rulings", e, bounty_id=row[0], arbiter=a["arbitrator"], dispute_id=str(a["disputeID"]),
             ruling=int(a["ruling"]))
    return {row[0]}
