"""Upgrading an index in place, without re-syncing: each step takes the schema from one
version to the next through Alembic's operations (the same calls on SQLite and PostgreSQL;
on SQLite, Alembic's batch mode rebuilds a table where ALTER TABLE cannot).

An index records its version in `meta.schema_version`. Schema 3 and older lack facts that only
the chain has (the recipients of refunds, credited payouts, fee withdrawals): those are not
upgraded but re-indexed, and the message says so.
"""

from __future__ import annotations

from collections.abc import Callable

from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import text
from sqlalchemy.engine import Connection

from bountychain.index.schema import DDL, INDEXES, SCHEMA_VERSION

# meta key prefixes: an escrow whose events of these names, up to a block (the value), were
# indexed before a schema recorded them; its indexer reads them once (`sync.Indexer`), the
# escrow's own events or its review contract's. SlashedBondsCredited: schema 9 (`_to_9`);
# PartProposed and SpamMarked: schema 10 (`_to_10`).
BACKFILL_SLASHED = "backfill_slashed:"
BACKFILL_REVIEW_PARTS = "backfill_review_parts:"
BACKFILLS: dict[str, tuple[str, ...]] = {BACKFILL_SLASHED: ("SlashedBondsCredited",),
                                         BACKFILL_REVIEW_PARTS: ("PartProposed", "SpamMarked")}

# The oldest schema that can be upgraded.
OLDEST_UPGRADABLE = 4


def _create_index(op: Operations, name: str, table: str, columns: tuple[str, ...] | list[str]) -> None:
    """An index (an expression column, "LENGTH(total)", goes to Alembic as SQL text: a plain
    string would be quoted as a column name)."""
    op.create_index(name, table, [text(column) if "(" in column else column for column in columns],
                    if_not_exists=True)


# Each step's indexes as that schema had them (schema 8 puts the chain in each by bounty):
# `schema.INDEXES` describes only the newest schema.
def _to_5(op: Operations) -> None:
    """Schema 5: the indexes the sync and the detail page look bounties up by (issue 13)."""
    for name, table, columns in (("payouts_bounty", "payouts", ["bounty_id", "claim_id"]),
                                 ("refunds_bounty", "refunds", ["bounty_id", "funder"]),
                                 ("extensions_bounty", "extensions", ["bounty_id"]),
                                 ("proposal_steps_bounty", "proposal_steps", ["bounty_id", "nonce"]),
                                 ("disputes_bounty", "disputes", ["bounty_id", "nonce"]),
                                 ("rulings_bounty", "rulings", ["bounty_id"]),
                                 ("raised_paid_beneficiary", "raised_paid", ["beneficiary"]),
                                 ("bounties_deadline", "bounties", ["deadline"])):
        _create_index(op, name, table, columns)


def _to_6(op: Operations) -> None:
    """Schema 6: the index the list sorted by amount reads in order (issue 13)."""
    _create_index(op, "bounties_amount", "bounties", ["LENGTH(total)", "total", "bounty_id"])


# What an index of one chain kept in `meta` about its chain, now its row of `chains`.
_CHAIN_META = ("chain_id", "escrow", "start_block", "cursor", "cursor_hash", "cursor_time")


# The milestone and claim-bond tables as schema 7 made them, before rows carried their chain.
_MILESTONE_TABLES_7 = (
    """CREATE TABLE IF NOT EXISTS milestones (
        block_number BIGINT NOT NULL, log_index INTEGER NOT NULL, tx_hash TEXT NOT NULL,
        bounty_id BIGINT NOT NULL, part_bps INTEGER NOT NULL, pool TEXT NOT NULL, fee TEXT NOT NULL,
        remaining TEXT NOT NULL, PRIMARY KEY (block_number, log_index)
    )""",
    """CREATE TABLE IF NOT EXISTS bonds (
        block_number BIGINT NOT NULL, log_index INTEGER NOT NULL, tx_hash TEXT NOT NULL,
        bounty_id BIGINT NOT NULL, claim_id BIGINT NOT NULL, step TEXT NOT NULL, hunter TEXT NOT NULL,
        amount TEXT NOT NULL, PRIMARY KEY (block_number, log_index)
    )""",
)


def _to_7(op: Operations) -> None:
    """Schema 7: the milestone and claim-bond event tables (issue 16); nothing else changes."""
    for statement in _MILESTONE_TABLES_7:
        op.execute(statement)


def _columns(op: Operations, table: str) -> list[str]:
    return list(op.get_bind().execute(text(f"SELECT * FROM {table} WHERE 1 = 0")).keys())  # noqa: S608


def _rebuild(op: Operations, table: str, filled: dict[str, str], params: dict[str, object] | None = None, *,
             always: bool = False) -> None:
    """Brings `table` to its newest shape (`schema.DDL`) with its rows: the new table is created
    from the schema, filled from the old one (each column the old one lacks from its SQL
    expression in `filled`, over the old table's rows: a bound parameter or a subquery), the old
    one dropped with its indexes and the new one renamed. No backend adds a column to a primary
    key in place, and SQLite cannot alter one at all. A table that already has every column is
    left as it is, unless `always` (its key changed). The caller creates the indexes again."""
    statements = {statement.split("(")[0].split()[-1]: statement for statement in DDL
                  if statement.startswith("CREATE TABLE")}
    old_columns = _columns(op, table)
    op.execute(statements[table].replace(f"CREATE TABLE IF NOT EXISTS {table} (", f"CREATE TABLE new_{table} (", 1))
    missing = [column for column in _columns(op, f"new_{table}") if column not in old_columns]
    filled = {**LATER_COLUMNS.get(table, {}), **filled}
    if not missing and not always:
        op.drop_table(f"new_{table}")
        return
    names = ", ".join([*old_columns, *missing])
    values = ", ".join([*(f"{table}.{column}" for column in old_columns), *(filled[column] for column in missing)])
    op.execute(text(f"INSERT INTO new_{table} ({names}) SELECT {values} FROM {table}")  # noqa: S608 - the schema's names
               .bindparams(**{key: value for key, value in (params or {}).items() if f":{key}" in values}))
    op.drop_table(table)
    op.rename_table(f"new_{table}", table)
    if op.get_bind().dialect.name == "postgresql":  # the key's index keeps the name it was made with
        op.execute(f"ALTER INDEX new_{table}_pkey RENAME TO {table}_pkey")


# Columns that schemas after 9 add, by table: column -> its SQL value for the rows written
# before it. `_rebuild` (the steps to 8 and 9) makes tables in the newest shape, so it fills
# them too; the step that adds such a column adds it only where it is missing.
LATER_COLUMNS: dict[str, dict[str, str]] = {"bounties": {"proposed_part_bps": "0"}}  # schema 10

# The tables of rows that carry their chain and escrow (schema 9 adds `slashed_credits`, made new).
_ROW_TABLES_8 = ("blocks", "tokens", "created", "fundraisers", "pledges", "claims", "awards", "payouts", "raised_paid",
                 "credits", "withdrawals", "fee_withdrawals", "refunds", "cancellations", "extensions",
                 "review_policies", "proposals", "objections", "proposal_steps", "disputes", "rulings", "milestones",
                 "bonds", "bounties")


def _create_indexes(op: Operations) -> None:
    for name, (table, columns) in INDEXES.items():
        _create_index(op, name, table, columns)


def _to_8(op: Operations) -> None:
    """Schema 8, several chains in one index (issue 13): every row gets the chain the index
    followed (`meta.chain_id`) as the first column of its table and a column of its key, and
    that chain's escrow and cursor move from `meta` to its row of `chains`. Each table is
    rebuilt to the newest shape (`_rebuild`), so its rows get their escrow (schema 9) here too:
    the index's one escrow; the step to 9 then has only `chains`, `slashed_credits` and the
    indexes to make."""
    connection = op.get_bind()
    meta = {key: value for key, value in connection.execute(text("SELECT key, value FROM meta"))}
    chain_id = int(meta["chain_id"]) if "chain_id" in meta else None
    params = {"chain_id": chain_id or 0, "escrow": meta.get("escrow") or ""}
    for table in _ROW_TABLES_8:
        if chain_id is None:  # an index that never followed a chain has no rows to move
            op.execute(f"DELETE FROM {table}")  # noqa: S608 - the schema's names
        _rebuild(op, table, {"chain_id": ":chain_id", "escrow": ":escrow"}, params)
    op.execute(next(statement for statement in DDL if statement.startswith("CREATE TABLE IF NOT EXISTS chains (")))
    if chain_id is not None:
        op.execute(text("INSERT INTO chains (chain_id, escrow, start_block, cursor, cursor_hash, cursor_time)"
                        " VALUES (:chain_id, :escrow, :start_block, :cursor, :cursor_hash, :cursor_time)").bindparams(
            chain_id=chain_id, escrow=meta["escrow"], start_block=int(meta.get("start_block") or 0),
            cursor=int(meta.get("cursor") or int(meta.get("start_block") or 0) - 1),
            cursor_hash=meta.get("cursor_hash"),
            cursor_time=int(meta["cursor_time"]) if meta.get("cursor_time") else None))
    for key in _CHAIN_META:
        op.execute(text("DELETE FROM meta WHERE key = :key").bindparams(key=key))
    # The indexes (dropped with the old tables) are made by the step to 9, which always follows.


def _to_9(op: Operations) -> None:
    """Schema 9, several escrows per chain (issues 13 and 15) and slashed-bond credits (issue
    16): every row gets its chain's escrow (schema 8 followed one per chain) as a column and a
    part of every key by id; `chains` is keyed by (chain, escrow); `slashed_credits` is new.
    An escrow that already slashed a bond has credits in blocks it indexed before: the upgrade
    notes them in `meta` (`backfill_slashed:<chain id>:<escrow>` = its cursor) and its indexer
    reads them once before its next range (`sync.Indexer`)."""
    escrow_of_row = "(SELECT c.escrow FROM chains c WHERE c.chain_id = {table}.chain_id)"
    for table in _ROW_TABLES_8:
        _rebuild(op, table, {"escrow": escrow_of_row.format(table=table)})
    _rebuild(op, "chains", {}, always=True)
    _note_backfill(op, BACKFILL_SLASHED, "SELECT 1 FROM bonds b WHERE b.chain_id = c.chain_id"
                   " AND b.escrow = c.escrow AND b.step = 'slashed'")
    _create_table(op, "slashed_credits")
    # The indexes (dropped with the old tables) are made by the step to 10, which always follows.


def _create_table(op: Operations, table: str) -> None:
    """`table` as the newest schema makes it (`schema.DDL`)."""
    op.execute(next(statement for statement in DDL if statement.startswith(f"CREATE TABLE IF NOT EXISTS {table} (")))


def _note_backfill(op: Operations, prefix: str, evidence: str) -> None:
    """Notes in `meta` (`<prefix><chain id>:<escrow>` = its cursor) each followed escrow for which
    the SQL `evidence` (a subquery over alias c, a row of `chains`) finds a row: its indexer
    reads the events of `BACKFILLS[prefix]` once, up to that block (`sync.Indexer`)."""
    for chain_id, escrow, cursor in op.get_bind().execute(text(
            f"SELECT c.chain_id, c.escrow, c.cursor FROM chains c WHERE EXISTS ({evidence})")).fetchall():  # noqa: S608
        op.execute(text("INSERT INTO meta (key, value) VALUES (:key, :value)").bindparams(
            key=f"{prefix}{chain_id}:{escrow}", value=str(cursor)))


def _to_10(op: Operations) -> None:
    """Schema 10, issue 16 through the review: which part of the pool a proposal asks for
    (PartProposed: `part_proposals`, and the latest proposal's part in `bounties`) and the
    proposer's spam marks (SpamMarked: `spam_marks`). A summary row gets its part (0) in place:
    no backend adds a NOT NULL column without a default, and the schema keeps none, so
    `bounties` (derived, no key change) is rebuilt only if it lacks the column (an index
    upgraded from 8 or older has it already). An escrow whose review may have emitted them
    already (it has proposals, or a bond was slashed) is noted: its indexer reads both once
    and recomputes the bounties they name."""
    _rebuild(op, "bounties", {})
    _create_table(op, "part_proposals")
    _create_table(op, "spam_marks")
    _note_backfill(op, BACKFILL_REVIEW_PARTS,
                   "SELECT 1 FROM proposals p WHERE p.chain_id = c.chain_id AND p.escrow = c.escrow"
                   " UNION ALL SELECT 1 FROM bonds b WHERE b.chain_id = c.chain_id AND b.escrow = c.escrow"
                   " AND b.step = 'slashed'")
    _create_indexes(op)


def _to_11(op: Operations) -> None:
    """Schema 11 (issue 13): each bounty's summary and solutions as the API's JSON
    (`bounty_json`, `listing`), written by the store when it opens the index
    (`store.open_index`, `listing.SHAPE`)."""
    _create_table(op, "bounty_json")


# version -> the step that upgrades an index of that version to the next one.
UPGRADES: dict[int, Callable[[Operations], None]] = {4: _to_5, 5: _to_6, 6: _to_7, 7: _to_8, 8: _to_9, 9: _to_10, 10: _to_11}
assert sorted(UPGRADES) == list(range(OLDEST_UPGRADABLE, SCHEMA_VERSION)), "one step per version"


def upgrade(connection: Connection, version: int) -> None:
    """Runs every step from `version` to SCHEMA_VERSION on `connection` (inside the caller's
    transaction: an upgrade that fails leaves the index as it was)."""
    op = Operations(MigrationContext.configure(connection))
    for step in range(version, SCHEMA_VERSION):
        UPGRADES[step](op)
