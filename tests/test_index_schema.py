"""The index's schema, as SQLite stores it: every table's columns (name, type, NOT NULL, place in
the primary key), in order, and every index. Written out as data, so that a change to how the
DDL is spelled (schema.py builds the event tables with one helper) cannot change a table."""

from __future__ import annotations

import gzip
import sqlite3
from pathlib import Path

import pytest

from bountychain.index import IndexMismatch, open_index, queries
from bountychain.index.schema import DDL, EVENT_TABLES, SCHEMA_VERSION
from bountychain.index.store import get_meta

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
    # Schema 7 (issue 16): milestones and claim bonds.
    "milestones": [*_POSITION_FIRST, ("bounty_id", "BIGINT", 1, 0), ("part_bps", "INTEGER", 1, 0),
                   ("pool", "TEXT", 1, 0), ("fee", "TEXT", 1, 0), ("remaining", "TEXT", 1, 0)],
    "bonds": [*_POSITION_FIRST, ("bounty_id", "BIGINT", 1, 0), ("claim_id", "BIGINT", 1, 0), ("step", "TEXT", 1, 0),
              ("hunter", "TEXT", 1, 0), ("amount", "TEXT", 1, 0)],
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
    # Schema 5 (issue 13): every lookup by bounty that refresh_bounty and the detail make.
    "payouts_bounty": ("payouts", ["bounty_id", "claim_id"]),
    "refunds_bounty": ("refunds", ["bounty_id", "funder"]),
    "extensions_bounty": ("extensions", ["bounty_id"]),
    "proposal_steps_bounty": ("proposal_steps", ["bounty_id", "nonce"]),
    "disputes_bounty": ("disputes", ["bounty_id", "nonce"]),
    "rulings_bounty": ("rulings", ["bounty_id"]),
    "raised_paid_beneficiary": ("raised_paid", ["beneficiary"]),
    "bounties_deadline": ("bounties", ["deadline"]),
    # Schema 6 (issue 13): the list sorted by amount, read in the index's order.
    "bounties_amount": ("bounties", ["LENGTH(total)", "total", "bounty_id"]),
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
                named[name] = (table, _index_columns(db, name))
    assert named == EXPECTED_INDEXES


def _index_columns(db: sqlite3.Connection, name: str) -> list[str]:
    """An index's columns as its CREATE INDEX names them (PRAGMA index_info has no name for an
    expression such as LENGTH(total)), each checked against what index_info says of it."""
    sql = db.execute("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", (name,)).fetchone()[0]
    written = [column.strip() for column in sql[sql.index("(", sql.index(" ON ")) + 1:-1].split(",")]
    info = [row[2] for row in db.execute(f"PRAGMA index_info({name})")]
    assert info == [None if "(" in column else column for column in written], (name, written, info)
    return written


def test_the_schema_can_be_created_twice() -> None:
    db = _schema()
    for statement in DDL:
        db.execute(statement)  # IF NOT EXISTS: opening an existing index changes nothing


# --- upgrading an index in place (bountychain.index.migrations) -----------------------------

# A schema-4 index written by the code of schema 4 (before issue 13): the story of
# tests/test_index.py indexed from anvil, 68 blocks.
SCHEMA_4 = Path(__file__).parent / "data" / "index-schema4.sqlite3.gz"


def _schema_4_copy(tmp_path: Path) -> Path:
    path = tmp_path / "old.sqlite3"
    path.write_bytes(gzip.decompress(SCHEMA_4.read_bytes()))
    return path


def _tables(path: Path) -> dict[str, list[tuple[object, ...]]]:
    db = sqlite3.connect(path)
    try:
        present = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        # Tables a later schema adds (issue 16's milestones and bonds) are empty until then.
        return {table: sorted(db.execute(f"SELECT * FROM {table}")) if table in present else []  # noqa: S608
                for table in EXPECTED_COLUMNS}
    finally:
        db.close()


def test_a_schema_4_index_is_upgraded_in_place_keeping_every_row(tmp_path: Path) -> None:
    path = _schema_4_copy(tmp_path)
    before = _tables(path)
    assert dict(before["meta"])["schema_version"] == "4" and len(before["pledges"]) == 18
    assert dict(before["meta"])["cursor"] == "68"
    index = open_index(path)
    assert get_meta(index, "schema_version") == str(SCHEMA_VERSION) == "7"
    after = _tables(path)
    # Every fact and the cursor as they were: no re-sync needed.
    assert {t: rows for t, rows in after.items() if t != "meta"} == {t: rows for t, rows in before.items() if t != "meta"}
    assert dict(after["meta"]) == {**dict(before["meta"]), "schema_version": "7"}
    # ... with schema 5's and 6's indexes, and read as before.
    db = sqlite3.connect(path)
    names = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")}
    db.close()
    assert names == set(EXPECTED_INDEXES)
    listed = queries.bounties(index)
    assert len(listed) == len(before["bounties"]) == 11
    detail = queries.bounty(index, 1)
    assert detail is not None and detail.bounty.repo == "org/parser" and detail.bounty.status == "awarded"
    assert sum(claim.paid for claim in detail.claims) == detail.bounty.paid_out > 0
    index.close()
    open_index(path).close()  # opening it again changes nothing
    assert _tables(path) == after


def test_an_index_too_old_or_too_new_is_refused_with_what_to_do(tmp_path: Path) -> None:
    for version, words in (("3", "re-index"), ("99", "newer than this version")):
        path = _schema_4_copy(tmp_path)
        db = sqlite3.connect(path)
        db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (version,))
        db.commit()
        db.close()
        before = _tables(path)
        with pytest.raises(IndexMismatch, match=words):
            open_index(path)
        assert _tables(path) == before  # untouched


def test_postgresql_gets_the_same_tables_columns_keys_and_indexes(postgres) -> None:
    index = open_index(postgres.database())
    types = {"bigint": "BIGINT", "integer": "INTEGER", "text": "TEXT"}
    for table, expected in EXPECTED_COLUMNS.items():
        columns = index.execute("SELECT column_name, data_type, is_nullable, column_default FROM information_schema.columns"
                                " WHERE table_schema = 'public' AND table_name = :table ORDER BY ordinal_position",
                                {"table": table})
        assert [(row[0], types[row[1]]) for row in columns] == [(name, kind) for name, kind, _, _ in expected], table
        # PostgreSQL makes every key column NOT NULL (SQLite leaves a lone non-INTEGER key nullable).
        assert [row[2] == "NO" for row in columns] == [bool(notnull or pk) for _, _, notnull, pk in expected], table
        assert all(row[3] is None for row in columns), f"{table}: no defaults"
        key = index.execute(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)"
            " WHERE i.indrelid = CAST(:table AS regclass) AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)",
            {"table": table})
        assert [row[0] for row in key] == [name for name, _, _, pk in sorted(expected, key=lambda c: c[3]) if pk], table
    named = {row[0]: (row[1], row[2]) for row in index.execute(
        "SELECT indexname, tablename, indexdef FROM pg_indexes WHERE schemaname = 'public'"
        " AND indexname NOT LIKE '%_pkey'")}
    assert set(named) == set(EXPECTED_INDEXES)
    for name, (table, columns) in EXPECTED_INDEXES.items():
        # PostgreSQL writes a function's name in lowercase: length(total).
        assert named[name][0] == table and named[name][1].lower().endswith(f"({', '.join(columns)})".lower()), name
    index.close()
    open_index(index.url).close()  # opening it again changes nothing


def test_a_schema_5_index_is_upgraded_to_6_keeping_every_row(index_db) -> None:
    """Schema 6's step on both backends: an index as schema 5 left it (the same tables, without
    bounties_amount) gets the index, and every row and the cursor stay as they were."""
    from tests.test_index_plans import _seeded

    index = _seeded(index_db())
    with index.transaction():
        index.execute("DROP INDEX bounties_amount")
        index.execute("UPDATE meta SET value = '5' WHERE key = 'schema_version'")
        index.execute("INSERT INTO meta (key, value) VALUES ('cursor', '68')")

    def rows() -> dict[str, list[tuple[object, ...]]]:
        return {table: sorted(tuple(row) for row in index.execute(f"SELECT * FROM {table}"))  # noqa: S608
                for table in EXPECTED_COLUMNS}

    def has_amount_index(db) -> bool:
        if db.dialect == "sqlite":
            return bool(db.execute("SELECT 1 FROM sqlite_master WHERE name = 'bounties_amount'").fetchall())
        return bool(db.execute("SELECT 1 FROM pg_indexes WHERE indexname = 'bounties_amount'").fetchall())

    before = rows()
    assert not has_amount_index(index) and len(before["bounties"]) == 2
    index.close()
    index = open_index(index.url)
    assert get_meta(index, "schema_version") == "7" and has_amount_index(index)
    after = rows()
    assert {t: r for t, r in after.items() if t != "meta"} == {t: r for t, r in before.items() if t != "meta"}
    assert dict(after["meta"]) == {**dict(before["meta"]), "schema_version": "7"}
    # Read in the new index's order: the fundraiser holds 5, the awarded bounty nothing.
    assert [(b.bounty_id, b.total) for b in queries.bounties(index, sort="amount", limit=10)] == [(2, 5), (1, 0)]
    index.close()
