"""The index's schema, as SQLite stores it: every table's columns (name, type, NOT NULL, place in
the primary key), in order, and every index. Written out as data, so that a change to how the
DDL is spelled (schema.py builds the event tables with one helper) cannot change a table."""

from __future__ import annotations

import sqlite3

from bountychain.index.schema import DDL, EVENT_TABLES

# An event's position in the chain: the first columns of an event that recurs, keyed by them ...
_POSITION_FIRST = [("block_number", "BIGINT", 1, 1), ("log_index", "INTEGER", 1, 2), ("tx_hash", "TEXT", 1, 0)]
# ... and the last of one that happens once per bounty, claim or proposal, keyed by its id.
_POSITION_LAST = [("block_number", "BIGINT", 1, 0), ("log_index", "INTEGER", 1, 0), ("tx_hash", "TEXT", 1, 0)]

# table -> [(column, declared type, NOT NULL, position in the primary key (0: not in it))].
# A single-column PRIMARY KEY that is not INTEGER is nullable in SQLite: notnull 0, as it always was.
EXPECTED_COLUMNS: dict[str, list[tuple[str, str, int, int]]] = {
    "meta": [("key", "TEXT", 0, 1), ("value", "TEXT", 1, 0)],
    "blocks": [("block_number", "BIGINT", 0, 1), ("block_hash", "TEXT", 1, 0), ("block_time", "BIGINT", 0, 0)],
    "tokens": [("token", "TEXT", 0, 1), ("symbol", "TEXT", 1, 0), ("decimals", "INTEGER", 1, 0)],
    "created": [("bounty_id", "BIGINT", 0, 1), ("issuer", "TEXT", 1, 0), ("approver", "TEXT", 1, 0),
                ("token", "TEXT", 1, 0), ("deadline", "BIGINT", 1, 0), ("uri", "TEXT", 1, 0),
                ("uri_hash", "TEXT", 1, 0), *_POSITION_LAST],
    "fundraisers": [("bounty_id", "BIGINT", 0, 1), ("creator", "TEXT", 1, 0), ("beneficiary", "TEXT", 1, 0),
                    ("token", "TEXT", 1, 0), ("goal", "TEXT", 1, 0), ("deadline", "BIGINT", 1, 0),
                    ("all_or_nothing", "INTEGER", 1, 0), ("uri", "TEXT", 1, 0), ("uri_hash", "TEXT", 1, 0),
                    *_POSITION_LAST],
    "pledges": [*_POSITION_FIRST, ("bounty_id", "BIGINT", 1, 0), ("funder", "TEXT", 1, 0), ("amount", "TEXT", 1, 0),
                ("unlocks_at", "BIGINT", 1, 0)],
    "claims": [("bounty_id", "BIGINT", 1, 1), ("claim_id", "BIGINT", 1, 2), ("hunter", "TEXT", 1, 0),
               ("uri", "TEXT", 1, 0), *_POSITION_LAST],
    "awards": [("bounty_id", "BIGINT", 0, 1), ("pool", "TEXT", 1, 0), ("fee", "TEXT", 1, 0), *_POSITION_LAST],
    "payouts": [*_POSITION_FIRST, ("bounty_id", "BIGINT", 1, 0), ("claim_id", "BIGINT", 1, 0),
                ("hunter", "TEXT", 1, 0), ("amount", "TEXT", 1, 0), ("credited", "INTEGER", 1, 0)],
    "raised_paid": [("bounty_id", "BIGINT", 0, 1), ("beneficiary", "TEXT", 1, 0), ("amount", "TEXT", 1, 0),
                    ("credited", "INTEGER", 1, 0), *_POSITION_LAST],
    "credits": [*_POSITION_FIRST, ("account", "TEXT", 1, 0), ("token", "TEXT", 1, 0), ("amount", "TEXT", 1, 0)],
    "withdrawals": [*_POSITION_FIRST, ("account", "TEXT", 1, 0), ("token", "TEXT", 1, 0), ("amount", "TEXT", 1, 0),
                    ("recipient", "TEXT", 1, 0)],
    "fee_withdrawals": [*_POSITION_FIRST, ("token", "TEXT", 1, 0), ("amount", "TEXT", 1, 0),
                        ("recipient", "TEXT", 1, 0)],
    "refunds": [*_POSITION_FIRST, ("bounty_id", "BIGINT", 1, 0), ("funder", "TEXT", 1, 0), ("amount", "TEXT", 1, 0),
                ("recipient", "TEXT", 1, 0)],
    "cancellations": [("bounty_id", "BIGINT", 0, 1), *_POSITION_LAST],
    "extensions": [*_POSITION_FIRST, ("bounty_id", "BIGINT", 1, 0), ("deadline", "BIGINT", 1, 0)],
    "review_policies": [("bounty_id", "BIGINT", 0, 1), ("approver", "TEXT", 1, 0), ("review_window", "BIGINT", 1, 0),
                        ("quorum_bps", "INTEGER", 1, 0), ("arbiter", "TEXT", 1, 0),
                        ("arbiter_is_erc792", "INTEGER", 1, 0), *_POSITION_LAST],
    "proposals": [("bounty_id", "BIGINT", 1, 1), ("nonce", "INTEGER", 1, 2), ("claim_ids", "TEXT", 1, 0),
                  ("shares_bps", "TEXT", 1, 0), ("window_end", "BIGINT", 1, 0), ("total", "TEXT", 1, 0),
                  *_POSITION_LAST],
    "objections": [*_POSITION_FIRST, ("bounty_id", "BIGINT", 1, 0), ("nonce", "INTEGER", 1, 0),
                   ("funder", "TEXT", 1, 0), ("weight", "TEXT", 1, 0), ("weight_against", "TEXT", 1, 0)],
    "proposal_steps": [*_POSITION_FIRST, ("bounty_id", "BIGINT", 1, 0), ("nonce", "INTEGER", 1, 0),
                       ("step", "TEXT", 1, 0), ("reason", "TEXT", 1, 0), ("pool", "TEXT", 1, 0)],
    "disputes": [*_POSITION_FIRST, ("bounty_id", "BIGINT", 1, 0), ("nonce", "INTEGER", 1, 0),
                 ("arbiter", "TEXT", 1, 0), ("dispute_id", "TEXT", 1, 0), ("escalated_at", "BIGINT", 1, 0)],
    "rulings": [*_POSITION_FIRST, ("bounty_id", "BIGINT", 1, 0), ("arbiter", "TEXT", 1, 0),
                ("dispute_id", "TEXT", 1, 0), ("ruling", "INTEGER", 1, 0)],
    "bounties": [("bounty_id", "BIGINT", 0, 1), *[(name, kind, 1, 0) for name, kind in [
        ("kind", "TEXT"), ("issuer", "TEXT"), ("approver", "TEXT"), ("token", "TEXT"), ("uri", "TEXT"),
        ("host", "TEXT"), ("repo", "TEXT"), ("deadline", "BIGINT"), ("status", "TEXT"), ("total", "TEXT"),
        ("pledged", "TEXT"), ("refunded", "TEXT"), ("pool", "TEXT"), ("fee", "TEXT"), ("paid_out", "TEXT"),
        ("beneficiary", "TEXT"), ("goal", "TEXT"), ("all_or_nothing", "INTEGER"), ("raised", "TEXT"),
        ("funder_count", "INTEGER"), ("claim_count", "INTEGER"), ("optimistic", "INTEGER"),
        ("review_window", "BIGINT"), ("quorum_bps", "INTEGER"), ("arbiter", "TEXT"),
        ("arbiter_is_erc792", "INTEGER"), ("proposal_state", "TEXT"), ("proposal_nonce", "INTEGER"),
        ("proposed_claims", "TEXT"), ("proposed_shares", "TEXT"), ("proposal_total", "TEXT"),
        ("window_end", "BIGINT"), ("decide_by", "BIGINT"), ("weight_against", "TEXT"), ("dispute_id", "TEXT"),
        ("created_block", "BIGINT"), ("updated_block", "BIGINT")]]],
}

# The named indexes: name -> (table, columns). Each table also has its primary key's index.
EXPECTED_INDEXES = {
    "bounties_repo": ("bounties", ["repo"]),
    "bounties_uri": ("bounties", ["uri"]),
    "bounties_status": ("bounties", ["status"]),
    "bounties_token": ("bounties", ["token"]),
    "bounties_kind": ("bounties", ["kind"]),
    "bounties_beneficiary": ("bounties", ["beneficiary"]),
    "pledges_bounty": ("pledges", ["bounty_id"]),
    "pledges_funder": ("pledges", ["funder"]),
    "refunds_funder": ("refunds", ["funder"]),
    "claims_hunter": ("claims", ["hunter"]),
    "payouts_hunter": ("payouts", ["hunter"]),
    "objections_funder": ("objections", ["funder"]),
    "objections_bounty": ("objections", ["bounty_id", "nonce"]),
    "disputes_arbiter": ("disputes", ["arbiter", "dispute_id"]),
}


def _schema() -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    for statement in DDL:
        db.execute(statement)
    return db


def test_every_table_has_its_columns_types_and_keys() -> None:
    db = _schema()
    tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid")]
    assert tables == list(EXPECTED_COLUMNS)
    for table, expected in EXPECTED_COLUMNS.items():
        # PRAGMA table_info: (cid, name, type, notnull, dflt_value, pk)
        info = [(name, kind, notnull, pk) for _, name, kind, notnull, default, pk
                in db.execute(f"PRAGMA table_info({table})")]
        assert info == expected, table
        assert all(row[4] is None for row in db.execute(f"PRAGMA table_info({table})")), f"{table}: no defaults"


def test_every_event_table_is_rolled_back_by_block_and_has_the_events_position() -> None:
    db = _schema()
    event_tables = [t for t in EXPECTED_COLUMNS if t not in ("meta", "blocks", "tokens", "bounties")]
    assert sorted(EVENT_TABLES) == sorted(event_tables)
    for table in EVENT_TABLES:
        columns = [row[1] for row in db.execute(f"PRAGMA table_info({table})")]
        assert {"block_number", "log_index", "tx_hash"} <= set(columns), table


def test_the_indexes_and_the_keys_that_make_an_event_unique() -> None:
    db = _schema()
    named = {}
    for table in EXPECTED_COLUMNS:
        pk = [row[1] for row in sorted(db.execute(f"PRAGMA table_info({table})"), key=lambda r: r[5]) if row[5]]
        # PRAGMA index_list: (seq, name, unique, origin, partial)
        indexes = list(db.execute(f"PRAGMA index_list({table})"))
        # The primary key is the table's one unique index, over exactly its key columns.
        unique = [(name, origin) for _, name, is_unique, origin, _ in indexes if is_unique]
        assert unique == [(f"sqlite_autoindex_{table}_1", "pk")], table
        assert [row[2] for row in db.execute(f"PRAGMA index_info(sqlite_autoindex_{table}_1)")] == pk, table
        for _, name, is_unique, origin, partial in indexes:
            if origin == "c":
                assert (is_unique, partial) == (0, 0), name
                named[name] = (table, [row[2] for row in db.execute(f"PRAGMA index_info({name})")])
    assert named == EXPECTED_INDEXES


def test_the_schema_can_be_created_twice() -> None:
    db = _schema()
    for statement in DDL:
        db.execute(statement)  # IF NOT EXISTS: opening an existing index changes nothing
