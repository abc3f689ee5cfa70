"""The API's shaped reads (`index/answers.py`) give exactly what the general queries give: the
list's solutions as `claims_of` shaped for it, and a funder's pay rate and newest bounties as
`pay_rate` and `bounties_by_ids` (the summaries they no longer build), on both backends."""

from __future__ import annotations

from typing import Any

from bountychain import send_transaction
from bountychain.index import answers, queries
from bountychain.reports import commitment_uri
from bountychain.web.responses import jsonable, to_json
from tests.test_index import World, clean, story, w, world  # noqa: F401 - the story's chain and fixtures


def _old_solutions(db: Any, keys: list[tuple[int, str, int]]) -> dict[tuple[int, str, int], list[dict[str, Any]]]:
    """What the list answered before: each ClaimRow of `claims_of`, reduced to the list's fields."""
    return {key: [{"claim_id": c.claim_id, "hunter": c.hunter, "uri": c.uri, "paid": str(c.paid),
                   "private_report": c.private_report, "committed_at": c.committed_at} for c in claims]
            for key, claims in queries.claims_of(db, keys).items()}


def test_the_lists_solutions_and_a_funders_pay_rate_equal_the_general_queries(w: World, index_db: Any) -> None:
    ids = story(w)
    # A private report's commitment beside the story's pull requests: never a link, its block's time shown.
    report = commitment_uri(b"\x42" * 32)
    send_transaction(w.node.w3, w.hunters[0], w.escrow.contract.functions.submitSolution(ids["extended"], report))
    db = clean(w, index_db).db
    every = [(row.chain_id, row.escrow, row.bounty_id) for row in queries.bounties(db)]
    assert len(every) >= 10
    new = answers.solutions_of(db, every)
    assert new == _old_solutions(db, every)
    assert to_json(new[every[0]]) == to_json(_old_solutions(db, every[:1])[every[0]])
    shown = [s for key in every for s in new[key] if s["private_report"]]
    assert [(s["uri"], type(s["committed_at"])) for s in shown] == [(report, int)]
    assert sum(s["paid"] != "0" for key in every for s in new[key]) >= 3  # paid claims read their payouts
    assert answers.solutions_of(db, every[2:5]) == _old_solutions(db, every[2:5])  # a page: only its own
    assert answers.solutions_of(db, []) == {}

    funders = [*w.funders, w.backer, *w.voters]
    rates = []
    for funder in funders:
        pledges = queries.funder_pledges(db, funder.address)
        backed = queries.bounties_by_ids(db, sorted({(p.chain_id, p.escrow, p.bounty_id) for p in pledges}))
        assert {(p.chain_id, p.escrow, p.bounty_id): p.bounty_status for p in pledges} == {
            (b.chain_id, b.escrow, b.bounty_id): b.status for b in backed}
        for recent in (1, 3, 10):
            rate, shown = answers.funded_bounties(db, pledges, recent=recent)
            assert rate == queries.pay_rate(backed) == queries.pay_rate(pledges)
            assert shown == jsonable(backed[:recent]) and to_json(shown) == to_json(jsonable(backed[:recent]))
        rates.append(queries.pay_rate(backed))
    # The story's funders between them have bounties awarded, expired unpaid and cancelled.
    assert all(sum(rate[name] for rate in rates) > 0 for name in ("awarded", "expired_unpaid", "cancelled"))
    # Every bounty at once, past the 500 ids of one statement's list, and ids the index lacks.
    keys = every + [(every[0][0], every[0][1], 10**6 + n) for n in range(600)]
    everything = queries.bounties_by_ids(db, keys)
    assert len(everything) == len(every)
    assert queries.bounties_by_ids(db, keys, shape=answers.summary_json) == jsonable(everything)
    assert answers.solutions_of(db, keys) == _old_solutions(db, keys)


def test_the_lists_summaries_straight_from_their_rows_equal_the_records_as_json(w: World, index_db: Any) -> None:
    """`answers.summary_json` (the list's summaries, never built as records) gives what `jsonable`
    makes of `queries.bounties`' records, field for field and byte for byte: every sort, every
    status (those computed from amounts and time too), a page, and another moment."""
    story(w)
    db = clean(w, index_db).db
    every = queries.bounties(db)
    assert {s.kind for s in every} == {"bounty", "fundraiser"} and any(s.proposal_nonce for s in every)
    asked: list[dict[str, Any]] = [{"sort": sort} for sort in queries.SORTS]
    asked += [{"status": status} for status in queries.STATUSES]
    asked += [{"limit": 3, "offset": 2}, {"kind": "fundraiser", "sort": "amount"}, {"now": every[0].deadline + 1}]
    for question in asked:
        records = [jsonable(summary) for summary in queries.bounties(db, **question)]
        straight = queries.bounties(db, **question, shape=answers.summary_json)
        assert straight == records, question
        assert to_json(straight) == to_json(records), question
    assert sum(len(queries.bounties(db, status=status)) > 0 for status in queries.STATUSES) >= 5
