"""A local HTTP fake of the few GitHub REST routes the bot uses, on a real socket: it checks
the App's JWT (RS256, against the App's public key) and the installation tokens it issued,
keeps issue comments, records every call, and answers scripted failures (rate limits, 5xx)
before the real answer."""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt


@dataclass
class Call:
    method: str
    path: str
    body: Any
    status: int


@dataclass
class FakeGitHub:
    app_id: str
    public_key: Any  # the App's RSA public key (cryptography)
    bot_login: str = "bountychain[bot]"
    calls: list[Call] = field(default_factory=list)
    comments: dict[int, dict[str, Any]] = field(default_factory=dict)
    tokens: set[str] = field(default_factory=set)
    failures: list[tuple[int, dict[str, str], dict[str, Any]]] = field(default_factory=list)
    _next_id: int = 1000

    def start(self) -> FakeGitHub:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _answer(self, status: int, data: Any, headers: dict[str, str] | None = None) -> None:
                body = json.dumps(data).encode()
                self.send_response(status)
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _handle(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                status, data, headers = fake.route(self.command, self.path, body, self.headers.get("authorization", ""))
                fake.calls.append(Call(self.command, self.path.split("?")[0], body, status))
                self._answer(status, data, headers)

            do_GET = do_POST = do_PATCH = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def route(self, method: str, path: str, body: Any, auth: str) -> tuple[int, Any, dict[str, str]]:
        if self.failures:
            status, headers, data = self.failures.pop(0)
            return status, data, headers
        path = path.split("?")[0]
        if match := re.fullmatch(r"/app/installations/(\d+)/access_tokens", path):
            if method != "POST" or not auth.startswith("Bearer "):
                return 401, {"message": "A JSON web token could not be decoded"}, {}
            try:
                claims = jwt.decode(auth.removeprefix("Bearer "), self.public_key, algorithms=["RS256"])
            except jwt.PyJWTError as exc:
                return 401, {"message": f"bad JWT: {type(exc).__name__}"}, {}
            if claims.get("iss") != self.app_id or claims["exp"] - claims["iat"] > 600:
                return 401, {"message": "bad JWT claims"}, {}
            token = f"ghs_{secrets.token_hex(16)}"
            self.tokens.add(token)
            expires = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
            return 201, {"token": token, "expires_at": expires}, {}
        if auth.removeprefix("token ") not in self.tokens:
            return 401, {"message": "Bad credentials"}, {}
        if match := re.fullmatch(r"/repos/([^/]+/[^/]+)/issues/(\d+)/comments", path):
            repo, number = match[1].lower(), int(match[2])
            if method == "GET":
                found = [c for c in self.comments.values() if c["issue"] == (repo, number)]
                return 200, [{k: v for k, v in c.items() if k != "issue"} for c in found], {}
            self._next_id += 1
            comment = {"id": self._next_id, "body": body["body"], "user": {"login": self.bot_login, "type": "Bot"},
                       "issue": (repo, number)}
            self.comments[self._next_id] = comment
            return 201, {k: v for k, v in comment.items() if k != "issue"}, {}
        if (match := re.fullmatch(r"/repos/([^/]+/[^/]+)/issues/comments/(\d+)", path)) and method == "PATCH":
            comment = self.comments.get(int(match[2]))
            if comment is None:
                return 404, {"message": "Not Found"}, {}
            comment["body"] = body["body"]
            return 200, {k: v for k, v in comment.items() if k != "issue"}, {}
        return 404, {"message": "Not Found"}, {}

    # --- what the tests read ---
    def posted(self) -> list[Call]:
        return [c for c in self.calls if c.method == "POST" and c.path.endswith("/comments") and c.status == 201]

    def edits(self) -> list[Call]:
        return [c for c in self.calls if c.method == "PATCH" and c.status == 200]

    def on_issue(self, repo: str, number: int) -> list[dict[str, Any]]:
        return [c for c in self.comments.values() if c["issue"] == (repo.lower(), number)]
