"""Reads shaped for the API's busiest answers, where building the index's records would be most
of the work: a page of the list's summaries and their solutions, straight from their SQL rows
to the dicts its JSON is made of, and a funder's pay rate counted from its pledges, with
summaries read only for the bounties shown.

Each gives exactly what the general queries give for the same question (`queries.claims_of`
reduced to the list's fields; `queries.pay_rate` of `queries.bounties_by_ids`, and `jsonable` of its
records): the tests compare both, row for row."""

from __future__ import annotations

from typing import Any

from bountychain.index.batches import escrow_chunks
from bountychain.index.queries import Db, bounties_by_ids, pay_rate, reads, summary_derived
from bountychain.index.records import FunderPledge
from bountychain.reports import is_report_uri


def summary_json(row: dict[str, Any], state: str) -> dict[str, Any]:
    """A bounty's summary as the API's JSON has it, straight from its row (`queries.bounties(...,
    shape=summary_json)`): what `jsonable` makes of the `BountySummary` the same row gives,
    without building it. The row is this answer's own, its columns already in the record's
    order: the derived fields are written into it. The amounts stay the decimal text the index
    stores."""
    row.update(summary_derived(row, state))
    row["quorum_weight"] = str(row["quorum_weight"])
    del row["chain_time"]  # read to decide its status, not a field
    return row


@reads
def solutions_of(db: Db, bounties: list[tuple[int, str, int]]) -> dict[tuple[int, str, int], list[dict[str, Any]]]:
    """The solutions of several bounties, by (chain id, escrow, bounty id), oldest first, each as
    the list shows it: claim_id, hunter, uri, paid (a decimal string of base units: the sum of
    its payouts, read in the same statement), private_report and committed_at (a report's block
    time: its commitment is never a link)."""
    result: dict[tuple[int, str, int], list[dict[str, Any]]] = {key: [] for key in bounties}
    for params, condition in escrow_chunks(bounties):
        chain_id, escrow = params["chain"], params["escrow"]
        last: tuple[object, object] | None = None  # the (bounty, claim) of the previous row
        for bounty_id, claim_id, hunter, uri, block_time, amount in db.tuples(
                "SELECT c.bounty_id, c.claim_id, c.hunter, c.uri, bl.block_time, p.amount FROM claims c"
                " LEFT JOIN blocks bl ON bl.chain_id = c.chain_id AND bl.escrow = c.escrow"
                " AND bl.block_number = c.block_number"
                " LEFT JOIN payouts p ON p.chain_id = c.chain_id AND p.escrow = c.escrow AND p.bounty_id = c.bounty_id"
                " AND p.claim_id = c.claim_id"
                f" WHERE {condition.format(a='c')} ORDER BY c.block_number, c.log_index, c.chain_id", params):
            solutions = result[(chain_id, escrow, bounty_id)]  # type: ignore[index]
            if last == (bounty_id, claim_id):  # a claim paid more than once (milestones): one row a payout
                solutions[-1]["paid"] = str(int(solutions[-1]["paid"]) + int(amount))
                continue
            last = (bounty_id, claim_id)
            report = is_report_uri(uri)
            solutions.append({"claim_id": claim_id, "hunter": hunter, "uri": uri, "paid": amount or "0",
                              "private_report": report,
                              "committed_at": int(block_time) if report and block_time is not None else None})
    return result


@reads
def funded_bounties(db: Db, pledges: list[FunderPledge], *, recent: int) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """Of the bounties a funder's `pledges` (`queries.funder_pledges`, one per bounty) went to:
    the pay rate (`queries.pay_rate`: awarded, expired unpaid and cancelled, fundraisers left
    out), counted from the statuses the pledges were read with; and the newest `recent` as the
    API's JSON has their summaries (`summary_json`), which only they are read for."""
    newest = sorted({(pledge.bounty_id, pledge.chain_id, pledge.escrow) for pledge in pledges}, reverse=True)[:recent]
    shown = bounties_by_ids(db, [(chain_id, escrow, bounty_id) for bounty_id, chain_id, escrow in newest],
                            shape=summary_json)
    return pay_rate(pledges), shown


__all__ = ["funded_bounties", "solutions_of", "summary_json"]
