"""The index database: opening it (SQLite or PostgreSQL, by URL) and its settings (the
per-bounty summary and rollbacks are in `summaries`).

One schema (`schema.DDL`) and one set of queries serve both backends: every statement is
portable SQL text run through SQLAlchemy Core with named `:name` parameters. `open_index`
is the one way in, for the indexer, the CLI and the web server alike.
"""

from __future__ import annotations

import functools
import re
import sqlite3
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlparse

import sqlalchemy
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.pool import StaticPool

from bountychain.chains import chain_name
from bountychain.errors import BountychainError
from bountychain.index import listing, migrations
from bountychain.index.locks import DatabaseLock
from bountychain.index.schema import DDL, SCHEMA_VERSION

# Path segments that end the repository part of an issue URL (GitHub, GitLab, Gitea, ...).
_REPO_END = {"-", "issues", "issue", "pull", "pulls", "merge_requests", "discussions"}


class IndexMismatch(BountychainError):
    """The index database has an unknown schema, or another escrow where one was expected."""


class IndexBusy(BountychainError):
    """Another indexer is writing to this index database."""


class IndexUnavailable(BountychainError):
    """The index database cannot be written or reached (a full disk, a locked file, a
    database server that went away). Nothing of the range being written was kept."""


_T = TypeVar("_T")


class Row(tuple):  # noqa: SLOT001 - each row carries its result's column names
    """A result row: a tuple (`row[0]`, `tuple(row)`) whose columns are also read by name (`row["amount"]`)."""

    _names: Mapping[str, int]

    def __new__(cls, values: Iterable[Any], names: Mapping[str, int]) -> Row:
        row = super().__new__(cls, values)
        row._names = names
        return row

    def __getitem__(self, key: Any) -> Any:  # type: ignore[override]
        return tuple.__getitem__(self, self._names[key] if isinstance(key, str) else key)

    def keys(self) -> list[str]:
        return list(self._names)

    def as_dict(self) -> dict[str, Any]:
        """The row as a dict: for code that reads many of its columns by name (each `row[name]`
        is a Python call, a dict's lookup is not). A name that two columns share is the later one's,
        as with `row[name]`."""
        if len(self._names) == len(self):  # no name twice: the names are the columns, in order
            return dict(zip(self._names, self))
        return dict(zip(self._names, map(functools.partial(tuple.__getitem__, self), self._names.values())))


class Rows(list[Row]):
    """A fully read result (the connection is free again)."""

    def fetchone(self) -> Row | None:
        return self[0] if self else None

    def fetchall(self) -> list[Row]:
        return list(self)


def _column_names(cursor: Any) -> list[str] | None:
    """The names of the columns of the statement's result; None if it returns no rows.
    psycopg's `description` makes an object per column each time it is read (a tenth of a
    small statement's time with forty columns): its result's names are read as they are."""
    result = getattr(cursor, "pgresult", None)
    if result is None:  # sqlite3's description: a tuple it already holds
        description = cursor.description
        return None if description is None else [column[0] for column in description]
    return [result.fname(n).decode() for n in range(result.nfields)] if result.nfields else None


def _rows(cursor: Any) -> Rows:
    names = _column_names(cursor)
    if names is None:
        return Rows()
    positions = {name: position for position, name in enumerate(names)}
    return Rows(Row(values, positions) for values in cursor.fetchall())


@functools.lru_cache(maxsize=1024)
def _format_params(sql: str) -> str:
    """`:name` parameters as psycopg writes them (%(name)s), a literal % doubled."""
    return re.sub(r"(?<![:\w]):(\w+)", r"%(\1)s", sql.replace("%", "%%"))


def database_url(target: str | Path) -> str:
    """The SQLAlchemy URL of an index: a URL as it is (postgresql:// is read with psycopg 3),
    a file path as sqlite:///ABSOLUTE-PATH, ":memory:" as an in-memory SQLite database."""
    value = str(target)
    if value == ":memory:":
        return "sqlite://"
    if "://" not in value:
        return "sqlite:///" + str(Path(value).expanduser().resolve())
    scheme, rest = value.split("://", 1)
    if scheme in ("postgresql", "postgres"):
        return "postgresql+psycopg://" + rest
    return value


def describe_url(url: str) -> str:
    """The URL without its password, for messages; a SQLite file by its path."""
    try:
        parsed = sqlalchemy.make_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database and not parsed.query:
            return parsed.database
        return parsed.render_as_string(hide_password=True).replace("postgresql+psycopg://", "postgresql://", 1)
    except Exception:  # not a URL SQLAlchemy reads: say it as it was given
        return url


class Index:
    """An open index database (`open_index`). Statements are portable SQL text with named
    parameters; rows come back fully read, addressable by position and by name.

    Reads outside `transaction`/`reading` each borrow a pooled connection; inside, every
    statement of the thread runs on that block's connection."""

    def __init__(self, engine: Engine, url: str) -> None:
        self.engine = engine
        self.url = url
        self.dialect = engine.dialect.name  # "sqlite" or "postgresql"
        self._local = threading.local()
        self._writers: dict[tuple[int, str], Any] = {}  # (chain id, escrow) -> what holds its writer lock
        self._writer_guard = threading.Lock()
        # The database being unreachable or unwritable (the driver's OperationalError, and
        # SQLAlchemy's wrapper of it), as opposed to a statement's own error.
        self._driver_errors: tuple[type[Exception], ...] = (OperationalError, engine.dialect.dbapi.OperationalError)

    def __repr__(self) -> str:
        return f"Index({describe_url(self.url)})"

    @property
    def sqlite_path(self) -> Path | None:
        """The SQLite file, if it is one."""
        database = self.engine.url.database
        return Path(database) if self.dialect == "sqlite" and database and database != ":memory:" else None

    def _connection(self) -> Connection | None:
        return getattr(self._local, "connection", None)

    # Statements go straight to the driver's cursor on SQLAlchemy's connection: the sync runs
    # tens of thousands of small statements, and SQLAlchemy's per-statement layer would be most
    # of its time. SQLAlchemy keeps the engine, the pool, transactions and the dialect.
    def _run(self, connection: Connection, sql: str, params: Any, many: bool = False, plain: bool = False,
             as_dicts: bool = False) -> Any:
        if self.dialect != "sqlite" and (params or many):  # no parameters: the text goes as it is
            sql = _format_params(sql)
        # A block's statements share one cursor (one per statement was a tenth of a small
        # statement's time on PostgreSQL); a statement outside a block has its own.
        own = connection is not self._connection()
        cursor = connection.connection.cursor() if own else self._block_cursor(connection)
        try:
            if many:
                cursor.executemany(sql, params)
                return Rows()
            cursor.execute(sql, params or (None if self.dialect != "sqlite" else {}))
            if plain:
                return cursor.fetchall() if _column_names(cursor) is not None else []
            if as_dicts:
                names = _column_names(cursor)
                return [dict(zip(names, values)) for values in cursor.fetchall()]  # type: ignore[arg-type]
            return _rows(cursor)
        finally:
            if own:
                cursor.close()

    def _block_cursor(self, connection: Connection) -> Any:
        """The cursor of the `transaction` or `reading` block under way, made at its first statement."""
        cursor = self._local.cursor
        if cursor is None:
            cursor = self._local.cursor = connection.connection.cursor()
        return cursor

    def _unbind(self) -> None:
        """The end of a block: its cursor closed, its connection no longer this thread's."""
        if self._local.cursor is not None:
            self._local.cursor.close()
        self._local.connection = self._local.cursor = self._local.remembered = None

    def tuples(self, sql: str, params: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
        """`execute` inside a transaction or a `reading` block, its rows as plain tuples (no
        names): for reads of many rows used by position (the refresh of a range's bounties)."""
        connection = self._connection()
        if connection is None:
            raise RuntimeError("tuples runs inside a transaction or a reading block")
        return self._run(connection, sql, params, plain=True)

    def dicts(self, sql: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """`execute` inside a transaction or a `reading` block, each row a dict by column name
        (the later of two columns of one name): for reads of many rows that are read by name
        (a page of summaries), without a `Row` each."""
        connection = self._connection()
        if connection is None:
            raise RuntimeError("dicts runs inside a transaction or a reading block")
        return self._run(connection, sql, params, as_dicts=True)

    def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> Rows:
        connection = self._connection()
        if connection is not None:
            return self._run(connection, sql, params)
        try:
            with self.engine.connect() as borrowed:
                return self._run(borrowed, sql, params)
        except self._driver_errors as exc:
            raise self._unavailable(exc, "read") from exc

    def _unavailable(self, exc: Exception, doing: str) -> IndexUnavailable:
        reason = _first_line(exc.orig if isinstance(exc, DBAPIError) else exc)
        hint = next((words for marker, words in _HINTS if marker in reason.lower()), "")
        return IndexUnavailable(f"the index {describe_url(self.url)} could not be {doing}: {reason}{hint}"
                                + ("; nothing of this write was kept, run the indexer again" if doing == "written"
                                   else ""))

    def executemany(self, sql: str, rows: Sequence[Mapping[str, Any]]) -> None:
        """One statement for many rows (the driver's executemany), inside a transaction."""
        if rows:
            connection = self._connection()
            if connection is None:
                raise RuntimeError("executemany runs inside a transaction")
            self._run(connection, sql, list(rows), many=True)

    def insert(self, table: str, rows: Sequence[Mapping[str, Any]]) -> None:
        """Inserts `rows` (dicts with the same keys, the column names) into `table`, inside a
        transaction. PostgreSQL takes them in one COPY (a round trip for all, and no per-row
        statement on the server: the sync inserts tens of thousands of rows per range); SQLite
        in one executemany (a function call per row already)."""
        if not rows:
            return
        connection = self._connection()
        if connection is None:
            raise RuntimeError("insert runs inside a transaction")
        columns = list(rows[0])
        if self.dialect != "postgresql":
            self._run(connection, f"INSERT INTO {table} ({', '.join(columns)})"  # noqa: S608 - the caller's names
                      f" VALUES ({', '.join(':' + column for column in columns)})", rows, many=True)
            return
        cursor = connection.connection.cursor()
        try:
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([row[column] for column in columns])
        finally:
            cursor.close()

    @contextmanager
    def transaction(self) -> Iterator[Index]:
        """A write transaction: all or nothing. SQLite takes its write lock at the start
        (BEGIN IMMEDIATE), so two writers queue rather than fail half-way. A database that
        cannot be written raises IndexUnavailable, and nothing of the block is kept."""
        if self._connection() is not None:
            raise RuntimeError("transactions do not nest")
        try:
            connection = self.engine.connect().execution_options(bountychain_write=True)
        except self._driver_errors as exc:  # the server is not there: nothing was begun
            raise self._unavailable(exc, "reached") from exc
        try:
            with connection, connection.begin():
                self._local.connection, self._local.cursor = connection, None
                try:
                    yield self
                finally:
                    self._unbind()
        except self._driver_errors as exc:  # not a statement's own error (a key violation, ...)
            raise self._unavailable(exc, "written") from exc
        except DBAPIError as exc:
            if not exc.connection_invalidated:
                raise
            raise self._unavailable(exc, "written") from exc

    @contextmanager
    def reading(self) -> Iterator[Index]:
        """Several reads on one connection and one snapshot (inside a transaction: that one)."""
        if self._connection() is not None:
            yield self
            return
        try:
            with self.engine.connect() as connection:
                if self.dialect == "postgresql":
                    # READ COMMITTED (its default) gives each statement a snapshot of its own: an
                    # ETag and its answer could straddle a sync's commit. (psycopg names the level
                    # in its BEGIN: no round trip.) SQLite's transaction is one snapshot already.
                    connection.execution_options(isolation_level="REPEATABLE READ")
                with connection.begin():  # one snapshot
                    self._local.connection, self._local.cursor, self._local.remembered = connection, None, {}
                    try:
                        yield self
                    finally:
                        self._unbind()
        except self._driver_errors as exc:  # the server is down or went away, not a statement's error
            raise self._unavailable(exc, "read") from exc

    def remembered(self, key: str, read: Callable[[], _T]) -> _T:
        """`read()`, once per `reading` block: a fact of its snapshot that several parts of one
        answer read (the escrows' cursors: its ETag and its `index` status).
        Outside a `reading` block of its own (in a transaction, which writes) it is read anew."""
        memory = getattr(self._local, "remembered", None)
        if memory is None:
            return read()
        if key not in memory:
            memory[key] = read()
        return memory[key]  # type: ignore[no-any-return]

    @contextmanager
    def writer_lock(self, chain_id: int, escrow: str) -> Iterator[None]:
        """Held by the one indexer that writes this escrow's rows of the database; another one (in
        this process or any other) gets IndexBusy at once. Indexers of different escrows or
        chains write side by side (their rows never overlap): one `DatabaseLock` per (chain,
        escrow) (on SQLite, its own write lock then queues their transactions)."""
        key = (chain_id, escrow)
        where = f"{describe_url(self.url)} (the rows of escrow {escrow} on {chain_name(chain_id)})"
        with self._writer_guard:
            if key in self._writers:
                raise IndexBusy(f"another indexer is already writing to {where}")
            busy = IndexBusy(f"another indexer is already writing to {where}: one indexer per escrow and database; "
                             "stop the other one or let it finish")
            self._writers[key] = DatabaseLock(self.engine, _writer_key(chain_id, escrow),
                                              f"-writer-{chain_id}-{escrow.lower()}.lock", busy)
        try:
            yield
        finally:
            with self._writer_guard:
                writer = self._writers.pop(key)
            writer.release()

    def confirm_writer(self, chain_id: int, escrow: str) -> None:
        """Before a write by the holder of `writer_lock`: the lock is still held (taken again
        after a PostgreSQL restart), else IndexBusy; the server still down: IndexUnavailable."""
        with self._writer_guard:
            writer = self._writers[(chain_id, escrow)]
        try:
            writer.confirm()
        except self._driver_errors as exc:
            raise self._unavailable(exc, "written") from exc

    def close(self) -> None:
        self.engine.dispose()


def _writer_key(chain_id: int, escrow: str) -> int:
    """The advisory lock key of an escrow's one writer (a fixed number per chain and escrow)."""
    return zlib.crc32(f"bountychain-index-writer:{chain_id}:{escrow.lower()}".encode())


# What a person can do about the usual reasons (SQLite's and PostgreSQL's words).
_HINTS = (("disk is full", " (free space on its disk)"), ("no space left", " (free space on its disk)"),
          ("database is locked", " (another program holds a write lock on the file for too long)"),
          ("connection refused", " (is the database server running?)"),
          ("terminating connection", " (the database server restarted)"))


def _first_line(error: object) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


MMAP_BYTES = 1 << 30  # of an SQLite index mapped into memory (the OS keeps the pages: no copy per process)


def _engine(url: str, ping: bool = True) -> Engine:
    if url.startswith("sqlite"):
        memory = sqlalchemy.make_url(url).database in (None, "", ":memory:")
        # How long a writer waits for another's lock: ?timeout=SECONDS in the URL, else 30 s.
        wait = {} if "timeout" in sqlalchemy.make_url(url).query else {"timeout": 30}
        engine = sqlalchemy.create_engine(
            url, connect_args={"check_same_thread": False, **wait},
            **({"poolclass": StaticPool} if memory else {}))

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            # SQLAlchemy's recipe: let it emit BEGIN itself (below), not the driver.
            dbapi_connection.isolation_level = None
            if not memory:
                # Readers (the web server) never wait for the writer (the sync) with WAL.
                dbapi_connection.execute("PRAGMA journal_mode=WAL")
                # Reads through a memory map of the file, not a read() and a copy per page: an
                # answer's random lookups (a funder's pledges across bounties) cost a quarter less.
                dbapi_connection.execute(f"PRAGMA mmap_size={MMAP_BYTES}")

        @event.listens_for(engine, "begin")
        def _on_begin(connection: Connection) -> None:
            writing = connection.get_execution_options().get("bountychain_write")
            # To the driver's connection: SQLAlchemy's statement path for one word was a seventh
            # of the status answer's instructions. Its errors are the driver's, as every statement's.
            connection.connection.dbapi_connection.execute("BEGIN IMMEDIATE" if writing else "BEGIN")

        return engine
    # A ping before each block lends a connection: a server restart closed the pooled ones, and
    # the indexer's reads and writes (`index --follow` across a restart) have no other way back.
    # An API worker's index goes without (`ping=False`): the ping was a round trip and 0.4 ms of
    # CPU per answer. There, a connection the restart closed fails its block once, SQLAlchemy
    # sees the disconnect when it rolls the block back and makes the pool anew (its
    # "optimistic" handling), and the API asks once more.
    return sqlalchemy.create_engine(url, pool_pre_ping=ping)


def open_index(target: str | Path, *, ping: bool = True) -> Index:
    """Opens the index at `target` (a sqlite:/// or postgresql:// URL, or a file path),
    creating its tables or upgrading an older schema in place (`migrations`). `ping=False`: a
    server's pooled connections are lent without a ping (for a reader that asks again when one
    fails: `_engine`)."""
    url = database_url(target)
    if url.startswith("sqlite:///") and url != "sqlite://":
        database = sqlalchemy.make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
    try:
        engine = _engine(url, ping)
    except Exception as exc:  # an unknown scheme or driver (whose missing module is no help), a malformed URL
        detail = "" if isinstance(exc, (ImportError, sqlalchemy.exc.NoSuchModuleError)) else f": {exc}"
        raise IndexMismatch(f"{describe_url(url)}: not a database URL this version reads (sqlite:///PATH or "
                            f"postgresql://USER@HOST/NAME){detail}") from exc
    index = Index(engine, url)
    try:
        with index.transaction():
            _prepare(index)
    except BaseException:
        engine.dispose()
        raise
    return index


def _prepare(index: Index) -> None:
    """Creates the tables of a new index, or upgrades an older one (inside a transaction), and
    writes the bounties' stored JSON (`listing`) where another version shaped it otherwise."""
    if index.dialect == "postgresql":  # workers opening one new database at once: one creates it
        index.execute("SELECT pg_advisory_xact_lock(:key)", {"key": _SCHEMA_KEY})
    index.execute(DDL[0])  # meta, where the version is
    version = get_meta(index, "schema_version")
    if version is None:
        for statement in DDL:
            index.execute(statement)
        set_meta(index, "schema_version", SCHEMA_VERSION)
        set_meta(index, "listing_shape", listing.SHAPE)
        return
    if int(version) != SCHEMA_VERSION:
        _upgrade(index, int(version))
    if get_meta(index, "listing_shape") != listing.SHAPE:  # upgraded, or written by a version that shaped it otherwise
        listing.store_all_json(index)
        set_meta(index, "listing_shape", listing.SHAPE)


def _upgrade(index: Index, version: int) -> None:
    """Takes an index of schema `version` to the newest (`migrations`), or says why it cannot."""
    where = describe_url(index.url)
    if version > SCHEMA_VERSION:
        raise IndexMismatch(f"{where}: index schema {version} is newer than this version of bountychain reads "
                            f"({SCHEMA_VERSION}): upgrade bountychain, or index into another database")
    if version < migrations.OLDEST_UPGRADABLE:
        raise IndexMismatch(f"{where}: index schema {version} lacks facts only the chain has (schema "
                            f"{migrations.OLDEST_UPGRADABLE} and later can be upgraded): delete it and re-index")
    connection = index._connection()
    assert connection is not None
    migrations.upgrade(connection, version)
    set_meta(index, "schema_version", SCHEMA_VERSION)


_SCHEMA_KEY = zlib.crc32(b"bountychain-index-schema")


def connect(target: str | Path) -> Index:
    """`open_index` (the name earlier versions used)."""
    return open_index(target)


def as_index(db: Index | sqlite3.Connection) -> Index:
    """An `Index` for `db`. A bare sqlite3 connection (what the stdlib web server's request
    threads open) is read through an engine bound to that very connection."""
    if isinstance(db, Index):
        return db
    with _WRAPPED_GUARD:
        wrapped = _WRAPPED.get(id(db))
        if wrapped is None or wrapped[0] is not db:
            engine = sqlalchemy.create_engine("sqlite://", creator=lambda: db, poolclass=StaticPool)
            wrapped = (db, Index(engine, "sqlite://"))
            _WRAPPED[id(db)] = wrapped
            while len(_WRAPPED) > 64:  # the web server's per-thread connections come and go
                _WRAPPED.popitem(last=False)
        _WRAPPED.move_to_end(id(db))
    return wrapped[1]


_WRAPPED: OrderedDict[int, tuple[sqlite3.Connection, Index]] = OrderedDict()
_WRAPPED_GUARD = threading.Lock()


@contextmanager
def transaction(db: Index) -> Iterator[Index]:
    with db.transaction():
        yield db


def get_meta(db: Index, key: str) -> str | None:
    row = db.execute("SELECT value FROM meta WHERE key = :key", {"key": key}).fetchone()
    return None if row is None else row[0]


def set_meta(db: Index, key: str, value: object) -> None:
    db.execute("DELETE FROM meta WHERE key = :key", {"key": key})
    if value is not None:
        db.execute("INSERT INTO meta (key, value) VALUES (:key, :value)", {"key": key, "value": str(value)})


@functools.lru_cache(maxsize=16_384)  # a bounty's summary is recomputed with each of its events
def parse_repo(uri: str) -> tuple[str, str]:
    """(host, "owner/name") of an issue URL, lowercase: github.com/Org/Repo/issues/7 ->
    ("github.com", "org/repo"); a GitLab group path keeps its subgroups. A URI that
    urllib refuses (an unclosed "[" in the host, characters that NFKC folds into "/" or
    "@") names no repository: ("", ""). It comes from the chain, so it must never raise."""
    try:
        parsed = urlparse(uri)
        hostname = parsed.hostname
    except ValueError:
        return "", ""
    parts = [part for part in parsed.path.split("/") if part]
    for index, part in enumerate(parts):
        if part.lower() in _REPO_END:
            parts = parts[:index]
            break
    else:
        parts = parts[:2]
    return (hostname or "").lower(), "/".join(parts).lower()
