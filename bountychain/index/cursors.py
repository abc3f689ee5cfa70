"""The escrows an index follows: one row of `chains` per (chain, escrow), with the block its
indexing starts from and its cursor (the last block whose events are all indexed, with that
block's hash and time). Every other table's rows carry their chain's id and their escrow."""

from __future__ import annotations

from bountychain.index.store import Index, Row, Rows


def chains(db: Index) -> Rows:
    """The escrows the index follows, by chain id and then start block (a chain's deployment
    history, oldest first): chain_id, escrow, start_block, cursor, cursor_hash, cursor_time. Read
    once per snapshot (`Index.remembered`): an answer's ETag and status both name them."""
    return db.remembered("chains", lambda: db.execute("SELECT * FROM chains ORDER BY chain_id, start_block, escrow"))


def chain_row(db: Index, chain_id: int, escrow: str) -> Row | None:
    """One escrow's row of `chains`, or None if the index does not follow it."""
    return db.execute("SELECT * FROM chains WHERE chain_id = :chain_id AND escrow = :escrow",
                      {"chain_id": chain_id, "escrow": escrow}).fetchone()


def add_chain(db: Index, chain_id: int, escrow: str, start_block: int) -> None:
    """Starts following an escrow on a chain from `start_block` (nothing indexed yet)."""
    db.execute("INSERT INTO chains (chain_id, escrow, start_block, cursor, cursor_hash, cursor_time)"
               " VALUES (:chain_id, :escrow, :start_block, :cursor, NULL, NULL)",
               {"chain_id": chain_id, "escrow": escrow, "start_block": start_block, "cursor": start_block - 1})


def set_cursor(db: Index, chain_id: int, escrow: str, cursor: int, cursor_hash: str | None,
               cursor_time: int | None) -> None:
    """An escrow's last indexed block, its hash and its time."""
    db.execute("UPDATE chains SET cursor = :cursor, cursor_hash = :cursor_hash, cursor_time = :cursor_time"
               " WHERE chain_id = :chain_id AND escrow = :escrow",
               {"chain_id": chain_id, "escrow": escrow, "cursor": cursor, "cursor_hash": cursor_hash,
                "cursor_time": cursor_time})
