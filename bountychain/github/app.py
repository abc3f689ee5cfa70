"""The webhook service (Starlette, served by uvicorn with `bountychain serve`'s hardened
HTTP protocol):

    POST /webhook                       GitHub's deliveries: 401 unless X-Hub-Signature-256 is the
                                        HMAC-SHA256 of the body under the webhook secret (compared in
                                        constant time), 409 for a delivery id seen before, 413 over
                                        MAX_WEBHOOK_BODY; else 202 at once, and the bot acts on it
    GET  /api/github/links/<address>    the GitHub logins linked to an address (for the page's profiles)
    GET  /healthz                       ok

Nothing is done for a refused delivery: the signature is checked before the body is parsed,
and the delivery id is recorded only once the signature holds. GitHub waits 10 seconds for an
answer, and the bot may wait longer than that on GitHub's own rate limits. So a verified
delivery is answered 202 and queued. `Deliveries` acts on the queue in order, one at a time.
A delivery whose handling fails is forgotten again, so GitHub's redelivery of it is taken;
the bot's own keys make sure nothing is posted twice.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import queue
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from sqlalchemy.exc import OperationalError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from web3 import Web3

from bountychain.errors import InvalidInput
from bountychain.github.bot import Bot
from bountychain.github.state import BotState, ServiceLock

log = logging.getLogger("bountychain.github")

MAX_WEBHOOK_BODY = 25 << 20  # GitHub caps a delivery's payload at 25 MB


def read_secret(name: str, environ: dict[str, str] | None = None) -> str:
    """A secret from $NAME, else from the file named by $NAME_FILE; never from the command line
    (which other users of the machine can read in the process list)."""
    environ = dict(os.environ) if environ is None else environ
    value = environ.get(name)
    if value:
        return value
    path = environ.get(f"{name}_FILE")
    if path:
        try:
            text = Path(path).read_text().strip()
        except OSError as exc:
            raise InvalidInput(f"${name}_FILE: cannot read {path}: {exc.strerror}") from None
        if text:
            return text
        raise InvalidInput(f"${name}_FILE: {path} is empty")
    raise InvalidInput(f"set ${name}, or ${name}_FILE to a file holding it")


def signature_ok(secret: bytes, body: bytes, header: str | None) -> bool:
    """Whether `header` is GitHub's X-Hub-Signature-256 of `body` under `secret`."""
    if not header:
        return False
    expected = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), header.strip().encode())


def _error(status: int, message: str) -> Response:
    return JSONResponse({"error": message}, status_code=status)


class Deliveries:
    """Acts on verified deliveries in a worker thread, in the order they came. What the bot did
    with each of the last `keep` is in `outcomes` (by delivery id); `join` waits for the queue."""

    def __init__(self, bot: Bot, keep: int = 1000) -> None:
        self.bot = bot
        self.keep = keep
        self.outcomes: OrderedDict[str, str] = OrderedDict()
        self._queue: queue.Queue[tuple[str, str, dict[str, Any]] | None] = queue.Queue()
        # One bot process per database (BotBusy otherwise), taken before the unhandled deliveries
        # are forgotten: they could be another live process's queue.
        self.lock = ServiceLock(bot.state.engine)
        released = bot.state.release_unhandled()  # queued when the last process stopped
        if released:
            log.warning("%d deliveries were queued but not handled when the service last stopped; "
                        "GitHub's redeliveries of them will be taken", released)
        self.thread = threading.Thread(target=self._run, name="github-deliveries", daemon=True)
        self.thread.start()

    def put(self, delivery: str, event: str, payload: dict[str, Any]) -> None:
        self._queue.put((delivery, event, payload))

    def join(self) -> None:
        self._queue.join()

    def stop(self) -> None:
        self._queue.put(None)
        self.thread.join(30)
        self.lock.release()

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            delivery, event, payload = item
            try:
                outcome = self.bot.handle(event, payload)
                self.bot.state.delivery_handled(delivery)
                log.info("delivery %s (%s): %s", delivery, event, outcome)
            except Exception as exc:  # noqa: BLE001 - GitHub or the database failed: let a redelivery try again
                self.bot.state.release_delivery(delivery)
                outcome = f"failed: {type(exc).__name__}: {exc}"
                log.error("delivery %s (%s) %s", delivery, event, outcome)
            self.outcomes[delivery] = outcome
            while len(self.outcomes) > self.keep:
                self.outcomes.popitem(last=False)
            self._queue.task_done()
        self._queue.task_done()


def create_github_app(bot: Bot, webhook_secret: str) -> Starlette:
    """The webhook app; its `Deliveries` is `app.state.deliveries` (stop it when done)."""
    secret = webhook_secret.encode()
    deliveries = Deliveries(bot)

    async def webhook(request: Request) -> Response:
        length = request.headers.get("content-length")
        if length is None or not length.isdigit():
            return _error(411, "a delivery states its Content-Length")
        if int(length) > MAX_WEBHOOK_BODY:
            return _error(413, f"a delivery is at most {MAX_WEBHOOK_BODY >> 20} MB")
        body = await request.body()
        if not signature_ok(secret, body, request.headers.get("x-hub-signature-256")):
            log.warning("refused a delivery without a valid signature from %s",
                        request.client.host if request.client else "?")
            return _error(401, "the X-Hub-Signature-256 header does not match the body and the webhook secret")
        delivery = request.headers.get("x-github-delivery", "")
        event = request.headers.get("x-github-event", "")
        if not delivery or not event:
            return _error(400, "a delivery has X-GitHub-Delivery and X-GitHub-Event headers")
        try:
            payload = json.loads(body)
        except ValueError:
            return _error(400, "the body is not JSON")
        if not isinstance(payload, dict):
            return _error(400, "the body is not a JSON object")
        if not await run_in_threadpool(bot.state.take_delivery, delivery, event):
            return _error(409, f"delivery {delivery} was already received")
        deliveries.put(delivery, event, payload)
        return JSONResponse({"delivery": delivery, "queued": True}, status_code=202)

    async def health(request: Request) -> Response:
        return JSONResponse({"ok": True})

    app = Starlette(routes=[
        Route("/webhook", webhook, methods=["POST"]),
        *links_routes(bot.state),
        Route("/healthz", health),
    ])
    app.state.deliveries = deliveries
    return app


def links_routes(state: BotState) -> list[Route]:
    """The link route alone, for another app (the page's server) to mount."""
    async def links(request: Request) -> Response:
        address = request.path_params["address"]
        if not Web3.is_address(address):
            return _error(400, f"{address!r} is not an address")
        try:
            found = await run_in_threadpool(state.links_of_address, address)
        except OperationalError:
            # A connection a database restart closed (the web app's pool lends them without a
            # ping): SQLAlchemy has made the pool anew, so once more; a database still down is a 503.
            try:
                found = await run_in_threadpool(state.links_of_address, address)
            except OperationalError as exc:
                reason = str(exc.orig).split("\n", 1)[0]
                return _error(503, f"the GitHub links could not be read: {reason}")
        # The page may be served from another origin than the bot: the links are public facts.
        return JSONResponse({"address": Web3.to_checksum_address(address), "links": found},
                            headers={"access-control-allow-origin": "*"})
    return [Route("/api/github/links/{address}", links)]


class StatusLoop:
    """Keeps the status comments in step with the index, every `interval` seconds, in a thread."""

    def __init__(self, bot: Bot, interval: float) -> None:
        self.bot = bot
        self.interval = interval
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="github-status", daemon=True)

    def start(self) -> StatusLoop:
        self.thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                changed = self.bot.refresh_all()
                if changed:
                    log.info("updated %d status comment(s)", changed)
            except Exception as exc:  # noqa: BLE001 - GitHub or the database down: try again next round
                log.error("status update failed: %s: %s", type(exc).__name__, exc)
            self._stop.wait(self.interval)

    def stop(self) -> None:
        self._stop.set()
        self.thread.join(10)
