"""The API's list is read from the JSON the sync stores with each bounty (`index/listing.py`),
and a funder's profile is made straight from its rows (`index/answers.py`); both give exactly
what the general queries give: each summary as `jsonable` makes its record, with the solutions
of `claims_of` reduced to the list's fields, and a funder's record, pledges, pay rate and newest
bounties as `sponsor_record`, `pay_rate` and `bounties_by_ids` give them, at several moments, on
one chain and on all, on both backends. The text is written again when an index written by
another version is opened."""

from __future__ import annotations

import json
from typing import Any

import msgspec

from bountychain import send_transaction
from bountychain.index import answers, listing, open_index, queries
from bountychain.reports import commitment_uri
from bountychain.web.responses import jsonable, to_json
from tests.test_index import World, clean, stale_json, story, w, world  # noqa: F401 - the story's chain and fixtures


def _old_solutions(db: Any, keys: list[tuple[int, str, int]]) -> dict[tuple[int, str, int], list[dict[str, Any]]]:
    """What the list answered before: each ClaimRow of `claims_of`, reduced to the list's fields."""
    return {key: [{"claim_id": c.claim_id, "hunter": c.hunter, "uri": c.uri, "paid": str(c.paid),
                   "private_report": c.private_report, "committed_at": c.committed_at} for c in claims]
            for key, claims in queries.claims_of(db, keys).items()}


def _parsed(value: Any) -> Any:
    """What a client reads: the JSON text, parsed (the stored text puts the status first)."""
    return json.loads(to_json(value))


def test_the_lists_solutions_and_a_funders_pay_rate_equal_the_general_queries(w: World, index_db: Any) -> None:
    ids = story(w)
    # A private report's commitment beside the story's pull requests: never a link, its block's time shown.
    report = commitment_uri(b"\x42" * 32)
    send_transaction(w.node.w3, w.hunters[0], w.escrow.contract.functions.submitSolution(ids["extended"], report))
    db = clean(w, index_db).db
    every = [(row.chain_id, row.escrow, row.bounty_id) for row in queries.bounties(db)]
    assert len(every) >= 10
    with db.reading():
        new = listing.solutions_of(db, every)
        assert listing.solutions_of(db, every[2:5]) == _old_solutions(db, every[2:5])  # a page: only its own
        assert listing.solutions_of(db, []) == {}
    assert new == _old_solutions(db, every)
    assert to_json(new[every[0]]) == to_json(_old_solutions(db, every[:1])[every[0]])
    shown = [s for key in every for s in new[key] if s["private_report"]]
    assert [(s["uri"], type(s["committed_at"])) for s in shown] == [(report, int)]
    assert sum(s["paid"] != "0" for key in every for s in new[key]) >= 3  # paid claims read their payouts
    assert stale_json(db) == []

    funders = [*w.funders, w.backer, *w.voters]
    rates, seen = [], set()
    later = [None, min(b.deadline for b in queries.bounties(db)) + 1, max(b.deadline for b in queries.bounties(db)) + 10**7]
    for funder in funders:
        pledges = queries.funder_pledges(db, funder.address)
        backed = queries.bounties_by_ids(db, sorted({(p.chain_id, p.escrow, p.bounty_id) for p in pledges}))
        assert {(p.chain_id, p.escrow, p.bounty_id): p.bounty_status for p in pledges} == {
            (b.chain_id, b.escrow, b.bounty_id): b.status for b in backed}
        for recent in (1, 3, 10):
            record, texts, rate, shown = answers.funder_profile(db, funder.address, recent=recent)
            assert rate == queries.pay_rate(backed) == queries.pay_rate(pledges)
            assert _parsed(shown) == _parsed(backed[:recent])
            assert _parsed({**jsonable(record), "pledges": texts}) == _parsed(queries.sponsor_record(db, funder.address))
        # At other moments (deadlines passed, locks run out) and on one chain, or on another.
        for now in later:
            for where in ({}, {"chain": w.node.w3.eth.chain_id}, {"chain": 1}):
                record, texts, rate, shown = answers.funder_profile(db, funder.address, recent=10, now=now, **where)
                general = queries.sponsor_record(db, funder.address, now=now, **where)
                assert _parsed({**jsonable(record), "pledges": texts}) == _parsed(general), (now, where)
                assert rate == queries.pay_rate(general.pledges)
                seen |= {pledge.state for pledge in general.pledges}
        rates.append(queries.pay_rate(backed))
    assert seen == {"locked", "frozen", "refundable", "refunded", "awarded", "paid"}, seen
    # The story's funders between them have bounties awarded, expired unpaid and cancelled.
    assert all(sum(rate[name] for rate in rates) > 0 for name in ("awarded", "expired_unpaid", "cancelled"))
    # Every bounty at once, past the 512 ids of one statement's list, and ids the index lacks.
    keys = every + [(every[0][0], every[0][1], 10**6 + n) for n in range(600)]
    everything = queries.bounties_by_ids(db, keys)
    assert len(everything) == len(every)
    assert queries.bounties_by_ids(db, keys, shape=listing.summary_json) == jsonable(everything)
    assert _parsed(queries.bounties_by_ids(db, keys, shape=listing.summary_text, stored=True)) == _parsed(everything)
    with db.reading():
        assert listing.solutions_of(db, keys) == _old_solutions(db, keys)


def test_the_list_read_from_its_stored_json_equals_the_records_as_json(w: World, index_db: Any) -> None:
    """A page of the list from the stored JSON (`listing.listed`) reads as `jsonable` of
    `queries.bounties`' records with their solutions, and the summaries straight from their
    rows (`listing.summary_json`) give those records byte for byte: every sort, every status
    (those computed from amounts and time too), a page, and another moment."""
    story(w)
    db = clean(w, index_db).db
    every = queries.bounties(db)
    assert {s.kind for s in every} == {"bounty", "fundraiser"} and any(s.proposal_nonce for s in every)
    solutions = _old_solutions(db, [(s.chain_id, s.escrow, s.bounty_id) for s in every])
    asked: list[dict[str, Any]] = [{"sort": sort} for sort in queries.SORTS]
    asked += [{"status": status} for status in queries.STATUSES]
    asked += [{"limit": 3, "offset": 2}, {"kind": "fundraiser", "sort": "amount"}, {"now": every[0].deadline + 1}]
    for question in asked:
        summaries = queries.bounties(db, **question)
        records = [jsonable(summary) for summary in summaries]
        straight = queries.bounties(db, **question, shape=listing.summary_json)
        assert straight == records, question
        assert to_json(straight) == to_json(records), question
        listed = queries.bounties(db, **question, shape=listing.listed, stored=True)
        assert _parsed(listed) == [{**_parsed(record), "solutions": _parsed(solutions[(s.chain_id, s.escrow, s.bounty_id)])}
                                   for record, s in zip(records, summaries)], question
    assert sum(len(queries.bounties(db, status=status)) > 0 for status in queries.STATUSES) >= 5


def test_an_index_whose_json_another_version_wrote_is_rewritten_when_opened(w: World, index_db: Any) -> None:
    """The stored JSON belongs to the version that wrote it (`listing.SHAPE`): opened by a
    version that shapes it otherwise, or upgraded from a schema without it, every bounty's is
    written again before any answer is read from it."""
    story(w)
    indexer = clean(w, index_db)
    db, target = indexer.db, indexer.db.url
    expected = db.execute("SELECT * FROM bounty_json ORDER BY bounty_id").fetchall()
    with db.transaction():
        db.execute("UPDATE bounty_json SET summary = '{}', solutions = '[]'")
        db.execute("DELETE FROM bounty_json WHERE bounty_id = 1")
        db.execute("UPDATE meta SET value = 'another' WHERE key = 'listing_shape'")
    db.close()
    reopened = open_index(target)
    assert reopened.execute("SELECT * FROM bounty_json ORDER BY bounty_id").fetchall() == expected
    assert stale_json(reopened) == [] and len(expected) >= 10
    reopened.close()


def test_text_that_msgspec_refuses_is_written_as_json_always_wrote_it() -> None:
    """A lone surrogate (what a URI of invalid UTF-8 decodes to) is not UTF-8, so msgspec
    refuses it; the stored text and an answer holding stored text (`msgspec.Raw`) are then
    written by the standard library, escaped, and read back as they were."""
    summary = {"uri": "https://github.com/org/repo/issues/1\udc80", "total": "5"}
    text = listing.json_bytes(summary)
    assert text.isascii() and json.loads(text) == summary
    page = listing.json_bytes({"bounties": [msgspec.Raw(text), msgspec.Raw(b'{"status":"open"}')], "note": "\udcff"})
    assert json.loads(page) == {"bounties": [summary, {"status": "open"}], "note": "\udcff"}
