"""A reorganisation-safe index of the escrow's events, in SQLite or PostgreSQL.

    from bountychain.index import Indexer, open_index, queries
    indexer = Indexer.for_client(client, "bountychain-index.sqlite3")   # or a postgresql:// URL
    indexer.sync()                                  # one pass; indexer.follow() keeps polling
    queries.bounties(indexer.db, repo="org/repo", status="open")

One database can hold several chains, and several escrows on a chain (its deployment
history): every row carries its chain id and escrow, the queries take `chain=` and `escrow=`,
and `several` follows the chains of a TOML file, one thread each.
See `sync` for the algorithm and `schema` for the tables.
"""

from bountychain.index import queries
from bountychain.index.store import Index, IndexBusy, IndexMismatch, IndexUnavailable, open_index, parse_repo
from bountychain.index.sync import DEFAULT_BATCH, Indexer, SyncReport, default_confirmations

__all__ = ["DEFAULT_BATCH", "Index", "IndexBusy", "IndexMismatch", "IndexUnavailable", "Indexer", "SyncReport", "default_confirmations", "open_index",
           "parse_repo", "queries"]
