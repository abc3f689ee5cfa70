"""The few GitHub REST calls the bot makes, as a GitHub App: a JWT signed with the App's
private key (RS256, PyJWT) buys an installation token, which posts and edits issue comments.

GitHub's rate limits are honoured: a 429, or a 403 that says the limit is spent
(`x-ratelimit-remaining: 0`, or a `retry-after`), waits as long as GitHub asks (`retry-after`
seconds, else until `x-ratelimit-reset`), then retries; a wait longer than `max_wait` is not
slept but raised (`RateLimited`), as is a limit still hit after `attempts`. A 5xx is retried
with exponential backoff. Neither the private key nor a token is ever put in a message or a
log line: `repr` of the client names the App id only."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import jwt

from bountychain.errors import BountychainError

log = logging.getLogger("bountychain.github")


class GitHubError(BountychainError):
    """GitHub refused a call (the status and GitHub's own message, never a credential)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class RateLimited(GitHubError):
    """GitHub's rate limit asked for a longer wait than the bot will sleep."""


@dataclass(frozen=True)
class Comment:
    comment_id: int
    body: str
    login: str  # who posted it


class GitHubApi:
    """An App's REST client. `sleep` is how it waits (tests pass one that records)."""

    def __init__(self, app_id: int | str, private_key: str, *, base_url: str = "https://api.github.com",
                 max_wait: float = 120.0, attempts: int = 5, timeout: float = 30.0,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.app_id = str(app_id)
        self._private_key = private_key
        self.max_wait = max_wait
        self.attempts = attempts
        self.sleep = sleep
        self.http = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout, headers={
            "accept": "application/vnd.github+json", "x-github-api-version": "2022-11-28",
            "user-agent": "bountychain-github-bot"})
        self._tokens: dict[int, tuple[str, float]] = {}  # installation -> (token, expires at)
        self._lock = threading.Lock()
        self.waits: list[float] = []  # every rate-limit or backoff wait, in seconds

    def __repr__(self) -> str:
        return f"GitHubApi(app {self.app_id}, {self.http.base_url})"

    def close(self) -> None:
        self.http.close()

    # --- authentication ---
    def app_jwt(self) -> str:
        """The App's own credential: ten minutes at most, backdated for clock drift."""
        now = int(time.time())
        try:
            return jwt.encode({"iat": now - 60, "exp": now + 540, "iss": self.app_id}, self._private_key,
                              algorithm="RS256")
        except (ValueError, TypeError, jwt.PyJWTError) as exc:
            # The exception's text may quote the key: say only what kind of problem it is.
            raise GitHubError(f"the App's private key cannot sign ({type(exc).__name__}): give the PEM file "
                              "GitHub generated for the App") from None

    def installation_token(self, installation_id: int) -> str:
        with self._lock:
            token, expires = self._tokens.get(installation_id, ("", 0.0))
            if time.time() < expires - 60:
                return token
        answer = self._send("POST", f"/app/installations/{installation_id}/access_tokens",
                            auth=f"Bearer {self.app_jwt()}")
        token = answer["token"]
        expires_at = answer.get("expires_at")
        lifetime = 3600.0
        if isinstance(expires_at, str):
            from datetime import datetime  # noqa: PLC0415 - only here
            lifetime = datetime.fromisoformat(expires_at.replace("Z", "+00:00")).timestamp() - time.time()
        with self._lock:
            self._tokens[installation_id] = (token, time.time() + lifetime)
        return token

    # --- comments ---
    def create_comment(self, installation_id: int, repo: str, issue_number: int, body: str) -> int:
        answer = self._call(installation_id, "POST", f"/repos/{repo}/issues/{issue_number}/comments", {"body": body})
        return int(answer["id"])

    def update_comment(self, installation_id: int, repo: str, comment_id: int, body: str) -> None:
        self._call(installation_id, "PATCH", f"/repos/{repo}/issues/comments/{comment_id}", {"body": body})

    def comments(self, installation_id: int, repo: str, issue_number: int) -> list[Comment]:
        """The issue's comments, every page."""
        found: list[Comment] = []
        page = 1
        while True:
            batch = self._call(installation_id, "GET", f"/repos/{repo}/issues/{issue_number}/comments",
                               params={"per_page": 100, "page": page})
            found += [Comment(int(c["id"]), c.get("body") or "", (c.get("user") or {}).get("login", ""))
                      for c in batch]
            if len(batch) < 100:
                return found
            page += 1

    # --- transport ---
    def _call(self, installation_id: int, method: str, path: str, body: Any = None,
              params: dict[str, Any] | None = None) -> Any:
        return self._send(method, path, body, params, auth=f"token {self.installation_token(installation_id)}")

    def _send(self, method: str, path: str, body: Any = None, params: dict[str, Any] | None = None, *,
              auth: str) -> Any:
        for attempt in range(1, self.attempts + 1):
            try:
                response = self.http.request(method, path, json=body, params=params, headers={"authorization": auth})
            except httpx.TransportError as exc:
                if attempt == self.attempts:
                    raise GitHubError(f"GitHub could not be reached ({method} {path}): {type(exc).__name__}") from None
                self._wait(2.0 ** (attempt - 1), f"{method} {path}: {type(exc).__name__}")
                continue
            if response.is_success:
                return response.json() if response.content else None
            limit_wait = self._rate_limit_wait(response)
            if limit_wait is not None and attempt < self.attempts:
                if limit_wait > self.max_wait:
                    raise RateLimited(f"GitHub's rate limit asks to wait {limit_wait:.0f} s ({method} {path}); "
                                      f"the bot waits at most {self.max_wait:.0f} s", response.status_code)
                self._wait(limit_wait, f"{method} {path}: rate limited ({response.status_code})")
                continue
            if response.status_code >= 500 and attempt < self.attempts:
                self._wait(2.0 ** (attempt - 1), f"{method} {path}: GitHub answered {response.status_code}")
                continue
            raise (RateLimited if limit_wait is not None else GitHubError)(
                f"GitHub refused {method} {path}: {response.status_code} {_message(response)}", response.status_code)
        raise AssertionError("unreachable")

    def _rate_limit_wait(self, response: httpx.Response) -> float | None:
        """Seconds GitHub asks to wait, if this answer is a rate limit; else None."""
        if response.status_code not in (403, 429):
            return None
        headers = response.headers
        retry_after = headers.get("retry-after")
        if retry_after is not None and retry_after.strip().isdigit():
            return float(retry_after)
        if headers.get("x-ratelimit-remaining") == "0" and (headers.get("x-ratelimit-reset") or "").isdigit():
            return max(0.0, float(headers["x-ratelimit-reset"]) - time.time()) + 1.0
        if response.status_code == 429 or "rate limit" in _message(response).lower():
            return 60.0  # a secondary limit without headers: GitHub says to wait at least a minute
        return None

    def _wait(self, seconds: float, why: str) -> None:
        log.warning("waiting %.1f s before retrying: %s", seconds, why)
        self.waits.append(seconds)
        self.sleep(seconds)


def _message(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return response.reason_phrase
    return str(data.get("message", response.reason_phrase)) if isinstance(data, dict) else response.reason_phrase
