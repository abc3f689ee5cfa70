"""The index when things go wrong around it, on both backends: two indexers on one database,
a PostgreSQL restart in the middle of a sync, a full disk and a locked file. Whatever
happens, the index ends equal to a clean sync, or stops with a clear error at the end of its
last whole range."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from bountychain.devchain import find_anvil
from bountychain.index import IndexBusy, Indexer, IndexUnavailable
from bountychain.index.schema import EVENT_TABLES
from tests.test_index import REPO, World, clean, dump, story, w, world  # noqa: F401 - the anvil world's fixtures

pytestmark = pytest.mark.anvil


def _cli_env(w: World) -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if not k.startswith("BOUNTYCHAIN_")},
            "BOUNTYCHAIN_RPC": w.node.url, "BOUNTYCHAIN_DEPLOYMENTS": str(w.registry_dir),
            "BOUNTYCHAIN_ANVIL": find_anvil(), "PYTHONPATH": str(REPO)}


def _nothing_past_the_cursor(indexer: Indexer) -> int:
    cursor = indexer.cursor
    for table in EVENT_TABLES:
        assert indexer.db.execute(f"SELECT COUNT(*) FROM {table} WHERE block_number > :cursor",  # noqa: S608
                                  {"cursor": cursor}).fetchone()[0] == 0, table
    return cursor


def test_a_second_indexer_on_one_database_is_refused_in_this_process_and_another(w: World, index_db: Any) -> None:
    story(w)
    first = Indexer.for_client(w.escrow, index_db())
    second = Indexer.for_client(w.escrow, index_db())
    with first.writing():  # as `bountychain index --follow` holds it
        with pytest.raises(IndexBusy, match="another indexer is already writing"):
            second.sync()
        proc = subprocess.run([sys.executable, "-m", "bountychain.cli", "index", "--db", index_db()],
                              capture_output=True, text=True, env=_cli_env(w), timeout=120)
        assert proc.returncode != 0
        assert "another indexer is already writing" in proc.stderr + proc.stdout
        assert second.cursor == first.cursor < w.node.w3.eth.block_number  # nobody wrote
        first.sync()  # the holder goes on
    assert second.sync().ranges == 0  # released: the second may write (nothing left to do)
    assert dump(second.db) == dump(clean(w, index_db).db)


def test_postgresql_restarted_during_a_sync_ends_with_the_rows_of_a_clean_sync(w: World, postgres: Any) -> None:
    story(w)
    indexer = Indexer.for_client(w.escrow, postgres.database(), batch=4)
    ranges: list[int] = []

    def restart_after_two(low: int, high: int, count: int) -> None:
        ranges.append(high)
        if len(ranges) == 2:
            postgres.stop()

    try:
        with pytest.raises(IndexUnavailable, match="could not be"):
            indexer.sync(on_range=restart_after_two)
    finally:
        postgres.start()
    assert indexer.cursor == ranges[-1]  # the range under way when the server went left nothing
    _nothing_past_the_cursor(indexer)
    report = indexer.sync()  # the same indexer reconnects and carries on
    assert report.from_block == ranges[-1] + 1 and report.cursor == w.node.w3.eth.block_number
    assert dump(indexer.db) == dump(clean(w, lambda name: postgres.database()).db)


def test_a_full_disk_stops_the_sync_with_a_clear_error_and_no_half_range(w: World, tmp_path: Path) -> None:
    story(w)
    indexer = Indexer.for_client(w.escrow, tmp_path / "index.sqlite3", batch=4)
    indexer.sync(max_ranges=2)
    pages = int(indexer.db.execute("PRAGMA page_count").fetchone()[0])

    # SQLite's own "disk full" (SQLITE_FULL): the file may not grow past its size now.
    @event.listens_for(indexer.db.engine, "connect")
    def no_room(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    indexer.db.engine.dispose()
    before = indexer.cursor
    with pytest.raises(IndexUnavailable, match=r"database or disk is full \(free space on its disk\); nothing of "
                                               r"this write was kept"):
        indexer.sync()
    assert indexer.cursor >= before
    _nothing_past_the_cursor(indexer)
    event.remove(indexer.db.engine, "connect", no_room)
    indexer.db.engine.dispose()
    indexer.sync()
    assert dump(indexer.db) == dump(clean(w, lambda name: str(tmp_path / f"{name}.sqlite3")).db)


def test_a_locked_file_gives_a_clear_error_and_no_half_range(w: World, tmp_path: Path) -> None:
    story(w)
    path = tmp_path / "index.sqlite3"
    indexer = Indexer.for_client(w.escrow, f"sqlite:///{path}?timeout=0.2", batch=4)
    indexer.sync(max_ranges=1)
    cursor = indexer.cursor
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    try:
        with pytest.raises(IndexUnavailable, match="database is locked"):
            indexer.sync()
        assert indexer.cursor == cursor
        _nothing_past_the_cursor(indexer)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert indexer.sync().cursor == w.node.w3.eth.block_number


def test_the_index_command_reports_a_busy_database_in_words(w: World, tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite3"
    holder = Indexer.for_client(w.escrow, path)
    with holder.writing():
        proc = subprocess.run([sys.executable, "-m", "bountychain.cli", "--json", "index", "--db", str(path)],
                              capture_output=True, text=True, env=_cli_env(w), timeout=120)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert "another indexer is already writing to " + str(path) in proc.stderr + proc.stdout
    json.loads(proc.stdout or "{}")  # --json output stays JSON (or empty) on failure


def test_after_a_postgresql_restart_the_writer_takes_its_lock_again_or_stops(w: World, postgres: Any) -> None:
    """The writer lock is a session lock: a restart drops it with the session. An indexer that
    holds it across passes (`follow`) takes it again before it writes, and a second one is
    refused; if the second took it first, the first refuses to write beside it."""
    story(w)
    url = postgres.database()
    first, second = Indexer.for_client(w.escrow, url, batch=4), Indexer.for_client(w.escrow, url, batch=4)
    with first.writing():
        first.sync(max_ranges=1)
        postgres.stop()
        postgres.start()
        first.sync(max_ranges=1)  # its lock taken again, before it writes
        with pytest.raises(IndexBusy, match="another indexer is already writing"):
            second.sync()
        postgres.stop()
        postgres.start()
        with second.writing():  # the second is first to ask this time: it holds the lock
            with pytest.raises(IndexBusy, match="another indexer is already writing"):
                first.sync()
            second.sync()
    assert first.sync().ranges == 0  # the second finished; released, the first may write
    assert dump(first.db) == dump(clean(w, lambda name: postgres.database()).db)


def test_a_database_server_that_is_not_there_or_a_url_of_another_database_is_named_in_words() -> None:
    """Opening an index: a PostgreSQL server that does not answer is "could not be reached" (not
    a write half-kept); a URL of a database this version does not read says which ones it reads,
    without the missing driver's module name."""
    from bountychain.index import IndexMismatch
    from bountychain.index.store import open_index

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(IndexUnavailable) as down:
        open_index(f"postgresql://nobody@127.0.0.1:{port}/index")
    assert str(down.value).startswith(f"the index postgresql://nobody@127.0.0.1:{port}/index could not be reached: ")
    assert "(is the database server running?)" in str(down.value) and "write" not in str(down.value)
    for url in ("mysql://someone@db.example/index", "oracle://db.example/index"):
        with pytest.raises(IndexMismatch) as other:
            open_index(url)
        assert str(other.value) == (f"{url}: not a database URL this version reads (sqlite:///PATH or "
                                    "postgresql://USER@HOST/NAME)")
