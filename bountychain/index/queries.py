"""Reading the index: bounties and fundraisers and their totals, a funder's pledges, a
hunter's claims and awards, a sponsor's record, a beneficiary's receipts. Amounts are exact
integers of the token's base units.

Every function takes the index (`store.open_index`; a bare sqlite3 connection is read through
`store.as_index`) and reads it on one connection and one snapshot. The SQL is portable text
with named parameters: the same statements run on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import replace
from functools import wraps
from typing import Any, TypeVar

from bountychain.chains import chain_name
from bountychain.index import cursors, store
from bountychain.index.listing import STORED_SELECT, SUMMARY_FIELDS, SUMMARY_SELECT, summary_derived
from bountychain.index.batches import escrow_chunks
from bountychain.index.pledges import BOUNTY_COLUMNS, funder_pledges_of, funder_pledges_where, state_at
from bountychain.index.spam import spam_marks
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
    built,
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


def reads(function: _Read) -> _Read:
    """Runs a query function on one connection and one snapshot of the index."""

    @wraps(function)
    def read(db: Db, *args: Any, **kwargs: Any) -> Any:
        index = store.as_index(db)
        with index.reading():
            return function(index, *args, **kwargs)

    return read  # type: ignore[return-value]


class AmbiguousBounty(ValueError):
    """A bounty id asked for without its chain or escrow, which more than one (chain, escrow) of
    the index has: `choices` names them, `chain_ids` their chains."""

    def __init__(self, bounty_id: int, choices: list[tuple[int, str]]) -> None:
        self.bounty_id, self.choices = bounty_id, choices
        self.chain_ids = sorted({chain_id for chain_id, _ in choices})
        names = ", ".join(f"{chain_name(chain_id)} (chain={chain_id}, escrow={escrow})" for chain_id, escrow in choices)
        where = "chains" if len(self.chain_ids) > 1 else "escrows"
        super().__init__(f"bounty {bounty_id} is on several {where}: {names}; name the "
                         f"{'chain' if where == 'chains' else 'escrow'}")


def _chain_status(row: store.Row) -> IndexStatus:
    return IndexStatus(row["chain_id"], row["escrow"], row["start_block"], row["cursor"], row["cursor_time"],
                       chain_name(row["chain_id"]))


@reads
def chains(db: Db) -> list[IndexStatus]:
    """Every (chain, escrow) the index follows, by chain id and then start block (a chain's
    deployment history, oldest first), with how far each is indexed."""
    return [_chain_status(row) for row in cursors.chains(db)]


@reads
def status(db: Db, chain: int | None = None) -> IndexStatus:
    """How far `chain` is indexed; without `chain`, the index's only chain (all None for an
    index of no chain, or of several: see `chains`). A chain with several escrows: its newest
    escrow, with the cursor of the one furthest behind (what every escrow has indexed)."""
    rows = [row for row in cursors.chains(db) if chain is None or row["chain_id"] == chain]
    if len({row["chain_id"] for row in rows}) == 1:
        behind = min(rows, key=lambda row: row["cursor"])
        return replace(_chain_status(rows[-1]), cursor=behind["cursor"], cursor_time=behind["cursor_time"])
    return IndexStatus(chain, None, None, None, None, None if chain is None else chain_name(chain))


# "now" for a row: the time of its escrow's last indexed block (each has its own clock).
_CHAIN_TIME = "COALESCE((SELECT c.cursor_time FROM chains c WHERE c.chain_id = b.chain_id AND c.escrow = b.escrow), 0)"


def _with_state(row: dict[str, Any], now: int | None) -> tuple[dict[str, Any], str]:
    """A summary row (every column is read, by name) and its status at `now` (else at the time
    of its escrow's last indexed block)."""
    return row, state_at(row, row["chain_time"] if now is None else now)


# A summary row's amounts: decimal TEXT in the index (uint256 exceeds 64 bits), ints in the record.
_AMOUNT_COLUMNS = frozenset({"total", "pledged", "refunded", "pool", "fee", "paid_out", "goal", "raised",
                             "proposal_total", "weight_against"})


def _summary_of(row: dict[str, Any], state: str) -> BountySummary:
    derived = summary_derived(row, state)
    return built(BountySummary, **{name: derived[name] if name in derived else
                                   int(row[name]) if name in _AMOUNT_COLUMNS else row[name]
                                   for name in SUMMARY_FIELDS})


SORTS = ("newest", "amount", "deadline")
# amount: the most held first. Amounts are TEXT (uint256 exceeds 64 bits): among decimal
# strings without leading zeros the longer is the larger, so (length, text) orders them exactly.
# Ties (the same id on two chains or escrows) go to the larger chain id, then escrow, so a page
# is always cut the same way.
_ORDER = {"newest": "b.bounty_id DESC, b.chain_id DESC, b.escrow DESC",
          "amount": "LENGTH(b.total) DESC, b.total DESC, b.bounty_id DESC, b.chain_id DESC, b.escrow DESC",
          "deadline": "b.deadline ASC, b.bounty_id DESC, b.chain_id DESC, b.escrow DESC"}
# Statuses that depend on amounts as well as the time: filtered in Python after the query.
_COMPUTED_STATUSES = ("succeeded", "failed", "lapsed")


def _bounty_filter(db: store.Index, *, repo: str | None, issue: str | None, status: str | None,
                   token: str | None, kind: str | None, beneficiary: str | None, owner: str | None,
                   issuer: str | None, chain: int | None, now: int | None,
                   escrow: str | None = None) -> tuple[str, dict[str, object]]:
    """The WHERE clause (with named parameters) of `bounties` and `count_bounties`. `now`: the
    moment that decides what has expired, else each chain's own time."""
    if status is not None and status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}")
    if kind is not None and kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    where: list[str] = []
    params: dict[str, object] = {}
    moment = _CHAIN_TIME
    if now is not None:
        moment, params["now"] = ":now", now
    if chain is not None:
        where.append("b.chain_id = :chain")
        params["chain"] = chain
    if escrow is not None:
        where.append("b.escrow = :escrow")
        params["escrow"] = escrow
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
        where.append("b.status = 'open' AND b.deadline " + (">" if status == "open" else "<=") + f" {moment}")
    elif status == "raising":
        where.append(f"b.status = 'raising' AND b.deadline > {moment}")
    elif status in _COMPUTED_STATUSES:
        # Past the deadline and not paid: which of the three depends on amounts (exact
        # integers, compared in Python).
        where.append(f"b.status = 'raising' AND b.deadline <= {moment}")
    elif status is not None:
        where.append("b.status = :status")
        params["status"] = status
    return (" WHERE " + " AND ".join(where) if where else ""), params


@reads
def bounties(db: Db, *, repo: str | None = None, issue: str | None = None,
             status: str | None = None, token: str | None = None, kind: str | None = None,
             beneficiary: str | None = None, now: int | None = None, owner: str | None = None,
             issuer: str | None = None, chain: int | None = None, sort: str = "newest",
             limit: int | None = None, offset: int = 0, escrow: str | None = None,
             shape: Callable[[dict[str, Any], str], Any] = _summary_of, stored: bool = False) -> list[Any]:
    """Bounties and fundraisers, newest first, filtered by kind (bounty, fundraiser),
    repository ("owner/name", or a group prefix), the repository's owner, exact issue
    (project) URL, status (a bounty's open, expired, under_review (an optimistic bounty with a
    live proposal), awarded, cancelled; a fundraiser's raising, succeeded, failed, paid,
    cancelled, lapsed), token address, beneficiary, issuer, chain id and escrow. `now` (default: the
    time of the last indexed block of each bounty's chain) decides what has expired,
    succeeded, failed or lapsed.

    `sort`: newest (default), amount (the most held first, in the token's base units: compare
    within one token) or deadline (the soonest first). `limit` and `offset` page the result
    (`count_bounties` gives the total).

    `shape` makes each one from its row (a dict of the columns) and its status: a
    `BountySummary` by default, or its JSON (`listing.summary_json`). With `stored`, the row
    holds the JSON the sync stored with it instead of the summary's columns
    (`listing.STORED_SELECT`), for the API's shapes of it (`listing.listed`, `summary_text`)."""
    if sort not in SORTS:
        raise ValueError(f"sort must be one of {', '.join(SORTS)}")
    if limit is not None and limit < 0 or offset < 0:
        raise ValueError("limit and offset must not be negative")
    moment = now
    condition, params = _bounty_filter(db, repo=repo, issue=issue, status=status, token=token, kind=kind,
                                       beneficiary=beneficiary, owner=owner, issuer=issuer, chain=chain, now=now,
                                       escrow=escrow)
    select = STORED_SELECT if stored else SUMMARY_SELECT
    sql = select + condition + " ORDER BY " + _ORDER[sort]
    if status in _COMPUTED_STATUSES:  # filtered after the query, so paged after it too
        rows = [_with_state(result, moment) for result in db.dicts(sql, params)]
        found = [shape(row, state) for row, state in rows if state == status]
        return found[offset:None if limit is None else offset + limit]
    if limit is not None or offset:
        # The page's keys are cut from `bounties` alone (from the sort's index, when no filter
        # needs the rows), and only its rows are read and joined with their tokens: an offset
        # then skips index entries, neither joining nor reading rows (5x faster 5,000 rows in).
        page = ("SELECT b.chain_id, b.escrow, b.bounty_id FROM bounties b" + condition + " ORDER BY " + _ORDER[sort]
                + " LIMIT :limit OFFSET :offset")
        sql = select.replace(" FROM bounties b ", f" FROM ({page}) page JOIN bounties b ON b.chain_id = page.chain_id"
                               " AND b.escrow = page.escrow AND b.bounty_id = page.bounty_id ") + " ORDER BY " + _ORDER[sort]
        params.update(limit=2**62 if limit is None else limit, offset=offset)  # no LIMIT ALL in SQLite
    rows = [_with_state(result, moment) for result in db.dicts(sql, params)]
    return [shape(row, state) for row, state in rows if status is None or state == status]


@reads
def count_bounties(db: Db, *, repo: str | None = None, issue: str | None = None,
                   status: str | None = None, token: str | None = None, kind: str | None = None,
                   beneficiary: str | None = None, now: int | None = None, owner: str | None = None,
                   issuer: str | None = None, chain: int | None = None, escrow: str | None = None) -> int:
    """How many bounties `bounties` lists with these filters, unpaged."""
    if status in _COMPUTED_STATUSES:
        return len(bounties(db, repo=repo, issue=issue, status=status, token=token, kind=kind,
                            beneficiary=beneficiary, now=now, owner=owner, issuer=issuer, chain=chain, escrow=escrow))
    condition, params = _bounty_filter(db, repo=repo, issue=issue, status=status, token=token, kind=kind,
                                       beneficiary=beneficiary, owner=owner, issuer=issuer, chain=chain, now=now,
                                       escrow=escrow)
    return int(db.execute("SELECT COUNT(*) FROM bounties b" + condition, params).fetchone()[0])  # noqa: S608


def only_chain(condition: str, params: dict[str, object], column: str, chain: int | None,
                escrow: str | None = None) -> str:
    """`condition`, narrowed to `chain` and `escrow` when they are given (their parameters added
    to `params`); `column` is the table's chain column (its alias names the escrow's too)."""
    if chain is not None:
        params["chain"] = chain
        condition = f"{condition} AND {column} = :chain"
    if escrow is not None:
        params["escrow"] = escrow
        condition = f"{condition} AND {column.rsplit('.', 1)[0]}.escrow = :escrow"
    return condition


def _escrow_of(db: store.Index, bounty_id: int, chain: int | None, escrow: str | None) -> tuple[int, str] | None:
    """The (chain, escrow) of bounty `bounty_id` among those given (`chain`, `escrow`, either or
    both): the one that has it (None if none does; AmbiguousBounty if several do)."""
    found = _one_bounty(db, "SELECT b.chain_id, b.escrow FROM bounties b", bounty_id, chain, escrow)
    return None if found is None else (found["chain_id"], found["escrow"])


def _one_bounty(db: store.Index, select: str, bounty_id: int, chain: int | None,
                escrow: str | None) -> dict[str, Any] | None:
    """`select`'s row (of `bounties` aliased b) of bounty `bounty_id` among the escrows given
    (`chain`, `escrow`, either or both): the one that has it (None if none does;
    AmbiguousBounty if several do)."""
    params: dict[str, object] = {"bounty_id": bounty_id}
    condition = only_chain("b.bounty_id = :bounty_id", params, "b.chain_id", chain, escrow)
    rows = db.dicts(f"{select} WHERE {condition} ORDER BY b.chain_id, b.escrow", params)  # noqa: S608
    if len(rows) > 1:
        raise AmbiguousBounty(bounty_id, [(row["chain_id"], row["escrow"]) for row in rows])
    return rows[0] if rows else None


# One bounty's rows (alias.column), by its chain, escrow and id.
_ONE = "{a}.chain_id = :chain_id AND {a}.escrow = :escrow AND {a}.bounty_id = :bounty_id"


@reads
def bounty(db: Db, bounty_id: int, *, chain: int | None = None, now: int | None = None,
           escrow: str | None = None) -> BountyDetail | None:
    """One bounty with its funders' pledges, every pledge event, and its claims. `chain`: its
    chain id, `escrow`: its escrow; without them, the one (chain, escrow) that has this id
    (AmbiguousBounty if several do)."""
    row = _one_bounty(db, SUMMARY_SELECT, bounty_id, chain, escrow)  # its escrow found by its row
    if row is None:
        return None
    chain_id, escrow = row["chain_id"], row["escrow"]
    key: dict[str, object] = {"chain_id": chain_id, "escrow": escrow, "bounty_id": bounty_id}
    # Its pledges, read once: the events as they are, and each funder's pledge with the
    # bounty's columns (`pledges.BOUNTY_COLUMNS`, from its summary row).
    rows = db.dicts("SELECT * FROM pledges p WHERE " + _ONE.format(a="p") + " ORDER BY block_number, log_index", key)
    columns = {name: row[name] for name in BOUNTY_COLUMNS}
    pledges = funder_pledges_of(db, [{**pledge, **columns} for pledge in rows], _ONE.format(a="r"), key, now)
    summary = _summary_of(*_with_state(row, now))
    name = chain_name(chain_id)
    events = [built(PledgeEvent, r["bounty_id"], r["funder"], int(r["amount"]), r["unlocks_at"], r["block_number"],
                    r["tx_hash"], chain_id, name, escrow) for r in rows]
    return BountyDetail(summary, pledges, events, _claims(db, _ONE.format(a="c"), key),
                        _objections(db, _ONE.format(a="o"), key), spam_marks(db, chain_id, escrow, bounty_id))


def _objections(db: store.Index, condition: str, params: dict[str, object]) -> list[Objection]:
    rows = db.execute(
        "SELECT o.*, b.token, COALESCE(t.symbol, '?') AS symbol, COALESCE(t.decimals, 0) AS decimals"
        " FROM objections o JOIN bounties b ON b.chain_id = o.chain_id AND b.escrow = o.escrow"
        " AND b.bounty_id = o.bounty_id"
        " LEFT JOIN tokens t ON t.chain_id = b.chain_id AND t.token = b.token"
        f" WHERE {condition} ORDER BY o.block_number, o.log_index, o.chain_id", params).fetchall()  # noqa: S608
    return [Objection(row["bounty_id"], row["nonce"], row["funder"], int(row["weight"]), int(row["weight_against"]),
                      row["token"], row["symbol"], row["decimals"], row["block_number"], row["tx_hash"],
                      row["chain_id"], chain_name(row["chain_id"]), row["escrow"])
            for row in rows]


@reads
def funder_objections(db: Db, funder: str, *, chain: int | None = None, escrow: str | None = None) -> list[Objection]:
    """A funder's objections to proposals, oldest first (on `chain` and `escrow`, or on every one)."""
    params: dict[str, object] = {"funder": funder}
    return _objections(db, only_chain("o.funder = :funder", params, "o.chain_id", chain, escrow), params)


@reads
def totals(db: Db, bounty_id: int, *, chain: int | None = None, escrow: str | None = None) -> dict[str, int] | None:
    """A bounty's amounts: total (held now), pledged, refunded, pool, fee, paid_out. `chain` and
    `escrow` as in `bounty`."""
    found = _escrow_of(db, bounty_id, chain, escrow)
    row = None if found is None else db.execute(
        "SELECT total, pledged, refunded, pool, fee, paid_out FROM bounties b WHERE " + _ONE.format(a="b"),
        {"chain_id": found[0], "escrow": found[1], "bounty_id": bounty_id}).fetchone()
    return None if row is None else {key: int(row[key]) for key in row.keys()}


def _claims(db: store.Index, condition: str, values: dict[str, object]) -> list[ClaimRow]:
    # The columns by position, as plain tuples (a page of the list reads a hundred claims).
    rows = db.tuples(
        "SELECT c.bounty_id, c.claim_id, c.hunter, c.uri, b.token, COALESCE(t.symbol, '?') AS symbol,"
        " COALESCE(t.decimals, 0) AS decimals, c.block_number, c.tx_hash, c.chain_id, bl.block_time, c.escrow"
        " FROM claims c JOIN bounties b ON b.chain_id = c.chain_id AND b.escrow = c.escrow"
        " AND b.bounty_id = c.bounty_id"
        " LEFT JOIN tokens t ON t.chain_id = b.chain_id AND t.token = b.token"
        " LEFT JOIN blocks bl ON bl.chain_id = c.chain_id AND bl.escrow = c.escrow AND bl.block_number = c.block_number"
        f" WHERE {condition} ORDER BY c.block_number, c.log_index, c.chain_id", values)  # noqa: S608
    paid = claim_payouts(db, {(row[9], row[11], row[0]) for row in rows})
    return [built(ClaimRow, bounty_id, claim_id, hunter, uri, paid.get((chain_id, escrow, bounty_id, claim_id), 0),
                  token, symbol, decimals, block, tx, chain_id, chain_name(chain_id),
                  *_report_fields(uri, block_time), escrow=escrow)
            for bounty_id, claim_id, hunter, uri, token, symbol, decimals, block, tx, chain_id, block_time, escrow
            in rows]


def claim_payouts(db: store.Index, bounties: Iterable[tuple[int, str, int]]) -> dict[tuple[int, str, int, int], int]:
    """What each claim of these (chain id, escrow, bounty id) was paid, by (chain id, escrow,
    bounty id, claim id): one query per escrow (not one per claim), by the payouts' (chain_id,
    escrow, bounty_id) index. Claims never paid are absent."""
    paid: dict[tuple[int, str, int, int], int] = defaultdict(int)
    for params, condition in escrow_chunks(sorted(bounties)):
        chain_id, escrow = params["chain"], params["escrow"]
        for bounty_id, claim_id, amount in db.tuples(
                "SELECT p.bounty_id, p.claim_id, p.amount FROM payouts p WHERE " + condition.format(a="p"), params):
            paid[(chain_id, escrow, bounty_id, claim_id)] += int(amount)  # type: ignore[index]
    return paid


def _report_fields(uri: str, block_time: int | None) -> tuple[bool, int | None]:
    """(private_report, committed_at) of a claim: a report's commitment is shown with the
    time of its block, never as a link."""
    if not is_report_uri(uri):
        return False, None
    return True, None if block_time is None else int(block_time)


@reads
def claims_of(db: Db, bounties: list[tuple[int, str, int]]) -> dict[tuple[int, str, int], list[ClaimRow]]:
    """The claims (solutions) of several bounties, by (chain id, escrow, bounty id)."""
    result: dict[tuple[int, str, int], list[ClaimRow]] = {key: [] for key in bounties}
    for params, condition in escrow_chunks(bounties):
        for claim in _claims(db, condition.format(a="c"), params):
            result[(claim.chain_id, claim.escrow, claim.bounty_id)].append(claim)
    return result


@reads
def funder_pledges(db: Db, funder: str, *, now: int | None = None, chain: int | None = None,
                   escrow: str | None = None) -> list[FunderPledge]:
    """A funder's pledges, one per bounty (on `chain` and `escrow`, or on every one)."""
    params: dict[str, object] = {"funder": funder}
    return funder_pledges_where(db, only_chain("p.funder = :funder", params, "p.chain_id", chain, escrow),
                                only_chain("r.funder = :funder", params, "r.chain_id", chain, escrow), params, now)


def _per_token(rows: list[Any]) -> dict[tuple[int, str], TokenAmounts]:
    """An empty TokenAmounts per (chain, token) of `rows` (token addresses are per chain)."""
    first: dict[tuple[int, str], Any] = {}  # a record per token, not per row
    for row in rows:
        first.setdefault((row.chain_id, row.token), row)
    return {key: TokenAmounts(row.token, row.symbol, row.decimals, chain_id=row.chain_id, chain_name=row.chain_name)
            for key, row in first.items()}


@reads
def hunter_record(db: Db, hunter: str, *, chain: int | None = None, escrow: str | None = None) -> HunterRecord:
    """A hunter's claims, the ones that were paid, and the total earned per token (on `chain` and
    `escrow`, or on every one)."""
    params: dict[str, object] = {"hunter": hunter}
    claims = _claims(db, only_chain("c.hunter = :hunter", params, "c.chain_id", chain, escrow), params)
    awards = [claim for claim in claims if claim.paid]
    earned = _per_token(awards)
    for claim in awards:
        key = (claim.chain_id, claim.token)
        earned[key] = replace(earned[key], paid_out=earned[key].paid_out + claim.paid)
    return HunterRecord(hunter, claims, awards, list(earned.values()))


@reads
def sponsor_record(db: Db, funder: str, *, now: int | None = None, chain: int | None = None,
                   escrow: str | None = None) -> SponsorRecord:
    """Of what a funder pledged, per token: how much went to bounty awards (milestones
    included), to the beneficiaries of fundraisers it backed, came back as refunds, and is
    still held; and, apart from that, its part of the claim bonds slashed on bounties it funded
    (`slashed_credit`: credited to it for `withdraw`)."""
    pledges = funder_pledges(db, funder, now=now, chain=chain, escrow=escrow)
    record = sponsor_totals(db, funder, [(p.chain_id, p.token, p.symbol, p.decimals, p.kind, p.pledged, p.refunded,
                                          p.outstanding, p.paid_out) for p in pledges], chain=chain, escrow=escrow)
    return replace(record, pledges=pledges)


def sponsor_totals(db: store.Index, funder: str, pledges: list[tuple[int, str, str, int, str, int, int, int, int]],
                   *, chain: int | None, escrow: str | None) -> SponsorRecord:
    """A funder's `sponsor_record` without its pledges, from them as (chain id, token, symbol,
    decimals, kind, pledged, refunded, outstanding, paid out), one per bounty, and its
    slashed-bond credits (read here, on `chain` and `escrow`, or on every one)."""
    sums: dict[tuple[int, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    tokens: dict[tuple[int, str], TokenAmounts] = {}  # in the order the pledges name them
    for chain_id, token, symbol, decimals, kind, pledged, refunded, outstanding, paid_out in pledges:
        key = (chain_id, token)
        if key not in tokens:
            tokens[key] = TokenAmounts(token, symbol, decimals, chain_id=chain_id, chain_name=chain_name(chain_id))
        amounts = sums[key]
        amounts["pledged"] += pledged
        amounts["refunded"] += refunded
        amounts["outstanding"] += outstanding
        amounts["to_fundraisers" if kind == "fundraiser" else "paid_out"] += paid_out
    params: dict[str, object] = {"funder": funder}
    credits = db.execute(
        "SELECT s.chain_id, b.token, s.amount FROM slashed_credits s JOIN bounties b ON b.chain_id = s.chain_id"
        " AND b.escrow = s.escrow AND b.bounty_id = s.bounty_id"
        f" WHERE {only_chain('s.funder = :funder', params, 's.chain_id', chain, escrow)}", params)  # noqa: S608
    for chain_id, token, amount in credits:
        sums[(chain_id, token)]["slashed_credit"] += int(amount)
    by_token = [replace(empty, **sums[key]) for key, empty in tokens.items()]
    backed = sum(1 for pledge in pledges if pledge[4] == "fundraiser")
    return SponsorRecord(funder, len(pledges) - backed, by_token, [], backed)


@reads
def beneficiary_record(db: Db, beneficiary: str, *, now: int | None = None,
                       chain: int | None = None, escrow: str | None = None) -> BeneficiaryRecord:
    """The fundraisers whose beneficiary is `beneficiary` (newest first), each payout they made
    to it (oldest first), and the total received per token (on `chain`, or on every chain)."""
    fundraisers = bounties(db, kind="fundraiser", beneficiary=beneficiary, now=now, chain=chain, escrow=escrow)
    params: dict[str, object] = {"beneficiary": beneficiary}
    rows = db.execute(
        "SELECT r.*, b.token, COALESCE(t.symbol, '?') AS symbol, COALESCE(t.decimals, 0) AS decimals"
        " FROM raised_paid r JOIN bounties b ON b.chain_id = r.chain_id AND b.escrow = r.escrow"
        " AND b.bounty_id = r.bounty_id"
        " LEFT JOIN tokens t ON t.chain_id = b.chain_id AND t.token = b.token"
        f" WHERE {only_chain('r.beneficiary = :beneficiary', params, 'r.chain_id', chain, escrow)}"
        " ORDER BY r.block_number, r.log_index, r.chain_id", params).fetchall()  # noqa: S608
    receipts = [Receipt(row["bounty_id"], row["beneficiary"], int(row["amount"]), row["token"], row["symbol"],
                        row["decimals"], row["block_number"], row["tx_hash"], row["chain_id"],
                        chain_name(row["chain_id"]), row["escrow"]) for row in rows]
    received = _per_token(receipts)
    for receipt in receipts:
        key = (receipt.chain_id, receipt.token)
        received[key] = replace(received[key], paid_out=received[key].paid_out + receipt.amount)
    return BeneficiaryRecord(beneficiary, fundraisers, receipts, list(received.values()))


@reads
def bounties_by_ids(db: Db, bounties: list[tuple[int, str, int]], *, now: int | None = None,
                    shape: Callable[[dict[str, Any], str], Any] = _summary_of, stored: bool = False) -> list[Any]:
    """The bounties and fundraisers with these (chain id, escrow, bounty id) that the index
    holds, newest first; `shape` and `stored` as in `bounties`."""
    select = STORED_SELECT if stored else SUMMARY_SELECT
    found = []
    for params, condition in escrow_chunks(bounties):
        found += [_with_state(row, now) for row in db.dicts(select + " WHERE " + condition.format(a="b"), params)]
    found.sort(key=lambda pair: (pair[0]["bounty_id"], pair[0]["chain_id"], pair[0]["escrow"]), reverse=True)
    return [shape(row, state) for row, state in found]


def _block_times(db: store.Index, chain_id: int, escrow: str, numbers: list[int]) -> dict[int, int]:
    """The time of each block in `numbers`: exact where the index stored it (the last block of
    every synced range), else interpolated between the nearest stored blocks around it (block
    times are near constant; an index that follows the chain stores one every few blocks)."""
    key = {"chain_id": chain_id, "escrow": escrow, "low": min(numbers), "high": max(numbers)}
    timed = ("SELECT block_number, block_time FROM blocks WHERE chain_id = :chain_id AND escrow = :escrow"
             " AND block_time IS NOT NULL")
    before = db.execute(timed + " AND block_number <= :low ORDER BY block_number DESC LIMIT 1", key).fetchall()
    after = db.execute(timed + " AND block_number >= :high ORDER BY block_number LIMIT 1", key).fetchall()
    inside = db.execute(timed + " AND block_number > :low AND block_number < :high", key).fetchall()
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


@reads
def funding_history(db: Db, bounty_id: int, *, chain: int | None = None,
                    escrow: str | None = None) -> list[dict[str, int | str]]:
    """Every change to what a bounty or fundraiser holds, oldest first: pledges (+), refunds,
    awards and fundraiser payouts (-), each with its block, the block's time (see
    `_block_times`) and the running totals pledged (ever) and total (held after it). `chain`
    and `escrow` as in `bounty`."""
    found = _escrow_of(db, bounty_id, chain, escrow)
    if found is None:
        return []
    chain_id, escrow = found
    key = {"chain_id": chain_id, "escrow": escrow, "bounty_id": bounty_id}
    changes = []
    for table, kind, sign in (("pledges", "pledge", 1), ("refunds", "refund", -1), ("payouts", "award", -1),
                              ("raised_paid", "payout", -1)):
        for row in db.execute(f"SELECT block_number, log_index, amount FROM {table} t"  # noqa: S608 - fixed names
                              " WHERE " + _ONE.format(a="t"), key):
            changes.append((row[0], row[1], kind, sign * int(row[2])))
    times = _block_times(db, chain_id, escrow, [change[0] for change in changes]) if changes else {}
    pledged = held = 0
    history: list[dict[str, int | str]] = []
    for block_number, _, kind, change in sorted(changes):
        pledged += max(change, 0)
        held += change
        history.append({"block_number": block_number, "time": times[block_number], "kind": kind,
                        "amount": abs(change), "pledged": pledged, "total": max(held, 0)})
    return history


def pay_rate(bounties: Iterable[BountySummary | FunderPledge]) -> dict[str, int]:
    """Of these bounties (a funder's: their summaries, or its pledges, one per bounty), how many
    were awarded and how many expired unpaid (deadline passed with no award), and how many were
    cancelled; fundraisers are left out."""
    return pay_rate_of([each.status if isinstance(each, BountySummary) else each.bounty_status
                        for each in bounties if each.kind == "bounty"])


def pay_rate_of(statuses: list[str]) -> dict[str, int]:
    """`pay_rate` of bounties (not fundraisers) in these states."""
    return {"awarded": statuses.count("awarded"), "expired_unpaid": statuses.count("expired"),
            "cancelled": statuses.count("cancelled")}
