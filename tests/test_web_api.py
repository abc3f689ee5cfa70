"""The JSON API's paging, sorting, filters, validators, CORS, rate limit and description,
through a real uvicorn server on loopback over an index synced from an in-process chain.
`test_web_server.py` attacks the same server over raw sockets; `test_web.py` drives the page."""

from __future__ import annotations

import asyncio
import gc
import socket
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
import uvicorn
from uvicorn.lifespan.on import LifespanOn

from bountychain import BountyClient, InProcessChain
from bountychain.index import Indexer
from bountychain.web import WebApp, create_app, make_server
from bountychain.github import links_routes
from bountychain.web.app import ROUTES, review_address
from bountychain.web.server import GuardedH11Protocol

DAY = 86_400
ETHER = 10**18
ORIGIN = "https://board.example"
REPOS = ["alpha/parser", "alpha/lexer", "beta/parser", "alpha/parser", "gamma/tool", "beta/cli"]


def _start(web: WebApp) -> tuple[Any, str]:
    server = make_server(web, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    with httpx.Client() as client:  # until uvicorn answers
        for _ in range(200):
            try:
                client.get(base + "/api/status", timeout=1)
                break
            except httpx.TransportError:
                threading.Event().wait(0.05)
    return server, base


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    chain = InProcessChain()
    issuer = chain.new_account()
    client = BountyClient.deploy(chain, issuer)
    now = chain.now()
    ids = []
    for n, repo in enumerate(REPOS):  # deadlines out of id order; amounts pledged out of both
        created = client.create_bounty(f"https://github.com/{repo}/issues/{n + 1}", now + (30 - 4 * (n % 3)) * DAY)
        ids.append(created.bounty_id)
    funder = client.as_signer(chain.new_account(1000 * ETHER))
    pledged = {ids[0]: 3 * ETHER, ids[1]: 12 * ETHER, ids[2]: ETHER // 2, ids[4]: 9 * ETHER}
    for bounty_id, amount in pledged.items():
        funder.pledge(bounty_id, amount)
    db_path = tmp_path_factory.mktemp("web-api") / "index.sqlite3"
    indexer = Indexer.for_client(client, db_path, confirmations=0)
    indexer.sync()
    web = WebApp(indexer, db_path, cors_origins=[ORIGIN], sync_burst=2, sync_per_second=0.2)
    server, base = _start(web)
    try:
        with httpx.Client(base_url=base, timeout=10) as http:
            yield {"chain": chain, "client": client, "ids": ids, "pledged": pledged, "http": http, "web": web,
                   "indexer": indexer, "server": server, "db_path": db_path, "funder": funder}
    finally:
        server.shutdown()
        server.server_close()


def _ids(response: httpx.Response) -> list[int]:
    assert response.status_code == 200, response.text
    return [row["bounty_id"] for row in response.json()["bounties"]]


def test_the_list_pages_with_limit_and_offset_and_reports_the_count(site: dict[str, Any]) -> None:
    http, ids = site["http"], site["ids"]
    newest_first = list(reversed(ids))
    first = http.get("/api/bounties", params={"limit": 4})
    assert _ids(first) == newest_first[:4]
    assert (first.json()["count"], first.json()["limit"], first.json()["offset"]) == (len(ids), 4, 0)
    assert _ids(http.get("/api/bounties", params={"limit": 4, "offset": 4})) == newest_first[4:]
    assert _ids(http.get("/api/bounties", params={"offset": 99})) == []
    assert http.get("/api/bounties").json()["limit"] == 100  # the default page
    for bad in ({"limit": 0}, {"limit": 501}, {"limit": "ten"}, {"offset": -1}, {"sort": "random"}):
        refused = http.get("/api/bounties", params=bad)
        assert refused.status_code == 400 and next(iter(bad)) in refused.json()["error"], (bad, refused.text)


def test_the_list_sorts_by_amount_deadline_and_newest(site: dict[str, Any]) -> None:
    http, ids, pledged = site["http"], site["ids"], site["pledged"]
    by_amount = _ids(http.get("/api/bounties", params={"sort": "amount"}))
    # 12 ETH > 9 ETH > 3 ETH > 0.5 ETH (a shorter decimal string is smaller), then the unfunded, newest first
    assert by_amount[:4] == sorted(pledged, key=pledged.__getitem__, reverse=True)
    assert by_amount[4:] == sorted(set(ids) - set(pledged), reverse=True)
    deadlines = [row["deadline"] for row in http.get("/api/bounties", params={"sort": "deadline"}).json()["bounties"]]
    assert deadlines == sorted(deadlines) and len(set(deadlines)) == 3
    assert _ids(http.get("/api/bounties", params={"sort": "newest"})) == sorted(ids, reverse=True)


def test_the_list_filters_by_repository_owner_status_token_and_chain(site: dict[str, Any]) -> None:
    http, ids, chain_id = site["http"], site["ids"], site["chain"].w3.eth.chain_id
    expected = {repo: [i for i, r in zip(ids, REPOS) if r == repo] for repo in REPOS}
    assert _ids(http.get("/api/bounties", params={"repo": "alpha/parser"})) == sorted(expected["alpha/parser"],
                                                                                       reverse=True)
    alpha = [i for i, r in zip(ids, REPOS) if r.startswith("alpha/")]
    listed = http.get("/api/bounties", params={"owner": "Alpha", "limit": 1})
    assert _ids(listed) == [max(alpha)] and listed.json()["count"] == len(alpha)
    assert _ids(http.get("/api/bounties", params={"status": "open", "token": "0x" + "0" * 40})) == sorted(
        ids, reverse=True)
    assert _ids(http.get("/api/bounties", params={"status": "awarded"})) == []
    assert len(_ids(http.get("/api/bounties", params={"chain": chain_id}))) == len(ids)
    other_chain = http.get("/api/bounties", params={"chain": chain_id + 1})
    assert _ids(other_chain) == [] and other_chain.json()["count"] == 0
    assert _ids(http.get("/api/bounties", params={"chain": "mainnet"})) == []  # a chain by name: not this one
    unknown = http.get("/api/bounties", params={"chain": "atlantis"})
    assert unknown.status_code == 400 and "'atlantis' is neither a chain id nor a chain's name" in unknown.json()["error"]
    assert http.get("/api/bounties", params={"token": "0x123"}).status_code == 400


def test_reads_carry_a_weak_etag_answered_304_until_the_index_moves(site: dict[str, Any]) -> None:
    http, ids = site["http"], site["ids"]
    first = http.get(f"/api/bounties/{ids[0]}")
    etag = first.headers["ETag"]
    assert etag.startswith('W/"') and first.headers["Cache-Control"] == "no-cache"
    again = http.get(f"/api/bounties/{ids[0]}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["ETag"] == etag
    assert http.get(f"/api/bounties/{ids[1]}", headers={"If-None-Match": etag}).status_code == 200  # per URL
    site["funder"].pledge(ids[0], ETHER)  # the chain moves, the index follows: the old validator fails
    site["web"].sync()
    moved = http.get(f"/api/bounties/{ids[0]}", headers={"If-None-Match": etag})
    assert moved.status_code == 200 and moved.headers["ETag"] != etag
    assert int(moved.json()["bounty"]["pledged"]) == site["pledged"][ids[0]] + ETHER


def test_cors_is_answered_only_for_the_operators_origins(site: dict[str, Any]) -> None:
    http = site["http"]
    allowed = http.get("/api/status", headers={"Origin": ORIGIN})
    assert allowed.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "etag" in allowed.headers["Access-Control-Expose-Headers"].lower()
    assert "Access-Control-Allow-Origin" not in http.get("/api/status", headers={"Origin": "https://evil.example"}).headers
    preflight = http.options("/api/bounties", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 200 and preflight.headers["Access-Control-Allow-Origin"] == ORIGIN


def test_cors_is_off_unless_the_operator_sets_it_and_cache_seconds_set_max_age(site: dict[str, Any]) -> None:
    server, base = _start(WebApp(None, site["db_path"], cache_seconds=60))
    try:
        answer = httpx.get(base + "/api/status", headers={"Origin": ORIGIN}, timeout=10)
        assert answer.status_code == 200 and "Access-Control-Allow-Origin" not in answer.headers
        assert answer.headers["Cache-Control"] == "public, max-age=60, must-revalidate"
    finally:
        server.shutdown()
        server.server_close()


def _stateless(site: dict[str, Any]) -> WebApp:
    return WebApp(None, site["db_path"])


def test_sync_is_rate_limited_per_client_with_retry_after(site: dict[str, Any]) -> None:
    http = site["http"]
    answers = [http.post("/api/sync") for _ in range(3)]  # a burst of 2, refilled every 5 s
    assert [a.status_code for a in answers[:2]] == [200, 200]
    assert answers[2].status_code == 429
    assert int(answers[2].headers["Retry-After"]) >= 1 and "try again" in answers[2].json()["error"]


def test_a_huge_bounty_id_is_404_and_the_connection_stays_usable(site: dict[str, Any]) -> None:
    http = site["http"]
    for huge in ("1000000000000000000000000000000", str(2**63), str(2**256)):
        answer = http.get(f"/api/bounties/{huge}")
        assert answer.status_code == 404 and "not in the index" in answer.json()["error"]
    assert http.get("/api/bounties/abc").status_code == 400
    assert http.get("/api/amount", params={"bounty": str(2**70), "text": "1"}).status_code == 400
    assert http.get("/api/status").status_code == 200


def test_openapi_describes_exactly_the_routes_served_and_the_docs_page_is_local(site: dict[str, Any]) -> None:
    http = site["http"]
    spec = http.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    described = set(spec["paths"])
    # The JSON routes and the pictures (a bounty's badge, a payment link's QR code).
    # (The GitHub links route is made per app, over its database: `links_routes`.)
    api_routes = {route.path for route in [*ROUTES, *links_routes(None)]  # type: ignore[arg-type]
                  if route.path.startswith(("/api/", "/badge/", "/qr"))}
    assert described == api_routes
    parameters = {p["name"] for p in spec["paths"]["/api/bounties"]["get"]["parameters"]}
    assert parameters >= {"limit", "offset", "sort", "repo", "owner", "status", "token", "chain"}
    docs = http.get("/docs")
    assert docs.status_code == 200 and "default-src 'self'" in docs.headers["Content-Security-Policy"]
    assert "http" not in docs.text.replace('content="width', "").replace('href="/openapi.json"', "") \
        .replace("(OpenAPI 3.1)", "")
    assert http.get("/static/docs.js").status_code == 200


def test_a_stateless_worker_reads_the_index_from_the_environment(site: dict[str, Any],
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """`uvicorn --factory bountychain.web:create_app`: no indexer, only the database; the
    review contract's address follows from the escrow's."""
    assert review_address(site["client"].address) == site["indexer"].review
    monkeypatch.setenv("BOUNTYCHAIN_DB", f"sqlite:///{site['db_path']}")
    app = create_app()
    assert callable(app)
    monkeypatch.setenv("BOUNTYCHAIN_DB", f"sqlite:///{site['db_path'].parent / 'missing.sqlite3'}")
    with pytest.raises(ValueError, match="no index at .*missing.sqlite3"):
        create_app()
    assert not (site["db_path"].parent / "missing.sqlite3").exists()  # not created empty
    server, base = _start(_stateless(site))
    try:
        info = httpx.get(base + "/api/info", timeout=10).json()
        assert info["review"] == site["indexer"].review and info["escrow"] == site["client"].address
        synced = httpx.post(base + "/api/sync", timeout=10)
        assert synced.status_code == 200 and synced.json()["report"] is None
        assert len(httpx.get(base + "/api/bounties", timeout=10).json()["bounties"]) == len(site["ids"])
    finally:
        server.shutdown()
        server.server_close()


def test_a_worker_freezes_its_heap_once_it_is_ready(site: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """A full garbage collection walks every object alive; over a worker's libraries that is a
    ~70 ms pause inside whichever answer sets it off, the API's worst latency under load. Once a
    worker started by uvicorn is ready (its lifespan's start), those objects are frozen out of
    the collector's reach: a full collection then walks only what was made since."""
    monkeypatch.setenv("BOUNTYCHAIN_DB", f"sqlite:///{site['db_path']}")
    gc.unfreeze()
    try:
        assert gc.get_freeze_count() == 0
        lifespan = LifespanOn(uvicorn.Config(create_app(), lifespan="on"))  # uvicorn's own driver
        asyncio.run(lifespan.startup())
        assert not lifespan.startup_failed
        assert gc.get_freeze_count() > 10 * len(gc.get_objects())
    finally:
        gc.unfreeze()


def test_responses_go_out_without_nagles_delay(site: dict[str, Any]) -> None:
    """The old server wrote headers and body in two writes without TCP_NODELAY, so every answer
    waited ~44 ms for the client's delayed ACK. uvicorn's sockets (asyncio's) set TCP_NODELAY."""
    server = site["server"]
    with socket.create_connection(server.server_address, timeout=5) as sock:
        sock.sendall(b"GET /api/status HTTP/1.1\r\nHost: x\r\n\r\n")
        assert sock.recv(4096).startswith(b"HTTP/1.1 200")
        connections = [c for c in server.uvicorn.server_state.connections if isinstance(c, GuardedH11Protocol)]
        assert connections
        for connection in connections:
            raw = connection.transport.get_extra_info("socket")
            assert raw.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


def test_workers_serve_the_same_answers_from_postgresql(site: dict[str, Any], postgres: Any) -> None:
    """Stateless workers over PostgreSQL (`BOUNTYCHAIN_DB=postgresql://...`): the same chain
    indexed there gives the same pages, sorts, filters and details as the SQLite index."""
    url = postgres.database()
    Indexer.for_client(site["client"], url, confirmations=0).sync()
    web = WebApp(None, url)
    server, base = _start(web)
    try:
        with httpx.Client(base_url=base, timeout=10) as pg:
            for path in ("/api/bounties?sort=amount&limit=3", "/api/bounties?sort=deadline&offset=2",
                         f"/api/bounties?owner={REPOS[0].split('/')[0]}", f"/api/bounties/{site['ids'][1]}",
                         f"/api/funders/{site['funder'].address}"):
                ours, theirs = pg.get(path), site["http"].get(path)
                assert ours.status_code == theirs.status_code == 200, (path, ours.text)
                assert _without_index(ours.json()) == _without_index(theirs.json()), path
    finally:
        server.shutdown()
        server.server_close()
        web.stop()


def _without_index(answer: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in answer.items() if key != "index"}


def test_answers_carry_on_after_a_postgresql_restart_and_an_outage_is_a_clear_503(site: dict[str, Any],
                                                                                  postgres: Any) -> None:
    """No request fails once the server is back from a restart (the pool's connections were
    all closed by it), and while it is down the answer is a 503 that says so, not a 500."""
    url = postgres.database()
    Indexer.for_client(site["client"], url, confirmations=0).sync()
    web = WebApp(None, url)
    server, base = _start(web)
    paths = [f"/api/bounties/{site['ids'][1]}", f"/api/funders/{site['funder'].address}", "/api/bounties",
             "/api/status", f"/api/github/links/{site['funder'].address}"]
    try:
        with httpx.Client(base_url=base, timeout=30) as client:
            # Answers at once, so that the pool holds several connections, all closed by the restart.
            with ThreadPoolExecutor(8) as pool:
                assert {answer.status_code for answer in pool.map(client.get, paths * 4)} == {200}
            postgres.stop()
            postgres.start()
            for path in paths:
                assert client.get(path).status_code == 200, path
            postgres.stop()
            try:
                down = client.get(paths[1])
            finally:
                postgres.start()
            assert down.status_code == 503 and down.headers["retry-after"] == "5"
            assert down.json()["error"].startswith("the index postgresql://") and "could not be read" in down.text
            postgres.stop()
            try:
                links_down = client.get(paths[-1])
            finally:
                postgres.start()
            assert links_down.status_code == 503 and "could not be read" in links_down.json()["error"]
            for path in paths:
                assert client.get(path).status_code == 200, path
    finally:
        server.shutdown()
        server.server_close()
        web.stop()
