"""`bountychain serve`'s HTTP server under attack (issue 18, finding 6), over real sockets on
loopback against a running server. The tests speak raw HTTP/1.1 and know nothing of the
server's implementation, so they hold for whatever server replaces it.

- Smuggling: a body longer than the server takes, a chunked body and a body on a GET each
  carry a second request; the server answers the first (413, 501, or as usual) and never
  the smuggled one.
- Slowloris: a client holding many half-sent requests, trickling a header line at a time,
  neither keeps a legitimate client from being answered nor holds its connections past the
  request deadline.

Every socket has a timeout, so a failure is an assertion, never a hang.
"""

from __future__ import annotations

import re
import select
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from bountychain import BountyClient, InProcessChain
from bountychain.index import Indexer
from bountychain.web import WebApp, make_server
from bountychain.web.server import MAX_BODY

ATTACKER = "127.0.0.2"  # another loopback address: a client the per-client cap tells apart
SMUGGLED = b"GET /api/smuggled HTTP/1.1\r\nHost: x\r\n\r\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    chain = InProcessChain()
    client = BountyClient.deploy(chain, chain.new_account())
    db_path = tmp_path_factory.mktemp("web-limits") / "index.sqlite3"
    indexer = Indexer.for_client(client, db_path)
    indexer.sync()
    httpd = make_server(WebApp(indexer, db_path), "127.0.0.1", 0)
    httpd.request_deadline = 2.0
    httpd.max_per_client = 8
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()


def connect(server: Any, source: str = "127.0.0.1", timeout: float = 5.0) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    sock.bind((source, 0))
    sock.connect(server.server_address)
    return sock


def read_all(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (or the timeout)."""
    chunks = []
    try:
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    except (socket.timeout, ConnectionResetError):
        pass
    return b"".join(chunks)


def statuses(data: bytes) -> list[int]:
    """The status of each response in `data` (a body may run straight into the next status line)."""
    return [int(code) for code in re.findall(rb"HTTP/1\.1 (\d{3}) ", data)]


def test_an_oversized_body_is_refused_with_413_and_its_tail_never_answered(server: Any) -> None:
    body = b"x" * MAX_BODY + SMUGGLED  # the old server read 4,096 bytes and parsed the rest
    with connect(server, timeout=3) as sock:
        sock.sendall(b"POST /api/sync HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        answer = read_all(sock)
    assert statuses(answer) == [413]
    assert b"connection: close" in answer.lower() and b"smuggled" not in answer  # header names: any case


def test_a_chunked_body_is_refused_and_the_connection_closed(server: Any) -> None:
    chunk = b"0\r\n\r\n" + SMUGGLED
    with connect(server, timeout=3) as sock:
        sock.sendall(b"POST /api/sync HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk)
        answer = read_all(sock)
    assert statuses(answer) == [501] and b"smuggled" not in answer


def test_a_conflicting_content_length_is_refused(server: Any) -> None:
    with connect(server, timeout=3) as sock:
        sock.sendall(b"POST /api/sync HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 40\r\n\r\nabc"
                     + SMUGGLED)
        answer = read_all(sock)
    assert statuses(answer) == [400] and b"smuggled" not in answer


def test_a_body_within_the_limit_is_read_whole_on_any_method(server: Any) -> None:
    """Keep-alive: a GET carrying a body that looks like a request, then a real request. Two
    answers, the second the real one's."""
    with connect(server, timeout=3) as sock:
        sock.sendall(b"GET /api/status HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(SMUGGLED) + SMUGGLED
                     + b"GET /api/info HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        answer = read_all(sock)
    assert statuses(answer) == [200, 200]
    assert b"smuggled" not in answer and b'"escrow_abi"' in answer


def test_half_sent_requests_neither_starve_others_nor_outlive_the_deadline(server: Any) -> None:
    attackers: list[socket.socket] = []
    refused = 0
    try:
        for _ in range(3 * server.max_per_client):
            sock = connect(server, ATTACKER, timeout=3)
            sock.sendall(b"GET /api/status HTTP/1.1\r\nHost: x\r\n")  # never the final blank line
            attackers.append(sock)
        # Those over the per-client cap are closed at once: answered 503, or reset when the
        # server closed with their unread request still in its buffer. "At once" is judged
        # well inside the request deadline, so a busy machine cannot make this test flaky.
        waiting = list(attackers)
        expected = len(attackers) - server.max_per_client
        until = time.monotonic() + server.request_deadline / 2
        while refused < expected and time.monotonic() < until:
            readable, _, _ = select.select(waiting, [], [], 0.05)
            for sock in readable:
                try:
                    data = sock.recv(4096)
                except ConnectionResetError:
                    data = b""
                waiting.remove(sock)
                refused += 1
                assert statuses(data) in ([503], [])
        assert refused == expected
        # The legitimate client is answered while the attacker holds every slot it may.
        with connect(server, timeout=3) as sock:
            sock.sendall(b"GET /api/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            assert statuses(read_all(sock)) == [200]
        # The others trickle a header line at a time, faster than any read timeout...
        started = time.monotonic()
        alive = list(attackers)
        while alive and time.monotonic() - started < 6 * server.request_deadline:
            for sock in list(alive):
                try:
                    sock.sendall(b"X-Slow: 1\r\n")
                except OSError:
                    alive.remove(sock)
                    continue
                sock.settimeout(0.01)
                try:
                    if sock.recv(4096) == b"":
                        alive.remove(sock)
                except socket.timeout:
                    pass
                except OSError:
                    alive.remove(sock)
            time.sleep(0.2)
        # ... and are still closed once the deadline for a whole request has passed.
        assert not alive, f"{len(alive)} half-sent requests outlived the deadline"
        assert time.monotonic() - started < 3 * server.request_deadline
    finally:
        for sock in attackers:
            sock.close()


def test_a_body_dripped_a_byte_at_a_time_is_cut_at_the_deadline(server: Any) -> None:
    """Headers whole, then a promised body trickled slower than any read timeout would notice:
    the deadline covers the body too, so the connection is closed and nothing is answered."""
    with connect(server, ATTACKER, timeout=3) as sock:
        sock.sendall(b"POST /api/sync HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n")
        started = time.monotonic()
        closed = False
        while time.monotonic() - started < 4 * server.request_deadline:
            try:
                sock.sendall(b"x")
                sock.settimeout(0.2)
                if sock.recv(4096) == b"":
                    closed = True
                    break
            except socket.timeout:
                continue
            except OSError:
                closed = True
                break
        assert closed, "a dripped body outlived the deadline"
        assert time.monotonic() - started < 2 * server.request_deadline


def test_an_answers_writes_in_one_turn_of_the_loop_leave_as_one_send_and_close_sends_them_first() -> None:
    """The one test here that knows the server: its transport wrapper (`_OneWritePerTurn`)
    joins what uvicorn writes apart (an answer's head, then its body) into one send, keeps
    their order, and writes what is pending before it closes."""
    import asyncio

    from bountychain.web.server import _OneWritePerTurn

    class Recorded:  # the event loop's transport as the wrapper sees it: writes, close
        def __init__(self) -> None:
            self.sent: list[bytes] = []
            self.closed = False

        def write(self, data: bytes) -> None:
            self.sent.append(data)

        def is_closing(self) -> bool:
            return self.closed

        def close(self) -> None:
            self.closed = True

    async def scenario() -> tuple[list[bytes], list[bytes], list[bytes]]:
        answer, refused = Recorded(), Recorded()
        wrapped = _OneWritePerTurn(answer)  # type: ignore[arg-type]
        wrapped.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n")
        wrapped.write(b"{}")
        before_the_turn_ends = list(answer.sent)
        await asyncio.sleep(0)
        closing = _OneWritePerTurn(refused)  # type: ignore[arg-type]
        closing.write(b"HTTP/1.1 503 Service Unavailable\r\n\r\n")
        closing.close()
        assert refused.closed and closing.is_closing()
        return before_the_turn_ends, answer.sent, refused.sent

    before, sent, refused = asyncio.run(scenario())
    assert before == []
    assert sent == [b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"]
    assert refused == [b"HTTP/1.1 503 Service Unavailable\r\n\r\n"]
