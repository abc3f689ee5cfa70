"""Following several chains into one index, from one configuration file
(`bountychain index --follow --config chains.toml`):

    db = "postgresql://indexer@db.example/bounties"   # optional: else --db, else $BOUNTYCHAIN_DB

    [[chain]]
    chain = "sepolia"                  # optional: the chain the endpoint must serve (a name or an id)
    rpc_url_env = "SEPOLIA_RPC_URL"    # the environment variable that holds its RPC URL ...
    # rpc_url = "http://127.0.0.1:8545"  # ... or the URL itself (never one with a key in it)
    escrow = "0x..."                   # optional: else every escrow of the registry's record for the chain
    from_block = 5_000_000             # its deployment block (taken from the registry without escrow)
    log_range = 500                    # optional: the most blocks per log query (default 2000)
    confirmations = 12                 # optional (default: 0 on a local dev chain, else 12)
    allow_unofficial_escrow = false    # optional: an escrow the official registry does not list

Without `escrow`, a chain's escrows are its deployment history (`previous` in the registry's
record, then the current one: `deploy --replace` keeps the old one, which may still hold
pledges). A chain may be listed twice with two escrows. Each [[chain]] has its own thread; each
escrow its own writer lock and cursor: a chain whose endpoint is down is reported (which chain,
and why) and retried, while the others keep syncing.
"""

from __future__ import annotations

import logging
import os
import threading
import tomllib
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import requests
from web3 import Web3

from bountychain import deployments
from bountychain.chains import chain_by_shorthand, chain_name
from bountychain.errors import BountychainError
from bountychain.index.store import Index, IndexBusy, IndexMismatch
from bountychain.index.sync import DEFAULT_BATCH, Indexer, SyncReport

logger = logging.getLogger("bountychain.index")

_KEYS = {"chain", "rpc_url", "rpc_url_env", "escrow", "from_block", "log_range", "confirmations",
         "allow_unofficial_escrow"}
# Waiting after a failure: doubled each time from the poll interval, up to this.
MAX_RETRY_SECONDS = 60.0
# Failures that waiting will not mend: that chain stops (the others go on).
_FATAL = (IndexMismatch, deployments.RegistryError, deployments.UnofficialEscrow)


class ConfigError(BountychainError):
    """The configuration file is unreadable or names something unusable."""


@dataclass(frozen=True)
class ChainSource:
    """One [[chain]] of the file."""

    label: str  # how messages name it before its node has said which chain it is
    rpc_url: str
    expected_chain: int | None = None
    escrow: str | None = None
    from_block: int | None = None
    log_range: int = DEFAULT_BATCH
    confirmations: int | None = None
    allow_unofficial_escrow: bool = False


@dataclass(frozen=True)
class FollowConfig:
    db: str | None
    chains: tuple[ChainSource, ...]


def _endpoint(url: str) -> str:
    """An RPC URL as messages show it: its host and port only (a path may hold an API key)."""
    parsed = urlparse(url)
    return parsed.netloc.rsplit("@", 1)[-1] or "?"


def load_config(path: str | Path, environ: Mapping[str, str] | None = None) -> FollowConfig:
    """The file's chains, checked: ConfigError naming the file, the entry and the field."""
    environ = os.environ if environ is None else environ
    try:
        data = tomllib.loads(Path(path).read_text())
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read it as TOML: {exc}") from exc
    unknown = set(data) - {"db", "chain"}
    if unknown:
        raise ConfigError(f"{path}: unknown setting {', '.join(sorted(unknown))} (the file has db and [[chain]])")
    entries = data.get("chain")
    if not isinstance(entries, list) or not entries:
        raise ConfigError(f"{path}: no [[chain]] entry: add one per chain to follow")
    db = data.get("db")
    if db is not None and not isinstance(db, str):
        raise ConfigError(f"{path}: db must be a database URL in quotes")
    sources = [_source(path, number, entry, environ) for number, entry in enumerate(entries, 1)]
    # A chain listed twice must name a different escrow each time (else both would follow the
    # same escrows: one of them would only ever wait for the other's writer lock).
    named = [(source.expected_chain, source.escrow) for source in sources if source.expected_chain is not None]
    if len(named) != len(set(named)) or any(escrow is None and sum(chain == other for other, _ in named) > 1
                                            for chain, escrow in named):
        raise ConfigError(f"{path}: a chain is listed twice with the same escrows (give each entry its own escrow)")
    return FollowConfig(db, tuple(sources))


def _source(path: str | Path, number: int, entry: Any, environ: Mapping[str, str]) -> ChainSource:
    where = f"{path}, [[chain]] number {number}"
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: not a table of settings")
    unknown = set(entry) - _KEYS
    if unknown:
        raise ConfigError(f"{where}: unknown setting {', '.join(sorted(unknown))} (known: {', '.join(sorted(_KEYS))})")
    expected = None
    if "chain" in entry:
        try:
            text = str(entry["chain"])
            expected = int(text) if text.isdigit() else chain_by_shorthand(text).chain_id
        except ValueError as exc:
            raise ConfigError(f"{where}: {exc}") from exc
        where += f" ({chain_name(expected)})"
    if ("rpc_url" in entry) == ("rpc_url_env" in entry):
        raise ConfigError(f"{where}: give rpc_url_env (the environment variable that holds the RPC URL) or rpc_url")
    if "rpc_url_env" in entry:
        rpc_url = environ.get(str(entry["rpc_url_env"]), "")
        if not rpc_url:
            raise ConfigError(f"{where}: the environment variable {entry['rpc_url_env']} (its RPC URL) is not set")
    else:
        rpc_url = str(entry["rpc_url"])
    if not rpc_url.startswith(("http://", "https://")):
        raise ConfigError(f"{where}: the RPC URL must start with http:// or https://")
    escrow = entry.get("escrow")
    if escrow is not None and not Web3.is_address(str(escrow)):
        raise ConfigError(f"{where}: escrow {escrow!r} is not an address")
    numbers = {}
    for key, low in (("from_block", 0), ("log_range", 1), ("confirmations", 0)):
        value = entry.get(key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < low):
            raise ConfigError(f"{where}: {key} must be a whole number of at least {low}, not {value!r}")
        numbers[key] = value
    if escrow is not None and numbers["from_block"] is None:
        raise ConfigError(f"{where}: with an escrow address, give from_block (the block it was deployed in)")
    label = chain_name(expected) if expected is not None else f"the chain at {_endpoint(rpc_url)}"
    return ChainSource(label, rpc_url, expected, None if escrow is None else Web3.to_checksum_address(str(escrow)),
                       numbers["from_block"], numbers["log_range"] or DEFAULT_BATCH, numbers["confirmations"],
                       bool(entry.get("allow_unofficial_escrow", False)))


def connect(source: ChainSource, db: Index) -> list[Indexer]:
    """An indexer for each of `source`'s escrows on its chain: the one the file names, else every
    confirmed escrow of the registry's record (older ones first), after checking that the
    endpoint serves the expected chain and each escrow is this version's."""
    w3 = Web3(Web3.HTTPProvider(source.rpc_url, request_kwargs={"timeout": 30}))
    chain_id = int(w3.eth.chain_id)
    if source.expected_chain is not None and chain_id != source.expected_chain:
        raise IndexMismatch(f"{source.label}: the endpoint {_endpoint(source.rpc_url)} serves {chain_name(chain_id)} "
                            f"(chain id {chain_id}), not {source.label}")
    if source.escrow is not None:
        escrows = [(source.escrow, source.from_block or 0)]
    else:
        record = deployments.load(chain_id)
        escrows = [(entry["address"], int(entry["block_number"])) for entry in record.escrows()
                   if entry.get("status", "confirmed") == "confirmed"]
        if source.from_block is not None:  # the file's start block is the current escrow's
            escrows[-1] = (escrows[-1][0], source.from_block)
    indexers = []
    for escrow, start in escrows:
        check = deployments.check_escrow(w3, escrow, chain_id)
        if not (check.official or check.dev_chain or source.allow_unofficial_escrow):
            raise deployments.UnofficialEscrow(
                f"the escrow {escrow} on {chain_name(chain_id)} has bountychain's code but is not an official "
                "deployment: set allow_unofficial_escrow = true in its [[chain]] if you trust who deployed it")
        indexers.append(Indexer(w3, db, escrow, start, confirmations=source.confirmations, batch=source.log_range))
    return indexers


def _reason(exc: Exception, source: ChainSource) -> str:
    """Why a pass failed, in one line, without the RPC URL's path (it may hold an API key)."""
    endpoint = _endpoint(source.rpc_url)
    if isinstance(exc, requests.exceptions.Timeout):
        return f"no answer from {endpoint} in time (is the node overloaded?)"
    if isinstance(exc, requests.exceptions.ConnectionError):
        refused = "refused" in str(exc).lower()
        return f"cannot reach {endpoint}" + (": connection refused (is the node running?)" if refused else
                                              ": the connection failed")
    text = (str(exc).strip().splitlines() or [""])[0] or type(exc).__name__
    parsed = urlparse(source.rpc_url)
    if len(parsed.path) > 1:
        text = text.replace(parsed.path, "/…")
    return text.replace(source.rpc_url, _endpoint(source.rpc_url))[:300]


class ChainFollower:
    """Follows one [[chain]] (each of its escrows in turn) into the index on its own thread until
    `stop` is set. `indexer` is the escrow whose pass was last reported."""

    def __init__(self, source: ChainSource, db: Index, *, interval: float,
                 on_pass: Callable[[ChainFollower, SyncReport], None],
                 on_error: Callable[[ChainFollower, str, float | None], None], once: bool = False) -> None:
        self.source, self.db, self.interval, self.once = source, db, interval, once
        self.on_pass, self.on_error = on_pass, on_error
        self.indexers: list[Indexer] = []
        self.indexer: Indexer | None = None
        self.last_error: str | None = None
        self.stopped_for_good = False
        self.thread: threading.Thread | None = None

    def start(self, stop: threading.Event) -> None:
        self.thread = threading.Thread(target=self.run, args=(stop,), name=f"index-{self.name}", daemon=True)
        self.thread.start()

    @property
    def name(self) -> str:
        """The chain's name (with the escrow reported last, when the chain has several)."""
        if self.indexer is None:
            return self.source.label
        return self.indexer.name + (f", escrow {self.indexer.escrow}" if len(self.indexers) > 1 else "")

    def run(self, stop: threading.Event) -> None:
        failures = 0
        while not stop.is_set():
            try:
                if not self.indexers:
                    self.indexers = connect(self.source, self.db)
                    self.indexer = self.indexers[-1]
                with ExitStack() as locks:  # each escrow's writer lock, held while it goes well
                    for indexer in self.indexers:
                        locks.enter_context(indexer.writing())
                    while not stop.is_set():
                        behind = False
                        for indexer in self.indexers:
                            self.indexer = indexer
                            report = indexer.sync()
                            failures, self.last_error = 0, None
                            self.on_pass(self, report)
                            behind = behind or report.cursor < report.target
                        if self.once:
                            return
                        if not behind:
                            stop.wait(self.interval)
            except _FATAL as exc:
                self.last_error, self.stopped_for_good = _reason(exc, self.source), True
                self.on_error(self, self.last_error, None)
                return
            except Exception as exc:  # an endpoint down, a database restarting, another indexer (IndexBusy)
                failures += 1
                wait = min(MAX_RETRY_SECONDS, self.interval * 2 ** min(failures, 10))
                self.last_error = _reason(exc, self.source)
                if not isinstance(exc, IndexBusy):
                    logger.debug("%s failed", self.name, exc_info=exc)
                self.on_error(self, self.last_error, None if self.once else wait)
                if self.once:
                    return
                stop.wait(wait)


def follow_chains(sources: tuple[ChainSource, ...] | list[ChainSource], db: Index, stop: threading.Event, *,
                  interval: float = 2.0, on_pass: Callable[[ChainFollower, SyncReport], None] = lambda *_: None,
                  on_error: Callable[[ChainFollower, str, float | None], None] = lambda *_: None,
                  once: bool = False) -> list[ChainFollower]:
    """Starts one follower thread per chain; they run until `stop` is set (`once`: one pass
    each), then `wait_for` them. One chain's failure never stops another: `on_error` gets
    which chain, why, and the seconds until it is retried (None: not retried)."""
    followers = [ChainFollower(source, db, interval=interval, on_pass=on_pass, on_error=on_error, once=once)
                 for source in sources]
    for follower in followers:
        follower.start(stop)
    return followers


def wait_for(followers: list[ChainFollower], timeout: float | None = None) -> None:
    for follower in followers:
        if follower.thread is not None:
            follower.thread.join(timeout)
