"""The routes that answer with a picture (`pictures` draws them): a bounty's badge for a
README or an issue, and the QR code of a payment link for a phone wallet."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bountychain.index import queries
from bountychain.web.pictures import badge_svg, payment_qr_svg
from bountychain.web.responses import MAX_ID, BadRequest, ambiguous_message, error_response, query_param


def _svg(body: str, max_age: int) -> Response:
    # An SVG opened as a document runs no script and loads nothing.
    return Response(body, media_type="image/svg+xml", headers={
        "Cache-Control": f"public, max-age={max_age}", "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"})


async def _badge(request: Request) -> Response:
    """/badge/<id>.svg[?chain=]: the bounty's amount and status, for a README or an issue."""
    web = request.app.state.web
    text = request.path_params["bounty_id"]
    bounty_id = int(text) if text.isdigit() and int(text) <= MAX_ID else None
    try:
        chain = web.chain_param(query_param(request, "chain"))
        detail = None if bounty_id is None else await run_in_threadpool(queries.bounty, web.reader(), bounty_id,
                                                                        chain=chain)
    except queries.AmbiguousBounty as exc:
        return error_response(409, ambiguous_message(web.chains(), exc))
    except BadRequest as exc:
        return error_response(400, str(exc))
    if detail is None:
        return error_response(404, f"bounty {text} is not in the index (yet)")
    return _svg(badge_svg(detail.bounty), 60)


async def _payment_qr(request: Request) -> Response:
    """/qr.svg?uri=ethereum:…: the QR code of a payment link, for a phone wallet."""
    try:
        return _svg(await run_in_threadpool(payment_qr_svg, request.query_params.get("uri", "")), 3600)
    except ValueError as exc:
        return error_response(400, f"uri: {exc}")


PICTURE_ROUTES = [
    Route("/badge/{bounty_id}.svg", _badge, name="badge"),
    Route("/qr.svg", _payment_qr, name="payment_qr"),
]

__all__ = ["PICTURE_ROUTES"]
