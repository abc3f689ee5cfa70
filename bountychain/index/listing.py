"""A bounty as the API lists it: its summary (the columns of its `bounties` row in its record's
field order, its token's symbol and decimals, and the fields derived from them), its
solutions, and the JSON text of both, which the index stores beside its row (`bounty_json`).

The sync writes that text whenever it recomputes a row (`store_json`, from `summaries`), in
the same transaction, so a page of the list is read rather than built: its statement reads
a dozen columns instead of forty, and the answer is the stored text with each bounty's status
written in (`listed`), the one field that depends on the time. The text is made from the
same read and by the same function (`summary_json`) as the answer it replaces, and the tests
compare the two on both backends. `SHAPE` names what the stored text holds (its fields, the
chains' names, `_TEXT_VERSION`): an index whose text was written by a version that shaped it
otherwise is rewritten when it is opened (`store.open_index`).

This module reads through whatever runs the index's statements (`store.Index`) and imports
nothing that imports it, so that the store can rewrite the text when it opens an index."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import fields
from typing import Any, Protocol

import msgspec

from bountychain.chains import KNOWN_CHAINS, chain_name
from bountychain.index.batches import CHUNK, escrow_chunks
from bountychain.index.records import BountySummary
from bountychain.reports import is_report_uri
from bountychain.sdk.constants import FUNDRAISER_CLAIM_PERIOD


class Statements(Protocol):
    """What this module reads and writes through (`store.Index`, inside a transaction or a
    `reading` block)."""

    def dicts(self, sql: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]: ...

    def tuples(self, sql: str, params: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]: ...

    def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> Any: ...

    def insert(self, table: str, rows: Sequence[Mapping[str, Any]]) -> None: ...


SUMMARY_FIELDS = tuple(field.name for field in fields(BountySummary))
# A summary's fields that no column of `bounties` holds: its token's, and those `summary_derived` computes.
_JOINED = {"symbol": "COALESCE(t.symbol, '?')", "decimals": "COALESCE(t.decimals, 0)",
           "claim_deadline": "NULL", "quorum_weight": "NULL", "chain_name": "NULL"}
# A summary's row: its columns in its record's field order (so a row is its JSON's dict as it
# is, `summary_json`), then the time of its escrow's last indexed block.
SUMMARY_SELECT = ("SELECT " + ", ".join(f"{_JOINED.get(name, 'b.' + name)} AS {name}" for name in SUMMARY_FIELDS)
                  + ", COALESCE(c.cursor_time, 0) AS chain_time"
                  " FROM bounties b LEFT JOIN tokens t ON t.chain_id = b.chain_id AND t.token = b.token"
                  " LEFT JOIN chains c ON c.chain_id = b.chain_id AND c.escrow = b.escrow")
# A row's stored JSON, with its key and what its status at a moment is decided by (`pledges.state_at`).
STORED_SELECT = ("SELECT b.chain_id, b.escrow, b.bounty_id, b.kind, b.status, b.deadline, b.all_or_nothing,"
                 " b.raised, b.goal, j.summary, j.solutions, COALESCE(c.cursor_time, 0) AS chain_time"
                 " FROM bounties b JOIN bounty_json j ON j.chain_id = b.chain_id AND j.escrow = b.escrow"
                 " AND j.bounty_id = b.bounty_id"
                 " LEFT JOIN chains c ON c.chain_id = b.chain_id AND c.escrow = b.escrow")
_SOLUTION_FIELDS = ("claim_id", "hunter", "uri", "paid", "private_report", "committed_at")
# Raised whenever what a field of the stored text says changes without its name changing.
_TEXT_VERSION = 1
# What the stored text holds: its fields, the chains' names it gives, and its version; any
# change makes another digest, and the text is written again (`store.open_index`).
SHAPE = hashlib.sha256(json.dumps([SUMMARY_FIELDS, _SOLUTION_FIELDS, [(chain.chain_id, chain.name)
                                                                      for chain in KNOWN_CHAINS],
                                   _TEXT_VERSION]).encode()).hexdigest()[:16]


def _int_tuple(text: str) -> tuple[int, ...]:
    """A JSON list of integers; most bounties never had a proposal ("[]")."""
    return () if text == "[]" else tuple(json.loads(text))


def summary_derived(row: dict[str, Any], state: str) -> dict[str, Any]:
    """A summary's fields that are not a column as it is (nor an amount): its status, the
    flags, a fundraiser's claim deadline, the proposal's lists, the weight that blocks it
    (the quorum of the pool it weighs against, rounded up) and the chain's name."""
    weighed = int(row["proposal_total"] if row["proposal_nonce"] else row["total"])
    return {"status": state, "all_or_nothing": bool(row["all_or_nothing"]),
            "claim_deadline": row["deadline"] + FUNDRAISER_CLAIM_PERIOD if row["kind"] == "fundraiser" else 0,
            "optimistic": bool(row["optimistic"]), "arbiter_is_erc792": bool(row["arbiter_is_erc792"]),
            "proposed_claims": _int_tuple(row["proposed_claims"]), "proposed_shares": _int_tuple(row["proposed_shares"]),
            "quorum_weight": -(-row["quorum_bps"] * weighed // 10_000), "chain_name": chain_name(row["chain_id"])}


def summary_json(row: dict[str, Any], state: str) -> dict[str, Any]:
    """A bounty's summary as the API's JSON has it, straight from its row (`SUMMARY_SELECT`):
    what `jsonable` makes of the `BountySummary` the same row gives, without building it. The
    row is this answer's own, its columns already in the record's order: the derived fields
    are written into it. The amounts stay the decimal text the index stores."""
    row.update(summary_derived(row, state))
    row["quorum_weight"] = str(row["quorum_weight"])
    del row["chain_time"]  # read to decide its status, not a field
    return row


class Ready(dict[str, Any]):
    """A dict already as the API's JSON is to be (records converted, amounts as strings):
    `web.responses.jsonable` returns it as it is, so an answer built of converted parts is not
    walked again."""


def json_bytes(value: Any) -> bytes:
    """`value` (JSON's types, and JSON text already made: `msgspec.Raw`) as JSON text in UTF-8."""
    try:
        return msgspec.json.encode(value)
    except (TypeError, UnicodeEncodeError):  # not JSON for msgspec (a lone surrogate): as JSON always did
        return json.dumps(value, default=_parsed).encode()


def _parsed(value: Any) -> Any:
    if isinstance(value, msgspec.Raw):
        return json.loads(bytes(value))
    raise TypeError(f"{type(value).__name__} is not JSON")


def solutions_of(db: Statements, bounties: list[tuple[int, str, int]]) -> dict[tuple[int, str, int], list[dict[str, Any]]]:
    """The solutions of several bounties, by (chain id, escrow, bounty id), oldest first, each as
    the list shows it: claim_id, hunter, uri, paid (a decimal string of base units: the sum of
    its payouts) private_report and committed_at (a report's block time: its commitment is
    never a link). Inside a transaction or a `reading` block.

    The claims, their payouts and the reports' blocks are read by separate statements, each
    on one table's index: the sync runs this on tables that grow faster than PostgreSQL's
    statistics, and a join of the three was planned as a scan of payouts per claim (0.4 s a
    call in a sync of 100,000 events)."""
    result: dict[tuple[int, str, int], list[dict[str, Any]]] = {key: [] for key in bounties}
    for params, condition in escrow_chunks(bounties):
        chain_id, escrow = params["chain"], params["escrow"]
        paid: dict[tuple[int, int], int] = defaultdict(int)
        for bounty_id, claim_id, amount in db.tuples(
                f"SELECT bounty_id, claim_id, amount FROM payouts WHERE {condition.format(a='payouts')}", params):
            paid[(bounty_id, claim_id)] += int(amount)  # a claim paid by several milestones: a payout each
        reports: list[tuple[dict[str, Any], int]] = []  # a report's solution and its block
        for bounty_id, claim_id, hunter, uri, block_number in db.tuples(
                f"SELECT bounty_id, claim_id, hunter, uri, block_number FROM claims WHERE {condition.format(a='claims')}"
                " ORDER BY block_number, log_index, chain_id", params):
            solution = dict(zip(_SOLUTION_FIELDS, (claim_id, hunter, uri, str(paid.get((bounty_id, claim_id), 0)),
                                                   is_report_uri(uri), None)))
            result[(chain_id, escrow, bounty_id)].append(solution)  # type: ignore[index]
            if solution["private_report"]:
                reports.append((solution, block_number))
        times = _block_times(db, chain_id, escrow, sorted({block_number for _, block_number in reports}))
        for solution, block_number in reports:
            solution["committed_at"] = times.get(block_number)
    return result


def _block_times(db: Statements, chain_id: object, escrow: object, numbers: list[int]) -> dict[int, int]:
    """The stored time of each of these blocks of an escrow that has one."""
    times: dict[int, int] = {}
    for start in range(0, len(numbers), CHUNK):
        params: dict[str, object] = {f"block{n}": number for n, number in enumerate(numbers[start:start + CHUNK])}
        times.update((int(number), int(block_time)) for number, block_time in db.tuples(
            "SELECT block_number, block_time FROM blocks WHERE chain_id = :chain AND escrow = :escrow"  # noqa: S608
            f" AND block_time IS NOT NULL AND block_number IN ({', '.join(':' + name for name in params)})",
            {**params, "chain": chain_id, "escrow": escrow}))
    return times


def store_json(db: Statements, bounties: Iterable[tuple[int, str, int]]) -> None:
    """Writes the JSON text of these bounties' summaries (without the status) and solutions
    (`bounty_json`), from their rows as they are now: after `summaries` has recomputed them,
    and the blocks of their claims are stored (a report's time). A bounty without a summary
    row (rolled back) loses its text. Inside the caller's transaction."""
    keys = sorted(set(bounties))
    solutions = solutions_of(db, keys)
    stored = []
    for params, condition in escrow_chunks(keys):
        db.execute(f"DELETE FROM bounty_json WHERE {condition.format(a='bounty_json')}", params)  # noqa: S608
        for row in db.dicts(SUMMARY_SELECT + " WHERE " + condition.format(a="b"), params):
            key = (row["chain_id"], row["escrow"], row["bounty_id"])
            summary = summary_json(row, "")
            del summary["status"]  # decided when read: `listed`
            stored.append({"chain_id": key[0], "escrow": key[1], "bounty_id": key[2],
                           "summary": json_bytes(summary).decode(), "solutions": json_bytes(solutions[key]).decode()})
    db.insert("bounty_json", stored)


def store_all_json(db: Statements) -> None:
    """`store_json` of every bounty of the index (inside the caller's transaction)."""
    store_json(db, [(chain_id, escrow, bounty_id) for chain_id, escrow, bounty_id
                    in db.tuples("SELECT chain_id, escrow, bounty_id FROM bounties")])


def listed(row: dict[str, Any], state: str) -> msgspec.Raw:
    """A bounty as a page of the list has it, from its stored JSON (`STORED_SELECT`): its
    summary with its status at the moment read, and its solutions. Raw JSON: the encoder
    copies it into the answer as it is."""
    return msgspec.Raw(f'{{"status":"{state}",{row["summary"][1:-1]},"solutions":{row["solutions"]}}}')


def summary_text(row: dict[str, Any], state: str) -> msgspec.Raw:
    """A bounty's summary as the API's JSON has it (`summary_json`), from its stored JSON
    (`STORED_SELECT`), with its status at the moment read."""
    return msgspec.Raw(f'{{"status":"{state}",{row["summary"][1:]}')


__all__ = ["SHAPE", "STORED_SELECT", "SUMMARY_FIELDS", "SUMMARY_SELECT", "Ready", "json_bytes", "listed",
           "solutions_of", "store_all_json", "store_json", "summary_derived", "summary_json", "summary_text"]
