"""Following the events of the escrow and of its review contract into the index: bounded
ranges, confirmations, crash-safe cursor, reorganisation rollback.

One pass (`Indexer.sync`):

1. Reorg check: the stored hash of the cursor block (the last indexed one) is compared with
   the chain's. If it differs, stored block hashes are compared going back from the cursor
   until one matches (the fork point); everything indexed past it is deleted and the
   affected bounties are recomputed, in one transaction.
2. Ranges: from the cursor + 1 up to head - confirmations, at most `batch` blocks at a time
   (halved while the node refuses a range as too large). Each range's events, the hashes of
   their blocks and of the range's last block, and the new cursor are written in ONE
   transaction: a crash leaves the index at the end of the last committed range.
   The reorg check runs again before every range.

Logs come from two addresses: the escrow and its review contract (`escrow.review()`, read
once), each decoded with its own ABI. What the node returns is not trusted (see
`_decode_range`): a log whose `address` is neither of them is ignored (a node may ignore the
address filter), its strings are decoded leniently (`events.decode_log`: invalid UTF-8 is
stored with U+FFFD), and a log that cannot be decoded at all is skipped and logged with its
transaction hash and log index. No single log can stop a range: the cursor always moves on.

Blocks whose hash is kept: each range's last block and every block with an escrow event.
A stored hash that still matches proves every block under it unchanged (each block
commits to its parent), so the walk back stops at the first match.
"""

from __future__ import annotations

import copy
import functools
import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from operator import attrgetter
from pathlib import Path
from typing import Any

import msgspec
from web3 import HTTPProvider, Web3
from web3.exceptions import BlockNotFound
from web3.providers.base import BaseProvider

from bountychain._artifacts import load_artifact
from bountychain.amounts import MAX_DECIMALS
from bountychain.chains import chain_name
from bountychain.deployments import DEV_CHAIN_IDS
from bountychain.index import cursors, migrations, store, summaries
from bountychain.index.events import HANDLERS, Event, Rows, decode_planned, event_plan
from bountychain.reports import is_report_uri
from bountychain.results import ETH

logger = logging.getLogger("bountychain.index")

DEFAULT_BATCH = 2_000
# Rows a range adds to a table before PostgreSQL's statistics of it are refreshed (ANALYZE).
_ANALYZE_AFTER = 1_000
# Events stored with their block's time (an escalation starts the arbiter's clock; a private
# security report's claim shows when it was committed, which proves its priority).
_TIMED = frozenset({"DisputeRaised"})


def _timed(event: Event) -> bool:
    return event.name in _TIMED or (event.name == "SolutionSubmitted" and is_report_uri(event.args["uri"]))
# Confirmations on public chains; local development chains (DEV_CHAIN_IDS) mine a block per
# transaction and never reorganise by themselves, so they need none.
DEFAULT_CONFIRMATIONS = 12
# Substrings of node errors that mean "ask for a smaller range" (geth, Infura, Alchemy,
# QuickNode, Ankr, public endpoints).
_TOO_MANY = ("too many", "more than", "limit exceeded", "range is too large", "block range", "response size",
             "query timeout", "exceeds", "-32005", "413")


@dataclass(frozen=True)
class _Fetched:
    """A range's logs as the node gave them, and its last block's hash and time."""

    logs: list[Any]
    end_hash: str
    end_time: int


def _logs_provider(provider: BaseProvider) -> BaseProvider:
    """The provider that reads eth_getLogs: an HTTP node's own (same endpoint, session, headers
    and retries: a shallow copy) with its answers parsed by msgspec, several times faster than the
    standard library's parser on ten thousand logs and giving the same values; any other as it is."""
    if not isinstance(provider, HTTPProvider):
        return provider
    if type(provider).decode_rpc_response is not HTTPProvider.decode_rpc_response:
        return provider  # a provider that parses its answers its own way keeps it
    logs_provider = copy.copy(provider)
    logs_provider.decode_rpc_response = msgspec.json.decode  # type: ignore[method-assign]
    return logs_provider


def default_confirmations(chain_id: int) -> int:
    """0 on a local development chain (anvil, ganache), else 12."""
    return 0 if chain_id in DEV_CHAIN_IDS else DEFAULT_CONFIRMATIONS


@dataclass(frozen=True)
class SyncReport:
    """What one pass did."""

    from_block: int
    cursor: int  # the last indexed block after the pass
    target: int  # head - confirmations at the start of the pass
    head: int
    ranges: int
    events: int
    rolled_back_to: int | None  # the fork point of a reorganisation handled in this pass
    seconds: float
    skipped: int = 0  # escrow logs that could not be decoded at all (each one logged)
    foreign: int = 0  # logs of other contracts that the node returned (ignored)

    @property
    def blocks(self) -> int:
        return max(0, self.cursor - self.from_block + 1)


def _hex(value: Any) -> str:
    """0x and lowercase hex, from the node's text (checked: it must be hex) or from bytes."""
    return _hex_text(value) if isinstance(value, str) else "0x" + bytes(value).hex()


@functools.lru_cache(maxsize=4096)
def _hex_text(value: str) -> str:
    """The same block hash comes with every log of its block, the same topic with every event."""
    return "0x" + bytes.fromhex(value.removeprefix("0x")).hex()


def _number(value: Any) -> int:
    """A quantity as the node sends it (hex) or as web3 gives it (an int)."""
    return int(value, 16) if isinstance(value, str) else int(value)


def _describe(entry: Any, key: str) -> str:
    try:
        value = entry[key]
    except Exception:  # a log that lacks even this
        return "?"
    return str(value) if isinstance(value, int) else _hex(value) if isinstance(value, (bytes, str)) else repr(value)


class TooManyResults(Exception):
    """The node refused a log query as too large."""


class Indexer:
    """Follows one escrow on one chain into one database (which may hold other escrows and
    chains: each indexer reads and writes only its escrow's rows, under its own writer lock).

    Args:
        w3: the chain.
        db: an open index database (`store.open_index`), or its URL or file path.
        escrow: the escrow's address.
        start_block: the escrow's deployment block (nothing before it is read).
        confirmations: blocks under the head that are not indexed yet (None: the chain's default).
        batch: the largest block range asked for at once.
    """

    def __init__(self, w3: Web3, db: store.Index | str | Path, escrow: str, start_block: int = 0, *,
                 confirmations: int | None = None, batch: int = DEFAULT_BATCH) -> None:
        if batch < 1:
            raise ValueError("batch must be at least 1")
        self.w3 = w3
        self.db = db if isinstance(db, store.Index) else store.open_index(db)
        self.escrow = Web3.to_checksum_address(escrow)
        self.chain_id = int(w3.eth.chain_id)
        self.start_block = start_block
        self.confirmations = default_confirmations(self.chain_id) if confirmations is None else confirmations
        self.max_batch = batch
        self.batch = batch
        self._skipped = self._foreign = 0  # running totals, for the pass reports
        self._pass_lock = threading.RLock()  # one pass at a time in this process
        self._holds_writer = False
        contract = w3.eth.contract(address=self.escrow, abi=load_artifact("BountyEscrow").abi)
        self.review = Web3.to_checksum_address(contract.functions.review().call())
        review = w3.eth.contract(address=self.review, abi=load_artifact("BountyReview").abi)
        # Per address (lowercase), the events by topic (lowercase hex) with their decoding plans:
        # each contract's logs by its own ABI.
        self._events = {
            address.lower(): {event.topic.lower(): (event.event_name, event_plan(event.abi))
                              for event in source.all_events()}
            for address, source in ((self.escrow, contract), (self.review, review))}
        self._token_abi = load_artifact("TestToken").abi
        # eth_getLogs through the chain's own middleware (a node that needs one keeps it) except
        # web3's AttributeDict wrapping, which would rebuild every log's every field.
        self._raw_logs = Web3(_logs_provider(w3.provider))
        # Reading the next range ahead pays where the node is across a connection; the in-process
        # chain answers in this thread's time and is not made to be called from two threads.
        self._read_ahead = isinstance(w3.provider, HTTPProvider)
        self._raw_logs.middleware_onion.clear()
        for middleware, name in w3.middleware_onion.middleware:
            if name != "attrdict":
                self._raw_logs.middleware_onion.add(middleware, name)
        self._bind()

    @classmethod
    def for_client(cls, client: Any, db: store.Index | str | Path, **options: Any) -> Indexer:
        """An indexer for a `BountyClient`'s escrow, from its deployment block."""
        return cls(client.w3, db, client.address, client.from_block, **options)

    def _bind(self) -> None:
        """Records that this database follows this escrow on this chain (a chain may have several:
        each has its own row of `chains`, cursor, rollback and writer lock)."""
        with store.transaction(self.db):
            row = cursors.chain_row(self.db, self.chain_id, self.escrow)
            if row is None:
                cursors.add_chain(self.db, self.chain_id, self.escrow, self.start_block)
            else:
                self.start_block = int(row["start_block"])

    @property
    def name(self) -> str:
        """The chain's name, for messages."""
        return chain_name(self.chain_id)

    def _position(self) -> tuple[int, str | None]:
        """The cursor (the last indexed block) and its hash."""
        row = cursors.chain_row(self.db, self.chain_id, self.escrow)
        return (self.start_block - 1, None) if row is None else (int(row["cursor"]), row["cursor_hash"])

    @property
    def cursor(self) -> int:
        return self._position()[0]

    # --- the chain ------------------------------------------------------------------------

    def _block_hash(self, number: int) -> str | None:
        try:
            return self.w3.eth.get_block(number)["hash"].to_0x_hex()
        except BlockNotFound:  # the chain is now shorter than that
            return None

    def _header(self, number: int) -> tuple[str, int]:
        block = self.w3.eth.get_block(number)
        return block["hash"].to_0x_hex(), int(block["timestamp"])

    def _get_logs(self, from_block: int, to_block: int) -> list[Any]:
        try:
            # The node's answer as it is (hex strings), through web3's middleware but not its
            # per-log reshaping into HexBytes and AttributeDicts: `decode_log` reads either.
            return list(self._raw_logs.manager.request_blocking(
                "eth_getLogs", [{"address": [self.escrow, self.review], "fromBlock": hex(from_block),
                                 "toBlock": hex(to_block)}]))
        except Exception as exc:  # each node words it differently
            text = str(exc).lower()
            if to_block > from_block and any(marker in text for marker in _TOO_MANY):
                raise TooManyResults(str(exc)) from exc
            raise

    # --- one pass -------------------------------------------------------------------------

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Holds the database's writer lock for a block of passes (`follow` holds it throughout):
        a second indexer on the same database, in any process, gets store.IndexBusy."""
        with self._pass_lock:
            if self._holds_writer:
                yield
                return
            with self.db.writer_lock(self.chain_id, self.escrow):
                self._holds_writer = True
                try:
                    yield
                finally:
                    self._holds_writer = False

    def sync(self, *, max_ranges: int | None = None,
             on_range: Callable[[int, int, int], None] | None = None) -> SyncReport:
        """Indexes up to head - confirmations (or `max_ranges` ranges); returns what it did.
        `on_range(from_block, to_block, events)` is called after each committed range.
        Raises store.IndexBusy if another indexer is writing to the database."""
        with self.writing():
            return self._sync(max_ranges, on_range)

    def _sync(self, max_ranges: int | None, on_range: Callable[[int, int, int], None] | None) -> SyncReport:
        started = time.monotonic()
        head = int(self.w3.eth.block_number)
        target = head - self.confirmations
        first = self.cursor + 1
        rolled_back: int | None = None
        ranges = events = 0
        good_ranges = 0
        skipped, foreign = self._skipped, self._foreign
        # Still the one writer, before each write: a PostgreSQL restart drops the lock with its
        # session (`follow` holds it across passes); taken again, or IndexBusy if another took it.
        self.db.confirm_writer(self.chain_id, self.escrow)
        self._backfill()
        # The next range is read from the node while this one is decoded and written: the node's
        # work (gathering and sending thousands of logs) overlaps the indexer's. A range read
        # ahead is used only if it is still the next one after the reorganisation check.
        ahead: tuple[int, int, Future[_Fetched]] | None = None
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="index-fetch") as fetcher:
            while max_ranges is None or ranges < max_ranges:
                self.db.confirm_writer(self.chain_id, self.escrow)
                fork = self.check_reorg()  # before every range: the chain may change during a pass
                if fork is not None:
                    rolled_back = fork if rolled_back is None else min(rolled_back, fork)
                    first = min(first, fork + 1)
                if self.cursor >= target:
                    break
                low = self.cursor + 1
                high = min(low + self.batch - 1, target)
                read_ahead = ahead[2] if ahead is not None and ahead[:2] == (low, high) else None
                ahead = None
                try:
                    fetched = read_ahead.result() if read_ahead is not None else self._fetch_range(low, high)
                except TooManyResults:
                    self.batch = max(1, (high - low + 1) // 2)
                    good_ranges = 0
                    continue
                good_ranges += 1
                if self.batch < self.max_batch and good_ranges >= 8:  # try larger ranges again
                    self.batch = min(self.max_batch, self.batch * 2)
                    good_ranges = 0
                if self._read_ahead and high < target and (max_ranges is None or ranges + 1 < max_ranges):
                    following = min(high + self.batch, target)
                    ahead = (high + 1, following, fetcher.submit(self._fetch_range, high + 1, following))
                count = self._write_range(low, high, fetched)
                ranges += 1
                events += count
                if on_range is not None:
                    on_range(low, high, count)
        return SyncReport(first, self.cursor, target, head, ranges, events, rolled_back,
                          time.monotonic() - started, self._skipped - skipped, self._foreign - foreign)

    def _backfill(self) -> None:
        """Reads this escrow's events that an upgrade noted it had indexed blocks of before its
        schema recorded them (`migrations.BACKFILLS`: SlashedBondsCredited for schema 9,
        PartProposed and SpamMarked for schema 10), up to the noted block, from the escrow or its
        review contract, each kind in one transaction, once; the bounties they name are
        recomputed. Those blocks are below the cursor: confirmed, and checked by the reorg check
        like the rest."""
        for prefix, names in migrations.BACKFILLS.items():
            key = f"{prefix}{self.chain_id}:{self.escrow}"
            upto = store.get_meta(self.db, key)
            if upto is None:
                continue
            found = []
            for address in (self.escrow, self.review):
                wanted = {topic: (name, plan) for topic, (name, plan) in self._events[address.lower()].items()
                          if name in names}
                low = self.start_block
                while wanted and low <= int(upto):
                    high = min(low + self.max_batch - 1, int(upto))
                    for entry in self._raw_logs.manager.request_blocking("eth_getLogs", [{
                            "address": [address], "topics": [list(wanted)], "fromBlock": hex(low),
                            "toBlock": hex(high)}]):
                        known = wanted.get(_hex(entry["topics"][0])) if entry["topics"] else None
                        if str(entry["address"]).lower() == address.lower() and known and not entry.get("removed"):
                            args, _ = decode_planned(known[1], entry)
                            found.append(Event(known[0], args, _number(entry["blockNumber"]),
                                               _hex(entry["blockHash"]), _number(entry["logIndex"]),
                                               _hex(entry["transactionHash"])))
                    low = high + 1
            with store.transaction(self.db):
                rows = Rows(self.db, self.chain_id, self.escrow)
                touched: set[int] = set()
                for event in found:
                    touched |= HANDLERS[event.name](rows, event)
                rows.flush()
                summaries.refresh_bounties(self.db, self.chain_id, self.escrow, touched)
                store.set_meta(self.db, key, None)
            logger.info("%s: read %d events (%s) indexed before they were recorded", self.name, len(found),
                        ", ".join(names))

    def check_reorg(self) -> int | None:
        """Rolls back past a reorganisation; returns the fork point, or None if the indexed
        blocks are still on the chain."""
        cursor, cursor_hash = self._position()
        if cursor_hash is None:
            return None
        if self._block_hash(cursor) == cursor_hash:
            return None
        fork = self.start_block - 1
        stored = self.db.execute("SELECT block_number, block_hash FROM blocks WHERE chain_id = :chain_id"
                                 " AND escrow = :escrow AND block_number < :cursor ORDER BY block_number DESC",
                                 {"chain_id": self.chain_id, "escrow": self.escrow, "cursor": cursor}).fetchall()
        for number, block_hash in stored:
            if self._block_hash(number) == block_hash:
                fork = number
                break
        with store.transaction(self.db):
            summaries.rollback(self.db, self.chain_id, self.escrow, fork)
            row = self.db.execute("SELECT block_hash, block_time FROM blocks WHERE chain_id = :chain_id"
                                  " AND escrow = :escrow AND block_number = :fork",
                                  {"chain_id": self.chain_id, "escrow": self.escrow, "fork": fork}).fetchone()
            cursors.set_cursor(self.db, self.chain_id, self.escrow, fork, row[0] if row else None, row[1] if row else None)
        return fork

    def _fetch_range(self, low: int, high: int) -> _Fetched:
        """The logs of blocks `low`..`high`, read while the range's last block stayed the same."""
        for _ in range(5):
            end_hash, end_time = self._header(high)
            logs = self._get_logs(low, high)
            if self._header(high)[0] == end_hash:
                return _Fetched(logs, end_hash, end_time)
            # The chain moved under the query (a reorganisation at the head): read it again.
        raise RuntimeError(f"blocks {low}..{high} keep changing: use more confirmations")

    def _write_range(self, low: int, high: int, fetched: _Fetched) -> int:
        """Decodes and writes one range's logs, its block hashes and the cursor, in one transaction."""
        logs, end_hash, end_time = fetched.logs, fetched.end_hash, fetched.end_time
        decoded = self._decode_range(logs, low, high)
        # The time of the very block the log came from (by its hash, not its number).
        decoded = [replace(event, block_time=int(self.w3.eth.get_block(event.block_hash)["timestamp"]))
                   if _timed(event) else event for event in decoded]
        self._learn_tokens(decoded)
        block_hashes = {event.block_number: event.block_hash for event in decoded}
        block_times = {event.block_number: event.block_time for event in decoded if event.block_time}
        with store.transaction(self.db):
            rows = Rows(self.db, self.chain_id, self.escrow)
            touched: set[int] = set()
            for event in decoded:
                touched |= HANDLERS[event.name](rows, event)
            grown = [table for table, added in rows.counts.items() if added >= _ANALYZE_AFTER]
            rows.flush()
            block_hashes[high] = end_hash
            numbers = sorted(block_hashes)
            self.db.execute(f"DELETE FROM blocks WHERE chain_id = :chain_id AND escrow = :escrow"  # noqa: S608 - ints
                            f" AND block_number IN ({', '.join(map(str, numbers))})",
                            {"chain_id": self.chain_id, "escrow": self.escrow})
            self.db.insert("blocks", [{"chain_id": self.chain_id, "escrow": self.escrow, "block_number": number,
                                       "block_hash": block_hashes[number],
                                       "block_time": end_time if number == high else block_times.get(number)}
                                      for number in numbers])
            # After the blocks: a private report's time is its block's (`listing.store_json`).
            summaries.refresh_bounties(self.db, self.chain_id, self.escrow, touched)
            cursors.set_cursor(self.db, self.chain_id, self.escrow, high, end_hash, end_time)
        if grown and self.db.dialect == "postgresql":
            # PostgreSQL plans by its statistics, which autovacuum refreshes only later: after a
            # large range, a table it still thinks tiny would be scanned instead of indexed.
            self.db.execute(f"ANALYZE {', '.join(sorted(grown))}")
        return len(decoded)

    def _decode_range(self, logs: list[Any], low: int, high: int) -> list[Event]:
        """The escrow's and its review contract's events among `logs`, in chain order, each
        decoded with its own contract's ABI. Nothing in a log is trusted: one of another
        contract is ignored (counted in `foreign`), and one that cannot be
        decoded at all (it does not fit its event's ABI: only a lying node returns such a
        log for the escrow) is skipped and logged with its transaction hash and log index
        (counted in `skipped`). Strings are decoded leniently (`events.decode_log`)."""
        decoded = []
        foreign = 0
        for entry in logs:
            try:
                events = self._events.get(str(entry["address"]).lower())
                if events is None:
                    foreign += 1
                    continue
                if entry.get("removed") or not entry["topics"]:
                    continue
                known = events.get(_hex(entry["topics"][0]))
                if known is None or known[0] not in HANDLERS:
                    continue  # an event this version does not know: skipped
                name, plan = known
                args, replaced = decode_planned(plan, entry)
                decoded.append(Event(name, args, _number(entry["blockNumber"]), _hex(entry["blockHash"]),
                                     _number(entry["logIndex"]), _hex(entry["transactionHash"])))
            except Exception as exc:  # a malformed log: never a reason to stop the range
                self._skipped += 1
                logger.warning("blocks %d..%d: skipped an escrow log that cannot be decoded (tx %s, log index %s): %s",
                               low, high, _describe(entry, "transactionHash"), _describe(entry, "logIndex"), exc)
                continue
            for field in replaced:
                logger.info("%s at block %d (tx %s, log index %d): %s is not valid UTF-8, stored with U+FFFD",
                            name, decoded[-1].block_number, decoded[-1].tx_hash, decoded[-1].log_index,
                            field)
        if foreign:
            self._foreign += foreign
            logger.warning("blocks %d..%d: the node returned %d logs of other contracts (ignored): it does not filter"
                           " by address", low, high, foreign)
        return sorted(decoded, key=attrgetter("block_number", "log_index"))

    def _learn_tokens(self, events: list[Event]) -> None:
        """Symbol and decimals of new bounty and fundraiser tokens (read now: they do not change)."""
        # Each token once (a range creates thousands of bounties in a handful of tokens).
        tokens = dict.fromkeys(event.args["token"] for event in events
                               if event.name in ("BountyCreated", "FundraiserCreated"))
        known = "SELECT 1 FROM tokens WHERE chain_id = :chain_id AND token = :token"
        for token in tokens:
            if self.db.execute(known, {"chain_id": self.chain_id, "token": token}).fetchone():
                continue
            if token == ETH:
                symbol, decimals = "ETH", 18
            else:
                erc20 = self.w3.eth.contract(address=token, abi=self._token_abi)
                try:
                    symbol, decimals = erc20.functions.symbol().call(), int(erc20.functions.decimals().call())
                except Exception:  # not a standard ERC-20's metadata: amounts are shown in base units
                    symbol, decimals = "?", 0
                if not 0 <= decimals <= MAX_DECIMALS:  # unusable: no amount could be shown with it
                    logger.warning("token %s reports %d decimals (at most %d are usable): its amounts are shown in "
                                   "base units", token, decimals, MAX_DECIMALS)
                    symbol, decimals = "?", 0
            with store.transaction(self.db):
                self.db.execute("INSERT INTO tokens (chain_id, token, symbol, decimals)"
                                " VALUES (:chain_id, :token, :symbol, :decimals)",
                                {"chain_id": self.chain_id, "token": token, "symbol": symbol, "decimals": decimals})

    def follow(self, *, interval: float = 2.0, stop: Callable[[], bool] = lambda: False,
               on_pass: Callable[[SyncReport], None] | None = None) -> None:
        """Syncs, then polls for new blocks every `interval` seconds until `stop()`, the
        database's one writer throughout (store.IndexBusy if another indexer is)."""
        with self.writing():
            self._follow(interval, stop, on_pass)

    def _follow(self, interval: float, stop: Callable[[], bool], on_pass: Callable[[SyncReport], None] | None) -> None:
        while not stop():
            report = self.sync()
            if on_pass is not None:
                on_pass(report)
            if report.cursor >= report.target:
                time.sleep(interval)
