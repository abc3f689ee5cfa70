"""The reads the API makes (the list with its filters, a bounty's detail, a funder's, a hunter's
and a beneficiary's records) find their rows through indexes on both backends: every statement
they send is captured and EXPLAINed, and none may scan a whole table.

SQLite: EXPLAIN QUERY PLAN, where a full scan reads "SCAN <table>" with no index named (a scan
of a subquery's few rows, named by its CO-ROUTINE or MATERIALIZE step, is not one). Every key
includes the chain (several chains share the index): a search by the chain alone reads every
row of that chain, and counts as a full scan too, on both backends.
PostgreSQL: EXPLAIN with sequential scans disabled, which the planner still picks only when
no index can serve the statement (on small tables it would pick one anyway, so this is
the question that tells whether an index exists for it)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from bountychain.github.state import BotState
from bountychain.index import Index, answers, open_index, queries, summaries
from bountychain.index.events import HANDLERS, Event, Rows
from bountychain.web.app import github_links

ADDRESS = "0x" + "ab" * 20
ETH = "0x" + "00" * 20
CHAIN = 31337
ESCROW = "0x" + "cd" * 20


def _seeded(target: str) -> Index:
    """An index holding one awarded bounty with a pledge, a claim and its payout, and one paid
    fundraiser, written through the sync's own handlers: every read below has rows to find."""
    index = open_index(target)
    events = [
        ("BountyCreated", {"bountyId": 1, "issuer": ADDRESS, "approver": ADDRESS, "token": ETH, "deadline": 10**9,
                           "uri": "https://github.com/org/parser/issues/1", "uriHash": b"\x01" * 32}),
        ("Pledged", {"bountyId": 1, "funder": ADDRESS, "amount": 5, "unlocksAt": 0}),
        ("SolutionSubmitted", {"bountyId": 1, "claimId": 1, "hunter": ADDRESS, "uri": "https://github.com/org/parser/pull/2"}),
        ("Awarded", {"bountyId": 1, "pool": 5, "fee": 0}),
        ("WinnerPaid", {"bountyId": 1, "claimId": 1, "hunter": ADDRESS, "amount": 5}),
        ("FundraiserCreated", {"id": 2, "creator": ADDRESS, "beneficiary": ADDRESS, "token": ETH, "goal": 5,
                               "deadline": 10**9, "allOrNothing": True, "uri": "https://opencollective.com/x",
                               "uriHash": b"\x02" * 32}),
        ("Pledged", {"bountyId": 2, "funder": ADDRESS, "amount": 5, "unlocksAt": 0}),
        ("RaisedPaid", {"id": 2, "beneficiary": ADDRESS, "amount": 5}),
    ]
    with index.transaction():
        rows = Rows(index, CHAIN, ESCROW)
        touched: set[int] = set()
        for position, (name, args) in enumerate(events):
            touched |= HANDLERS[name](rows, Event(name, args, 1, "0x" + "11" * 32, position, "0x" + "22" * 32))
        # The claims and milestones of other bounties, in blocks of their own with their hashes,
        # as a sync of many bounties leaves them: a read of a few bounties' must not read them all.
        for n in range(300):
            HANDLERS["SolutionSubmitted"](rows, Event("SolutionSubmitted", {
                "bountyId": 100 + n, "claimId": 1, "hunter": ETH, "uri": "https://github.com/org/x/pull/1"},
                2 + n, "0x" + "11" * 32, 0, "0x" + "22" * 32))
            HANDLERS["PartAwarded"](rows, Event("PartAwarded", {
                "bountyId": 100 + n, "partBps": 5000, "pool": 2, "fee": 0, "remaining": 2},
                2 + n, "0x" + "11" * 32, 1, "0x" + "22" * 32))
        rows.flush()
        index.insert("blocks", [{"chain_id": CHAIN, "escrow": ESCROW, "block_number": number, "block_hash": "0x" + "11" * 32,
                                 "block_time": 10**6 + number} for number in range(1, 302)])
        for bounty_id in touched:
            summaries.refresh_bounty(index, CHAIN, ESCROW, bounty_id)
    if index.dialect == "postgresql":
        # Statistics of the tables that many rows fill, as the sync takes them after a large
        # range (without any, PostgreSQL guesses that an escrow has a handful of claims).
        with index.transaction():
            index.execute("ANALYZE claims, milestones, blocks")
    return index


def _statements(index: Index, read: Callable[[Index], Any], monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any]]:
    """The SELECT statements `read` sends, with their parameters."""
    sent: list[tuple[str, Any]] = []
    run = index._run

    def record(connection: Any, sql: str, params: Any, **how: Any) -> Any:
        sent.append((sql, params))
        return run(connection, sql, params, **how)

    with monkeypatch.context() as patch:
        patch.setattr(index, "_run", record)
        read(index)
    return [(sql, params) for sql, params in sent if sql.lstrip().upper().startswith("SELECT")]


# Read by the chain alone as they should be: a chain's own row, and a list of one chain's bounties.
_BY_CHAIN = ("SEARCH chains ", "SEARCH c ", "SEARCH bounties ", "SEARCH b ")


def _full_scans(index: Index, statement: str, parameters: Any) -> list[str]:
    if index.dialect == "sqlite":
        # (id, parent, _, step): a subquery's result (a page cut from `bounties`) is read whole by
        # the query around it, a "SCAN <its name>" outside its own steps: that reads the page, not a table.
        plan = [(row[0], row[1], row[3]) for row in index.execute("EXPLAIN QUERY PLAN " + statement, parameters)]
        subqueries = {node: step.split()[-1] for node, _, step in plan if step.startswith(("CO-ROUTINE ", "MATERIALIZE "))}
        # A search by the chain (and escrow) alone (every key includes them) reads all of that
        # chain's (escrow's) rows.
        return [step for _, parent, step in plan if step.startswith("SCAN ") and " INDEX " not in step
                and not (step.split()[-1] in subqueries.values() and parent not in subqueries)
                or step.endswith(("(chain_id=?)", "(chain_id=? AND escrow=?)")) and not step.startswith(_BY_CHAIN)]
    with index.transaction():  # SET lasts as long as this transaction
        index.execute("SET LOCAL enable_seqscan = off")
        plan = index.execute("EXPLAIN (FORMAT JSON) " + statement, parameters).fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    scans: list[str] = []

    def walk(node: dict[str, Any]) -> None:
        if node["Node Type"] == "Seq Scan":
            scans.append(f"Seq Scan on {node['Relation Name']}")
        condition = node.get("Index Cond", "")
        relation = node.get("Relation Name", node.get("Index Name", ""))
        by_chain_alone = condition.startswith("(chain_id =") and " AND " not in condition or (
            condition.startswith("((chain_id =") and condition.count(" AND ") == 1 and "(escrow =" in condition)
        # By the chain (and escrow) alone. Also the stored text of a few bounties asked for by
        # id: in these tables of a few rows PostgreSQL reads the escrow's and keeps the ids
        # asked for; on the load benchmark's 10,000 bounties it reads each by its key.
        if by_chain_alone and not relation.startswith(("chains", "bounties", "bounty_json")):
            scans.append(f"{node['Node Type']} on {node.get('Relation Name', node.get('Index Name'))} by its chain")
        for child in node.get("Plans", []):
            walk(child)

    walk(plan[0]["Plan"])
    return scans


READS: dict[str, Callable[[Index], Any]] = {
    # A page of the list, as the API asks for it, in each order (the count of the whole list
    # is the one read allowed to visit every bounty, through an index).
    "a page of the list, newest first": lambda db: queries.bounties(db, limit=50, offset=1),
    "a page of the list by amount": lambda db: queries.bounties(db, sort="amount", limit=50, offset=1),
    "a page of the list by deadline": lambda db: queries.bounties(db, sort="deadline", limit=50, offset=1),
    "list by repository": lambda db: queries.bounties(db, repo="org/parser"),
    "list by issue": lambda db: queries.bounties(db, issue="https://github.com/org/parser/issues/1"),
    "list by token": lambda db: queries.bounties(db, token=ADDRESS),
    "list by status": lambda db: queries.bounties(db, status="awarded"),
    "list by beneficiary": lambda db: queries.bounties(db, kind="fundraiser", beneficiary=ADDRESS),
    "claims of a page of bounties": lambda db: queries.claims_of(db, [(CHAIN, ESCROW, 1), (CHAIN, ESCROW, 2),
                                                                                 (CHAIN, ESCROW, 3)]),
    "a bounty's detail": lambda db: queries.bounty(db, 1),
    "a bounty's detail on its chain": lambda db: queries.bounty(db, 1, chain=CHAIN),
    "list on one chain": lambda db: queries.bounties(db, chain=CHAIN),
    "a funder's record": lambda db: (queries.sponsor_record(db, ADDRESS), queries.funder_objections(db, ADDRESS)),
    "a funder's profile, as the API reads it": lambda db: answers.funder_profile(db, ADDRESS, recent=10),
    "a hunter's record": lambda db: queries.hunter_record(db, ADDRESS),
    "a beneficiary's record": lambda db: queries.beneficiary_record(db, ADDRESS),
    "status": lambda db: queries.status(db),
    "a funder's or hunter's GitHub links": lambda db: _links_of(db, ADDRESS),
}


def _links_of(db: Index, address: str) -> list[dict[str, Any]]:
    """The profile's links (which its ETag counts too), read as the API reads them (the bot's
    tables made as the web app makes them)."""
    BotState(db.engine)
    with db.reading():
        return github_links(db, address)


@pytest.mark.parametrize("read", list(READS))
def test_the_apis_reads_use_indexes(index_db: Any, read: str, monkeypatch: pytest.MonkeyPatch) -> None:
    index = _seeded(index_db())
    statements = _statements(index, READS[read], monkeypatch)
    assert statements, "the read sent no statement"
    scans = {statement: found for statement, parameters in statements
             if (found := _full_scans(index, statement, parameters))}
    assert not scans, f"{read}: full table scans: {scans}"
    index.close()


def test_the_sort_by_amount_needs_its_index(index_db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without schema 6's bounties_amount, a page by amount sorts every bounty (a full scan)."""
    index = _seeded(index_db())
    with index.transaction():
        index.execute("DROP INDEX bounties_amount")
    statements = _statements(index, READS["a page of the list by amount"], monkeypatch)
    assert any(_full_scans(index, statement, parameters) for statement, parameters in statements)
    index.close()


def test_a_missing_index_is_caught(index_db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check above sees a full scan when the index a read needs is gone."""
    index = _seeded(index_db())
    with index.transaction():
        index.execute("DROP INDEX payouts_bounty")
    statements = _statements(index, READS["a bounty's detail"], monkeypatch)
    scans = [scan for statement, parameters in statements for scan in _full_scans(index, statement, parameters)]
    # The payouts table, by name or by its alias in the claims' one query ("SCAN p").
    assert scans and all("payouts" in scan or scan.endswith(" p") for scan in scans), scans
    index.close()
