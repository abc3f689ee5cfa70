"""The API's reads: each GET route's handler answered from one snapshot of the index, with its
ETag and Cache-Control, 304 when the client's ETag still holds, from the answer cache when it
has it, and 400, 409 or 503 in words when the question or the database fails."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from bountychain.index import queries
from bountychain.index.store import IndexUnavailable
from bountychain.web.responses import BadRequest, ambiguous_message, error_response, to_json


def read_route(handler: Callable[[Any, Request], Any]) -> Callable[[Request], Awaitable[Response]]:
    """A GET route: answered 304 when the client's ETag still holds, else `handler`'s JSON with
    the ETag and Cache-Control (`WebApp.etag`). The index's queries block: PostgreSQL's run in a
    worker thread, SQLite's in the event loop (`WebApp.readers`). The handler is given the app's
    `WebApp` and the request."""

    def answer(request: Request) -> Response:
        try:
            return answered(request)
        except IndexUnavailable:
            # The database server went away (a restart closed the pool's connections, which an API
            # worker lends without a ping): SQLAlchemy made the pool anew when it rolled the block
            # back, so once more; a server still down is a 503.
            try:
                return answered(request)
            except IndexUnavailable as exc:
                return error_response(503, str(exc), {"Retry-After": "5"})

    def answered(request: Request) -> Response:
        web = request.app.state.web
        with web.db.reading():  # the ETag and the answer from one snapshot, one pooled connection
            etag = web.etag(request)
            headers = {"ETag": etag, "Cache-Control": f"public, max-age={web.cache_seconds}, must-revalidate"
                       if web.cache_seconds else "no-cache"}
            if etag in [tag.strip() for tag in request.headers.get("if-none-match", "").split(",")]:
                return Response(status_code=304, headers=headers)
            body = web.answers.get(etag)
            if body is None:
                try:
                    body = to_json(handler(web, request))
                except queries.AmbiguousBounty as exc:
                    return error_response(409, ambiguous_message(web.chains(), exc))
                except BadRequest as exc:
                    return error_response(400, str(exc))
                web.answers.put(etag, body)
            return Response(body, headers=headers, media_type="application/json")

    async def endpoint(request: Request) -> Response:
        readers = request.app.state.web.readers
        if readers is None:  # SQLite: answered here, in the event loop (WebApp.readers)
            return answer(request)
        return await asyncio.get_running_loop().run_in_executor(readers, answer, request)

    return endpoint


__all__ = ["read_route"]
