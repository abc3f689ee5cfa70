"""`bountychain serve`: a page and a JSON API over the index, as an ASGI application
(Starlette) served by uvicorn. `bountychain serve` also keeps the index in sync with the chain
in a background thread; `POST /api/sync` syncs at once (the page calls it after each
transaction it sends). The API itself holds nothing but a database handle, so several
workers can serve one index (`create_app` reads it from the environment):

    uvicorn --factory bountychain.web:create_app --workers 4 \\
        --http bountychain.web.server:GuardedH11Protocol      # BOUNTYCHAIN_DB=sqlite:///index.sqlite3

    GET  /                      the list (also /bounty/<id>, /fundraiser/<id>: the page routes itself)
    GET  /static/...            the page's modules, styles and the vendored ethers bundle
    GET  /docs                  the API's description as a page; /openapi.json as OpenAPI 3.1
    GET  /api/info              chain id, escrow, ABIs and error meanings for the wallet code
    GET  /api/status            how far the index is
    GET  /api/bounties          bounties and fundraisers: filters, sort, limit and offset (see `openapi`)
    GET  /api/bounties/<id>     one bounty or fundraiser with its pledges (and a bounty's claims and,
                                if optimistic, its review policy, live proposal and objections)
    GET  /api/funders/<address> a sponsor's record: pledged, paid out (awards, fundraisers),
                                refunded, per token; and its objections to proposals
    GET  /api/hunters/<address> a hunter's claims and awards
    GET  /api/beneficiaries/<address> the fundraisers raising for an address and their payouts
    GET  /api/amount            ?bounty=<id>&text=0.25: an amount typed into the page's pledge form,
                                parsed by the SDK's rules in the bounty's currency (base units and text)
    POST /api/sync              index new blocks now (rate-limited per client: 429 and Retry-After)

Amounts in the JSON are decimal strings of base units (they exceed JavaScript's safe
integers); every response is JSON except the pages and their static files. Reads carry a weak
ETag derived from the index's cursor (answered 304 on If-None-Match) and Cache-Control.

What one client can do to the server is bounded (issue 18, finding 6):

- **No request smuggling.** h11 frames every request by its Content-Length; `app` refuses a
  body over `MAX_BODY` (413), a malformed length (400) and a chunked body (501) before reading
  it, each with `Connection: close`, so nothing a client sent is ever parsed as a next request.
- **No slowloris.** uvicorn times out idle keep-alive connections but not a request dripped a
  header line at a time; `GuardedH11Protocol` closes a connection whose request has not
  arrived whole (headers and body) `request_deadline` seconds after the server began waiting
  for it. Open connections are capped in all (`max_connections`) and per client address
  (`max_per_client`); one over a cap is answered 503 and closed at once.
"""

from __future__ import annotations

import asyncio
import errno
import socket
import threading
from collections import Counter
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from bountychain.errors import BountychainError
from bountychain.web.app import MAX_BODY, WebApp, create_app, static_dir
from bountychain.web.responses import jsonable

__all__ = ["MAX_BODY", "CannotListen", "GuardedH11Protocol", "Server", "WebApp", "create_app", "jsonable", "make_server",
           "static_dir"]


# --- the server ----------------------------------------------------------------------------

class _OneWritePerTurn:
    """A transport whose writes made in one turn of the event loop go out as one send: an
    answer's head and body, which uvicorn writes apart, leave in one TCP segment (a funder's
    answer under load cost 7% less of the server's CPU: docs/DESIGN.md, "Session 13"). Written
    at the end of the turn, or at once when the connection is closed."""

    def __init__(self, transport: asyncio.Transport) -> None:
        self._transport = transport
        self._pending: list[bytes] = []

    def write(self, data: bytes) -> None:
        if not self._pending:
            asyncio.get_running_loop().call_soon(self._flush)
        self._pending.append(data)

    def _flush(self) -> None:
        if self._pending:
            data = b"".join(self._pending)
            self._pending.clear()
            if not self._transport.is_closing():
                self._transport.write(data)

    def close(self) -> None:
        self._flush()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:  # the rest (is_closing, pause_reading, ...) as they are
        return getattr(self._transport, name)


class GuardedH11Protocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol with a deadline for each request and caps on connections
    (see the module's doc). The deadline starts when the server begins waiting for a request
    (on connecting, and after each answer on a keep-alive connection) and stops once the
    request has arrived whole; it is not renewed by each byte, so dripping headers does not
    keep a connection alive."""

    request_deadline = 10.0  # seconds for a request to arrive whole
    max_connections = 256
    max_per_client = 32

    _deadline: asyncio.TimerHandle | None = None
    _counted_as: str | None = None

    def _clients(self) -> Counter[str]:
        clients = getattr(self.server_state, "clients_by_address", None)
        if clients is None:
            clients = self.server_state.clients_by_address = Counter()  # type: ignore[attr-defined]
        return clients

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        # uvicorn writes an answer's head and body apart: two sends, two segments on the wire.
        transport = _OneWritePerTurn(transport)  # type: ignore[assignment]
        super().connection_made(transport)
        raw = transport.get_extra_info("socket")
        if raw is not None and raw.family in (socket.AF_INET, socket.AF_INET6):
            # An answer written over several turns (a file, a large body) goes out in several
            # sends: without this, Nagle's algorithm holds the second until the client's delayed
            # ACK (~40 ms). asyncio sets it only on sockets created with proto=IPPROTO_TCP,
            # which a bound socket may not be.
            raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        address = self.client[0] if self.client else ""
        clients = self._clients()
        if len(self.connections) > self.max_connections or clients[address] >= self.max_per_client:
            transport.write(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            transport.close()
            return
        clients[address] += 1
        self._counted_as = address
        self._watch()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._counted_as is not None:
            clients = self._clients()
            clients[self._counted_as] -= 1
            if clients[self._counted_as] <= 0:
                del clients[self._counted_as]
            self._counted_as = None
        self._unwatch()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._counted_as is None:
            return  # refused at connection: nothing it sends is read
        super().data_received(data)

    def handle_events(self) -> None:
        super().handle_events()
        self._watch()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._watch()

    def _watch(self) -> None:
        """Runs the deadline while a request is awaited or partly read, stops it once whole."""
        awaiting = self.conn.their_state in (h11.IDLE, h11.SEND_BODY) and not self.transport.is_closing()
        if awaiting and self._deadline is None:
            self._deadline = self.loop.call_later(self.request_deadline, self._too_slow)
        elif not awaiting:
            self._unwatch()

    def _unwatch(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            self.transport.close()


class CannotListen(BountychainError):
    """The server's address cannot be listened on: a port in use, a host that is not this machine's."""


def _why_not(exc: OSError, host: str, port: int) -> str:
    where = f"{host if ':' not in host else f'[{host}]'}:{port}"
    if exc.errno == errno.EADDRINUSE:
        return (f"cannot listen on {where}: the port is in use (another server?); choose another --port, or 0 for "
                "a free one")
    if exc.errno == errno.EACCES:
        return f"cannot listen on {where}: ports below 1024 need privileges; choose another --port"
    if isinstance(exc, socket.gaierror) or exc.errno == errno.EADDRNOTAVAIL:
        return (f"cannot listen on {where}: {host} is not an address of this machine (127.0.0.1 for this machine "
                "only, 0.0.0.0 for every network)")
    return f"cannot listen on {where}: {exc.strerror or exc}"


class Server:
    """The web app on uvicorn, on a socket bound at once (port 0: a free one, in
    `server_address`); `serve_forever` runs it in the calling thread until `shutdown`."""

    request_deadline = GuardedH11Protocol.request_deadline
    max_connections = GuardedH11Protocol.max_connections
    max_per_client = GuardedH11Protocol.max_per_client
    keep_alive = 5.0  # seconds an idle keep-alive connection stays open

    def __init__(self, web: WebApp, host: str = "127.0.0.1", port: int = 8000) -> None:
        self.web = web
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.socket = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self.socket.bind((host, port))
        except OSError as exc:
            self.socket.close()
            raise CannotListen(_why_not(exc, host, port)) from None
        self.socket.listen(2048)
        self.server_address: tuple[str, int] = self.socket.getsockname()[:2]
        self.uvicorn: uvicorn.Server | None = None
        self._done = threading.Event()

    def config(self) -> uvicorn.Config:
        protocol = type("Guarded", (GuardedH11Protocol,), {
            "request_deadline": self.request_deadline, "max_connections": self.max_connections,
            "max_per_client": self.max_per_client})
        return uvicorn.Config(create_app(self.web), http=protocol, lifespan="off", log_config=None,
                              access_log=False, server_header=False,
                              timeout_keep_alive=min(self.keep_alive, self.request_deadline))

    def serve_forever(self, poll_interval: float = 0.1) -> None:  # noqa: ARG002 - uvicorn polls itself
        self.uvicorn = uvicorn.Server(self.config())
        try:
            self.uvicorn.run(sockets=[self.socket])
        finally:
            self._done.set()

    def shutdown(self) -> None:
        if self.uvicorn is not None:
            self.uvicorn.should_exit = True
            self._done.wait(10)

    def server_close(self) -> None:
        self.socket.close()


def make_server(app: WebApp, host: str = "127.0.0.1", port: int = 8000) -> Server:
    """An HTTP server for `app` (not started: call `serve_forever`, e.g. in a thread)."""
    return Server(app, host, port)
