"""The index's commands: `bountychain index`, `bountychain serve` and `bountychain seed`,
and the index-backed path of `bountychain list`. 

    bountychain index                      # one pass: index new blocks up to head - confirmations
    bountychain index --follow             # keep polling
    bountychain index --follow --config chains.toml   # several chains into one index (`index.several`)
    bountychain serve --port 8000          # the page and the JSON API, syncing in the background
    bountychain serve --config chains.toml # ... of several chains, in one process

Without --escrow, `index` and `serve` follow every escrow of the chain's deployment history
(`bountychain escrows`: `deploy --replace` keeps the old one, which may still hold pledges),
each with its own cursor, into one index.
    bountychain seed                       # the demo's bounties on a local anvil node

The database is --db URL, else $BOUNTYCHAIN_DB, else $BOUNTYCHAIN_INDEX (a file path, as
before), else $XDG_DATA_HOME/bountychain/index-<chain id>-<escrow>.sqlite3 (~/.local/share/...).
A URL is sqlite:///PATH or postgresql://USER:PASSWORD@HOST:PORT/NAME; a plain path is a SQLite file.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import click
from rich.text import Text

from bountychain.chains import chain_name
from bountychain.cli._context import command, get_settings
from bountychain.cli._errors import CliInputError, SetupError
from bountychain.cli._output import listed, utc
from bountychain.cli._session import connect, recorded_escrows
from bountychain.index import Indexer, SyncReport, open_index, queries
from bountychain.index.several import follow_chains, load_config, wait_for
from bountychain.index.store import database_url, describe_url
from bountychain.index.sync import DEFAULT_BATCH
from bountychain.results import TokenInfo


def default_db(chain_id: int, escrow: str) -> str:
    """The index's URL (or SQLite file path) when no --db is given."""
    for variable in ("BOUNTYCHAIN_DB", "BOUNTYCHAIN_INDEX"):
        configured = os.environ.get(variable)
        if configured:
            return configured
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".local" / "share"
    return str(base / "bountychain" / f"index-{chain_id}-{escrow.lower()}.sqlite3")


def _indexers(db: str | None, confirmations: int | None, batch: int) -> tuple[list[Indexer], str]:
    """An indexer per escrow to follow, into one index: the one --escrow names, else every
    confirmed escrow of the chain's deployment history (older ones first, the current one last)."""
    client = connect(signer=False)
    target = db or default_db(client.chain_id, client.address)
    index = open_index(target)
    options = {"confirmations": confirmations, "batch": batch}
    older = [] if get_settings().escrow else [
        record for record in recorded_escrows(client.chain_id, get_settings().deployments)
        if record["address"] != client.address and record.get("status", "confirmed") == "confirmed"]
    indexers = [Indexer(client.w3, index, record["address"], int(record["block_number"]), **options) for record in older]
    return [*indexers, Indexer.for_client(client, index, **options)], describe_url(target)


def _prefix(indexer: Indexer, indexers: list[Indexer]) -> str:
    """How a report names its escrow when a command follows several."""
    return f"escrow {indexer.escrow}" if len(indexers) > 1 else ""


def _exists(target: str) -> bool:
    """Whether an index is there to read: a SQLite file that exists; a server's database is
    assumed to (opening it says otherwise)."""
    url = database_url(target)
    return Path(url.removeprefix("sqlite:///")).exists() if url.startswith("sqlite:///") else True


def _stop_on_signals() -> None:
    """Ctrl-C, SIGINT from a script (even where the shell started us ignoring it) and SIGTERM
    all end the command through KeyboardInterrupt, so that it cleans up."""

    def stop(*_: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, stop)


def _report_dict(report: SyncReport, path: str, indexer: Indexer) -> dict[str, Any]:
    return {"db": str(path), "chain_id": indexer.chain_id, "escrow": indexer.escrow, "from_block": report.from_block,
            "cursor": report.cursor, "head": report.head, "confirmations": indexer.confirmations,
            "ranges": report.ranges, "events": report.events, "rolled_back_to": report.rolled_back_to,
            "seconds": round(report.seconds, 3)}


def _show_report(data: dict[str, Any], chain: str = "", ui: Any = None) -> None:
    ui = ui or get_settings().ui  # passed in by the followers' threads, which have no click context
    prefix = f"{chain}: " if chain else ""
    if data["rolled_back_to"] is not None:
        ui.note(f"{prefix}reorganisation: rolled back to block {data['rolled_back_to']} and re-indexed")
    if data["from_block"] > data["cursor"]:  # no new block far enough behind the head
        ui.say(Text(f"{prefix}the index is up to date at block {data['cursor']}; head {data['head']}, "
                    f"{data['confirmations']} confirmations; {data['db']}"))
        return
    ui.say(Text(f"{prefix}indexed blocks {data['from_block']}..{data['cursor']} ({data['ranges']} ranges, {data['events']} "
                f"events, {data['seconds']} s); head {data['head']}, {data['confirmations']} confirmations; "
                f"{data['db']}"))


_INDEX_OPTIONS = [
    click.option("--db", metavar="URL", help="The index database: sqlite:///PATH (or a file path) or "
                                             "postgresql://USER@HOST/NAME (else $BOUNTYCHAIN_DB, else a SQLite file "
                                             "per chain and escrow in $XDG_DATA_HOME/bountychain)."),
    click.option("--confirmations", type=click.IntRange(min=0), metavar="N",
                 help="Blocks under the head not indexed yet (default: 0 on a local dev chain, else 12)."),
    click.option("--batch", type=click.IntRange(min=1), default=DEFAULT_BATCH, show_default=True, metavar="N",
                 help="Most blocks asked for in one log query (halved while the node refuses)."),
]


def index_options(command: Any) -> Any:
    for option in reversed(_INDEX_OPTIONS):
        command = option(command)
    return command


@command("index")
@index_options
@click.option("--follow", is_flag=True, help="Keep polling for new blocks until Ctrl-C.")
@click.option("--interval", type=click.FloatRange(min=0.1), default=2.0, show_default=True, help="Seconds between polls.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), metavar="FILE",
              help="Follow every [[chain]] of this TOML file into one index (see the README's index section).")
def index_command(db: str | None, confirmations: int | None, batch: int, follow: bool, interval: float,
                  config_path: str | None) -> None:
    """Index the escrow's events into SQLite or PostgreSQL (resumable, reorg-safe; one indexer per chain and
    database)."""
    if config_path is not None:
        _index_several(config_path, db, follow, interval)
        return
    indexers, path = _indexers(db, confirmations, batch)
    ui = get_settings().ui
    if not follow:
        for indexer in indexers:
            with ui.status("indexing..."):
                report = indexer.sync()
            data = _report_dict(report, path, indexer)
            ui.emit(data, lambda: _show_report(data, _prefix(indexer, indexers)))
        return
    _stop_on_signals()

    def on_pass(indexer: Indexer, report: SyncReport) -> None:
        if report.ranges or report.rolled_back_to is not None:
            data = _report_dict(report, path, indexer)
            ui.emit(data, lambda: _show_report(data, _prefix(indexer, indexers)))
            sys.stdout.flush()

    try:
        follow_escrows(indexers, interval=interval, on_pass=on_pass)
    except KeyboardInterrupt:
        ui.note("stopped")


def follow_escrows(indexers: list[Indexer], *, interval: float,
                   on_pass: Any = lambda indexer, report: None) -> None:
    """Syncs each escrow in turn, then polls every `interval` seconds until interrupted, the one
    writer of each escrow's rows throughout (IndexBusy if another indexer is)."""
    with ExitStack() as locks:
        for indexer in indexers:
            locks.enter_context(indexer.writing())
        while True:
            behind = False
            for indexer in indexers:
                report = indexer.sync()
                on_pass(indexer, report)
                behind = behind or report.cursor < report.target
            if not behind:
                time.sleep(interval)


def _index_several(config_path: str, db: str | None, follow: bool, interval: float) -> None:
    """`index --config`: every chain of the file, each on its own thread; one that fails is
    reported by name and retried (with --follow) while the others go on."""
    config = load_config(config_path)
    target = db or config.db or os.environ.get("BOUNTYCHAIN_DB") or os.environ.get("BOUNTYCHAIN_INDEX")
    if not target:
        raise CliInputError(f"{config_path}: which database? give --db URL, db = \"URL\" in the file, or $BOUNTYCHAIN_DB")
    path = describe_url(target)
    index = open_index(target)
    ui = get_settings().ui
    stop = threading.Event()
    failed: set[str] = set()
    lock = threading.Lock()  # the followers' threads print one line at a time

    def on_pass(follower: Any, report: SyncReport) -> None:
        with lock:
            failed.discard(follower.name)
            if report.ranges or report.rolled_back_to is not None or not follow:
                data = {**_report_dict(report, path, follower.indexer), "chain_name": follower.name}
                ui.emit(data, lambda: _show_report(data, follower.name, ui))
                sys.stdout.flush()

    def on_error(follower: Any, reason: str, retry: float | None) -> None:
        then = "" if not follow else f"; retrying in {retry:g} s" if retry is not None else "; not retried"
        with lock:
            failed.add(follower.name)
            ui.err.print(Text(f"{follower.name}: {reason}{then}", style="bold red"))
            sys.stderr.flush()

    _stop_on_signals()
    followers = follow_chains(config.chains, index, stop, interval=interval, on_pass=on_pass, on_error=on_error,
                              once=not follow)
    try:
        while any(f.thread is not None and f.thread.is_alive() for f in followers):
            stop.wait(0.2)
    except KeyboardInterrupt:
        ui.note("stopped")
    finally:
        stop.set()
        wait_for(followers)
        index.close()
    if failed and not follow:
        raise SetupError(f"not indexed: {', '.join(sorted(failed))} (see above)")


@command("serve")
@index_options
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port (0: a free one).")
@click.option("--interval", type=click.FloatRange(min=0.1), default=2.0, show_default=True,
              help="Seconds between background syncs of the index.")
@click.option("--public-rpc", metavar="URL", help="An RPC URL the page may offer wallets that lack the chain.")
@click.option("--cors-origin", "cors_origins", multiple=True, metavar="ORIGIN",
              envvar="BOUNTYCHAIN_CORS_ORIGINS", help="A site whose pages may read the API (repeatable; "
              "$BOUNTYCHAIN_CORS_ORIGINS, space-separated). None by default.")
@click.option("--cache-seconds", type=click.IntRange(0, 86_400), default=0, show_default=True,
              help="How long browsers and proxies may reuse an API answer (0: revalidate it by its ETag each time).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), metavar="FILE",
              help="Follow every [[chain]] of this TOML file (as `index --config`) while serving them all.")
def serve_command(db: str | None, confirmations: int | None, batch: int, host: str, port: int, interval: float,
                  public_rpc: str | None, cors_origins: tuple[str, ...], cache_seconds: int,
                  config_path: str | None) -> None:
    """Serve the bounty page and its JSON API from the index, syncing it in the background."""
    from bountychain.web import WebApp, freeze_heap, make_server

    ui = get_settings().ui
    options = {"interval": interval, "public_rpc": public_rpc, "cors_origins": cors_origins,
               "cache_seconds": cache_seconds}
    stop = threading.Event()
    followers: list[Any] = []
    if config_path is not None:
        app, path, followers = _serve_several(config_path, db, stop, options)
        what = ", ".join(chain["chain_name"] for chain in app.chains())
        data: dict[str, Any] = {"db": str(path), "chains": [chain["chain_id"] for chain in app.chains()]}
    else:
        indexers, path = _indexers(db, confirmations, batch)
        with ui.status("indexing..."):
            for indexer in indexers:
                indexer.sync()
        app = WebApp(indexers, indexers[0].db, **options)
        current = indexers[-1]
        what = f"escrow {current.escrow} on {current.name}" + (
            f" and {len(indexers) - 1} older escrow{'s' if len(indexers) > 2 else ''}" if len(indexers) > 1 else "")
        data = {"db": str(path), "chain_id": current.chain_id, "escrow": current.escrow,
                "escrows": [indexer.escrow for indexer in indexers]}
    server = make_server(app, host, port)
    url = f"http://{host if ':' not in host else f'[{host}]'}:{server.server_address[1]}/"
    if config_path is None:
        app.start_following()
    data = {"url": url, **data}
    ui.emit(data, lambda: ui.say(Text(f"serving {url} (index {path}, {what}); Ctrl-C stops", style="bold")))
    sys.stdout.flush()
    _stop_on_signals()
    freeze_heap()
    try:
        server.serve_forever()  # uvicorn: SIGINT and SIGTERM end it gracefully
    except KeyboardInterrupt:
        ui.note("stopping")
    finally:
        stop.set()
        wait_for(followers)
        app.stop()
        server.server_close()


def _serve_several(config_path: str, db: str | None, stop: threading.Event,
                   options: dict[str, Any]) -> tuple[Any, str, list[Any]]:
    """`serve --config`: one pass over every chain of the file (a chain that fails is named and
    retried in the background), then the followers keep the index current while the page and
    the API read it (`/api/status` shows the chains that are failing)."""
    from bountychain.web import WebApp

    config = load_config(config_path)
    target = db or config.db or os.environ.get("BOUNTYCHAIN_DB") or os.environ.get("BOUNTYCHAIN_INDEX")
    if not target:
        raise CliInputError(f"{config_path}: which database? give --db URL, db = \"URL\" in the file, or $BOUNTYCHAIN_DB")
    index = open_index(target)
    ui = get_settings().ui
    errors: dict[str, str] = {}  # per [[chain]]: its last failure, until it syncs again
    serving: list[WebApp] = []
    lock = threading.Lock()

    def on_error(follower: Any, reason: str, retry: float | None) -> None:
        with lock:
            errors[follower.source.label] = f"{follower.name}: {reason}"
            ui.err.print(Text(errors[follower.source.label] + (f"; retrying in {retry:g} s" if retry else ""),
                              style="bold red"))
            sys.stderr.flush()
            for app in serving:
                app.last_error = "; ".join(errors.values())

    def on_pass(follower: Any, report: SyncReport) -> None:
        with lock:
            errors.pop(follower.source.label, None)
            for app in serving:
                app.last_error = "; ".join(errors.values()) or None

    with ui.status("indexing..."):
        wait_for(follow_chains(config.chains, index, threading.Event(), on_error=on_error, once=True))
    if not queries.chains(index):
        index.close()
        raise SetupError(f"not indexed: {'; '.join(sorted(errors.values()))}")
    serving.append(WebApp(None, index, **options))
    followers = follow_chains(config.chains, index, stop, interval=options["interval"], on_pass=on_pass,
                              on_error=on_error)
    app = serving[0]
    return app, describe_url(target), followers


@command("seed")
def seed_command() -> None:
    """Create the demo's bounties on a local anvil node (funds throwaway accounts with anvil_setBalance)."""
    from bountychain.seed import seed

    client = connect(signer=False)
    ui = get_settings().ui
    with ui.status("creating the demo's bounties..."):
        result = seed(client)
    ui.emit(result, lambda: show_seeded(result))


_SEEDED_BOUNTIES = {"open_eth": "open, in ETH, with two solutions", "awarded_usdc": "awarded, in USDC",
                    "cancelled_eth": "cancelled, in ETH (one pledge refunded)", "open_usdc": "open, in USDC",
                    "under_review_eth": "under the backers' review, with an objection"}
_SEEDED_FUNDRAISERS = {"raising_eth": "all-or-nothing, in ETH", "flexible_usdc": "flexible, in USDC"}


def show_seeded(result: dict[str, Any]) -> None:
    """The seeded world in sentences: what each id is, and the throwaway accounts."""
    ui = get_settings().ui
    ui.say(Text(f"Seeded the escrow {result['escrow']} on {chain_name(result['chain_id'])}:", style="bold"))
    for key, id_ in result["bounties"].items():
        ui.say(f"  bounty {id_}: {_SEEDED_BOUNTIES.get(key, key.replace('_', ' '))}")
    for key, id_ in result["fundraisers"].items():
        ui.say(f"  fundraiser {id_}: {_SEEDED_FUNDRAISERS.get(key, key.replace('_', ' '))}")
    ui.say(f"  test token: USDC at {result['usdc']} (6 decimals)")
    ui.say(Text("Throwaway accounts of this local chain (import a key into a browser wallet to try the page):",
                style="yellow"))
    for name, address in result["addresses"].items():
        ui.say(f"  {name:<10} {address}  key {result['keys'][name]}")
    ui.say("Try: bountychain list   or   bountychain show " + str(result["bounties"]["open_eth"]))


def list_from_index(client: Any, db: str | None, *, required: bool, issue: str | None, repo: str | None,
                    status: str | None, token: str | None, sync: bool = True) -> dict[str, Any] | None:
    """`bountychain list` from the index (synced first unless `sync` is False), with how far
    behind the chain's head it is; None when there is no index and none was asked for, so the
    caller scans the chain's logs."""
    target = db or default_db(client.chain_id, client.address)
    path = describe_url(target)
    if not _exists(target):
        if required:
            raise CliInputError(f"no index at {path}: run `bountychain index` first")
        return None
    indexer = Indexer.for_client(client, target)
    if sync:
        indexer.sync()
    head = int(client.w3.eth.block_number)
    rows = []
    for b in reversed(queries.bounties(indexer.db, repo=repo, issue=issue, status=status, token=token, kind="bounty",
                                       chain=indexer.chain_id, escrow=indexer.escrow)):
        info = TokenInfo(b.token, b.symbol, b.decimals)
        paid = b.pool if b.status == "awarded" else None
        rows.append({"bounty_id": b.bounty_id, "issue": b.uri, "token": b.token, "symbol": b.symbol, "total": b.total,
                     "total_text": listed(b.total, info), "paid": paid,
                     "paid_text": listed(paid, info) if paid is not None else None, "deadline": b.deadline,
                     "deadline_utc": utc(b.deadline), "status": b.status, "claims": b.claim_count, "issuer": b.issuer,
                     "approver": b.approver})
    cursor = indexer.cursor
    return {"rows": rows, "index": str(path), "cursor": cursor, "head": head, "behind": max(0, head - cursor),
            "synced": sync}


COMMANDS = [index_command, serve_command, seed_command]

__all__ = ["COMMANDS", "default_db", "list_from_index"]
