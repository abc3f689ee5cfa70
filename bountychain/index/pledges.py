"""A funder's pledges as the index knows them: what each pledged and got back, and what became
of the rest (locked, frozen, refundable, refunded, awarded or paid), with the state of a bounty
or fundraiser at a moment (`state_at`). Read by `queries` (a bounty's funders, a funder's
pledges and record, and the API's funder profile: `answers`).

A funder's pledges are read in two statements when none of its bounties was partly awarded or
awarded after a proposal: its pledges, each with its bounty's columns and whether milestones
were paid from it, and its refunds; milestones and objections are read only where there are
some."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from bountychain.chains import chain_name
from bountychain.index.batches import escrow_chunks
from bountychain.index.listing import Statements
from bountychain.index.records import FunderPledge, built
from bountychain.index.shares import values_after_milestones
from bountychain.results import FundraiserState
from bountychain.sdk.constants import FUNDRAISER_CLAIM_PERIOD


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


def state_at(row: Mapping[str, Any], now: int) -> str:
    if row["kind"] == "fundraiser":
        return fundraiser_state(row["status"], row["deadline"], bool(row["all_or_nothing"]), int(row["raised"]),
                                int(row["goal"]), now)
    return "expired" if row["status"] == "open" and now >= row["deadline"] else row["status"]

# What a pledge's state is decided by, of its bounty's summary row (`listing.SUMMARY_SELECT`'s
# names), and whether an award can have left an objector's pledge out (a proposal was made):
# read with each pledge (`funder_pledges_where`), or taken from the row a bounty's detail has
# already read.
BOUNTY_COLUMNS = ("token", "status", "kind", "deadline", "all_or_nothing", "raised", "goal", "symbol", "decimals",
                  "chain_time", "proposal_nonce")
# The pledges of a condition (alias p), oldest first, each with its bounty's BOUNTY_COLUMNS and
# whether milestones were paid from its pool (`parted`: else a pledge is worth what it holds).
_PLEDGES = ("SELECT p.chain_id, p.escrow, p.bounty_id, p.funder, p.amount, p.unlocks_at,"
            " b.token, b.status, b.kind, b.deadline, b.all_or_nothing, b.raised, b.goal, b.proposal_nonce,"
            " COALESCE(t.symbol, '?') AS symbol, COALESCE(t.decimals, 0) AS decimals,"
            " COALESCE(c.cursor_time, 0) AS chain_time,"
            " EXISTS (SELECT 1 FROM milestones m WHERE m.chain_id = p.chain_id AND m.escrow = p.escrow"
            " AND m.bounty_id = p.bounty_id) AS parted"
            " FROM pledges p JOIN bounties b ON b.chain_id = p.chain_id AND b.escrow = p.escrow"
            " AND b.bounty_id = p.bounty_id"
            " LEFT JOIN tokens t ON t.chain_id = b.chain_id AND t.token = b.token"
            " LEFT JOIN chains c ON c.chain_id = b.chain_id AND c.escrow = b.escrow"
            " WHERE {condition} ORDER BY p.block_number, p.log_index, p.chain_id")
_Shaped = TypeVar("_Shaped")


def as_record(values: tuple[Any, ...]) -> FunderPledge:
    """A pledge's values, in `FunderPledge`'s field order, as its record."""
    return built(FunderPledge, *values)


def funder_pledges_where(db: Statements, condition: str, refunds_condition: str, params: dict[str, object],
                         now: int | None, shape: Callable[[tuple[Any, ...]], _Shaped] = as_record  # type: ignore[assignment]
                         ) -> list[_Shaped]:
    """`funder_pledges_of` the pledges that `condition` selects (alias p), each read with its
    bounty's columns."""
    return funder_pledges_of(db, db.dicts(_PLEDGES.format(condition=condition), params), refunds_condition, params,
                             now, shape)


def pledge_state(row: Mapping[str, Any], now: int, outstanding: int, unlocks_at: int, withheld: bool
                 ) -> tuple[str, str]:
    """(the pledge's state, its bounty's state) at `now`, of a pledge to the bounty of `row`
    (its BOUNTY_COLUMNS) of which `outstanding` is still held (none once an award took it),
    unlocking at `unlocks_at`; `withheld`: an objection left it out of the bounty's award."""
    summary_state = state_at(row, now)
    if summary_state == "awarded" and withheld:
        # It objected to the proposal that was awarded: its pledge never funded the award
        # and is refundable at once.
        return ("refundable" if outstanding else "refunded"), summary_state
    if summary_state in ("awarded", "paid"):
        return summary_state, summary_state
    if outstanding == 0:
        return "refunded", summary_state
    if row["kind"] == "fundraiser":
        # Every fundraiser pledge is locked to the deadline; after it, refundable only if
        # the goal was missed (all-or-nothing) or the payout lapsed.
        return ("refundable" if summary_state in ("cancelled", "failed", "lapsed") else "locked"), summary_state
    if row["status"] == "under_review":
        return "frozen", summary_state  # a proposal is live: no refund until it is settled or rejected
    if row["status"] == "cancelled" or now >= unlocks_at:
        return "refundable", summary_state
    return "locked", summary_state


def funder_pledges_of(db: Statements, rows: list[dict[str, Any]], refunds_condition: str,
                      params: dict[str, object], now: int | None,
                      shape: Callable[[tuple[Any, ...]], _Shaped] = as_record  # type: ignore[assignment]
                      ) -> list[_Shaped]:
    """Per (chain, escrow, bounty, funder): pledged, refunded, what is left of it (after partial
    awards, its shares' worth: `shares.values_after_milestones`), and what became of the rest, at
    `now` (else at the time of each bounty's escrow), each as `shape` makes it of its values in
    `FunderPledge`'s field order (by default its record). `rows`: the pledges, oldest first,
    each with its bounty's `BOUNTY_COLUMNS` (and `parted`, when read with it: else the
    milestones are looked for); `refunds_condition` selects the same bounties' or funder's
    refunds (alias r)."""
    grouped: dict[tuple[int, str, int, str], dict[str, Any]] = {}
    for row in rows:
        key = (row["chain_id"], row["escrow"], row["bounty_id"], row["funder"])
        entry = grouped.setdefault(key, {"row": row, "pledged": 0, "unlocks_at": 0})
        entry["pledged"] += int(row["amount"])
        entry["unlocks_at"] = row["unlocks_at"]  # a top-up re-locks the whole pledge
    # The refunds of these pledges, in one query (not one per pledge).
    refunds: dict[tuple[int, str, int, str], int] = defaultdict(int)
    if grouped:
        for chain_id, escrow, bounty_id, funder, amount in db.execute(
                "SELECT r.chain_id, r.escrow, r.bounty_id, r.funder, r.amount FROM refunds r"  # noqa: S608
                f" WHERE {refunds_condition}", params):
            refunds[(chain_id, escrow, bounty_id, funder)] += int(amount)

    def moment(row: Mapping[str, Any]) -> int:
        return int(row["chain_time"]) if now is None else now

    columns = {key[:3]: entry["row"] for key, entry in grouped.items()}  # each bounty's, from one of its rows
    bounties = sorted(columns)
    # Only an award after a proposal can leave objectors out, and only milestones change what a
    # pledge is worth: most bounties have neither, and no statement is sent for them.
    withheld = withheld_from_awards(db, [bounty for bounty in bounties if columns[bounty]["status"] == "awarded"
                                         and columns[bounty]["proposal_nonce"]])
    parted = [bounty for bounty in bounties if columns[bounty].get("parted", True)]
    values = values_after_milestones(db, parted) if parted else {}
    result = []
    for (chain_id, escrow, bounty_id, funder), entry in grouped.items():
        row = entry["row"]
        refunded = refunds[(chain_id, escrow, bounty_id, funder)]
        pledged = int(entry["pledged"])
        # What its shares are worth now; without partial awards, what it pledged less refunds.
        worth = values.get((chain_id, escrow, bounty_id))
        outstanding = worth.get(funder, 0) if worth is not None else pledged - refunded
        to_milestones = pledged - refunded - outstanding
        paid_out = to_milestones
        left_out = funder in withheld.get((chain_id, escrow, bounty_id), ())
        if row["status"] in ("awarded", "paid") and not left_out:  # the award took what was left
            paid_out, outstanding = paid_out + outstanding, 0
        unlocks_at = int(entry["unlocks_at"])
        state, summary_state = pledge_state(row, moment(row), outstanding, unlocks_at, left_out)
        result.append(shape((bounty_id, funder, row["token"], row["symbol"], row["decimals"], pledged, refunded,
                             outstanding, paid_out, unlocks_at, state, row["kind"], chain_id, chain_name(chain_id),
                             escrow, to_milestones, summary_state)))
    return result


def withheld_from_awards(db: Statements, bounties: list[tuple[int, str, int]]
                         ) -> dict[tuple[int, str, int], set[str]]:
    """Per awarded (chain id, escrow, bounty id), the funders whose pledges a reviewed bounty's
    award left out: the objectors to the last finalized proposal (the award; any before it were
    milestones), unless the arbiter upheld it (then the award took every pledge). Two
    statements per escrow and per `batches.CHUNK` ids, for all of `bounties`."""
    withheld: dict[tuple[int, str, int], set[str]] = {}
    for params, among in escrow_chunks(bounties, alias=""):
        chain_id, escrow = params["chain"], params["escrow"]
        steps = db.execute(f"SELECT bounty_id, nonce, step FROM proposal_steps WHERE {among}"  # noqa: S608
                           " AND step IN ('finalized', 'upheld')", params).fetchall()
        # The award is the bounty's last finalized proposal: earlier ones were milestones,
        # whose objectors' pledges stayed in the pool for the next.
        last: dict[int, int] = {}
        for bounty_id, nonce, step in steps:
            if step == "finalized":
                last[bounty_id] = max(last.get(bounty_id, 0), nonce)
        finalized = set(last.items())
        finalized -= {(bounty_id, nonce) for bounty_id, nonce, step in steps if step == "upheld"}
        if not finalized:
            continue
        for bounty_id, nonce, funder in db.execute(
                f"SELECT bounty_id, nonce, funder FROM objections WHERE {among}", params):  # noqa: S608
            if (bounty_id, nonce) in finalized:
                withheld.setdefault((chain_id, escrow, bounty_id), set()).add(funder)
    return withheld
