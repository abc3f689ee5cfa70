"""The bot's own tables, beside the index in the same database (SQLite or PostgreSQL), created
by the bot and never part of the index's schema: which deliveries it has taken, which comments
it has answered and with what, one status comment per issue, merged pull requests, the
repositories its installations cover, and the GitHub logins linked to addresses.

Everything the bot posts is keyed here before it is posted, so a redelivered webhook or a
restarted service finds the key and does not post again (see `Bot`).

One bot process per database (`ServiceLock`): two would both take deliveries, and each, when it
starts, forgets the deliveries left unhandled, which may be the other one's queue."""

from __future__ import annotations

import time
import zlib
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from bountychain.errors import BountychainError
from bountychain.index.locks import DatabaseLock
from bountychain.index.store import describe_url

metadata = sa.MetaData()

deliveries = sa.Table(
    "github_deliveries", metadata,
    sa.Column("delivery_id", sa.String(100), primary_key=True),  # X-GitHub-Delivery
    sa.Column("event", sa.String(60), nullable=False),
    sa.Column("received_at", sa.BigInteger, nullable=False),
    sa.Column("handled", sa.Boolean, nullable=False, default=False),  # False while queued
)
replies = sa.Table(  # one answer per command comment: key "comment:<id>"
    "github_replies", metadata,
    sa.Column("key", sa.String(120), primary_key=True),
    sa.Column("repo", sa.String(200), nullable=False),
    sa.Column("issue_number", sa.BigInteger, nullable=False),
    sa.Column("comment_id", sa.BigInteger),  # NULL while being posted (or if the post was cut short)
    sa.Column("posted_at", sa.BigInteger, nullable=False),
)
statuses = sa.Table(  # the one status comment of an issue, edited in place
    "github_statuses", metadata,
    sa.Column("repo", sa.String(200), primary_key=True),
    sa.Column("issue_number", sa.BigInteger, primary_key=True),
    sa.Column("installation_id", sa.BigInteger, nullable=False),
    sa.Column("comment_id", sa.BigInteger),
    sa.Column("body_sha256", sa.String(64)),  # of the body last posted: unchanged text is not re-sent
    sa.Column("updated_at", sa.BigInteger, nullable=False),
)
merges = sa.Table(  # pull requests merged that close an issue
    "github_merges", metadata,
    sa.Column("repo", sa.String(200), primary_key=True),
    sa.Column("issue_number", sa.BigInteger, primary_key=True),
    sa.Column("pr_url", sa.String(500), primary_key=True),
    sa.Column("pr_author", sa.String(100), nullable=False),
    sa.Column("merged_at", sa.String(40), nullable=False),
)
repositories = sa.Table(
    "github_repositories", metadata,
    sa.Column("repo", sa.String(200), primary_key=True),  # owner/name, lowercase
    sa.Column("installation_id", sa.BigInteger, nullable=False),
)
links = sa.Table(  # a GitHub login proven (EIP-712) to be held by the owner of an address
    "github_links", metadata,
    sa.Column("login", sa.String(100), primary_key=True),  # lowercase
    sa.Column("address", sa.String(42), primary_key=True),  # checksummed
    sa.Column("comment_url", sa.String(500), nullable=False),
    sa.Column("linked_at", sa.BigInteger, nullable=False),
)
# A profile's links are looked up by the address in any case (`LINKS_OF_ADDRESS`): without this
# index every funder's or hunter's answer read the whole table. Made by BotState, on a database
# an earlier version made too (create_all makes a table's indexes only with the table).
LINKS_BY_ADDRESS = sa.DDL(f"CREATE INDEX IF NOT EXISTS github_links_address ON {links.name} (lower(address))")


@dataclass(frozen=True)
class StatusRow:
    repo: str
    issue_number: int
    installation_id: int
    comment_id: int | None
    body_sha256: str | None


@dataclass(frozen=True)
class Merge:
    repo: str
    issue_number: int
    pr_url: str
    pr_author: str
    merged_at: str


# Written out, not built with select(): a profile reads it per request, and building the
# statement and its cache key was most of the read.
LINKS_OF_ADDRESS = (f"SELECT login, address, comment_url, linked_at FROM {links.name}"
                    " WHERE lower(address) = :address ORDER BY linked_at, login")
_LINKS_OF_ADDRESS = sa.text(LINKS_OF_ADDRESS)


def links_statement(address: str) -> tuple[str, dict[str, str]]:
    """`BotState.links_of_address`'s statement (portable text, `:name` parameters) and its
    parameters: for a reader of the same database outside SQLAlchemy's statement layer (the
    API's profiles, in their answer's snapshot), whose rows are its dicts."""
    return LINKS_OF_ADDRESS, {"address": address.lower()}


class BotState:
    """The bot's tables on `engine` (created if missing)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        metadata.create_all(engine)
        with engine.begin() as connection:
            connection.execute(LINKS_BY_ADDRESS)

    def _run(self, statement: Any) -> Any:
        with self.engine.begin() as connection:
            result = connection.execute(statement)
            # Rows are read before the connection goes back to the pool: the web app's reader
            # threads share it, and a result read after that read another thread's connection.
            return result.freeze()() if result.returns_rows else result

    def _insert_new(self, statement: Any) -> bool:
        """Runs an INSERT; False if the key was already there."""
        try:
            self._run(statement)
        except IntegrityError:
            return False
        return True

    # --- deliveries ---
    def take_delivery(self, delivery_id: str, event: str) -> bool:
        """Records a delivery id; False if it was taken before (a replay)."""
        return self._insert_new(deliveries.insert().values(delivery_id=delivery_id, event=event,
                                                           received_at=int(time.time()), handled=False))

    def delivery_handled(self, delivery_id: str) -> None:
        self._run(deliveries.update().where(deliveries.c.delivery_id == delivery_id).values(handled=True))

    def release_unhandled(self) -> int:
        """Forgets the deliveries taken but never handled (queued when the process stopped), so
        that GitHub's redelivery of them is taken; returns how many."""
        return int(self._run(deliveries.delete().where(deliveries.c.handled.is_(False))).rowcount)

    def release_delivery(self, delivery_id: str) -> None:
        """Forgets a delivery whose handling failed, so GitHub's redelivery of it is taken."""
        self._run(deliveries.delete().where(deliveries.c.delivery_id == delivery_id))

    # --- replies ---
    def reserve_reply(self, key: str, repo: str, issue_number: int) -> tuple[bool, int | None]:
        """(True, None) if this answer is new and now reserved; else (False, its comment id or
        None when an earlier attempt was cut short between reserving and recording)."""
        if self._insert_new(replies.insert().values(key=key, repo=repo, issue_number=issue_number,
                                                    comment_id=None, posted_at=int(time.time()))):
            return True, None
        row = self._run(sa.select(replies.c.comment_id).where(replies.c.key == key)).first()
        return False, None if row is None else row[0]

    def record_reply(self, key: str, comment_id: int) -> None:
        self._run(replies.update().where(replies.c.key == key).values(comment_id=comment_id))

    def reply_count(self) -> int:
        return int(self._run(sa.select(sa.func.count()).select_from(replies)).scalar_one())

    # --- status comments ---
    def track_issue(self, repo: str, issue_number: int, installation_id: int) -> None:
        self._insert_new(statuses.insert().values(repo=repo, issue_number=issue_number,
                                                  installation_id=installation_id, comment_id=None,
                                                  body_sha256=None, updated_at=int(time.time())))

    def status(self, repo: str, issue_number: int) -> StatusRow | None:
        row = self._run(sa.select(statuses).where(statuses.c.repo == repo,
                                                  statuses.c.issue_number == issue_number)).first()
        return None if row is None else StatusRow(row.repo, row.issue_number, row.installation_id, row.comment_id,
                                                  row.body_sha256)

    def tracked_issues(self) -> list[StatusRow]:
        rows = self._run(sa.select(statuses).order_by(statuses.c.repo, statuses.c.issue_number)).all()
        return [StatusRow(r.repo, r.issue_number, r.installation_id, r.comment_id, r.body_sha256) for r in rows]

    def record_status(self, repo: str, issue_number: int, comment_id: int, body_sha256: str) -> None:
        self._run(statuses.update().where(statuses.c.repo == repo, statuses.c.issue_number == issue_number)
                  .values(comment_id=comment_id, body_sha256=body_sha256, updated_at=int(time.time())))

    # --- merges and installations ---
    def record_merge(self, merge: Merge) -> None:
        self._insert_new(merges.insert().values(**merge.__dict__))

    def merges_of(self, repo: str, issue_number: int) -> list[Merge]:
        rows = self._run(sa.select(merges).where(merges.c.repo == repo, merges.c.issue_number == issue_number)
                         .order_by(merges.c.merged_at)).all()
        return [Merge(r.repo, r.issue_number, r.pr_url, r.pr_author, r.merged_at) for r in rows]

    def record_repository(self, repo: str, installation_id: int) -> None:
        if not self._insert_new(repositories.insert().values(repo=repo, installation_id=installation_id)):
            self._run(repositories.update().where(repositories.c.repo == repo)
                      .values(installation_id=installation_id))

    def forget_installation(self, installation_id: int) -> None:
        self._run(repositories.delete().where(repositories.c.installation_id == installation_id))

    def forget_repository(self, repo: str) -> None:
        self._run(repositories.delete().where(repositories.c.repo == repo))

    def repositories(self) -> dict[str, int]:
        return {r.repo: r.installation_id for r in self._run(sa.select(repositories)).all()}

    # --- linked accounts ---
    def record_link(self, login: str, address: str, comment_url: str) -> bool:
        return self._insert_new(links.insert().values(login=login.lower(), address=address, comment_url=comment_url,
                                                      linked_at=int(time.time())))

    def links_of_address(self, address: str, connection: Connection | None = None) -> list[dict[str, Any]]:
        """The logins linked to `address`, oldest first. `connection`: read there (the API's
        read of a profile, in its snapshot), else in a transaction of its own."""
        statement = _LINKS_OF_ADDRESS.bindparams(**links_statement(address)[1])
        rows = (connection.execute(statement) if connection is not None else self._run(statement)).all()
        return [{"login": r.login, "address": r.address, "comment_url": r.comment_url, "linked_at": r.linked_at}
                for r in rows]

    def login_of(self, address: str) -> str | None:
        found = self.links_of_address(address)
        return found[-1]["login"] if found else None


class BotBusy(BountychainError):
    """Another bot process already handles this database's deliveries."""


# The advisory lock key of the one bot process of a PostgreSQL database (a fixed 64-bit number,
# apart from the index writers' keys).
_SERVICE_KEY = zlib.crc32(b"bountychain-github-bot")


class ServiceLock(DatabaseLock):
    """Held by the one bot process of a database, from before it takes deliveries until it
    stops (`release`); another one (in this process or any other) gets BotBusy at once. The
    index's kind of lock (`DatabaseLock`, as its writers hold), on a key of the bot's own."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine, _SERVICE_KEY, "-github-bot.lock", BotBusy(
            f"another bot process (`bountychain github serve`) already handles the deliveries of "
            f"{describe_url(engine.url.render_as_string(hide_password=True))}: run one bot per database; stop the "
            "other one first, or give this one its own --db"))
