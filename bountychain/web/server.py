"""`bountychain serve`: a page and a small JSON API over the index, on the standard
library's threaded HTTP server. A background thread keeps the index in sync with the chain;
`POST /api/sync` syncs at once (the page calls it after each transaction it sends).

    GET  /                      the list (also /bounty/<id>, /fundraiser/<id>: the page routes itself)
    GET  /static/...            the page's modules, styles and the vendored ethers bundle
    GET  /api/info              chain id, escrow, ABIs and error meanings for the wallet code
    GET  /api/status            how far the index is
    GET  /api/bounties          ?kind=bounty|fundraiser&repo=owner/name&status=open&token=0x..&issue=URL
                                &beneficiary=0x..: bounties and fundraisers
    GET  /api/bounties/<id>     one bounty or fundraiser with its pledges (and a bounty's claims and,
                                if optimistic, its review policy, live proposal and objections)
    GET  /api/funders/<address> a sponsor's record: pledged, paid out (awards, fundraisers),
                                refunded, per token; and its objections to proposals
    GET  /api/hunters/<address> a hunter's claims and awards
    GET  /api/beneficiaries/<address> the fundraisers raising for an address and their payouts
    GET  /api/amount            ?bounty=<id>&text=0.25: an amount typed into the page's pledge form,
                                parsed by the SDK's rules in the bounty's currency (base units and text)
    POST /api/sync              index new blocks now

Amounts in the JSON are decimal strings of base units (they exceed JavaScript's safe
integers); every response is JSON except the page and its static files.

What one client can do to the server is bounded (issue 18, finding 6):

- **No request smuggling.** Every request's body is read whole or refused before it is
  answered: more than `MAX_BODY` bytes is 413, a malformed length 400 and a chunked body 501,
  each closing the connection, so nothing a client sent can be parsed as a next request on
  a keep-alive connection (behind a proxy that reuses connections, answers would go to the
  wrong clients).
- **No slowloris.** A request must arrive whole (headers and body) within
  `Server.request_deadline` seconds, idle keep-alive connections included: a watchdog closes
  the ones that do not. Open connections are capped in all (`max_connections`) and per client
  address (`max_per_client`); one over a cap is answered 503 and closed at once.
"""

from __future__ import annotations

import dataclasses
import json
import mimetypes
import re
import socket
import sqlite3
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from web3 import Web3

from bountychain._artifacts import load_artifact
from bountychain.amounts import format_amount, parse_amount
from bountychain.errors import error_meanings
from bountychain.index import queries
from bountychain.index.sync import Indexer, SyncReport

AMOUNT_KEYS = {"total", "pledged", "refunded", "pool", "fee", "paid_out", "amount", "outstanding", "paid", "goal",
               "raised", "to_fundraisers", "proposal_total", "weight_against", "quorum_weight", "weight"}
_PAGE_ROUTES = re.compile(r"^/(?:(?:bounty|fundraiser)/\d+|funder/0x[0-9a-fA-F]{40}|hunter/0x[0-9a-fA-F]{40})?/?$")
MAX_BODY = 4096  # bytes: no route takes a body larger than this (POST /api/sync takes none)
_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


def jsonable(value: Any) -> Any:
    """Dataclasses to dicts, amounts (by key) to decimal strings."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = {field.name: getattr(value, field.name) for field in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {key: str(item) if key in AMOUNT_KEYS and isinstance(item, int) else jsonable(item)
                for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    return value


def static_dir() -> Path:
    return Path(str(resources.files("bountychain.web").joinpath("static")))


class WebApp:
    """The state shared by request threads: where the index is, how to sync it, what the page needs."""

    def __init__(self, indexer: Indexer, db_path: str | Path, *, interval: float = 2.0,
                 public_rpc: str | None = None) -> None:
        self.indexer = indexer
        self.db_path = str(db_path)
        self.interval = interval
        self.public_rpc = public_rpc
        self._sync_lock = threading.Lock()
        self._stop = threading.Event()
        self._local = threading.local()
        self.last_report: SyncReport | None = None
        self.last_error: str | None = None
        escrow_abi = load_artifact("BountyEscrow").abi
        token_abi = load_artifact("TestToken").abi
        self.info = {
            "chain_id": indexer.chain_id,
            "chain_id_hex": hex(indexer.chain_id),
            "escrow": indexer.escrow,
            "start_block": indexer.start_block,
            "confirmations": indexer.confirmations,
            "public_rpc": public_rpc,
            "escrow_abi": escrow_abi,
            # The review contract (the escrow's `review()`): reviewed bounties' proposals,
            # objections, finalization, escalation, lapses and a plain arbiter's `decide`.
            "review": indexer.review,
            "review_abi": load_artifact("BountyReview").abi,
            # The ERC-20 functions and errors the page calls or may meet (OpenZeppelin's ERC-20).
            "token_abi": [item for item in token_abi if item.get("type") == "error"
                          or item.get("name") in ("approve", "allowance", "balanceOf", "decimals", "symbol")],
            # What each custom error means, with {argument} placeholders (the SDK's table).
            "errors": error_meanings(),
            # ERC-792: what escalating to an arbitrator contract costs (paid in ETH).
            "arbitrator_abi": [{"type": "function", "name": "arbitrationCost", "stateMutability": "view",
                                "inputs": [{"name": "extraData", "type": "bytes"}],
                                "outputs": [{"name": "cost", "type": "uint256"}]}],
        }

    def reader(self) -> sqlite3.Connection:
        """A connection for this request thread (SQLite connections are not shared)."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.db_path, check_same_thread=False, timeout=30)
            db.row_factory = sqlite3.Row
            self._local.db = db
        return db

    def sync(self) -> SyncReport:
        with self._sync_lock:
            try:
                self.last_report = self.indexer.sync()
                self.last_error = None
            except Exception as exc:
                self.last_error = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
                raise
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

    def status(self) -> dict[str, Any]:
        data = jsonable(queries.status(self.reader()))
        data["last_error"] = self.last_error
        return data


class Handler(BaseHTTPRequestHandler):
    app: WebApp
    server: Server
    server_version = "bountychain"
    protocol_version = "HTTP/1.1"
    timeout = 30  # seconds any one read or write may block (a client that stops reading answers)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet by default
        if getattr(self.server, "verbose", False):
            super().log_message(format, *args)

    # --- reading a request whole (see the module's doc) ------------------------------------

    def handle_one_request(self) -> None:
        # From now until the request has been read whole, the watchdog may close the connection.
        self.server.watch(self.connection)
        super().handle_one_request()

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        refusal = self._read_body()
        if not self.server.unwatch(self.connection):  # the watchdog cut it: the end seen was no request's end
            self.close_connection = True
            return False
        if refusal is not None:
            status, message = refusal
            self.close_connection = True
            self._error(status, message)
            return False
        return True

    def _read_body(self) -> tuple[int, str] | None:
        """Reads the body whole into `self.body`; else (status, why) to refuse it with."""
        self.body = b""
        if self.headers.get("Transfer-Encoding") is not None:
            return HTTPStatus.NOT_IMPLEMENTED, "chunked or encoded request bodies are not accepted: send Content-Length"
        lengths = self.headers.get_all("Content-Length") or []
        if not lengths:
            return None
        if len(set(lengths)) != 1 or not lengths[0].strip().isdigit():
            return HTTPStatus.BAD_REQUEST, "malformed Content-Length"
        length = int(lengths[0])
        if length > MAX_BODY:
            return HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"the request body is over {MAX_BODY} bytes"
        self.body = self.rfile.read(length)
        if len(self.body) != length:
            return HTTPStatus.BAD_REQUEST, "the request body ended before its Content-Length"
        return None

    # --- responses ------------------------------------------------------------------------

    def _send(self, status: int, body: bytes, content_type: str, *, cache: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "public, max-age=300" if cache else "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        if content_type.startswith("text/html"):
            self.send_header("Content-Security-Policy", _CSP)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, data: Any, status: int = HTTPStatus.OK) -> None:
        self._send(status, json.dumps(jsonable(data)).encode(), "application/json")

    def _error(self, status: int, message: str) -> None:
        self._json({"error": message}, status)

    # --- routing --------------------------------------------------------------------------

    def do_HEAD(self) -> None:  # noqa: N802
        self.do_GET()

    def do_GET(self) -> None:  # noqa: N802
        url = urlparse(self.path)
        path = url.path
        try:
            if _PAGE_ROUTES.match(path):
                return self._static("index.html")
            if path.startswith("/static/"):
                return self._static(path.removeprefix("/static/"))
            if path.startswith("/api/"):
                return self._api(path.removeprefix("/api/").rstrip("/"), parse_qs(url.query))
            self._error(HTTPStatus.NOT_FOUND, f"no page at {path}")
        except ValueError as exc:
            self._error(HTTPStatus.BAD_REQUEST, str(exc))

    def do_POST(self) -> None:  # noqa: N802
        if urlparse(self.path).path.rstrip("/") != "/api/sync":
            return self._error(HTTPStatus.NOT_FOUND, "only /api/sync takes POST")
        try:  # the body, read whole by parse_request, is ignored
            report = self.app.sync()
        except Exception:
            return self._error(HTTPStatus.BAD_GATEWAY, f"the index could not sync: {self.app.last_error}")
        self._json({"report": report, **self.app.status()})

    def _static(self, relative: str) -> None:
        root = static_dir().resolve()
        target = (root / relative).resolve()
        if root not in target.parents or not target.is_file():
            return self._error(HTTPStatus.NOT_FOUND, f"no file {relative}")
        content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if target.suffix in (".js", ".mjs"):
            content_type = "text/javascript"
        if content_type.startswith("text/") or target.suffix == ".md":
            content_type = ("text/plain" if target.suffix == ".md" else content_type) + "; charset=utf-8"
        self._send(HTTPStatus.OK, target.read_bytes(), content_type, cache="vendor" in target.parts)

    def _api(self, route: str, query: dict[str, list[str]]) -> None:
        db = self.app.reader()
        parts = route.split("/")

        def param(name: str) -> str | None:
            values = query.get(name)
            return values[0].strip() if values and values[0].strip() else None

        if route == "info":
            return self._json({**self.app.info, "index": self.app.status()})
        if route == "status":
            return self._json(self.app.status())
        if route == "bounties":
            token = param("token")
            if token is not None:
                token = _address(token, "token")
            beneficiary = param("beneficiary")
            if beneficiary is not None:
                beneficiary = _address(beneficiary, "beneficiary")
            rows = queries.bounties(db, repo=param("repo"), issue=param("issue"), status=param("status"), token=token,
                                    kind=param("kind"), beneficiary=beneficiary)
            claims = queries.claims_of(db, [row.bounty_id for row in rows])
            listed = [{**jsonable(row), "solutions": [{"claim_id": c.claim_id, "hunter": c.hunter, "uri": c.uri,
                                                       "paid": c.paid} for c in claims[row.bounty_id]]}
                      for row in rows]
            return self._json({"bounties": listed, "index": self.app.status()})
        if route == "amount":
            return self._json(_amount(db, param("bounty"), query.get("text", [""])[0]))
        if len(parts) == 2 and parts[0] == "bounties":
            if not parts[1].isdigit():
                raise ValueError(f"{parts[1]!r} is not a bounty id")
            detail = queries.bounty(db, int(parts[1]))
            if detail is None:
                return self._error(HTTPStatus.NOT_FOUND, f"bounty {parts[1]} is not in the index (yet)")
            return self._json({**jsonable(detail), "index": self.app.status()})
        if len(parts) == 2 and parts[0] == "funders":
            funder = _address(parts[1], "funder")
            return self._json({**jsonable(queries.sponsor_record(db, funder)),
                               "objections": jsonable(queries.funder_objections(db, funder))})
        if len(parts) == 2 and parts[0] == "hunters":
            return self._json(queries.hunter_record(db, _address(parts[1], "hunter")))
        if len(parts) == 2 and parts[0] == "beneficiaries":
            return self._json(queries.beneficiary_record(db, _address(parts[1], "beneficiary")))
        self._error(HTTPStatus.NOT_FOUND, f"no API route /api/{route}")


def _amount(db: sqlite3.Connection, bounty: str | None, text: str) -> dict[str, Any]:
    """The page's pledge form: a number typed beside the bounty's symbol (a bare number is its
    currency, as the field says), else any amount the SDK reads, e.g. "1e-3 ETH"."""
    if bounty is None or not bounty.isdigit():
        raise ValueError(f"bounty {bounty!r} is not a bounty id")
    detail = queries.bounty(db, int(bounty))
    if detail is None:
        raise ValueError(f"bounty {bounty} is not in the index (yet)")
    summary = detail.bounty
    value = parse_amount(text, symbol=summary.symbol, decimals=summary.decimals, bare=True, token=summary.token)
    return {"amount": value, "text": format_amount(value, summary.decimals, summary.symbol),
            "symbol": summary.symbol, "decimals": summary.decimals}


def _address(value: str, what: str) -> str:
    if not Web3.is_address(value):
        raise ValueError(f"{what}: {value!r} is not an address")
    return Web3.to_checksum_address(value)


class Server(ThreadingHTTPServer):
    """The threaded server with its connections bounded (see the module's doc)."""

    daemon_threads = True
    verbose = False
    request_deadline = 10.0  # seconds for a request to arrive whole, or for an idle connection
    max_connections = 256
    max_per_client = 32

    def __init__(self, address: tuple[str, int], handler: Callable[..., Handler]) -> None:
        super().__init__(address, handler)
        self._lock = threading.Lock()
        self._deadlines: dict[socket.socket, float] = {}
        self._clients: Counter[str] = Counter()
        self._counted: dict[socket.socket, str] = {}
        self._reaped: set[socket.socket] = set()
        self._closed = threading.Event()
        threading.Thread(target=self._watchdog, name="http-watchdog", daemon=True).start()

    def watch(self, connection: socket.socket) -> None:
        with self._lock:
            self._deadlines[connection] = time.monotonic() + self.request_deadline

    def unwatch(self, connection: socket.socket) -> bool:
        """Stops watching; False if the watchdog closed the connection already."""
        with self._lock:
            self._deadlines.pop(connection, None)
            return connection not in self._reaped

    def _watchdog(self) -> None:
        while not self._closed.wait(min(0.5, self.request_deadline / 4)):
            now = time.monotonic()
            with self._lock:
                late = [connection for connection, deadline in self._deadlines.items() if deadline < now]
                for connection in late:
                    del self._deadlines[connection]
                self._reaped.update(late)
            for connection in late:  # the handler's blocked read returns, and its thread ends
                try:
                    connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def process_request(self, request: Any, client_address: Any) -> None:
        client = str(client_address[0])
        with self._lock:
            full = len(self._counted) >= self.max_connections or self._clients[client] >= self.max_per_client
            if not full:
                self._counted[request] = client
                self._clients[client] += 1
        if full:
            try:
                request.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            except OSError:
                pass
            super().shutdown_request(request)
            return
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._lock:
            self._deadlines.pop(request, None)
            self._reaped.discard(request)
            client = self._counted.pop(request, None)
            if client is not None:
                self._clients[client] -= 1
                if not self._clients[client]:
                    del self._clients[client]
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], OSError):
            return  # the client went away, or the watchdog closed its connection: nothing to report
        super().handle_error(request, client_address)

    def server_close(self) -> None:
        self._closed.set()
        super().server_close()


def make_server(app: WebApp, host: str = "127.0.0.1", port: int = 8000) -> Server:
    """An HTTP server for `app` (not started: call `serve_forever`, e.g. in a thread)."""
    handler: Callable[..., Handler] = type("BoundHandler", (Handler,), {"app": app})
    return Server((host, port), handler)
