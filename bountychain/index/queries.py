"""Reading the index: bounties and fundraisers and their totals, a funder's pledges, a
hunter's claims and awards, a sponsor's record, a beneficiary's receipts. Amounts are exact
integers of the token's base units.

Every function takes the index (`store.open_index`; a bare sqlite3 connection is read through
`store.as_index`) and reads it on one connection and one snapshot. The SQL is portable text
with named parameters: the same statements run on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any, TypeVar

from bountychain.sdk.constants import FUNDRAISER_CLAIM_PERIOD
from bountychain.index import store
from bountychain.index.records import (
    IndexStatus,
    BountySummary,
    FunderPledge,
    ClaimRow,
    PledgeEvent,
    Objection,
    BountyDetail,
    TokenAmounts,
    SponsorRecord,
    Receipt,
    BeneficiaryRecord,
    HunterRecord,
)
from bountychain.reports import is_report_uri
from bountychain.results import FundraiserState

BOUNTY_STATUSES = ("open", "expired", "under_review", "awarded", "cancelled")
PROPOSAL_STATES = ("none", "pending", "blocked", "escalated", "upheld", "executed")
# The SDK's names (`FundraiserState`): raising, succeeded, failed, paid, cancelled, lapsed.
FUNDRAISER_STATUSES = tuple(state.value for state in FundraiserState)
STATUSES = BOUNTY_STATUSES + tuple(s for s in FUNDRAISER_STATUSES if s not in BOUNTY_STATUSES)
KINDS = ("bounty", "fundraiser")

Db = store.Index | sqlite3.Connection
_Read = TypeVar("_Read", bound=Callable[..., Any])


def _reads(function: _Read) -> _Read:
    """Runs a query function on one connection and one snapshot of the index."""

    @wraps(function)
    def read(db: Db, *args: Any, **kwargs: Any) -> Any:
        index = store.as_index(db)
        with index.reading():
            return function(index, *args, **kwargs)

    return read  # type: ignore[return-value]


@_reads
def status(db: Db) -> IndexStatus:
    meta = dict(db.execute("SELECT key, value FROM meta WHERE key IN"  # one statement: every answer carries it
                           " ('chain_id', 'escrow', 'start_block', 'cursor', 'cursor_time')").fetchall())

    def number(key: str) -> int | None:
        value = meta.get(key)
        return None if value is None else int(value)

    return IndexStatus(number("chain_id"), meta.get("escrow"), number("start_block"), number("cursor"),
                       number("cursor_time"))


def _now(db: store.Index, now: int | None) -> int:
    if now is not None:
        return now
    value = store.get_meta(db, "cursor_time")
    return int(value) if value is not None else 0


_SUMMARY = ("SELECT b.*, COALESCE(t.symbol, '?') AS symbol, COALESCE(t.decimals, 0) AS decimals"
            " FROM bounties b LEFT JOIN tokens t ON t.token = b.token")


def fundraiser_state(stored: str, deadline: int, all_or_nothing: bool, raised: int, goal: int, now: int) -> str:
    """A fundraiser's state at `now`, as `Fundraiser.state` decides it on the chain, with what
    it raised by the deadline (a lapsed fundraiser whose backers refunded stays lapsed here,
    where the SDK, reading the chain's current total, would say failed)."""
    if stored in ("paid", "cancelled"):
        return stored
    if now < deadline:
        return FundraiserState.RAISING.value
    if all_or_nothing and raised < goal:
        return FundraiserState.FAILED.value
    if now >= deadline + FUNDRAISER_CLAIM_PERIOD:
        return FundraiserState.LAPSED.value
    return FundraiserState.SUCCEEDED.value


def _state(row: Mapping[str, Any], now: int) -> str:
    if row["kind"] == "fundraiser":
        return fundraiser_state(row["status"], row["deadline"], bool(row["all_or_nothing"]), int(row["raised"]),
                                int(row["goal"]), now)
    return "expired" if row["status"] == "open" and now >= row["deadline"] else row["status"]


def _int_tuple(text: str) -> tuple[int, ...]:
    """A JSON list of integers; most bounties never had a proposal ("[]")."""
    return () if text == "[]" else tuple(json.loads(text))


def _summary(found: store.Row, now: int) -> BountySummary:
    row = found.as_dict()  # every column is read, by name
    state = _state(row, now)
    fundraiser = row["kind"] == "fundraiser"
    return BountySummary(
        bounty_id=row["bounty_id"], uri=row["uri"], host=row["host"], repo=row["repo"], issuer=row["issuer"],
        approver=row["approver"], token=row["token"], symbol=row["symbol"], decimals=row["decimals"],
        deadline=row["deadline"], status=state, total=int(row["total"]), pledged=int(row["pledged"]),
        refunded=int(row["refunded"]), pool=int(row["pool"]), fee=int(row["fee"]), paid_out=int(row["paid_out"]),
        funder_count=row["funder_count"], claim_count=row["claim_count"], created_block=row["created_block"],
        kind=row["kind"], beneficiary=row["beneficiary"], goal=int(row["goal"]), raised=int(row["raised"]),
        all_or_nothing=bool(row["all_or_nothing"]),
        claim_deadline=row["deadline"] + FUNDRAISER_CLAIM_PERIOD if fundraiser else 0,
        optimistic=bool(row["optimistic"]), review_window=row["review_window"], quorum_bps=row["quorum_bps"],
        arbiter=row["arbiter"], arbiter_is_erc792=bool(row["arbiter_is_erc792"]),
        proposal_state=row["proposal_state"], proposal_nonce=row["proposal_nonce"],
        proposed_claims=_int_tuple(row["proposed_claims"]), proposed_shares=_int_tuple(row["proposed_shares"]), proposal_total=int(row["proposal_total"]),
        window_end=row["window_end"], decide_by=row["decide_by"], weight_against=int(row["weight_against"]),
        quorum_weight=-(-row["quorum_bps"] * int(row["proposal_total"] if row["proposal_nonce"] else row["total"])
                        // 10_000),
        dispute_id=row["dispute_id"],
    )


SORTS = ("newest", "amount", "deadline")
# amount: the most held first. Amounts are TEXT (uint256 exceeds 64 bits): among decimal
# strings without leading zeros the longer is the larger, so (length, text) orders them exactly.
_ORDER = {"newest": "b.bounty_id DESC",
          "amount": "LENGTH(b.total) DESC, b.total DESC, b.bounty_id DESC",
          "deadline": "b.deadline ASC, b.bounty_id DESC"}
# Statuses that depend on amounts as well as the time: filtered in Python after the query.
_COMPUTED_STATUSES = ("succeeded", "failed", "lapsed")


def _bounty_filter(db: store.Index, *, repo: str | None, issue: str | None, status: str | None,
                   token: str | None, kind: str | None, beneficiary: str | None, owner: str | None,
                   issuer: str | None, chain: int | None, moment: int) -> tuple[str, dict[str, object]]:
    """The WHERE clause (with named parameters) of `bounties` and `count_bounties`."""
    if status is not None and status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}")
    if kind is not None and kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    where: list[str] = []
    params: dict[str, object] = {"now": moment}
    if chain is not None:
        indexed = store.get_meta(db, "chain_id")
        if indexed is None or int(indexed) != chain:
            where.append("1 = 0")  # this index follows another chain
    if kind is not None:
        where.append("b.kind = :kind")
        params["kind"] = kind
    if repo is not None:
        wanted = repo.strip("/").lower()
        where.append("(b.repo = :repo OR SUBSTR(b.repo, 1, :repo_prefix_length) = :repo_prefix)")
        params.update(repo=wanted, repo_prefix_length=len(wanted) + 1, repo_prefix=wanted + "/")
    if owner is not None:  # the repository's owner: the account or organisation before the first "/"
        prefix = owner.strip("/").lower() + "/"
        where.append("SUBSTR(b.repo, 1, :owner_prefix_length) = :owner_prefix")
        params.update(owner_prefix_length=len(prefix), owner_prefix=prefix)
    if issue is not None:
        where.append("b.uri = :issue")
        params["issue"] = issue
    if token is not None:
        where.append("b.token = :token")
        params["token"] = token
    if beneficiary is not None:
        where.append("b.beneficiary = :beneficiary")
        params["beneficiary"] = beneficiary
    if issuer is not None:
        where.append("b.issuer = :issuer")
        params["issuer"] = issuer
    if status in ("open", "expired"):
        where.append("b.status = 'open' AND b.deadline " + (">" if status == "open" else "<=") + " :now")
    elif status == "raising":
        where.append("b.status = 'raising' AND b.deadline > :now")
    elif status in _COMPUTED_STATUSES:
        # Past the deadline and not paid: which of the three depends on amounts (exact
        # integers, compared in Python).
        where.append("b.status = 'raising' AND b.deadline <= :now")
    elif status is not None:
        where.append("b.status = :status")
        params["status"] = status
    return (" WHERE " + " AND ".join(where) if where else ""), params


@_reads
def bounties(db: Db, *, repo: str | None = None, issue: str | None = None,
             status: str | None = None, token: str | None = None, kind: str | None = None,
             beneficiary: str | None = None, now: int | None = None, owner: str | None = None,
             issuer: str | None = None, chain: int | None = None, sort: str = "newest",
             limit: int | None = None, offset: int = 0) -> list[BountySummary]:
    """Bounties and fundraisers, newest first, filtered by kind (bounty, fundraiser),
    repository ("owner/name", or a group prefix), the repository's owner, exact issue
    (project) URL, status (a bounty's open, expired, under_review (an optimistic bounty with a
    live proposal), awarded, cancelled; a fundraiser's raising, succeeded, failed, paid,
    cancelled, lapsed), token address, beneficiary, issuer and chain id. `now` (default: the
    time of the last indexed block) decides what has expired, succeeded, failed or lapsed.

    `sort`: newest (default), amount (the most held first, in the token's base units: compare
    within one token) or deadline (the soonest first). `limit` and `offset` page the result
    (`count_bounties` gives the total)."""
    if sort not in SORTS:
        raise ValueError(f"sort must be one of {', '.join(SORTS)}")
    if limit is not None and limit < 0 or offset < 0:
        raise ValueError("limit and offset must not be negative")
    moment = _now(db, now)
    condition, params = _bounty_filter(db, repo=repo, issue=issue, status=status, token=token, kind=kind,
                                       beneficiary=beneficiary, owner=owner, issuer=issuer, chain=chain,
                                       moment=moment)
    sql = _SUMMARY + condition + " ORDER BY " + _ORDER[sort]
    if status in _COMPUTED_STATUSES:  # filtered after the query, so paged after it too
        found = [summary for summary in (_summary(row, moment) for row in db.execute(sql, params))
                 if summary.status == status]
        return found[offset:None if limit is None else offset + limit]
    if limit is not None or offset:
        # The page is cut from `bounties` alone, and only its rows are joined with their tokens:
        # an offset then skips rows without joining them (5x faster 5,000 rows in).
        page = ("SELECT * FROM bounties b" + condition + " ORDER BY " + _ORDER[sort]
                + " LIMIT :limit OFFSET :offset")
        sql = _SUMMARY.replace(" FROM bounties b ", f" FROM ({page}) b ") + " ORDER BY " + _ORDER[sort]
        params.update(limit=2**62 if limit is None else limit, offset=offset)  # no LIMIT ALL in SQLite
    found = [_summary(row, moment) for row in db.execute(sql, params)]
    return found if status is None else [summary for summary in found if summary.status == status]


@_reads
def count_bounties(db: Db, *, repo: str | None = None, issue: str | None = None,
                   status: str | None = None, token: str | None = None, kind: str | None = None,
                   beneficiary: str | None = None, now: int | None = None, owner: str | None = None,
                   issuer: str | None = None, chain: int | None = None) -> int:
    """How many bounties `bounties` lists with these filters, unpaged."""
    if status in _COMPUTED_STATUSES:
        return len(bounties(db, repo=repo, issue=issue, status=status, token=token, kind=kind,
                            beneficiary=beneficiary, now=now, owner=owner, issuer=issuer, chain=chain))
    condition, params = _bounty_filter(db, repo=repo, issue=issue, status=status, token=token, kind=kind,
                                       beneficiary=beneficiary, owner=owner, issuer=issuer, chain=chain,
                                       moment=_now(db, now))
    return int(db.execute("SELECT COUNT(*) FROM bounties b" + condition, params).fetchone()[0])  # noqa: S608


@_reads
def bounty(db: Db, bounty_id: int, *, now: int | None = None) -> BountyDetail | None:
    """One bounty with its funders' pledges, every pledge event, and its claims."""
    moment = _now(db, now)
    key = {"bounty_id": bounty_id}
    row = db.execute(_SUMMARY + " WHERE b.bounty_id = :bounty_id", key).fetchone()
    if row is None:
        return None
    summary = _summary(row, moment)
    events = [PledgeEvent(r["bounty_id"], r["funder"], int(r["amount"]), r["unlocks_at"], r["block_number"],
                          r["tx_hash"])
              for r in db.execute("SELECT * FROM pledges WHERE bounty_id = :bounty_id ORDER BY block_number, log_index",
                                  key)]
    pledges = _funder_pledges(db, "p.bounty_id = :bounty_id", "r.bounty_id = :bounty_id", key, moment)
    return BountyDetail(summary, pledges, events,
                        _claims(db, "c.bounty_id = :bounty_id", key), _objections(db, "o.bounty_id = :bounty_id", key))


def _objections(db: store.Index, condition: str, params: dict[str, object]) -> list[Objection]:
    rows = db.execute(
        "SELECT o.*, b.token, COALESCE(t.symbol, '?') AS symbol, COALESCE(t.decimals, 0) AS decimals"
        " FROM objections o JOIN bounties b ON b.bounty_id = o.bounty_id LEFT JOIN tokens t ON t.token = b.token"
        f" WHERE {condition} ORDER BY o.block_number, o.log_index", params).fetchall()  # noqa: S608
    return [Objection(row["bounty_id"], row["nonce"], row["funder"], int(row["weight"]), int(row["weight_against"]),
                      row["token"], row["symbol"], row["decimals"], row["block_number"], row["tx_hash"])
            for row in rows]


@_reads
def funder_objections(db: Db, funder: str) -> list[Objection]:
    """A funder's objections to proposals, oldest first."""
    return _objections(db, "o.funder = :funder", {"funder": funder})


@_reads
def totals(db: Db, bounty_id: int) -> dict[str, int] | None:
    """A bounty's amounts: total (held now), pledged, refunded, pool, fee, paid_out."""
    row = db.execute("SELECT total, pledged, refunded, pool, fee, paid_out FROM bounties WHERE bounty_id = :bounty_id",
                     {"bounty_id": bounty_id}).fetchone()
    return None if row is None else {key: int(row[key]) for key in row.keys()}


def _funder_pledges(db: store.Index, condition: str, refunds_condition: str, params: dict[str, object],
                    now: int) -> list[FunderPledge]:
    """Per (bounty, funder): pledged, refunded, and what became of the rest. `condition` selects
    the pledges (alias p), `refunds_condition` the same bounties' or funder's refunds (alias r)."""
    rows = db.execute(
        "SELECT p.bounty_id, p.funder, p.amount, p.unlocks_at, b.token, b.status, b.kind, b.deadline,"
        " b.all_or_nothing, b.raised, b.goal, COALESCE(t.symbol, '?') AS symbol,"
        " COALESCE(t.decimals, 0) AS decimals FROM pledges p JOIN bounties b ON b.bounty_id = p.bounty_id"
        f" LEFT JOIN tokens t ON t.token = b.token WHERE {condition} ORDER BY p.block_number, p.log_index",  # noqa: S608
        params).fetchall()
    grouped: dict[tuple[int, str], dict[str, Any]] = {}
    for found in rows:
        row = found.as_dict()
        key = (row["bounty_id"], row["funder"])
        entry = grouped.setdefault(key, {"row": row, "pledged": 0, "unlocks_at": 0})
        entry["pledged"] += int(row["amount"])
        entry["unlocks_at"] = row["unlocks_at"]  # a top-up re-locks the whole pledge
    # The refunds of these pledges, in one query (not one per pledge).
    refunds: dict[tuple[int, str], int] = defaultdict(int)
    if grouped:
        for bounty_id, funder, amount in db.execute(
                f"SELECT r.bounty_id, r.funder, r.amount FROM refunds r WHERE {refunds_condition}", params):  # noqa: S608
            refunds[(bounty_id, funder)] += int(amount)
    withheld = _withheld_from_awards(db, sorted({bounty_id for (bounty_id, _), entry in grouped.items()
                                                 if _state(entry["row"], now) == "awarded"}))
    result = []
    for (bounty_id, funder), entry in grouped.items():
        row = entry["row"]
        refunded = refunds[(bounty_id, funder)]
        pledged = int(entry["pledged"])
        outstanding = pledged - refunded
        paid_out = 0
        summary_state = _state(row, now)
        if summary_state == "awarded" and funder in withheld.get(bounty_id, ()):
            # It objected to the proposal that was awarded: its pledge never funded the award
            # and is refundable at once.
            state = "refundable" if outstanding else "refunded"
        elif summary_state in ("awarded", "paid"):
            paid_out, outstanding, state = outstanding, 0, summary_state
        elif outstanding == 0:
            state = "refunded"
        elif row["kind"] == "fundraiser":
            # Every fundraiser pledge is locked to the deadline; after it, refundable only if
            # the goal was missed (all-or-nothing) or the payout lapsed.
            state = "refundable" if summary_state in ("cancelled", "failed", "lapsed") else "locked"
        elif row["status"] == "under_review":
            state = "frozen"  # a proposal is live: no refund until it is settled or rejected
        elif row["status"] == "cancelled" or now >= int(entry["unlocks_at"]):
            state = "refundable"
        else:
            state = "locked"
        unlocks_at = int(entry["unlocks_at"])
        result.append(FunderPledge(bounty_id, funder, row["token"], row["symbol"], row["decimals"], pledged, refunded,
                                   outstanding, paid_out, unlocks_at, state, row["kind"]))
    return result


def _withheld_from_awards(db: store.Index, bounty_ids: list[int]) -> dict[int, set[str]]:
    """Per awarded bounty, the funders whose pledges a reviewed bounty's award left out: the
    objectors to the finalized proposal, unless the arbiter upheld it (then the award took
    every pledge). Three statements for all of `bounty_ids` (none for a bounty not reviewed)."""
    withheld: dict[int, set[str]] = {}
    for start in range(0, len(bounty_ids), 500):  # bounded parameter lists, on any database
        params: dict[str, object] = {f"id{n}": bounty_id for n, bounty_id in enumerate(bounty_ids[start:start + 500])}
        among = f"bounty_id IN ({', '.join(':' + name for name in params)})"
        steps = db.execute(f"SELECT bounty_id, nonce, step FROM proposal_steps WHERE {among}"  # noqa: S608
                           " AND step IN ('finalized', 'upheld')", params).fetchall()
        finalized = {(bounty_id, nonce) for bounty_id, nonce, step in steps if step == "finalized"}
        finalized -= {(bounty_id, nonce) for bounty_id, nonce, step in steps if step == "upheld"}
        if not finalized:
            continue
        for bounty_id, nonce, funder in db.execute(
                f"SELECT bounty_id, nonce, funder FROM objections WHERE {among}", params):  # noqa: S608
            if (bounty_id, nonce) in finalized:
                withheld.setdefault(bounty_id, set()).add(funder)
    return withheld


def _claims(db: store.Index, condition: str, values: dict[str, object]) -> list[ClaimRow]:
    # The columns by position, in ClaimRow's order (a page of the list reads a hundred claims).
    rows = db.execute(
        "SELECT c.bounty_id, c.claim_id, c.hunter, c.uri, b.token, COALESCE(t.symbol, '?') AS symbol,"
        " COALESCE(t.decimals, 0) AS decimals, c.block_number, c.tx_hash, bl.block_time"
        " FROM claims c JOIN bounties b ON b.bounty_id = c.bounty_id LEFT JOIN tokens t ON t.token = b.token"
        " LEFT JOIN blocks bl ON bl.block_number = c.block_number"
        f" WHERE {condition} ORDER BY c.block_number, c.log_index", values).fetchall()  # noqa: S608
    # What each claim was paid, in one query (not one per claim): the payouts of the same claims.
    paid: dict[tuple[int, int], int] = defaultdict(int)
    if rows:
        for payout in db.execute(
                "SELECT p.bounty_id, p.claim_id, p.amount FROM payouts p JOIN claims c"
                f" ON c.bounty_id = p.bounty_id AND c.claim_id = p.claim_id WHERE {condition}", values):  # noqa: S608
            paid[(payout[0], payout[1])] += int(payout[2])
    return [ClaimRow(bounty_id, claim_id, hunter, uri, paid[(bounty_id, claim_id)], token, symbol, decimals, block, tx,
                     *_report_fields(uri, block_time))
            for bounty_id, claim_id, hunter, uri, token, symbol, decimals, block, tx, block_time in rows]


def _report_fields(uri: str, block_time: int | None) -> tuple[bool, int | None]:
    """(private_report, committed_at) of a claim: a report's commitment is shown with the
    time of its block, never as a link."""
    if not is_report_uri(uri):
        return False, None
    return True, None if block_time is None else int(block_time)


@_reads
def claims_of(db: Db, bounty_ids: list[int]) -> dict[int, list[ClaimRow]]:
    """The claims (solutions) of several bounties, by bounty id."""
    result: dict[int, list[ClaimRow]] = {bounty_id: [] for bounty_id in bounty_ids}
    for start in range(0, len(bounty_ids), 500):  # bounded parameter lists, on any database
        chunk = bounty_ids[start:start + 500]
        params: dict[str, object] = {f"id{n}": bounty_id for n, bounty_id in enumerate(chunk)}
        for claim in _claims(db, f"c.bounty_id IN ({', '.join(':' + name for name in params)})", params):
            result[claim.bounty_id].append(claim)
    return result


@_reads
def funder_pledges(db: Db, funder: str, *, now: int | None = None) -> list[FunderPledge]:
    """A funder's pledges, one per bounty."""
    return _funder_pledges(db, "p.funder = :funder", "r.funder = :funder", {"funder": funder}, _now(db, now))


@_reads
def hunter_record(db: Db, hunter: str) -> HunterRecord:
    """A hunter's claims, the ones that were paid, and the total earned per token."""
    claims = _claims(db, "c.hunter = :hunter", {"hunter": hunter})
    awards = [claim for claim in claims if claim.paid]
    earned: dict[str, TokenAmounts] = {}
    for claim in awards:
        before = earned.get(claim.token) or TokenAmounts(claim.token, claim.symbol, claim.decimals)
        earned[claim.token] = TokenAmounts(claim.token, claim.symbol, claim.decimals, paid_out=before.paid_out + claim.paid)
    return HunterRecord(hunter, claims, awards, list(earned.values()))


@_reads
def sponsor_record(db: Db, funder: str, *, now: int | None = None) -> SponsorRecord:
    """Of what a funder pledged, per token: how much went to bounty awards, to the
    beneficiaries of fundraisers it backed, came back as refunds, and is still held."""
    pledges = funder_pledges(db, funder, now=now)
    sums: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    meta: dict[str, tuple[str, int]] = {}
    for pledge in pledges:
        meta[pledge.token] = (pledge.symbol, pledge.decimals)
        for key in ("pledged", "refunded", "outstanding"):
            sums[pledge.token][key] += getattr(pledge, key)
        sums[pledge.token]["to_fundraisers" if pledge.kind == "fundraiser" else "paid_out"] += pledge.paid_out
    by_token = [TokenAmounts(token, *meta[token], **values) for token, values in sums.items()]
    backed = sum(1 for pledge in pledges if pledge.kind == "fundraiser")
    return SponsorRecord(funder, len(pledges) - backed, by_token, pledges, backed)


@_reads
def beneficiary_record(db: Db, beneficiary: str, *, now: int | None = None) -> BeneficiaryRecord:
    """The fundraisers whose beneficiary is `beneficiary` (newest first), each payout they made
    to it (oldest first), and the total received per token."""
    fundraisers = bounties(db, kind="fundraiser", beneficiary=beneficiary, now=now)
    rows = db.execute(
        "SELECT r.*, b.token, COALESCE(t.symbol, '?') AS symbol, COALESCE(t.decimals, 0) AS decimals"
        " FROM raised_paid r JOIN bounties b ON b.bounty_id = r.bounty_id LEFT JOIN tokens t ON t.token = b.token"
        " WHERE r.beneficiary = :beneficiary ORDER BY r.block_number, r.log_index",
        {"beneficiary": beneficiary}).fetchall()
    receipts = [Receipt(row["bounty_id"], row["beneficiary"], int(row["amount"]), row["token"], row["symbol"],
                        row["decimals"], row["block_number"], row["tx_hash"]) for row in rows]
    received: dict[str, TokenAmounts] = {}
    for receipt in receipts:
        before = received.get(receipt.token) or TokenAmounts(receipt.token, receipt.symbol, receipt.decimals)
        received[receipt.token] = TokenAmounts(receipt.token, receipt.symbol, receipt.decimals,
                                               paid_out=before.paid_out + receipt.amount)
    return BeneficiaryRecord(beneficiary, fundraisers, receipts, list(received.values()))


@_reads
def bounties_by_ids(db: Db, bounty_ids: list[int], *, now: int | None = None) -> list[BountySummary]:
    """The bounties and fundraisers with these ids that the index holds, newest first."""
    moment, found = _now(db, now), []
    for start in range(0, len(bounty_ids), 500):  # bounded parameter lists, on any database
        params: dict[str, object] = {f"id{n}": bounty_id for n, bounty_id in enumerate(bounty_ids[start:start + 500])}
        if params:
            found += [_summary(row, moment) for row in db.execute(
                _SUMMARY + f" WHERE b.bounty_id IN ({', '.join(':' + name for name in params)})", params)]  # noqa: S608
    return sorted(found, key=lambda summary: summary.bounty_id, reverse=True)


def _block_times(db: store.Index, numbers: list[int]) -> dict[int, int]:
    """The time of each block in `numbers`: exact where the index stored it (the last block of
    every synced range), else interpolated between the nearest stored blocks around it (block
    times are near constant; an index that follows the chain stores one every few blocks)."""
    low, high = min(numbers), max(numbers)
    before = db.execute("SELECT block_number, block_time FROM blocks WHERE block_time IS NOT NULL"
                        " AND block_number <= :low ORDER BY block_number DESC LIMIT 1", {"low": low}).fetchall()
    after = db.execute("SELECT block_number, block_time FROM blocks WHERE block_time IS NOT NULL"
                       " AND block_number >= :high ORDER BY block_number LIMIT 1", {"high": high}).fetchall()
    inside = db.execute("SELECT block_number, block_time FROM blocks WHERE block_time IS NOT NULL"
                        " AND block_number > :low AND block_number < :high", {"low": low, "high": high}).fetchall()
    known = sorted({int(row[0]): int(row[1]) for row in [*before, *inside, *after]}.items())
    times = {}
    for number in numbers:
        below = [point for point in known if point[0] <= number]
        above = [point for point in known if point[0] >= number]
        if below and above and above[0][0] != below[-1][0]:
            (n0, t0), (n1, t1) = below[-1], above[0]
            times[number] = t0 + (t1 - t0) * (number - n0) // (n1 - n0)
        else:
            times[number] = (below[-1] if below else above[0])[1] if known else 0
    return times


@_reads
def funding_history(db: Db, bounty_id: int) -> list[dict[str, int | str]]:
    """Every change to what a bounty or fundraiser holds, oldest first: pledges (+), refunds,
    awards and fundraiser payouts (-), each with its block, the block's time (see
    `_block_times`) and the running totals pledged (ever) and total (held after it)."""
    key = {"bounty_id": bounty_id}
    changes = []
    for table, kind, sign in (("pledges", "pledge", 1), ("refunds", "refund", -1), ("payouts", "award", -1),
                              ("raised_paid", "payout", -1)):
        for row in db.execute(f"SELECT block_number, log_index, amount FROM {table}"  # noqa: S608 - fixed names
                              " WHERE bounty_id = :bounty_id", key):
            changes.append((row[0], row[1], kind, sign * int(row[2])))
    times = _block_times(db, [change[0] for change in changes]) if changes else {}
    pledged = held = 0
    history: list[dict[str, int | str]] = []
    for block_number, _, kind, change in sorted(changes):
        pledged += max(change, 0)
        held += change
        history.append({"block_number": block_number, "time": times[block_number], "kind": kind,
                        "amount": abs(change), "pledged": pledged, "total": max(held, 0)})
    return history


def pay_rate(summaries: list[BountySummary]) -> dict[str, int]:
    """Of these bounties (a funder's), how many were awarded and how many expired unpaid
    (deadline passed with no award), and how many were cancelled; fundraisers are left out."""
    statuses = [summary.status for summary in summaries if summary.kind == "bounty"]
    return {"awarded": statuses.count("awarded"), "expired_unpaid": statuses.count("expired"),
            "cancelled": statuses.count("cancelled")}
