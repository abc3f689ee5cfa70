"""The ASGI application of `bountychain serve` (Starlette): the page and the JSON API over the
index. `server` serves it with uvicorn; see there for the routes and the limits on clients.
The application holds nothing but a database handle (and, in `bountychain serve`, the indexer
that syncs it), so several workers can serve one index: `create_app` reads it from the
environment for `uvicorn --factory bountychain.web:create_app`."""

from __future__ import annotations

import gc
import hashlib
import json
import mimetypes
import os
import re
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from pathlib import Path
from typing import Any

import rlp
from eth_utils import keccak
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from web3 import Web3

from bountychain._artifacts import load_artifact
from bountychain.amounts import format_amount, parse_amount
from bountychain.chains import KNOWN_CHAINS, chain_by_shorthand, chain_name, known_chain
from bountychain.errors import InvalidURI, error_meanings
from bountychain.github.app import links_routes
from bountychain.github.state import BotState, links_statement
from bountychain.index import answers, cursors, listing, queries
from bountychain.index.store import Index, database_url, describe_url, open_index
from bountychain.index.sync import Indexer, SyncReport
from bountychain.issue_urls import KNOWN_FORGES, forges
from bountychain.web.caching import AnswerCache, RateLimit
from bountychain.web.openapi import openapi_schema
from bountychain.web.milestones import bonds_of, milestone_history
from bountychain.web.picture_routes import PICTURE_ROUTES
from bountychain.web.reads import read_route
from bountychain.web.pictures import STATUS_WORDS
from bountychain.web.responses import (MAX_ID, BadRequest, checked_address,
                                       error_response, json_response, jsonable, query_param)

_PAGE_ROUTES = re.compile(r"^/(?:(?:bounty|fundraiser)/\d+|funder/0x[0-9a-fA-F]{40}|hunter/0x[0-9a-fA-F]{40})?$")
MAX_BODY = 4096  # bytes: no route takes a body larger than this (POST /api/sync takes none)
DEFAULT_LIMIT, MAX_LIMIT = 100, 500  # bounties per page of /api/bounties
_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
_COMMON_HEADERS = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer")]


def static_dir() -> Path:
    return Path(str(resources.files("bountychain.web").joinpath("static")))


def review_address(escrow: str) -> str:
    """The review contract's address: BountyEscrow deploys it in its constructor, as its first
    creation (a contract's nonce starts at 1, EIP-161), so it follows from the escrow's address
    alone and a worker needs no node to name it."""
    return Web3.to_checksum_address(keccak(rlp.encode([bytes.fromhex(escrow[2:]), 1]))[12:])


def _open_existing(target: str | Path) -> Index:
    """The index at `target` (a database URL or a file path), which must already exist: an API
    worker never creates one (`bountychain index` does). Only read here, its connections are
    lent without a ping: an answer a server restart breaks is asked once more (`reads.read_route`)."""
    url = database_url(target)
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if not path.is_file():
            raise ValueError(f"no index at {path}: run `bountychain index` to create it")
    return open_index(url, ping=False)


def _issue_hosts() -> dict[str, str]:
    """The issue hosts of bountychain.issue_urls (read from the environment as the SDK reads it);
    the known forges alone when a variable is malformed (the SDK then refuses and says why)."""
    try:
        return forges()
    except InvalidURI:
        return dict(KNOWN_FORGES)


class WebApp:
    """What the routes need: where the index is, the page's chain facts and, when this process
    also syncs the index (`bountychain serve`), the indexer. Without one (`create_app` for
    `uvicorn --workers`), another process (`bountychain index --follow`) keeps the index current
    and `POST /api/sync` only reports how far it is."""

    def __init__(self, indexer: Indexer | list[Indexer] | None, database: str | Path | Index, *, interval: float = 2.0,
                 public_rpc: str | None = None, cors_origins: Iterable[str] = (), cache_seconds: int = 0,
                 sync_burst: int = 5, sync_per_second: float = 1.0, answer_cache_bytes: int = 32 << 20,
                 reader_threads: int = 2) -> None:
        # Every escrow this process syncs (`bountychain serve`: the chain's deployment history);
        # `indexer` is the first, as before.
        self.indexers = [] if indexer is None else list(indexer) if isinstance(indexer, list) else [indexer]
        self.indexer = self.indexers[0] if self.indexers else None
        self._owns_db = not isinstance(database, Index)  # opened here, so closed by `stop`
        self.db = database if isinstance(database, Index) else _open_existing(database)
        self.interval = interval
        self.public_rpc = public_rpc
        self.cors_origins = [origin for origin in cors_origins if origin]
        self.cache_seconds = cache_seconds
        self._sync_lock = threading.Lock()
        self._stop = threading.Event()
        self.last_report: SyncReport | None = None
        self.last_error: str | None = None
        self.sync_limit = RateLimit(sync_burst, sync_per_second)
        self.answers = AnswerCache(answer_cache_bytes)
        # PostgreSQL's reads run on two threads, first come first served, so that one answer's
        # round trips to the server overlap another's work. More only contend for the GIL: with
        # four, each answer cost 15 to 25% more CPU and the detail's and funder's p99 rose by a
        # fifth (docs/DESIGN.md, "Session 11"). SQLite's are a millisecond or two of this
        # process's own CPU, which no thread overlaps (its Python holds the GIL): they run in
        # the event loop, as handing each to a thread and back cost a third again of the
        # answer's CPU (docs/DESIGN.md, "API under load").
        self.readers = (None if self.db.dialect == "sqlite" else
                        ThreadPoolExecutor(max_workers=reader_threads, thread_name_prefix="index-read"))
        if not self.indexers and not queries.chains(self.db):
            raise ValueError(f"{describe_url(self.db.url)} is no index yet: run `bountychain index` on it first")
        # The GitHub App's links (`bountychain github serve` records them in this database): the
        # profiles show them, and /api/github/links/<address> serves them as the bot does.
        self.github = BotState(self.db.engine)
        escrow_abi = load_artifact("BountyEscrow").abi
        token_abi = load_artifact("TestToken").abi
        # What the page needs to know of every chain (`chains`, read per answer: an indexer may
        # start following another chain) and, as before, of the first one at the top level.
        self.info = {
            "status_words": STATUS_WORDS,
            "public_rpc": public_rpc,
            # What to call a wallet's chain (`bountychain.chains`): chain id -> name.
            "known_chains": {str(chain.chain_id): chain.name for chain in KNOWN_CHAINS},
            "escrow_abi": escrow_abi,
            # The review contract's (each chain's `review`: the escrow's `review()`): reviewed
            # bounties' proposals, objections, finalization, escalation, lapses and a plain arbiter's `decide`.
            "review_abi": load_artifact("BountyReview").abi,
            # The ERC-20 functions and errors the page calls or may meet (OpenZeppelin's ERC-20).
            "token_abi": [item for item in token_abi if item.get("type") == "error"
                          or item.get("name") in ("approve", "allowance", "balanceOf", "decimals", "symbol")],
            # What each custom error means, with {argument} placeholders (the SDK's table).
            "errors": error_meanings(),
            # The issue hosts the create form accepts (host -> github, gitlab or gitea): the known
            # forges, a GitHub Enterprise Server of $GITHUB_SERVER_URL and the hosts of $BOUNTYCHAIN_ISSUE_HOSTS.
            "issue_hosts": _issue_hosts(),
            # ERC-792: what escalating to an arbitrator contract costs (paid in ETH).
            "arbitrator_abi": [{"type": "function", "name": "arbitrationCost", "stateMutability": "view",
                                "inputs": [{"name": "extraData", "type": "bytes"}],
                                "outputs": [{"name": "cost", "type": "uint256"}]}],
        }

    def chains(self) -> list[dict[str, Any]]:
        """The chains of the index, each with what the page needs to name it, link to its block
        explorer, and send to its escrow and review contract: the chain's newest escrow (the
        one it started following last), and in `escrows` every escrow of the chain, oldest first
        (a `deploy --replace` keeps the old one, which may still hold pledges)."""
        listed: dict[int, dict[str, Any]] = {}
        for chain in queries.chains(self.db):  # by chain, each chain's escrows oldest first
            known = known_chain(chain.chain_id)
            confirmations = next((indexer.confirmations for indexer in self.indexers
                                  if indexer.chain_id == chain.chain_id), None)
            escrow = {"escrow": chain.escrow, "review": review_address(chain.escrow), "start_block": chain.start_block}
            entry = listed.setdefault(chain.chain_id, {
                "chain_id": chain.chain_id, "chain_name": chain.chain_name, "chain_id_hex": hex(chain.chain_id),
                "shorthand": known.shorthand if known else str(chain.chain_id),
                "explorer": known.explorer if known else None, "confirmations": confirmations, "escrows": []})
            entry.update(escrow)
            entry["escrows"].append(escrow)
        return list(listed.values())

    def escrow_param(self, text: str | None) -> str | None:
        """The escrow a request names (`?escrow=`), checksummed; BadRequest if not an address."""
        return None if text is None else checked_address(text, "escrow")

    def chain_param(self, text: str | None) -> int | None:
        """The chain a request names (`?chain=`): a chain id or a shorthand (sepolia, base,
        local, ...); BadRequest naming this index's chains when it is neither."""
        if text is None:
            return None
        if text.isdigit():
            return int(text)
        try:
            return chain_by_shorthand(text).chain_id
        except ValueError:
            choices = ", ".join(f"{chain['shorthand']} ({chain['chain_name']})" for chain in self.chains())
            raise BadRequest(f"chain {text!r} is neither a chain id nor a chain's name; this index has: "
                             f"{choices}") from None

    def reader(self) -> Index:
        """The index the routes read (SQLite or PostgreSQL); each query reads one snapshot."""
        return self.db

    def sync(self) -> SyncReport | None:
        """Syncs every escrow this process follows, each in turn (a failure does not stop the
        others; the first is raised after all had their turn); the first one's report."""
        if not self.indexers:
            return None  # another process follows the chain
        with self._sync_lock:
            reports, failures = [], []
            for indexer in self.indexers:
                try:
                    reports.append(indexer.sync())
                except Exception as exc:
                    where = f"{indexer.name}, escrow {indexer.escrow}: " if len(self.indexers) > 1 else ""
                    failures.append((exc, f"{where}{type(exc).__name__}: {(str(exc).splitlines() or [''])[0]}"))
            self.last_error = "; ".join(words for _, words in failures) or None
            if failures:
                raise failures[0][0]
            self.last_report = reports[0]
            return self.last_report

    def start_following(self) -> threading.Thread:
        def run() -> None:
            while not self._stop.is_set():
                try:
                    self.sync()
                except Exception:  # the node may be briefly unreachable: report it, keep trying
                    pass
                self._stop.wait(self.interval)

        thread = threading.Thread(target=run, name="index-sync", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self._stop.set()
        if self.readers is not None:
            self.readers.shutdown(wait=False)
        if self._owns_db:
            self.db.close()

    def status(self) -> dict[str, Any]:
        """How far the index is: per chain (`chains`) and, for an index of one chain, that
        chain's fields at the top level, as before (None for several)."""
        db = self.reader()
        with db.reading():
            data = jsonable(queries.status(db))
            data["chains"] = jsonable(queries.chains(db))
        data["last_error"] = self.last_error
        return data

    def etag(self, request: Request) -> str:
        """A weak validator of a read: the index's position on every chain (cursor and its block
        hash, which a reorganisation changes), the sync error shown, and the request's path and
        query."""
        positions = sorted([row["chain_id"], row["escrow"], row["cursor"], row["cursor_hash"], row["cursor_time"]]
                           for row in cursors.chains(self.db))
        if request.url.path.startswith(("/api/funders/", "/api/hunters/")):  # they show its GitHub links too
            links = github_links(self.db, request.path_params["address"])  # links are only ever added
            positions.append([len(links), max((link["linked_at"] for link in links), default=None)])
        key = json.dumps([positions, self.last_error, request.url.path, request.url.query])
        return 'W/"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'


# --- the routes ----------------------------------------------------------------------------

def github_links(db: Index, address: str) -> list[dict[str, Any]]:
    """The GitHub accounts linked to `address`, oldest first, read once per snapshot (through
    their index on the address): a profile shows them and its ETag counts them."""
    statement, params = links_statement(address)
    return db.remembered(f"links of {params['address']}", lambda: db.dicts(statement, params))


def _integer(request: Request, name: str, default: int, low: int, high: int) -> int:
    text = query_param(request, name)
    if text is None:
        return default
    if not text.isdigit() or not low <= int(text) <= high:
        raise BadRequest(f"{name} must be a whole number from {low} to {high}, not {text!r}")
    return int(text)


def _info(web: WebApp, request: Request) -> Any:
    chains = web.chains()
    first = chains[0] if chains else {}
    # The first chain's facts at the top level too, as an index of one chain always had them.
    top = {key: first.get(key) for key in ("chain_id", "chain_name", "chain_id_hex", "explorer", "escrow", "review",
                                            "start_block", "confirmations")}
    return {**web.info, **top, "chains": chains, "index": web.status()}


def _status(web: WebApp, request: Request) -> Any:
    return web.status()


def _bounty_list(web: WebApp, request: Request) -> Any:
    db = web.reader()
    filters: dict[str, Any] = {name: query_param(request, name) for name in ("repo", "issue", "status", "kind", "owner")}
    for name in ("token", "beneficiary", "issuer"):
        value = query_param(request, name)
        filters[name] = None if value is None else checked_address(value, name)
    filters["chain"] = web.chain_param(query_param(request, "chain"))
    filters["escrow"] = web.escrow_param(query_param(request, "escrow"))
    limit = _integer(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    offset = _integer(request, "offset", 0, 0, MAX_ID)
    sort = query_param(request, "sort") or "newest"
    with db.reading():  # the page and its count from one snapshot
        try:
            # Each bounty as the JSON the sync stored with it, its status written in (`listing.listed`).
            listed = queries.bounties(db, **filters, sort=sort, limit=limit, offset=offset, shape=listing.listed,
                                      stored=True)
            total = queries.count_bounties(db, **filters)
        except ValueError as exc:
            raise BadRequest(str(exc)) from exc
    return {"bounties": listed, "count": total, "limit": limit, "offset": offset, "sort": sort,
            "index": web.status()}


def _bounty_id(text: str) -> int | None:
    """A bounty id from the path; None for one too large to be in the index."""
    if not text.isdigit():
        raise BadRequest(f"{text!r} is not a bounty id")
    return int(text) if int(text) <= MAX_ID else None


def _bounty_detail(web: WebApp, request: Request) -> Any:
    text = request.path_params["bounty_id"]
    bounty_id = _bounty_id(text)
    chain, escrow = web.chain_param(query_param(request, "chain")), web.escrow_param(query_param(request, "escrow"))
    db = web.reader()
    with db.reading():  # the bounty, its milestones and its bonds from one snapshot
        detail = None if bounty_id is None else queries.bounty(db, bounty_id, chain=chain, escrow=escrow)
        if detail is None:
            where = ("" if chain is None else f" on {chain_name(chain)}") + ("" if escrow is None else
                                                                             f" in escrow {escrow}")
            raise HTTPException(404, f"bounty {text} is not in the index{where} (yet)")
        key = (db, detail.bounty.chain_id, detail.bounty.escrow, detail.bounty.bounty_id)
        parts = {"milestones": milestone_history(*key), **bonds_of(*key)}
    return {**jsonable(detail), **parts, "index": web.status()}


RECENT = 10  # bounties on a funder's or hunter's profile


def _funder(web: WebApp, request: Request) -> Any:
    db, funder = web.reader(), checked_address(request.path_params["address"], "funder")
    chain, escrow = web.chain_param(query_param(request, "chain")), web.escrow_param(query_param(request, "escrow"))
    with db.reading():
        # Its pledges straight to JSON: only the RECENT bounties shown are read as summaries.
        record, pledges, pay_rate, recent = answers.funder_profile(db, funder, recent=RECENT, chain=chain,
                                                                  escrow=escrow)
        objections = queries.funder_objections(db, funder, chain=chain, escrow=escrow)
        github = github_links(db, funder)  # in the same snapshot as the ETag
    return {**jsonable(record), "pledges": pledges, "objections": jsonable(objections), "pay_rate": pay_rate,
            "recent": recent, "github": github}


def _hunter(web: WebApp, request: Request) -> Any:
    db, hunter = web.reader(), checked_address(request.path_params["address"], "hunter")
    chain, escrow = web.chain_param(query_param(request, "chain")), web.escrow_param(query_param(request, "escrow"))
    with db.reading():
        record = queries.hunter_record(db, hunter, chain=chain, escrow=escrow)
        recent = queries.bounties_by_ids(db, sorted({(claim.chain_id, claim.escrow, claim.bounty_id)
                                                     for claim in record.claims}))
        github = github_links(db, hunter)
    return {**jsonable(record), "recent": jsonable(recent[:RECENT]), "github": github}


def _funding(web: WebApp, request: Request) -> Any:
    text = request.path_params["bounty_id"]
    bounty_id = _bounty_id(text)
    chain, escrow = web.chain_param(query_param(request, "chain")), web.escrow_param(query_param(request, "escrow"))
    if bounty_id is None or queries.totals(web.reader(), bounty_id, chain=chain, escrow=escrow) is None:
        raise HTTPException(404, f"bounty {text} is not in the index (yet)")
    return {"bounty_id": bounty_id, "history": queries.funding_history(web.reader(), bounty_id, chain=chain,
                                                                       escrow=escrow)}


def _beneficiary(web: WebApp, request: Request) -> Any:
    return queries.beneficiary_record(web.reader(), checked_address(request.path_params["address"], "beneficiary"),
                                      chain=web.chain_param(query_param(request, "chain")),
                                      escrow=web.escrow_param(query_param(request, "escrow")))


def _amount(web: WebApp, request: Request) -> Any:
    """The page's pledge form: a number typed beside the bounty's symbol (a bare number is its
    currency, as the field says), else any amount the SDK reads, e.g. "1e-3 ETH"."""
    bounty, text = query_param(request, "bounty"), request.query_params.get("text", "")
    if bounty is None:
        raise BadRequest("bounty: give the bounty's id, e.g. /api/amount?bounty=1&text=0.5")
    if not bounty.isdigit():
        raise BadRequest(f"bounty {bounty!r} is not a bounty id")
    chain, escrow = web.chain_param(query_param(request, "chain")), web.escrow_param(query_param(request, "escrow"))
    detail = queries.bounty(web.reader(), int(bounty), chain=chain, escrow=escrow) if int(bounty) <= MAX_ID else None
    if detail is None:
        raise BadRequest(f"bounty {bounty} is not in the index (yet)")
    summary = detail.bounty
    try:
        value = parse_amount(text, symbol=summary.symbol, decimals=summary.decimals, bare=True, token=summary.token)
    except ValueError as exc:
        raise BadRequest(str(exc)) from exc
    return {"amount": value, "text": format_amount(value, summary.decimals, summary.symbol),
            "symbol": summary.symbol, "decimals": summary.decimals}


async def _sync(request: Request) -> Response:
    web: WebApp = request.app.state.web
    client = request.client.host if request.client else ""
    wait = web.sync_limit.wait_for(client)
    if wait:
        seconds = max(1, int(wait + 0.999))
        return error_response(429, f"too many syncs asked for: try again in {seconds} s", {"Retry-After": str(seconds)})
    try:  # the body, read whole by uvicorn within `_guard`'s limit, is ignored
        report = await run_in_threadpool(web.sync)
    except Exception:
        return error_response(502, f"the index could not sync: {web.last_error}")
    return json_response({"report": report, **await run_in_threadpool(web.status)})


def _file(relative: str) -> Response:
    root = static_dir().resolve()
    target = (root / relative).resolve()
    if root not in target.parents or not target.is_file():
        return error_response(404, f"no file {relative}")
    content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    if target.suffix in (".js", ".mjs"):
        content_type = "text/javascript"
    if content_type.startswith("text/") or target.suffix == ".md":
        content_type = ("text/plain" if target.suffix == ".md" else content_type) + "; charset=utf-8"
    headers = {"Cache-Control": "public, max-age=300" if "vendor" in target.parts else "no-store"}
    if content_type.startswith("text/html"):
        headers["Content-Security-Policy"] = _CSP
    return Response(target.read_bytes(), headers=headers, media_type=content_type)


async def _static(request: Request) -> Response:
    return await run_in_threadpool(_file, request.path_params["path"])


async def _page(request: Request) -> Response:
    if request.url.path.startswith("/api/"):
        return error_response(404, f"no API route {request.url.path}")
    if not _PAGE_ROUTES.match(request.url.path):
        return error_response(404, f"no page at {request.url.path}")
    return await run_in_threadpool(_file, "index.html")


async def _docs(request: Request) -> Response:
    return await run_in_threadpool(_file, "docs.html")


async def _openapi(request: Request) -> Response:
    return JSONResponse(request.app.state.openapi)


ROUTES = [
    Route("/api/info", read_route(_info), name="info"),
    Route("/api/status", read_route(_status), name="status"),
    Route("/api/bounties", read_route(_bounty_list), name="bounties"),
    Route("/api/bounties/{bounty_id}", read_route(_bounty_detail), name="bounty"),
    Route("/api/funders/{address}", read_route(_funder), name="funder"),
    Route("/api/hunters/{address}", read_route(_hunter), name="hunter"),
    Route("/api/beneficiaries/{address}", read_route(_beneficiary), name="beneficiary"),
    Route("/api/bounties/{bounty_id}/funding", read_route(_funding), name="funding"),
    *PICTURE_ROUTES,
    Route("/api/amount", read_route(_amount), name="amount"),
    Route("/api/sync", _sync, methods=["POST"], name="sync"),
    Route("/openapi.json", _openapi, name="openapi"),
    Route("/docs", _docs, name="docs"),
    Route("/static/{path:path}", _static, name="static"),
    Route("/{path:path}", _page, name="page"),
]


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404 and request.url.path.startswith("/api/") and exc.detail == "Not Found":
        return error_response(404, f"no API route {request.url.path}")
    if exc.status_code == 405:
        return error_response(405, f"{request.method} is not accepted at {request.url.path}", {"Allow": "GET, HEAD"})
    return error_response(exc.status_code, str(exc.detail))


def _guard(app: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
    """The outermost layer: refuses a request body it will not read whole (see the module's
    doc), strips a trailing slash (/api/status/ is /api/status), and adds the headers every
    response carries."""

    async def guarded(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await app(scope, receive, send)
        headers = [(name.lower(), value) for name, value in scope["headers"]]
        lengths = {value.strip() for name, value in headers if name == b"content-length"}
        refusal = None
        if any(name == b"transfer-encoding" for name, _ in headers):
            refusal = 501, "chunked or encoded request bodies are not accepted: send Content-Length"
        elif len(lengths) > 1 or lengths and not next(iter(lengths)).isdigit():
            refusal = 400, "malformed Content-Length"
        elif lengths and int(next(iter(lengths))) > MAX_BODY:
            refusal = 413, f"the request body is over {MAX_BODY} bytes"
        if refusal is not None:
            body = json.dumps({"error": refusal[1]}).encode()
            await send({"type": "http.response.start", "status": refusal[0], "headers": [
                (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"), *_COMMON_HEADERS]})
            await send({"type": "http.response.body", "body": body})
            return None
        path = scope["path"]
        if len(path) > 1 and path.endswith("/"):
            scope = {**scope, "path": path.rstrip("/") or "/"}

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *_COMMON_HEADERS]}
            await send(message)

        return await app(scope, receive, send_with_headers)

    return guarded


def freeze_heap() -> None:
    """Moves every object alive now (the imported libraries, the app) out of the cyclic garbage
    collector's reach, once the server is ready: else each full collection walks them all, a
    pause of ~70 ms in the middle of whichever answer triggers it (the API's worst latency).
    Garbage made later is still collected."""
    gc.collect()
    gc.freeze()


@asynccontextmanager
async def _lifespan(app: Starlette) -> AsyncIterator[None]:
    freeze_heap()  # a worker started by uvicorn (`--factory`): ready to serve
    yield


def create_app(web: WebApp | None = None) -> Any:
    """The ASGI application over `web`; without one, over the index named by $BOUNTYCHAIN_DB
    (a `sqlite:///path` URL or a path; else $BOUNTYCHAIN_INDEX), with the page's RPC URL from
    $BOUNTYCHAIN_PUBLIC_RPC, CORS origins from $BOUNTYCHAIN_CORS_ORIGINS (comma-separated; none by
    default), Cache-Control's max-age from $BOUNTYCHAIN_CACHE_SECONDS (0: revalidate every
    time) and the size of the answer cache from $BOUNTYCHAIN_ANSWER_CACHE_MB (32; 0: off). This is the factory for `uvicorn --factory bountychain.web:create_app`."""
    if web is None:
        url = os.environ.get("BOUNTYCHAIN_DB") or os.environ.get("BOUNTYCHAIN_INDEX")
        if not url:
            raise ValueError("set BOUNTYCHAIN_DB to the index's database URL, e.g. sqlite:///index.sqlite3")
        web = WebApp(None, url, public_rpc=os.environ.get("BOUNTYCHAIN_PUBLIC_RPC") or None,
                     cors_origins=os.environ.get("BOUNTYCHAIN_CORS_ORIGINS", "").split(","),
                     cache_seconds=int(os.environ.get("BOUNTYCHAIN_CACHE_SECONDS") or 0),
                     answer_cache_bytes=int(os.environ.get("BOUNTYCHAIN_ANSWER_CACHE_MB") or 32) << 20)
    middleware = []
    if web.cors_origins:  # off unless the operator names the origins that may read the API
        middleware.append(Middleware(CORSMiddleware, allow_origins=web.cors_origins, allow_methods=["GET", "HEAD"],
                                     expose_headers=["ETag"], max_age=600))
    # The GitHub links route reads this app's database, so it is made here, per app.
    starlette = Starlette(routes=[*links_routes(web.github), *ROUTES], middleware=middleware,
                          exception_handlers={HTTPException: _http_error},  # type: ignore[dict-item]
                          lifespan=_lifespan)
    starlette.state.web = web
    starlette.state.openapi = openapi_schema(DEFAULT_LIMIT, MAX_LIMIT, MAX_BODY)
    return _guard(starlette)
