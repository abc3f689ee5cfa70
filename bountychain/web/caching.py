"""What the API keeps between requests, per worker and never as state: recent answers by
ETag (a read-through copy) and the rate limit of `POST /api/sync` per client."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict


class AnswerCache:
    """Recent answers by ETag, least recently used out first, up to `max_bytes` in all (0: off).

    The ETag names the index's position, so an answer is reused only until the index moves: a
    read-through copy, not state (a restarted or added worker just starts cold). The same pages
    (the newest bounties, a popular bounty) are asked for over and over between two syncs."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._bodies: OrderedDict[str, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, etag: str) -> bytes | None:
        with self._lock:
            body = self._bodies.get(etag)
            if body is not None:
                self._bodies.move_to_end(etag)
            return body

    def put(self, etag: str, body: bytes) -> None:
        if len(body) > self.max_bytes // 8:
            return  # one answer never crowds out the rest
        with self._lock:
            if etag in self._bodies:
                return
            self._bodies[etag] = body
            self._size += len(body)
            while self._size > self.max_bytes:
                self._size -= len(self._bodies.popitem(last=False)[1])


class RateLimit:
    """A token bucket per client address: `burst` at once, refilled at `per_second`."""

    def __init__(self, burst: int, per_second: float) -> None:
        self.burst, self.per_second = burst, per_second
        self._buckets: dict[str, tuple[float, float]] = {}  # client -> (tokens, when)
        self._lock = threading.Lock()

    def wait_for(self, client: str) -> float:
        """0 if `client` may go now (and takes a token), else the seconds until it may."""
        now = time.monotonic()
        with self._lock:
            if len(self._buckets) > 10_000:  # forget clients whose buckets have refilled
                full = self.burst / self.per_second
                self._buckets = {key: value for key, value in self._buckets.items() if now - value[1] < full}
            tokens, then = self._buckets.get(client, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - then) * self.per_second)
            if tokens >= 1:
                self._buckets[client] = (tokens - 1, now)
                return 0.0
            self._buckets[client] = (tokens, now)
            return (1 - tokens) / self.per_second
