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

from bountychain.index.schema import INDEXES, MILESTONE_TABLES, SCHEMA_VERSION

# The oldest schema that can be upgraded.
OLDEST_UPGRADABLE = 4


def _create_indexes(op: Operations, *names: str) -> None:
    """Creates the named indexes of `schema.INDEXES` (an expression column, "LENGTH(total)",
    goes to Alembic as SQL text: a plain string would be quoted as a column name)."""
    for name in names:
        table, columns = INDEXES[name]
        op.create_index(name, table, [text(column) if "(" in column else column for column in columns],
                        if_not_exists=True)


def _to_5(op: Operations) -> None:
    """Schema 5: the indexes the sync and the detail page look bounties up by (issue 13)."""
    _create_indexes(op, "payouts_bounty", "refunds_bounty", "extensions_bounty", "proposal_steps_bounty",
                    "disputes_bounty", "rulings_bounty", "raised_paid_beneficiary", "bounties_deadline")


def _to_6(op: Operations) -> None:
    """Schema 6: the index the list sorted by amount reads in order (issue 13)."""
    _create_indexes(op, "bounties_amount")


def _to_7(op: Operations) -> None:
    """Schema 7: the milestone and claim-bond event tables (issue 16); nothing else changes."""
    for statement in MILESTONE_TABLES:
        op.execute(statement)


# version -> the step that upgrades an index of that version to the next one.
UPGRADES: dict[int, Callable[[Operations], None]] = {4: _to_5, 5: _to_6, 6: _to_7}
assert sorted(UPGRADES) == list(range(OLDEST_UPGRADABLE, SCHEMA_VERSION)), "one step per version"


def upgrade(connection: Connection, version: int) -> None:
    """Runs every step from `version` to SCHEMA_VERSION on `connection` (inside the caller's
    transaction: an upgrade that fails leaves the index as it was)."""
    op = Operations(MigrationContext.configure(connection))
    for step in range(version, SCHEMA_VERSION):
        UPGRADES[step](op)
