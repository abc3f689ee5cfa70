"""The index's schema, as SQLite stores it: every table's columns (name, type, NOT NULL, place in
the primary key), in order, and every index. Written out as data, so that a change to how the
DDL is spelled (schema.py builds the event tables with one helper) cannot change a table."""

from __future__ import annotations

import gzip
import json
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from typing import Any

import pytest
import sqlalchemy
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import text

from bountychain.index import Index, IndexMismatch, cursors, listing, migrations, open_index, queries
from bountychain.index.schema import DDL, EVENT_TABLES, SCHEMA_VERSION
from bountychain.index.store import MMAP_BYTES, database_url, get_meta
from bountychain.index.summaries import refresh_bounty
from bountychain.web.responses import to_json

# An event's position in the chain: the first columns of an event that recurs, keyed by them ...
_POSITION_FIRST = [("block_number", "BIGINT", 1, 1), ("log_index", "INTEGER", 1, 2), ("tx_hash", "TEXT", 1, 0)]
# ... and the last of one that happens once per bounty, claim or proposal, keyed by its id.
_POSITION_LAST = [("block_number", "BIGINT", 1, 0), ("log_index", "INTEGER", 1, 0), ("tx_hash", "TEXT", 1, 0)]

# table -> [(column, declared type, NOT NULL, position in the primary key (0: not in it))], as
# one chain's index had them (schemas 5 to 7; 7 added milestones and bonds). A PRIMARY KEY column that is not INTEGER and not
# declared NOT NULL is nullable in SQLite: notnull 0, as it always was.
SCHEMA_5_COLUMNS: dict[str, list[tuple[str, str, int, int]]] = {
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


def _with_chain(columns: list[tuple[str, str, int, int]]) -> list[tuple[str, str, int, int]]:
    """Schema 8 (several chains): chain_id first, and in the key: after an event's position
    (block_number, log_index), before any id (bounty ids are numbered per chain)."""
    by_position = any(name == "log_index" and pk for name, _, _, pk in columns)
    keyed = max(pk for *_, pk in columns)
    chain = ("chain_id", "BIGINT", 1, keyed + 1 if by_position else 1)
    return [chain, *[(name, kind, notnull, pk if by_position or not pk else pk + 1)
                     for name, kind, notnull, pk in columns]]


def _with_escrow(columns: list[tuple[str, str, int, int]]) -> list[tuple[str, str, int, int]]:
    """Schema 9 (several escrows per chain): escrow after chain_id, and in the key after the
    chain when the key is an id (bounty ids are numbered per escrow); a position's key
    (block_number, log_index, chain_id) stays: a log index is unique within its block."""
    by_position = any(name == "log_index" and pk for name, _, _, pk in columns)
    chain, *rest = columns
    if by_position:
        return [chain, ("escrow", "TEXT", 1, 0), *rest]
    return [chain, ("escrow", "TEXT", 1, 2), *[(name, kind, notnull, pk + 1 if pk else 0)
                                               for name, kind, notnull, pk in rest]]


# SlashedBondsCredited (schema 9, issue 16).
_SLASHED_CREDITS = [*_POSITION_FIRST, ("bounty_id", "BIGINT", 1, 0), ("funder", "TEXT", 1, 0),
                    ("amount", "TEXT", 1, 0)]
# The review contract's PartProposed (keyed by its proposal) and SpamMarked (schema 10, issue 16).
_PART_PROPOSALS = [("bounty_id", "BIGINT", 1, 1), ("nonce", "INTEGER", 1, 2), ("part_bps", "INTEGER", 1, 0),
                   *_POSITION_LAST]
_SPAM_MARKS = [*_POSITION_FIRST, ("bounty_id", "BIGINT", 1, 0), ("claim_id", "BIGINT", 1, 0),
               ("marked_by", "TEXT", 1, 0)]

EXPECTED_COLUMNS: dict[str, list[tuple[str, str, int, int]]] = {
    "meta": [("key", "TEXT", 0, 1), ("value", "TEXT", 1, 0)],
    "chains": [("chain_id", "BIGINT", 1, 1), ("escrow", "TEXT", 1, 2), ("start_block", "BIGINT", 1, 0),
               ("cursor", "BIGINT", 1, 0), ("cursor_hash", "TEXT", 0, 0), ("cursor_time", "BIGINT", 0, 0)],
    **{table: _with_chain(columns) for table, columns in SCHEMA_5_COLUMNS.items() if table != "bounties"},
    "slashed_credits": _with_chain(_SLASHED_CREDITS),
    "part_proposals": _with_chain(_PART_PROPOSALS),
    "spam_marks": _with_chain(_SPAM_MARKS),
    # Schema 10: the latest proposal's part, after its dispute id.
    "bounties": _with_chain([*SCHEMA_5_COLUMNS["bounties"][:-2], ("proposed_part_bps", "INTEGER", 1, 0),
                             *SCHEMA_5_COLUMNS["bounties"][-2:]]),
    # Schema 11: a summary (but its status) and its solutions as the API's JSON (`listing`).
    "bounty_json": _with_chain([("bounty_id", "BIGINT", 1, 1), ("summary", "TEXT", 1, 0),
                                ("solutions", "TEXT", 1, 0)]),
}
# blocks, tokens and bounties declare their key columns NOT NULL now (a composite key).
EXPECTED_COLUMNS["blocks"][1] = ("block_number", "BIGINT", 1, 2)
EXPECTED_COLUMNS["tokens"][1] = ("token", "TEXT", 1, 2)
EXPECTED_COLUMNS["bounties"][1] = ("bounty_id", "BIGINT", 1, 2)
# Every row carries its escrow but token metadata, which the escrows of a chain share.
EXPECTED_COLUMNS.update({table: _with_escrow(columns) for table, columns in EXPECTED_COLUMNS.items()
                         if table not in ("meta", "chains", "tokens")})

# The named indexes: name -> (table, columns). Each table also has its primary key's index.
EXPECTED_INDEXES = {
    "bounties_repo": ("bounties", ["repo"]),
    "bounties_uri": ("bounties", ["uri"]),
    "bounties_status": ("bounties", ["status"]),
    "bounties_token": ("bounties", ["token"]),
    "bounties_kind": ("bounties", ["kind"]),
    "bounties_beneficiary": ("bounties", ["beneficiary"]),
    "pledges_bounty": ("pledges", ["chain_id", "escrow", "bounty_id"]),
    "pledges_funder": ("pledges", ["funder"]),
    "refunds_funder": ("refunds", ["funder"]),
    "claims_hunter": ("claims", ["hunter"]),
    "payouts_hunter": ("payouts", ["hunter"]),
    "objections_funder": ("objections", ["funder"]),
    "objections_bounty": ("objections", ["chain_id", "escrow", "bounty_id", "nonce"]),
    "disputes_arbiter": ("disputes", ["arbiter", "dispute_id"]),
    # Schema 5 (issue 13): every lookup by bounty that refresh_bounty and the detail make.
    "payouts_bounty": ("payouts", ["chain_id", "escrow", "bounty_id", "claim_id"]),
    "refunds_bounty": ("refunds", ["chain_id", "escrow", "bounty_id", "funder"]),
    "extensions_bounty": ("extensions", ["chain_id", "escrow", "bounty_id"]),
    "proposal_steps_bounty": ("proposal_steps", ["chain_id", "escrow", "bounty_id", "nonce"]),
    "disputes_bounty": ("disputes", ["chain_id", "escrow", "bounty_id", "nonce"]),
    "rulings_bounty": ("rulings", ["chain_id", "escrow", "bounty_id"]),
    "raised_paid_beneficiary": ("raised_paid", ["beneficiary"]),
    "bounties_deadline": ("bounties", ["deadline"]),
    # Schema 6 (issue 13): the list sorted by amount, read in the index's order (schema 8 adds the
    # chain, schema 9 the escrow).
    "bounties_amount": ("bounties", ["LENGTH(total)", "total", "bounty_id", "chain_id", "escrow"]),
    # Schema 8 (several chains): every lookup by bounty has its chain (schema 9: and escrow); a
    # bounty by its id alone.
    "bounties_id": ("bounties", ["bounty_id", "chain_id", "escrow"]),
    # Schema 9: a funder's slashed-bond credits; a bounty's milestones and bonds.
    "slashed_credits_funder": ("slashed_credits", ["funder"]),
    "milestones_bounty": ("milestones", ["chain_id", "escrow", "bounty_id"]),
    "bonds_bounty": ("bonds", ["chain_id", "escrow", "bounty_id", "claim_id"]),
    # Schema 10: a bounty's spam marks.
    "spam_marks_bounty": ("spam_marks", ["chain_id", "escrow", "bounty_id", "claim_id"]),
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
    event_tables = [t for t in EXPECTED_COLUMNS if t not in ("meta", "chains", "blocks", "tokens", "bounties", "bounty_json")]
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


def test_a_file_index_is_read_in_wal_through_a_memory_map(tmp_path: Path) -> None:
    """Connection settings, not schema: WAL (readers never wait for the writer) and a memory
    map of the file (an answer's random lookups without a read() and a copy per page)."""
    index = open_index(tmp_path / "index.sqlite3")
    try:
        with index.reading():
            assert index.tuples("PRAGMA journal_mode") == [("wal",)]
            assert index.tuples("PRAGMA mmap_size") == [(MMAP_BYTES,)]
    finally:
        index.engine.dispose()


def test_a_snapshots_cursors_are_read_once_and_a_transaction_reads_them_anew(tmp_path: Path) -> None:
    """An answer names the escrows' cursors in its ETag and in its status: one read per
    `reading` snapshot. A write transaction moves them, so there each read is a read."""
    index = open_index(tmp_path / "index.sqlite3")
    sent: list[str] = []
    run = index._run

    def counted(connection: object, sql: str, params: object, **how: object) -> object:
        sent.append(sql)
        return run(connection, sql, params, **how)  # type: ignore[arg-type]

    index._run = counted  # type: ignore[method-assign]
    try:
        with index.transaction():
            cursors.add_chain(index, 1, "0x" + "11" * 20, 5)
            assert cursors.chains(index)[0]["cursor"] == 4
            cursors.set_cursor(index, 1, "0x" + "11" * 20, 9, "0x" + "22" * 32, 1_700_000_000)
            assert cursors.chains(index)[0]["cursor"] == 9  # read anew after the write
        with index.reading():
            sent.clear()
            assert [row["cursor"] for row in cursors.chains(index)] == [9] == [queries.status(index).cursor]
            assert sum("FROM chains" in sql for sql in sent) == 1
        with index.reading():  # a new snapshot reads them again
            sent.clear()
            cursors.chains(index)
            assert sum("FROM chains" in sql for sql in sent) == 1
    finally:
        index.engine.dispose()


def test_a_reading_block_is_one_snapshot_on_both_backends(index_db: Any) -> None:
    """An answer's ETag, its page and its count come from one `reading` block: a sync that
    commits between two of its statements is seen by neither (PostgreSQL's default, READ
    COMMITTED, gives each statement a snapshot of its own)."""
    reader, writer = open_index(index_db()), open_index(index_db())
    try:
        with writer.transaction():
            cursors.add_chain(writer, 1, "0x" + "11" * 20, 5)
        with reader.reading():
            assert [row["cursor"] for row in reader.execute("SELECT cursor FROM chains")] == [4]
            with writer.transaction():
                cursors.set_cursor(writer, 1, "0x" + "11" * 20, 9, "0x" + "22" * 32, 1_700_000_000)
            assert [row["cursor"] for row in reader.execute("SELECT cursor FROM chains")] == [4]
        with reader.reading():
            assert [row["cursor"] for row in reader.execute("SELECT cursor FROM chains")] == [9]
    finally:
        reader.engine.dispose()
        writer.engine.dispose()


# --- upgrading an index in place (bountychain.index.migrations) -----------------------------

# A schema-4 index written by the code of schema 4 (before issue 13): the story of
# tests/test_index.py indexed from anvil, 68 blocks.
SCHEMA_4 = Path(__file__).parent / "data" / "index-schema4.sqlite3.gz"


def _schema_4_copy(tmp_path: Path) -> Path:
    path = tmp_path / "old.sqlite3"
    path.write_bytes(gzip.decompress(SCHEMA_4.read_bytes()))
    return path


def _tables(path: Path, tables: Iterable[str] = EXPECTED_COLUMNS) -> dict[str, list[tuple[object, ...]]]:
    db = sqlite3.connect(path)
    try:
        present = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return {table: sorted(db.execute(f"SELECT * FROM {table}")) for table in tables if table in present}  # noqa: S608
    finally:
        db.close()


def _one_chain_copy(tmp_path: Path, version: int) -> Path:
    """A schema-5, 6 or 7 index (one chain's, before several chains): the schema-4 one with the
    steps of schemas 5 (to 7) that those versions' code ran. Schema 7's milestone and bond
    tables get rows, as its sync would write them, so that the step to 8 has them to carry."""
    path = _schema_4_copy(tmp_path)
    engine = sqlalchemy.create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        for step in range(4, version):
            migrations.UPGRADES[step](Operations(MigrationContext.configure(connection)))
        if version >= 7:
            connection.execute(text("INSERT INTO milestones VALUES (69, 0, :tx, 2, 4000, '400', '10', '600')"),
                               {"tx": "0x" + "ab" * 32})
            connection.execute(text("INSERT INTO bonds VALUES (69, 1, :tx, 2, 0, 'required', :hunter, '5')"
                                    ", (69, 2, :tx, 2, 1, 'posted', :hunter, '5')"),
                               {"tx": "0x" + "ab" * 32, "hunter": "0x" + "cd" * 20})
        connection.execute(text("UPDATE meta SET value = :version WHERE key = 'schema_version'"),
                           {"version": str(version)})
    engine.dispose()
    return path


def _on_postgresql(path: Path, url: str) -> None:
    """The SQLite index at `path` copied into the empty PostgreSQL database `url`: its tables and
    indexes as SQLite stored their DDL (the schema's portable SQL), and every row."""
    source = sqlite3.connect(path)
    engine = sqlalchemy.create_engine(database_url(url))
    with engine.begin() as connection:
        for table, sql in source.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall():
            connection.exec_driver_sql(sql)
            cursor = source.execute(f"SELECT * FROM {table}")  # noqa: S608
            names = [column[0] for column in cursor.description]
            rows = [dict(zip(names, row, strict=True)) for row in cursor]
            if rows:
                connection.execute(text(f"INSERT INTO {table} ({', '.join(names)})"  # noqa: S608
                                        f" VALUES ({', '.join(':' + n for n in names)})"), rows)
        for (sql,) in source.execute("SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"):
            connection.exec_driver_sql(sql)
    engine.dispose()
    source.close()


def _opened(path: Path, backend: str, request: pytest.FixtureRequest) -> tuple[Index, str]:
    """The old index at `path` opened (and so upgraded) on `backend`: the SQLite file itself, or
    a copy in a fresh PostgreSQL database; and where it is."""
    target = str(path)
    if backend == "postgresql":
        target = request.getfixturevalue("postgres").database()
        _on_postgresql(path, target)
    return open_index(target), target


def _read_all(index: Index) -> dict[str, list[tuple[object, ...]]]:
    present = {row[0] for row in index.execute("SELECT table_name FROM information_schema.tables"
                                                " WHERE table_schema = 'public'")} if index.dialect == "postgresql" else {
        row[0] for row in index.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return {table: sorted(tuple(row) for row in index.execute(f"SELECT * FROM {table}"))  # noqa: S608
            for table in EXPECTED_COLUMNS if table in present}


def _as_before_10(table: str, row: tuple[object, ...]) -> tuple[object, ...]:
    """An upgraded row as an index before schema 10 had it: a summary row without the latest
    proposal's part (third from the end), which must be 0 (no proposal asked for a part)."""
    if table != "bounties":
        return row
    assert row[-3] == 0, row
    return row[:-3] + row[-2:]


def _assert_upgraded_keeping_every_row(before: dict[str, list[tuple[object, ...]]], index: Index) -> None:
    """Every row of the one chain's index is there, with that chain's id and its escrow in
    front (token metadata: the chain's id alone); its escrow and cursor moved from meta to
    `chains`: no re-sync needed."""
    meta = dict(before["meta"])
    chain_id = int(meta["chain_id"])
    after = _read_all(index)
    for table, rows in before.items():
        if table == "meta":
            continue
        front = (chain_id,) if table == "tokens" else (chain_id, meta["escrow"])
        assert all(row[:len(front)] == front for row in after[table]), table
        assert sorted(_as_before_10(table, row)[len(front):] for row in after[table]) == rows, table
    assert after["slashed_credits"] == after["part_proposals"] == after["spam_marks"] == []
    assert after["chains"] == [(chain_id, meta["escrow"], int(meta["start_block"]), int(meta["cursor"]),
                                meta["cursor_hash"], int(meta["cursor_time"]))]
    # Its review had proposals: the part each asked for, and any spam marks, up to its cursor
    # are read once by its indexer (schema 10).
    assert before["proposals"]
    assert dict(after["meta"]) == {"schema_version": str(SCHEMA_VERSION), "listing_shape": listing.SHAPE,
                                   f"backfill_review_parts:{chain_id}:{meta['escrow']}": meta["cursor"]}
    # ... and read as before.
    listed = queries.bounties(index)
    assert len(listed) == len(before["bounties"]) == 11 and {b.chain_name for b in listed} == {"Local dev chain"}
    detail = queries.bounty(index, 1)
    assert detail is not None and detail.bounty.repo == "org/parser" and detail.bounty.status == "awarded"
    assert sum(claim.paid for claim in detail.claims) == detail.bounty.paid_out > 0
    assert queries.status(index).cursor == int(meta["cursor"]) == 68


def _assert_newest_shape(index: Index, path: Path, backend: str) -> None:
    """An upgraded index's tables are the newest schema's, exactly as a new index's: columns,
    types, NOT NULL, keys (each table's one unique index), no defaults, and every named index."""
    if backend == "sqlite":
        db = sqlite3.connect(path)
        for table, expected in EXPECTED_COLUMNS.items():
            info = [(name, kind, notnull, pk) for _, name, kind, notnull, _, pk in db.execute(f"PRAGMA table_info({table})")]
            assert info == expected, table
            assert all(row[4] is None for row in db.execute(f"PRAGMA table_info({table})")), f"{table}: no defaults"
            unique = [row[1] for row in db.execute(f"PRAGMA index_list({table})") if row[2]]
            assert unique == [f"sqlite_autoindex_{table}_1"], table
        names = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")}
        db.close()
    else:
        names = {row[0] for row in index.execute("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'"
                                                  " AND indexname NOT LIKE '%_pkey'")}
        keys = {row[0] for row in index.execute("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'"
                                                 " AND indexname LIKE '%_pkey'")}
        assert keys == {f"{table}_pkey" for table in EXPECTED_COLUMNS}
        assert not index.execute("SELECT 1 FROM information_schema.columns WHERE table_schema = 'public'"
                                 " AND column_default IS NOT NULL").fetchall()
    assert names == set(EXPECTED_INDEXES)


def test_a_schema_4_index_is_upgraded_in_place_keeping_every_row(tmp_path: Path) -> None:
    path = _schema_4_copy(tmp_path)
    before = _tables(path, ["meta", *SCHEMA_5_COLUMNS])
    assert dict(before["meta"])["schema_version"] == "4" and len(before["pledges"]) == 18
    assert dict(before["meta"])["cursor"] == "68"
    index = open_index(path)
    assert get_meta(index, "schema_version") == str(SCHEMA_VERSION) == "11"
    _assert_upgraded_keeping_every_row(before, index)
    db = sqlite3.connect(path)
    names = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")}
    db.close()
    assert names == set(EXPECTED_INDEXES)
    after = _tables(path)
    index.close()
    open_index(path).close()  # opening it again changes nothing
    assert _tables(path) == after


@pytest.mark.parametrize("version", [5, 6, 7])
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_an_index_of_one_chain_is_upgraded_to_several_chains_keeping_every_row(
        tmp_path: Path, backend: str, version: int, request: pytest.FixtureRequest) -> None:
    path = _one_chain_copy(tmp_path, version)
    before = _tables(path, ["meta", *SCHEMA_5_COLUMNS])
    assert dict(before["meta"])["schema_version"] == str(version) and len(before["pledges"]) == 18
    # Schema 7's tables, with their rows, only from 7 on.
    assert (len(before.get("milestones", [])), len(before.get("bonds", []))) == ((1, 2) if version == 7 else (0, 0))
    db = sqlite3.connect(path)
    assert bool(db.execute("SELECT 1 FROM sqlite_master WHERE name = 'bounties_amount'").fetchall()) == (version >= 6)
    db.close()
    index, target = _opened(path, backend, request)
    _assert_upgraded_keeping_every_row(before, index)
    # Its tables are the newest schema's, keys and indexes included, exactly as a new index's.
    _assert_newest_shape(index, path, backend)
    # The upgraded index takes a second chain: bounty 1 of another chain beside the first's.
    with index.transaction():
        index.execute("INSERT INTO chains (chain_id, escrow, start_block, cursor) VALUES (1, :escrow, 0, 0)",
                      {"escrow": "0x" + "12" * 20})
        index.execute("INSERT INTO created (chain_id, escrow, bounty_id, issuer, approver, token, deadline, uri,"
                      " uri_hash, block_number, log_index, tx_hash) SELECT 1, :escrow, bounty_id, issuer, approver,"
                      " token, deadline, uri, uri_hash, block_number, log_index, tx_hash FROM created WHERE bounty_id = 1",
                      {"escrow": "0x" + "12" * 20})
        refresh_bounty(index, 1, "0x" + "12" * 20, 1)
    with pytest.raises(queries.AmbiguousBounty, match="Ethereum"):
        queries.bounty(index, 1)
    assert queries.bounty(index, 1, chain=31337).bounty.status == "awarded"
    assert queries.bounty(index, 1, chain=1).bounty.chain_name == "Ethereum"
    # Read in bounties_amount's order (schemas 6 to 8): the most held first, ids breaking ties.
    by_amount = queries.bounties(index, sort="amount", limit=4)
    assert [int(b.total) for b in by_amount] == sorted((int(b.total) for b in queries.bounties(index)), reverse=True)[:4]
    index.close()


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


# A schema-8 index written by the code of schema 8 (several chains, one escrow each): the
# schema-4 index above opened by that version, which upgraded it in place.
SCHEMA_8 = Path(__file__).parent / "data" / "index-schema8.sqlite3.gz"
_OTHER_ESCROW = "0x" + "12" * 20


def _schema_8_copy(tmp_path: Path) -> Path:
    """The schema-8 index with what a schema-8 sync also writes: a milestone and a claim bond
    slashed on bounty 2 of the local chain, and a second chain (Ethereum) with its own escrow
    and a bounty 1 of its own."""
    path = tmp_path / "eight.sqlite3"
    path.write_bytes(gzip.decompress(SCHEMA_8.read_bytes()))
    db = sqlite3.connect(path)
    tx, hunter = "0x" + "ab" * 32, "0x" + "cd" * 20
    db.execute("INSERT INTO milestones VALUES (31337, 69, 0, ?, 2, 4000, '400', '10', '600')", (tx,))
    db.execute("INSERT INTO bonds VALUES (31337, 69, 1, ?, 2, 0, 'required', '', '5'),"
               " (31337, 69, 2, ?, 2, 1, 'posted', ?, '5'), (31337, 69, 3, ?, 2, 1, 'slashed', ?, '5')",
               (tx, tx, hunter, tx, hunter))
    db.execute("INSERT INTO chains VALUES (1, ?, 100, 120, ?, 1700000000)", (_OTHER_ESCROW, "0x" + "77" * 32))
    db.execute("INSERT INTO created SELECT 1, bounty_id, issuer, approver, token, deadline, uri, uri_hash, 101,"
               " log_index, tx_hash FROM created WHERE chain_id = 31337 AND bounty_id = 1")
    db.execute("INSERT INTO bounties SELECT 1, bounty_id, kind, issuer, approver, token, uri, host, repo, deadline,"
               " status, total, pledged, refunded, pool, fee, paid_out, beneficiary, goal, all_or_nothing, raised,"
               " funder_count, claim_count, optimistic, review_window, quorum_bps, arbiter, arbiter_is_erc792,"
               " proposal_state, proposal_nonce, proposed_claims, proposed_shares, proposal_total, window_end,"
               " decide_by, weight_against, dispute_id, 101, 101 FROM bounties WHERE chain_id = 31337 AND bounty_id = 1")
    db.commit()
    db.close()
    return path


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_schema_8_index_gets_each_rows_escrow_and_keeps_every_row(
        tmp_path: Path, backend: str, request: pytest.FixtureRequest) -> None:
    path = _schema_8_copy(tmp_path)
    before = _tables(path, ["meta", "chains", *SCHEMA_5_COLUMNS])
    assert dict(before["meta"]) == {"schema_version": "8"}
    escrows = {chain_id: escrow for chain_id, escrow, *_ in before["chains"]}
    assert escrows[1] == _OTHER_ESCROW and len(escrows) == 2
    index, target = _opened(path, backend, request)
    after = _read_all(index)
    # Every row is there with its chain's escrow beside its chain id (tokens are per chain).
    for table, rows in before.items():
        if table in ("meta", "tokens"):
            continue
        if table == "chains":
            assert after["chains"] == rows
            continue
        assert sorted(_as_before_10(table, row[:1] + row[2:]) for row in after[table]) == rows, table
        assert all(row[1] == escrows[row[0]] for row in after[table]), table
    assert after["tokens"] == before["tokens"]
    assert after["slashed_credits"] == after["part_proposals"] == after["spam_marks"] == []
    # The local escrow had slashed a bond: its credits, and its review's spam marks and part
    # proposals, up to its cursor are read once by its indexer.
    meta = dict(after["meta"])
    assert meta == {"schema_version": "11", f"backfill_slashed:31337:{escrows[31337]}": "68",
                    f"backfill_review_parts:31337:{escrows[31337]}": "68", "listing_shape": listing.SHAPE}
    _assert_newest_shape(index, path, backend)
    # ... and read as before, each bounty with its escrow.
    with pytest.raises(queries.AmbiguousBounty, match="Ethereum"):
        queries.bounty(index, 1)
    local = queries.bounty(index, 1, chain=31337)
    assert local.bounty.escrow == escrows[31337] and local.bounty.status == "awarded"
    assert queries.bounty(index, 1, escrow=_OTHER_ESCROW).bounty.chain_id == 1
    assert len(queries.bounties(index)) == 12 and len(queries.bounties(index, escrow=escrows[31337])) == 11
    # A second escrow on the local chain takes bounty 1 too: now the id needs the escrow as well.
    second = "0x" + "34" * 20
    with index.transaction():
        index.execute("INSERT INTO chains (chain_id, escrow, start_block, cursor) VALUES (31337, :escrow, 60, 68)",
                      {"escrow": second})
        index.execute("INSERT INTO created (chain_id, escrow, bounty_id, issuer, approver, token, deadline, uri,"
                      " uri_hash, block_number, log_index, tx_hash) SELECT chain_id, :escrow, bounty_id, issuer,"
                      " approver, token, deadline, uri, uri_hash, 61, log_index, tx_hash FROM created"
                      " WHERE chain_id = 31337 AND bounty_id = 1", {"escrow": second})
        refresh_bounty(index, 31337, second, 1)
    with pytest.raises(queries.AmbiguousBounty, match="several escrows") as raised:
        queries.bounty(index, 1, chain=31337)
    assert raised.value.choices == sorted([(31337, escrows[31337]), (31337, second)])
    assert queries.bounty(index, 1, chain=31337, escrow=second).bounty.status == "open"
    assert queries.bounty(index, 1, escrow=escrows[31337]).bounty.status == "awarded"
    index.close()


# A schema-9 index written by the code of schema 9: the schema-8 index above (with its milestone
# and slashed bond on bounty 2) opened by that version, which upgraded it in place and noted the
# slashed-bond credits its indexer had still to read.
SCHEMA_9 = Path(__file__).parent / "data" / "index-schema9.sqlite3.gz"


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_schema_9_index_gets_the_review_parts_tables_and_keeps_every_row(
        tmp_path: Path, backend: str, request: pytest.FixtureRequest) -> None:
    path = tmp_path / "nine.sqlite3"
    path.write_bytes(gzip.decompress(SCHEMA_9.read_bytes()))
    before = _tables(path, ["meta", "chains", "tokens", *SCHEMA_5_COLUMNS, "slashed_credits"])
    (escrow,) = {row[1] for row in before["chains"]}
    assert dict(before["meta"]) == {"schema_version": "9", f"backfill_slashed:31337:{escrow}": "68"}
    assert len(before["bounties"][0]) == len(EXPECTED_COLUMNS["bounties"]) - 1  # no part yet
    index, target = _opened(path, backend, request)
    after = _read_all(index)
    # Every row is there as it was; a summary gets the part its latest proposal asks for: 0 (none
    # was recorded), until its indexer reads the review's PartProposed events.
    for table, rows in before.items():
        if table != "meta":
            assert sorted(_as_before_10(table, row) for row in after[table]) == rows, table
    assert after["part_proposals"] == after["spam_marks"] == []
    # Its review had proposals and a bond was slashed: the indexer reads PartProposed and
    # SpamMarked once, up to its cursor; the slashed-bond credits still to read stay noted.
    assert dict(after["meta"]) == {"schema_version": "11", f"backfill_slashed:31337:{escrow}": "68",
                                   f"backfill_review_parts:31337:{escrow}": "68", "listing_shape": listing.SHAPE}
    _assert_newest_shape(index, path, backend)
    # ... and read as before, the new fields empty.
    listed = queries.bounties(index)
    assert len(listed) == 11 and {b.proposed_part_bps for b in listed} == {0}
    # The list read from the JSON the upgrade stored reads as the records.
    stored = json.loads(to_json(queries.bounties(index, shape=listing.listed, stored=True)))
    assert [{key: value for key, value in bounty.items() if key != "solutions"} for bounty in stored] == json.loads(
        to_json(listed))
    detail = queries.bounty(index, 2)
    assert [(mark.claim_id, mark.bond, mark.through_review) for mark in detail.spam_marks] == [(1, 5, False)]
    assert detail.spam_marks[0].marked_by == detail.bounty.approver
    index.close()
    open_index(target).close()  # opening it again changes nothing
