"""Tools between a client and a node, on loopback, for the SDK's benchmark and tests:

- `CountingHTTPProvider`: web3's HTTPProvider, recording every HTTP request it sends (one
  entry per round trip; a JSON-RPC batch is one request of several methods).
- `LatencyProxy`: a TCP proxy adding a fixed delay each way, as a distant endpoint does.
- `RpcProxy`: a JSON-RPC proxy whose `answer` hook can change what the node says (a node
  lying about fees, an endpoint refusing wide log ranges) or fail as real endpoints do:
  raising `Drop` closes the connection without an answer, `HttpStatus(429)` answers with
  that status, and a hook that sleeps stalls.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from web3 import Web3


class CountingHTTPProvider(Web3.HTTPProvider):
    """An HTTPProvider that records what it puts on the wire: `requests` holds, per HTTP
    request, the JSON-RPC methods it carried (after web3's own caching, so a cached answer
    is not counted)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.requests: list[tuple[str, ...]] = []
        post = self._request_session_manager.make_post_request

        def counting_post(endpoint_uri: Any, data: bytes, **options: Any) -> Any:
            payload = json.loads(data)
            calls = payload if isinstance(payload, list) else [payload]
            self.requests.append(tuple(call["method"] for call in calls))
            return post(endpoint_uri, data, **options)

        self._request_session_manager.make_post_request = counting_post  # type: ignore[method-assign]

    def methods(self) -> Counter[str]:
        """How many times each method was asked, batched or not."""
        return Counter(method for request in self.requests for method in request)


class LatencyProxy:
    """Forwards TCP connections from a loopback port to `upstream` ("host:port"), holding
    every chunk `one_way` seconds in each direction: a round trip costs 2 x `one_way`."""

    def __init__(self, upstream: str, *, one_way: float) -> None:
        host, port = upstream.rsplit(":", 1)
        self.upstream = (host, int(port))
        self.one_way = one_way
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._server.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.upstream)
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, target), daemon=True).start()

    def _pipe(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                time.sleep(self.one_way)
                target.sendall(chunk)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self) -> None:
        self._closed = True
        self._server.close()


class Drop(Exception):
    """Raised by an answer hook: the connection closes without an answer."""


class HttpStatus(Exception):
    """Raised by an answer hook: the HTTP answer has this status (429, 502...)."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


Forward = Callable[[dict[str, Any]], dict[str, Any]]
Answer = Callable[[dict[str, Any], Forward], dict[str, Any]]


class RpcProxy:
    """A JSON-RPC endpoint on loopback in front of `upstream_url`. Each call (batched or
    not) goes through `answer(call, forward)`, which returns the response: by default the
    node's own (`forward(call)`), or whatever a test makes it say."""

    def __init__(self, upstream_url: str, answer: Answer | None = None) -> None:
        self.upstream_url = upstream_url
        self.answer: Answer = answer or (lambda call, forward: forward(call))
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                try:
                    if isinstance(payload, list):
                        body: Any = [proxy.answer(call, proxy.forward) for call in payload]
                    else:
                        body = proxy.answer(payload, proxy.forward)
                except Drop:
                    self.close_connection = True
                    return
                except HttpStatus as status:
                    self.send_response(status.code)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def forward(self, call: dict[str, Any]) -> dict[str, Any]:
        request = urllib.request.Request(self.upstream_url, json.dumps(call).encode(),
                                         {"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return dict(json.loads(response.read()))

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


__all__ = ["CountingHTTPProvider", "Drop", "HttpStatus", "LatencyProxy", "RpcProxy"]
