"""The lock one holder of a database takes at a time, in this process or any other: the index's
one writer per escrow (`store.Index.writer_lock`) and the GitHub bot's one service
(`github.state.ServiceLock`)."""

from __future__ import annotations

import fcntl
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from bountychain.errors import BountychainError


class DatabaseLock:
    """A lock one holder of a database takes at a time, in this process or any other, until it
    releases it or its process dies; another gets `busy` at once. PostgreSQL: a session
    advisory lock on `key`; SQLite: an exclusive lock on the file `<database><file_suffix>`
    beside the database; an in-memory database belongs to its process alone, so none."""

    def __init__(self, engine: Engine, key: int, file_suffix: str, busy: BountychainError) -> None:
        self._key, self._engine, self._busy = key, engine, busy
        self._held: Any = None
        if engine.dialect.name == "postgresql":
            self._held = self._advisory_lock()
            return
        database = engine.url.database
        if not database or database == ":memory:":
            self._held = True
            return
        handle = open(f"{database}{file_suffix}", "a")  # noqa: SIM115 - held until released
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise busy from None
        self._held = handle

    def _advisory_lock(self) -> Connection:
        connection = self._engine.connect()
        if not connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": self._key}).scalar():
            connection.close()
            raise self._busy
        connection.commit()
        return connection

    def confirm(self) -> None:
        """Makes sure the lock is still held. A PostgreSQL session's lock goes with its
        connection (a server restart): it is taken again, or `busy` if another holder took it
        meanwhile (that one writes; this one stops). A file's lock cannot be lost."""
        if not isinstance(self._held, Connection):
            return
        try:
            self._held.execute(text("SELECT 1")).scalar()
            self._held.commit()
            return
        except DBAPIError:
            self._held.close()
            self._held = None
        self._held = self._advisory_lock()

    def release(self) -> None:
        held, self._held = self._held, None
        if isinstance(held, Connection):
            try:
                held.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self._key})
            except DBAPIError:
                pass  # the server went away: the session and its lock are gone with it
            held.close()
        elif held is not None and held is not True:
            fcntl.flock(held, fcntl.LOCK_UN)
            held.close()


__all__ = ["DatabaseLock"]
