"""The page over an index of two chains (two anvil nodes, one escrow each, bounty 1 on both),
driven in headless Chromium: chain names on the cards and in the footer, the chain filter,
links that carry the chain, and a pledge from the browser that goes to the escrow of the
bounty's own chain. The index is kept current by the several-chains follower, as
`bountychain index --follow --config` would, and the API holds no indexer."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bountychain import AnvilNode, BountyClient
from bountychain.index import open_index, queries
from bountychain.index.several import ChainSource, follow_chains, wait_for
from bountychain.web import WebApp, make_server
from tests.test_web import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, InjectedWallet, _check, _page, _wait_progress

pytestmark = [pytest.mark.anvil, pytest.mark.browser]

DAY = 86_400
ETHER = 10**18
LOCAL, OTHER = 31337, 1337


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing (`make test` installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    nodes = {LOCAL: AnvilNode(chain_id=LOCAL), OTHER: AnvilNode(chain_id=OTHER)}
    server = None
    stop = threading.Event()
    followers: list[Any] = []
    try:
        clients = {}
        for chain_id, node in nodes.items():
            clients[chain_id] = BountyClient.deploy(node, node.new_account(), poll_latency=0.01)
        now = nodes[LOCAL].now()
        clients[LOCAL].create_bounty("https://github.com/alpha/app/issues/1", now + 30 * DAY)
        clients[LOCAL].create_bounty("https://github.com/alpha/lib/issues/2", now + 30 * DAY)
        clients[OTHER].create_bounty("https://github.com/beta/tool/issues/1", nodes[OTHER].now() + 30 * DAY)
        db_path = tmp_path_factory.mktemp("web-chains") / "index.sqlite3"
        db = open_index(db_path)
        sources = [ChainSource(f"chain {chain_id}", node.url, chain_id, clients[chain_id].address,
                               clients[chain_id].from_block) for chain_id, node in nodes.items()]
        followers = follow_chains(sources, db, stop, interval=0.2)
        for chain_id, node in nodes.items():
            _until(lambda: (queries.status(db, chain_id).cursor or -1) >= node.w3.eth.block_number)
        app = WebApp(None, db_path)
        server = make_server(app, "127.0.0.1", 0)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            try:
                yield {"nodes": nodes, "clients": clients, "db": db, "app": app, "browser": browser,
                       "url": f"http://127.0.0.1:{server.server_address[1]}"}
            finally:
                browser.close()
        app.stop()
    finally:
        stop.set()
        wait_for(followers)
        if server is not None:
            server.shutdown()
            server.server_close()
        for node in nodes.values():
            node.close()


def _until(condition: Any) -> None:
    event = threading.Event()
    for _ in range(600):
        if condition():
            return
        event.wait(0.05)
    raise AssertionError("timed out")


def test_the_list_names_the_chains_and_filters_by_one(site: dict[str, Any]) -> None:
    funder = site["nodes"][LOCAL].new_account()
    page = _page(site, InjectedWallet(site["nodes"][LOCAL], funder.address))
    page.goto(site["url"] + "/")
    page.wait_for_selector("body[data-ready]")
    cards = page.locator("#bounties article.card")
    assert cards.count() == 3
    assert cards.locator(".chain-tag").all_inner_texts() == ["Local dev chain", "Local dev chain", "chain 1337"]
    assert cards.locator(".title a[data-nav]").evaluate_all("links => links.map((a) => a.getAttribute('href'))") == [
        "/bounty/2?chain=local", "/bounty/1?chain=local", "/bounty/1?chain=1337"]
    assert page.locator("#escrow-info").inner_text() == "escrows on chain 1337, Local dev chain"
    assert page.locator("#index-info").inner_text().startswith("index at block ")
    assert "on Local dev chain" in page.locator("#index-info").inner_text()
    assert "chain 31337" not in page.locator("body").inner_text()  # a known chain is named, never numbered
    assert page.locator("#chain-filter option").all_inner_texts() == ["every chain", "chain 1337", "Local dev chain"]
    page.screenshot(path=str(SCREENSHOTS / "bounties-two-chains.png"), full_page=True)
    page.select_option("#chain-filter", "1337")
    page.click("#filters button")
    page.locator("article[data-bounty-id='2']").wait_for(state="detached")
    assert page.url.endswith("?chain=1337")
    assert cards.count() == 1 and "beta/tool" in cards.first.inner_text()
    assert page.locator("#pager").inner_text().startswith("showing 1 to 1 of 1")
    page.click("#bounties .title a[data-nav]")
    page.wait_for_selector("h1")
    assert page.url.endswith("/bounty/1?chain=1337")
    assert page.locator("a[href='https://github.com/beta/tool/issues/1']").count() == 1
    _check(page)
    page.close()


def test_a_pledge_goes_to_the_escrow_of_the_bountys_chain(site: dict[str, Any]) -> None:
    node, client = site["nodes"][OTHER], site["clients"][OTHER]
    funder = node.new_account()
    wallet = InjectedWallet(node, funder.address)  # its wallet starts on Ethereum (chain id 1)
    page = _page(site, wallet)
    page.goto(f"{site['url']}/bounty/1?chain=1337")
    page.wait_for_selector("body[data-ready]")
    page.click("#connect")
    page.wait_for_selector("#wrong-chain")
    assert page.locator("#wrong-chain").inner_text() == (
        "Your wallet is on Ethereum; this bounty's escrow is on chain 1337.")
    assert page.locator("#chain-banner button").inner_text() == "Switch to chain 1337"
    page.click("#chain-banner button")
    page.wait_for_selector("#pledge-form")
    local_before = site["clients"][LOCAL].bounty(1).total
    page.fill("#pledge-form input[name=amount]", "0.5")
    page.click("#pledge-form button")
    _wait_progress(page, "index updated")
    assert client.pledge_of(1, funder.address).amount == ETHER // 2  # on chain 1337's escrow ...
    assert site["clients"][LOCAL].bounty(1).total == local_before  # ... not on the other chain's bounty 1
    assert " on chain 1337" in page.locator("#progress").inner_text()
    _until(lambda: queries.bounty(site["db"], 1, chain=OTHER).bounty.total == ETHER // 2)
    page.reload()
    page.wait_for_selector("#stat-total")
    assert page.locator("#stat-total").inner_text() == "0.5 ETH"
    _check(page)
    page.close()


def test_an_id_on_two_chains_asks_which_one(site: dict[str, Any]) -> None:
    page = _page(site, InjectedWallet(site["nodes"][LOCAL], site["nodes"][LOCAL].new_account().address))
    page.goto(f"{site['url']}/bounty/1")
    page.wait_for_selector("p.failed")
    assert page.locator("p.failed").inner_text() == (
        "Error: bounty 1 is on several chains of this index: chain 1337 (?chain=1337), Local dev chain (?chain=local); "
        "add ?chain= to choose")
    page.goto(f"{site['url']}/bounty/2")  # only one chain has it: no chain needed
    page.wait_for_selector("h1")
    assert page.locator("a[href='https://github.com/alpha/lib/issues/2']").count() == 1
    _check(page)
    page.close()
