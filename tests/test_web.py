"""The funders' page in a real browser: Debian's chromium driven by Playwright, against a real
anvil node with the demo's bounties and fundraisers, the index and `bountychain serve`'s server.

The test injects an EIP-1193 wallet (announced through EIP-6963) whose `request` is forwarded
to the node, sending as an impersonated funder account. It connects, is asked to switch chain,
pledges ETH and a token (approve exactly, then pledge), and meets a refusal decoded from the
escrow's custom errors; on optimistic bounties (backer review) the approver proposes, a funder
objects and, once the window ended, anyone finalizes; backs fundraisers in ETH and a token, pays out one that succeeded
(`withdrawRaised`, sent by someone who is not the beneficiary) and refunds one that failed;
balances are checked on the chain, pledges in the index and on the page. Screenshots land in
build/screenshots/."""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path
from typing import Any

import pytest
import requests

from bountychain import ETH, AnvilNode, BountyClient, deploy_contract, send_transaction
from bountychain.index import Indexer, queries
from bountychain.seed import seed
from bountychain.signers import from_private_key
from bountychain.web import WebApp, make_server

pytestmark = [pytest.mark.anvil, pytest.mark.browser]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path(__file__).resolve().parents[1] / "build" / "screenshots"
ETHER = 10**18
USDC = 10**6
TIMEOUT = 30_000

# An EIP-1193 provider announced through EIP-6963; `request` goes to the test through the
# exposed function, and errors come back with their code and revert data as a wallet's do.
WALLET_SCRIPT = """
(() => {
  const listeners = {};
  const provider = {
    async request({ method, params }) {
      const reply = JSON.parse(await window.__walletRpc(JSON.stringify({ method, params: params || [] })));
      if (reply.error) {
        const error = new Error(reply.error.message);
        error.code = reply.error.code;
        error.data = reply.error.data;
        throw error;
      }
      return reply.result;
    },
    on(event, fn) { (listeners[event] ||= []).push(fn); },
    removeListener(event, fn) { listeners[event] = (listeners[event] || []).filter((f) => f !== fn); },
  };
  const info = { uuid: "7d3c5a52-3d7e-4c7a-9a57-5d0c2f1e0b01", name: "Test Wallet", rdns: "org.bountychain.test",
    icon: "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 1 1'/%3E" };
  const announce = () => window.dispatchEvent(new CustomEvent("eip6963:announceProvider",
    { detail: Object.freeze({ info, provider }) }));
  window.addEventListener("eip6963:requestProvider", announce);
  announce();
})();
"""


class InjectedWallet:
    """The wallet's back end: answers account and chain requests itself, forwards the rest
    to anvil, where the account is impersonated (anvil signs for it)."""

    def __init__(self, node: AnvilNode, account: str) -> None:
        self.node = node
        self.account = account
        self.chain_id = "0x1"  # starts on the wrong chain: the page must ask to switch
        self.sent: list[str] = []
        node._rpc("anvil_impersonateAccount", [account])

    def __call__(self, payload: str) -> str:
        request = json.loads(payload)
        method, params = request["method"], request["params"]
        if method in ("eth_requestAccounts", "eth_accounts"):
            return json.dumps({"result": [self.account]})
        if method == "eth_chainId":
            return json.dumps({"result": self.chain_id})
        if method == "wallet_switchEthereumChain":
            self.chain_id = hex(self.node.chain_id) if int(params[0]["chainId"], 16) == self.node.chain_id else "0x1"
            return json.dumps({"result": None})
        if method == "eth_sendTransaction":
            self.sent.append(params[0].get("data", "")[:10])
        response = requests.post(self.node.url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params},
                                 timeout=30).json()
        return json.dumps({key: response[key] for key in ("result", "error") if key in response})


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing (`make test` installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    node = AnvilNode()
    server = None
    try:
        deployer = node.new_account()
        client = BountyClient.deploy(node, deployer, poll_latency=0.01)
        story = seed(client)
        funder = node.new_account()
        usdc = client.w3.eth.contract(address=story["usdc"], abi=client._token_abi)
        send_transaction(node.w3, deployer, usdc.functions.mint(funder.address, 1_000 * USDC))
        db_path = tmp_path_factory.mktemp("web") / "index.sqlite3"
        indexer = Indexer.for_client(client, db_path, batch=5)
        indexer.sync()
        app = WebApp(indexer, db_path, interval=0.5)
        server = make_server(app, "127.0.0.1", 0)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
        app.start_following()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            try:
                yield {"node": node, "client": client, "story": story, "funder": funder, "usdc": usdc,
                       "app": app, "url": f"http://127.0.0.1:{server.server_address[1]}", "browser": browser}
            finally:
                browser.close()
        app.stop()
    finally:
        if server is not None:
            server.shutdown()
            server.server_close()
        node.close()


def _page(site: dict[str, Any], wallet: InjectedWallet) -> Any:
    page = site["browser"].new_page(viewport={"width": 1200, "height": 900})
    page.set_default_timeout(TIMEOUT)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("requestfailed", lambda request: errors.append(f"request failed: {request.url}"))
    page.on("request", lambda request: errors.append(f"external request: {request.url}")
            if not request.url.startswith((site["url"], "data:")) else None)
    page.expose_function("__walletRpc", wallet)
    page.add_init_script(WALLET_SCRIPT)
    page.errors = errors  # type: ignore[attr-defined]
    return page


PLACEHOLDERS = re.compile(r"\b(null|undefined|NaN)\b")


def _check(page: Any) -> None:
    """No script error, no request outside the site, and no value the page failed to fill:
    a visible "null", "undefined" or "NaN" is a missing field rendered as text."""
    assert page.errors == []  # type: ignore[attr-defined]
    shown = page.locator("body").inner_text()
    assert not PLACEHOLDERS.search(shown), PLACEHOLDERS.search(shown).group(0) + " in: " + shown


def _wait_progress(page: Any, text: str) -> None:
    page.locator("#progress li", has_text=text).wait_for()


def test_list_page_shows_the_demo_bounties_with_links_totals_and_status(site: dict[str, Any]) -> None:
    wallet = InjectedWallet(site["node"], site["funder"].address)
    page = _page(site, wallet)
    page.goto(site["url"] + "/")
    page.wait_for_selector("body[data-ready]")
    cards = page.locator("#bounties article.card")
    assert cards.count() == 5
    bounties = site["story"]["bounties"]
    first = page.locator(f"article[data-bounty-id='{bounties['open_eth']}']")
    assert first.locator("a[href='https://github.com/bountychain-demo/parser/issues/17']").count() == 1
    assert "1 ETH" in first.inner_text() and first.locator(".badge").text_content() == "open"
    assert first.locator(".solutions a").evaluate_all("links => links.map((a) => a.href)") == [
        "https://github.com/bountychain-demo/parser/pull/41", "https://github.com/bountychain-demo/parser/pull/44"]
    assert page.locator(f"article[data-bounty-id='{bounties['awarded_usdc']}'] .badge").text_content() == "awarded"
    assert page.locator(f"article[data-bounty-id='{bounties['cancelled_eth']}'] .badge").text_content() == "cancelled"
    assert "25 USDC" in page.locator(f"article[data-bounty-id='{bounties['open_usdc']}']").inner_text()
    review = page.locator(f"article[data-bounty-id='{bounties['under_review_eth']}']")
    assert review.locator(".badge").text_content() == "under review"  # words, not the API's name
    assert "backer review" in review.inner_text() and "proposal pending, window ends in 3 days" in review.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "bounties.png"), full_page=True)
    # The repository filter goes through the API's query.
    page.fill("input[name=repo]", "bountychain-demo/cli")
    page.click("#filters button")
    # (Not wait_for_function: polling a string predicate needs eval, which the page's CSP forbids.)
    page.locator(f"article[data-bounty-id='{bounties['open_eth']}']").wait_for(state="detached")
    assert page.locator("#bounties article.card").count() == 1
    _check(page)
    page.close()


def test_list_page_shows_fundraisers_with_goal_progress_deadline_kind_and_beneficiary(site: dict[str, Any]) -> None:
    wallet = InjectedWallet(site["node"], site["funder"].address)
    page = _page(site, wallet)
    page.goto(site["url"] + "/")
    page.wait_for_selector("body[data-ready]")
    fundraisers = site["story"]["fundraisers"]
    project = site["story"]["addresses"]["project"]
    assert page.locator("#fundraisers article.card").count() == 2
    assert page.locator("#bounties article.card").count() == 5  # bounties are listed apart
    eth = page.locator(f"#fundraisers article[data-bounty-id='{fundraisers['raising_eth']}']")
    text = eth.inner_text()
    assert "1.2 ETH of 2 ETH" in text and "60% of the goal" in text and "all-or-nothing" in text
    assert f"for {project[:6]}…{project[-4:]}" in text and "deadline in 45 days" in text and "2 backers" in text
    assert eth.locator("progress.goal").get_attribute("value") == "600"
    assert eth.locator(".badge").text_content() == "raising"
    assert eth.locator(f"a[href='/fundraiser/{fundraisers['raising_eth']}']").count() == 1
    usdc = page.locator(f"#fundraisers article[data-bounty-id='{fundraisers['flexible_usdc']}']")
    assert "150 USDC of 1000 USDC" in usdc.inner_text() and "flexible" in usdc.inner_text()
    assert usdc.locator("progress.goal").get_attribute("value") == "150"
    page.screenshot(path=str(SCREENSHOTS / "list-with-fundraisers.png"), full_page=True)
    # The kind filter shows fundraisers only, through the API's query.
    page.select_option("select[name=kind]", "fundraiser")
    page.click("#filters button")
    page.locator("#bounties").wait_for(state="detached")
    assert page.locator("h1").text_content() == "Fundraisers"
    assert page.locator("#fundraisers article.card").count() == 2
    assert "kind=fundraiser" in page.url
    listed = requests.get(f"{site['url']}/api/bounties?kind=fundraiser", timeout=10).json()["bounties"]
    assert [(f["bounty_id"], f["kind"], f["goal"], f["raised"], f["beneficiary"], f["all_or_nothing"])
            for f in listed] == [
        (fundraisers["flexible_usdc"], "fundraiser", str(1000 * USDC), str(150 * USDC), project, False),
        (fundraisers["raising_eth"], "fundraiser", str(2 * ETHER), str(12 * ETHER // 10), project, True)]
    assert requests.get(f"{site['url']}/api/bounties?kind=bogus", timeout=10).status_code == 400
    _check(page)
    page.close()


def test_eth_pledge_from_the_browser_moves_the_balance_and_shows_in_index_and_page(site: dict[str, Any]) -> None:
    node, client, funder = site["node"], site["client"], site["funder"]
    bounty_id = site["story"]["bounties"]["open_eth"]
    wallet = InjectedWallet(node, funder.address)
    page = _page(site, wallet)
    page.goto(f"{site['url']}/bounty/{bounty_id}")
    page.wait_for_selector("body[data-ready]")
    page.click("#connect")
    page.wait_for_selector("#wrong-chain")  # the wallet is on chain 1
    page.click("#chain-banner button")
    page.wait_for_selector("#pledge-form")
    assert page.locator("#chain-banner").is_hidden()
    balance = client.balance_of(funder.address)
    page.fill("#pledge-form input[name=amount]", "0.25")
    page.click("#pledge-form button")
    _wait_progress(page, "index updated")
    assert "confirmed in block" in page.locator("#progress").inner_text()
    assert client.pledge_of(bounty_id, funder.address).amount == ETHER // 4
    receipts = [client.w3.eth.get_transaction_receipt(tx) for tx in _funder_txs(client, funder.address)]
    gas = sum(r["gasUsed"] * r["effectiveGasPrice"] for r in receipts)
    assert client.balance_of(funder.address) == balance - ETHER // 4 - gas
    pledges = {p.funder: p for p in queries.bounty(site["app"].reader(), bounty_id).pledges}
    assert pledges[funder.address].outstanding == ETHER // 4
    page.wait_for_selector(f"#pledges tr[data-funder='{funder.address}']")
    assert page.locator("#stat-total").inner_text() == "1.25 ETH"
    page.screenshot(path=str(SCREENSHOTS / "bounty-eth-pledged.png"), full_page=True)
    _check(page)
    page.close()


def _funder_txs(client: BountyClient, address: str) -> list[str]:
    txs = []
    for number in range(client.w3.eth.block_number + 1):
        for tx in client.w3.eth.get_block(number, full_transactions=True)["transactions"]:
            if tx["from"] == address:
                txs.append(tx["hash"])
    return txs


def test_token_pledge_approves_exactly_the_amount_then_pledges(site: dict[str, Any]) -> None:
    node, client, funder, usdc = site["node"], site["client"], site["funder"], site["usdc"]
    bounty_id = site["story"]["bounties"]["open_usdc"]
    wallet = InjectedWallet(node, funder.address)
    wallet.chain_id = hex(node.chain_id)
    page = _page(site, wallet)
    page.goto(f"{site['url']}/bounty/{bounty_id}")
    page.wait_for_selector("body[data-ready]")
    page.click("#connect")
    page.wait_for_selector("#pledge-form")
    held = usdc.functions.balanceOf(funder.address).call()
    escrow_held = usdc.functions.balanceOf(client.address).call()
    page.fill("#pledge-form input[name=amount]", "12.5")
    page.click("#pledge-form button")
    _wait_progress(page, "index updated")
    text = page.locator("#progress").inner_text()
    assert "approve the escrow for exactly 12.5 USDC: confirmed" in text
    assert "pledge 12.5 USDC: confirmed" in text
    # Two transactions: approve(address,uint256), then the escrow's pledge(uint256,uint256).
    assert wallet.sent == ["0x095ea7b3", client.contract.functions.pledge(0, 0, 0)._encode_transaction_data()[:10]]
    assert usdc.functions.balanceOf(funder.address).call() == held - 12_500_000
    assert usdc.functions.balanceOf(client.address).call() == escrow_held + 12_500_000
    assert usdc.functions.allowance(funder.address, client.address).call() == 0  # exactly used up
    assert client.pledge_of(bounty_id, funder.address).amount == 12_500_000
    assert queries.bounty(site["app"].reader(), bounty_id).bounty.total == 37_500_000
    page.wait_for_selector(f"#pledges tr[data-funder='{funder.address}']")
    assert page.locator("#stat-total").inner_text() == "37.5 USDC"
    page.screenshot(path=str(SCREENSHOTS / "bounty-usdc-pledged.png"), full_page=True)
    _check(page)
    page.close()


def test_a_hunter_submits_and_the_approver_awards_from_the_page(site: dict[str, Any]) -> None:
    node, client, usdc = site["node"], site["client"], site["usdc"]
    bounty_id = site["story"]["bounties"]["open_usdc"]
    hunter = node.new_account()
    wallet = InjectedWallet(node, hunter.address)
    wallet.chain_id = hex(node.chain_id)
    page = _page(site, wallet)
    page.goto(f"{site['url']}/bounty/{bounty_id}")
    page.wait_for_selector("body[data-ready]")
    page.click("#connect")
    page.wait_for_selector("#submit-form")
    assert page.locator("#award-form").count() == 0  # only the approver sees it
    page.fill("#submit-form input[name=url]", "https://github.com/bountychain-demo/cli/pull/6")
    page.click("#submit-form button")
    _wait_progress(page, "index updated")
    assert [(c.hunter, c.uri) for c in client.claims(bounty_id)] == [
        (hunter.address, "https://github.com/bountychain-demo/cli/pull/6")]
    page.wait_for_selector("#claims td >> text=https://github.com/bountychain-demo/cli/pull/6")
    page.close()

    approver = site["story"]["addresses"]["maintainer"]
    page = _page(site, InjectedWallet(node, approver))
    page.goto(f"{site['url']}/bounty/{bounty_id}")
    page.wait_for_selector("body[data-ready]")
    page.click("#connect")
    page.click("#chain-banner button")
    page.wait_for_selector("#award-form")
    pool = client.bounty(bounty_id).total
    page.fill("#award-form input[name=claim-1]", "100")
    page.click("#award-form button")
    _wait_progress(page, "index updated")
    assert usdc.functions.balanceOf(hunter.address).call() == pool  # the demo escrow charges no fee
    page.wait_for_selector("h1 .badge.awarded")
    assert [a.paid for a in queries.hunter_record(site["app"].reader(), hunter.address).awards] == [pool]
    page.screenshot(path=str(SCREENSHOTS / "bounty-awarded.png"), full_page=True)
    _check(page)
    page.close()


def test_pledges_made_elsewhere_reach_the_page_through_the_background_sync(site: dict[str, Any]) -> None:
    client, node = site["client"], site["node"]
    bounty_id = site["story"]["bounties"]["open_eth"]
    outsider = node.new_account()
    client.as_signer(outsider).pledge(bounty_id, "0.01 ether")  # not through the page
    page = site["browser"].new_page()
    page.set_default_timeout(TIMEOUT)
    for _ in range(40):
        page.goto(f"{site['url']}/bounty/{bounty_id}")
        page.wait_for_selector("body[data-ready]")
        if page.locator(f"#pledges tr[data-funder='{outsider.address}']").count():
            break
        page.wait_for_timeout(250)
    assert page.locator(f"#pledges tr[data-funder='{outsider.address}']").count() == 1
    page.close()


def test_a_refused_pledge_shows_the_decoded_reason_and_sends_nothing(site: dict[str, Any]) -> None:
    node, client, funder = site["node"], site["client"], site["funder"]
    bounty_id = site["story"]["bounties"]["open_eth"]
    wallet = InjectedWallet(node, funder.address)
    wallet.chain_id = hex(node.chain_id)
    page = _page(site, wallet)
    page.goto(f"{site['url']}/bounty/{bounty_id}")
    page.wait_for_selector("body[data-ready]")
    page.click("#connect")
    page.wait_for_selector("#pledge-form")
    # The issuer cancels while the page still shows the bounty open.
    maintainer = from_private_key(site["story"]["keys"]["maintainer"])
    client.as_signer(maintainer).cancel(bounty_id)
    nonce = client.w3.eth.get_transaction_count(funder.address)
    page.fill("#pledge-form input[name=amount]", "0.1")
    page.click("#pledge-form button")
    page.wait_for_selector("#progress li.failed")
    text = page.locator("#progress li.failed").inner_text()
    assert f"BountyNotOpen (bounty {bounty_id} is no longer open (it is cancelled))" in text
    assert client.w3.eth.get_transaction_count(funder.address) == nonce
    page.screenshot(path=str(SCREENSHOTS / "bounty-refused.png"), full_page=True)

    # Cancelled: the funder's pledge of the ETH test is refundable at once, from the page.
    page.reload()
    page.wait_for_selector("body[data-ready]")
    page.wait_for_selector("#account")  # the wallet is remembered: connected again without a click
    page.wait_for_selector("#refund-form")
    assert page.locator("#pledge-form").count() == 0
    balance = client.balance_of(funder.address)
    page.click("#refund-form button")
    _wait_progress(page, "index updated")
    refund_tx = client.w3.eth.get_block("latest", full_transactions=True)["transactions"][0]
    receipt = client.w3.eth.get_transaction_receipt(refund_tx["hash"])
    assert refund_tx["from"] == funder.address
    assert client.balance_of(funder.address) == balance + ETHER // 4 - receipt["gasUsed"] * receipt["effectiveGasPrice"]
    assert client.pledge_of(bounty_id, funder.address).amount == 0
    page.wait_for_selector(f"#pledges tr[data-funder='{funder.address}'] >> text=refunded")
    page.close()


def test_backing_a_fundraiser_in_eth_and_usdc_from_the_browser(site: dict[str, Any]) -> None:
    node, client, funder, usdc = site["node"], site["client"], site["funder"], site["usdc"]
    fundraisers = site["story"]["fundraisers"]
    wallet = InjectedWallet(node, funder.address)
    page = _page(site, wallet)
    page.goto(f"{site['url']}/fundraiser/{fundraisers['raising_eth']}")
    page.wait_for_selector("body[data-ready]")
    assert page.locator("h1").inner_text().startswith(f"Fundraiser #{fundraisers['raising_eth']}")
    assert page.locator("#goal-progress").get_attribute("value") == "600"
    assert page.locator("#solutions, #claims, #submit-form, #award-form").count() == 0  # no solutions or awards
    page.click("#connect")
    page.click("#chain-banner button")
    page.wait_for_selector("#pledge-form")
    escrow_balance = client.balance_of(client.address)
    page.fill("#pledge-form input[name=amount]", "0.3")
    page.click("#pledge-form button")
    _wait_progress(page, "index updated")
    assert client.pledge_of(fundraisers["raising_eth"], funder.address).amount == 3 * ETHER // 10
    assert client.balance_of(client.address) == escrow_balance + 3 * ETHER // 10
    assert client.fundraiser(fundraisers["raising_eth"]).raised == 15 * ETHER // 10
    assert queries.bounty(site["app"].reader(), fundraisers["raising_eth"]).bounty.raised == 15 * ETHER // 10
    page.wait_for_selector(f"#pledges tr[data-funder='{funder.address}']")
    assert page.locator("#stat-raised").inner_text() == "1.5 ETH"
    assert page.locator("#goal-progress").get_attribute("value") == "750"
    assert page.locator("#goal-percent").inner_text() == "75% of the goal"
    page.screenshot(path=str(SCREENSHOTS / "fundraiser-eth-pledged.png"), full_page=True)

    # A token fundraiser: approve exactly the amount, then pledge, as for a bounty.
    wallet.sent.clear()
    page.goto(f"{site['url']}/fundraiser/{fundraisers['flexible_usdc']}")
    page.wait_for_selector("body[data-ready]")
    page.wait_for_selector("#account")  # remembered
    page.wait_for_selector("#pledge-form")
    held = usdc.functions.balanceOf(funder.address).call()
    page.fill("#pledge-form input[name=amount]", "50")
    page.click("#pledge-form button")
    _wait_progress(page, "index updated")
    assert "approve the escrow for exactly 50 USDC: confirmed" in page.locator("#progress").inner_text()
    assert wallet.sent == ["0x095ea7b3", client.contract.functions.pledge(0, 0, 0)._encode_transaction_data()[:10]]
    assert usdc.functions.balanceOf(funder.address).call() == held - 50 * USDC
    assert client.fundraiser(fundraisers["flexible_usdc"]).raised == 200 * USDC
    page.wait_for_selector(f"#pledges tr[data-funder='{funder.address}']")
    assert page.locator("#stat-raised").inner_text() == "200 USDC"
    assert page.locator("#goal-progress").get_attribute("value") == "200"
    record = requests.get(f"{site['url']}/api/funders/{funder.address}", timeout=10).json()
    assert record["fundraisers"] == 2
    page.screenshot(path=str(SCREENSHOTS / "fundraiser-usdc-pledged.png"), full_page=True)
    _check(page)
    page.close()


def test_anyone_pays_out_a_fundraiser_that_succeeded_and_backers_refund_one_that_failed(site: dict[str, Any]) -> None:
    node, client, app = site["node"], site["client"], site["app"]
    maintainer = client.as_signer(from_private_key(site["story"]["keys"]["maintainer"]))
    beneficiary, backer, keeper = node.new_account(0), node.new_account(), node.new_account()
    deadline = node.now() + 3_600
    met = maintainer.create_fundraiser("https://github.com/bountychain-demo/parser/milestone/3", beneficiary.address,
                                       "1 ether", deadline).fundraiser_id
    missed = maintainer.create_fundraiser("https://github.com/bountychain-demo/parser/milestone/4",
                                          beneficiary.address, "5 ether", deadline).fundraiser_id
    client.as_signer(backer).pledge(met, "1 ether")
    client.as_signer(backer).pledge(missed, "0.5 ether")

    # Before the deadline nobody can pay out: the page offers only pledges.
    page = _page(site, InjectedWallet(node, keeper.address))
    app.sync()
    page.goto(f"{site['url']}/fundraiser/{met}")
    page.wait_for_selector("body[data-ready]")
    page.click("#connect")
    page.click("#chain-banner button")
    page.wait_for_selector("#pledge-form")
    assert page.locator("#withdraw-raised-form").count() == 0

    node.set_next_block_timestamp(deadline)
    node._rpc("evm_mine", [])
    app.sync()
    page.goto(f"{site['url']}/fundraiser/{met}")
    page.wait_for_selector("body[data-ready]")
    page.wait_for_selector("#account")  # remembered, and on the escrow's chain since the switch above
    page.wait_for_selector("#withdraw-raised-form")
    assert page.locator("h1 .badge").text_content() == "succeeded"
    assert page.locator("#pledge-form, #refund-form").count() == 0
    page.screenshot(path=str(SCREENSHOTS / "fundraiser-succeeded.png"), full_page=True)
    before = client.balance_of(beneficiary.address)
    page.click("#withdraw-raised-form button")
    _wait_progress(page, "index updated")
    assert client.balance_of(beneficiary.address) == before + ETHER  # the demo escrow charges no fee
    assert client.fundraiser(met).state.value == "paid"
    page.wait_for_selector("h1 .badge.paid")
    assert page.locator("#stat-paid").inner_text() == "1 ETH"
    assert page.locator("#stat-raised").inner_text() == "1 ETH"
    tx = client.w3.eth.get_block("latest", full_transactions=True)["transactions"][0]
    assert tx["from"] == keeper.address  # sent by a keeper, paid to the beneficiary
    receipts = requests.get(f"{site['url']}/api/beneficiaries/{beneficiary.address}", timeout=10).json()
    assert [(r["bounty_id"], r["amount"]) for r in receipts["receipts"]] == [(met, str(ETHER))]
    assert {f["bounty_id"]: f["status"] for f in receipts["fundraisers"]} == {met: "paid", missed: "failed"}
    page.screenshot(path=str(SCREENSHOTS / "fundraiser-paid.png"), full_page=True)
    _check(page)
    page.close()

    # The all-or-nothing fundraiser that missed its goal: its backer refunds from the page.
    page = _page(site, InjectedWallet(node, backer.address))
    page.goto(f"{site['url']}/fundraiser/{missed}")
    page.wait_for_selector("body[data-ready]")
    page.click("#connect")
    page.click("#chain-banner button")
    page.wait_for_selector("#refund-form")
    assert page.locator("h1 .badge").text_content() == "failed"
    assert page.locator("#withdraw-raised-form, #pledge-form").count() == 0
    page.click("#refund-form button")
    _wait_progress(page, "index updated")
    assert client.pledge_of(missed, backer.address).amount == 0
    page.wait_for_selector(f"#pledges tr[data-funder='{backer.address}'] >> text=refunded")
    page.screenshot(path=str(SCREENSHOTS / "fundraiser-refunded.png"), full_page=True)
    _check(page)
    page.close()


def test_an_optimistic_bounty_shows_its_policy_and_live_proposal(site: dict[str, Any]) -> None:
    bounty_id = site["story"]["bounties"]["under_review_eth"]
    page = _page(site, InjectedWallet(site["node"], site["funder"].address))
    page.goto(f"{site['url']}/bounty/{bounty_id}")
    page.wait_for_selector("body[data-ready]")
    assert page.locator("h1 .badge").text_content() == "under review"
    policy = page.locator("#review-policy").inner_text()
    project = site["story"]["addresses"]["project"]
    assert "3 days to object" in policy and "50% of the pool" in policy and project in policy
    assert page.locator("#proposal-state").text_content() == "pending"
    assert page.locator("#proposed-split tr").count() == 3  # a header and two claims
    split = page.locator("#proposed-split").inner_text()
    assert "70%" in split and "0.7 ETH" in split and "30%" in split
    # carol objected with 0.3 ETH of the 1 ETH pool; half of it (0.5 ETH) blocks.
    assert page.locator("#weight-against").inner_text().startswith("Objections: 0.3 ETH of the 0.5 ETH needed to block it")
    assert page.locator("#weight-bar").get_attribute("value") == "600"
    assert "UTC" in page.locator("#window-end").inner_text()
    assert re.fullmatch(r"2d \d\d:\d\d:\d\d left", page.locator("#window-countdown").inner_text())
    data = requests.get(f"{site['url']}/api/bounties/{bounty_id}", timeout=10).json()
    chain = site["client"].proposal(bounty_id)
    assert (data["bounty"]["proposal_state"], data["bounty"]["weight_against"], data["bounty"]["window_end"],
            data["bounty"]["proposed_shares"], data["bounty"]["approver"]) == (
        "pending", str(chain.weight_against), chain.window_end, list(chain.shares_bps), chain.approver)
    carol = site["story"]["addresses"]["carol"]
    objections = requests.get(f"{site['url']}/api/funders/{carol}", timeout=10).json()["objections"]
    assert [(o["bounty_id"], o["weight"]) for o in objections] == [(bounty_id, str(3 * ETHER // 10))]
    listed = requests.get(f"{site['url']}/api/bounties?status=under_review", timeout=10).json()["bounties"]
    assert [b["bounty_id"] for b in listed] == [bounty_id]
    page.screenshot(path=str(SCREENSHOTS / "bounty-under-review.png"), full_page=True)
    _check(page)
    page.close()


def _connected(site: dict[str, Any], address: str, bounty_id: int, ready: str) -> Any:
    page = _page(site, InjectedWallet(site["node"], address))
    page.goto(f"{site['url']}/bounty/{bounty_id}")
    page.wait_for_selector("body[data-ready]")
    page.click("#connect")
    page.click("#chain-banner button")
    page.wait_for_selector(ready)
    return page


def test_the_approver_proposes_a_funder_objects_and_anyone_finalizes_from_the_page(site: dict[str, Any]) -> None:
    """Without an arbiter there is no quorum: an objection withholds the objector's pledge from
    the proposal, the award pays the others' pledges, and the objector takes its pledge back."""
    from bountychain import ProposalState, ReviewTerms

    node, client, app = site["node"], site["client"], site["app"]
    maintainer = from_private_key(site["story"]["keys"]["maintainer"])
    backer, objector, hunter, keeper = (node.new_account() for _ in range(4))
    bounty_id = client.as_signer(maintainer).create_bounty(
        "https://github.com/bountychain-demo/governance/issues/60", node.now() + 30 * 86_400,
        review=ReviewTerms(86_400)).bounty_id
    client.as_signer(backer).pledge(bounty_id, "1 ether")
    client.as_signer(objector).pledge(bounty_id, "0.5 ether")
    client.as_signer(hunter).submit_solution(bounty_id, "https://github.com/bountychain-demo/governance/pull/61")
    app.sync()
    review = client.review_contract.address

    # The approver of a reviewed bounty proposes (no direct award), on the review contract.
    wallet = InjectedWallet(node, maintainer.address)
    page = _page(site, wallet)
    page.goto(f"{site['url']}/bounty/{bounty_id}")
    page.wait_for_selector("body[data-ready]")
    page.click("#connect")
    page.click("#chain-banner button")
    page.wait_for_selector("#propose-form")
    assert page.locator("#award-form").count() == 0
    assert "Backers then have 1 day to object" in page.locator("#propose-form + p").inner_text()
    policy = page.locator("#review-policy").inner_text()
    assert "quorum" not in policy and "withholds the objector's pledge" in policy
    page.fill("#propose-form input[name=claim-1]", "100")
    page.click("#propose-form button")
    _wait_progress(page, "index updated")
    assert wallet.sent == [client.review_contract.functions.propose(0, [], [])._encode_transaction_data()[:10]]
    proposal = client.proposal(bounty_id)
    assert (proposal.state, proposal.claim_ids, proposal.shares_bps) == (ProposalState.PENDING, (1,), (10_000,))
    page.wait_for_selector("h1 .badge.under_review")
    assert page.locator("#proposal-state").text_content() == "pending"
    assert page.locator("#object-form, #finalize-form").count() == 0  # the approver pledged nothing
    assert page.locator("#weight-bar").count() == 0  # no quorum to reach
    assert "quorum" not in page.locator("#proposal").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "bounty-proposed.png"), full_page=True)
    _check(page)
    page.close()

    # A funder objects once: its pledge is withheld from the proposal.
    page = _connected(site, objector.address, bounty_id, "#object-form")
    assert page.locator("#weight-against").inner_text().startswith("0 ETH of 1.5 ETH withheld by objections")
    assert "your pledge of 0.5 ETH is withheld from this proposal" in page.locator("#object-form").inner_text()
    page.click("#object-form button")
    _wait_progress(page, "index updated")
    assert client.has_objected(bounty_id, objector.address)
    assert client.proposal(bounty_id).weight_against == ETHER // 2
    page.wait_for_selector("#objected")
    assert page.locator("#object-form").count() == 0  # once per proposal
    assert page.locator("#weight-against").inner_text() == (
        "0.5 ETH of 1.5 ETH withheld by objections: the award would pay 1 ETH.")
    assert page.locator("#proposal-state").text_content() == "pending"  # nothing can block it
    page.screenshot(path=str(SCREENSHOTS / "bounty-objected.png"), full_page=True)
    _check(page)
    page.close()

    # Past the window: anyone finalizes, and the winner is paid the pledges not withheld.
    node.set_next_block_timestamp(proposal.window_end)
    node._rpc("evm_mine", [])
    app.sync()
    page = _connected(site, keeper.address, bounty_id, "#finalize-form")
    assert page.locator("#object-form").count() == 0
    before = client.balance_of(hunter.address)
    page.click("#finalize-form button")
    _wait_progress(page, "index updated")
    assert client.balance_of(hunter.address) == before + ETHER  # the demo escrow charges no fee
    assert client.proposal(bounty_id).state == ProposalState.EXECUTED
    page.wait_for_selector("h1 .badge.awarded")
    assert page.locator("#proposal-state").text_content() == "executed"
    assert page.locator("#stat-total").inner_text() == "0.5 ETH"  # the withheld pledge, still held
    page.screenshot(path=str(SCREENSHOTS / "bounty-finalized.png"), full_page=True)
    _check(page)
    page.close()

    # The objector takes its withheld pledge back at once.
    page = _connected(site, objector.address, bounty_id, "#refund-form")
    assert "your withheld pledge of 0.5 ETH did not fund it" in page.locator("#refund-form").inner_text()
    before = client.balance_of(objector.address)
    page.click("#refund-form button")
    _wait_progress(page, "index updated")
    assert client.pledge_of(bounty_id, objector.address).amount == 0
    assert client.balance_of(objector.address) > before
    page.wait_for_selector(f"#pledges tr[data-funder='{objector.address}'] >> text=refunded")
    assert page.locator(f"#pledges tr[data-funder='{backer.address}']").inner_text().endswith("awarded")
    assert review != client.address
    _check(page)
    page.close()


def test_a_plain_arbiter_decides_a_blocked_proposal_from_the_page(site: dict[str, Any]) -> None:
    """A plain arbiter (a maintainers' Safe, here an account) decides a blocked proposal without
    an escalation, with decide(bountyId, nonce, ruling); paying takes the whole pool,
    objectors' pledges included."""
    from bountychain import ProposalState, ReviewTerms

    node, client, app = site["node"], site["client"], site["app"]
    maintainer = from_private_key(site["story"]["keys"]["maintainer"])
    arbiter, objector, other, hunter = (node.new_account() for _ in range(4))
    bounty_id = client.as_signer(maintainer).create_bounty(
        "https://github.com/bountychain-demo/governance/issues/80", node.now() + 30 * 86_400,
        review=ReviewTerms(86_400, 5_000, arbiter.address)).bounty_id
    client.as_signer(objector).pledge(bounty_id, "0.6 ether")
    client.as_signer(other).pledge(bounty_id, "0.4 ether")
    client.as_signer(hunter).submit_solution(bounty_id, "https://github.com/bountychain-demo/governance/pull/81")
    client.as_signer(maintainer).propose(bounty_id, {1: 10_000})
    client.as_signer(objector).object(bounty_id)  # 60% of the pool: blocked
    app.sync()

    page = _connected(site, other.address, bounty_id, "#escalate-form")
    assert page.locator("#decide-pay-form, #decide-reject-form").count() == 0  # only the arbiter decides
    assert "50% of the pool objecting blocks a proposal" in page.locator("#review-policy").inner_text()
    assert "may be sent to the arbiter until" in page.locator("#decide-by").inner_text()
    _check(page)
    page.close()

    wallet = InjectedWallet(node, arbiter.address)
    page = _page(site, wallet)
    page.goto(f"{site['url']}/bounty/{bounty_id}")
    page.wait_for_selector("body[data-ready]")
    page.click("#connect")
    page.click("#chain-banner button")
    page.wait_for_selector("#decide-pay-form")
    page.click("#decide-pay-form button")
    _wait_progress(page, "index updated")
    decide = client.review_contract.functions.decide(0, 0, 0)._encode_transaction_data()[:10]
    assert wallet.sent == [decide]
    assert client.proposal(bounty_id).state == ProposalState.UPHELD
    page.wait_for_selector("#finalize-form")
    assert page.locator("#proposal-state").text_content() == "upheld"
    before = client.balance_of(hunter.address)
    page.click("#finalize-form button")
    _wait_progress(page, "finalize the proposal: confirmed")
    assert client.balance_of(hunter.address) == before + ETHER  # the objector's pledge too
    page.wait_for_selector("h1 .badge.awarded")
    _check(page)
    page.close()


def test_a_blocked_proposal_is_escalated_to_an_erc792_arbitrator_and_lapses_from_the_page(
        site: dict[str, Any]) -> None:
    from bountychain import ProposalState, ReviewTerms

    node, client, app = site["node"], site["client"], site["app"]
    maintainer = from_private_key(site["story"]["keys"]["maintainer"])
    early, blocker, hunter, keeper = (node.new_account() for _ in range(4))
    artifact = json.loads((Path(__file__).resolve().parent / "artifacts" / "MockArbitrator.json").read_text())
    cost = ETHER // 100
    arbitrator = deploy_contract(node.w3, keeper, "MockArbitrator", cost, abi=artifact["abi"],
                                 bytecode=artifact["bytecode"])
    bounty_id = client.as_signer(maintainer).create_bounty(
        "https://github.com/bountychain-demo/governance/issues/70", node.now() + 30 * 86_400,
        review=ReviewTerms(86_400, 3_000, arbitrator.address, arbiter_is_erc792=True)).bounty_id
    client.as_signer(early).pledge(bounty_id, "1 ether")
    client.as_signer(blocker).pledge(bounty_id, "0.5 ether")
    client.as_signer(hunter).submit_solution(bounty_id, "https://github.com/bountychain-demo/governance/pull/71")
    client.as_signer(maintainer).propose(bounty_id, {1: 10_000})
    app.sync()

    # One funder's page offers Object; meanwhile another funder's objection blocks the proposal
    # (a third of the pool, over the 30% quorum), so the first one's is refused, decoded.
    stale = _connected(site, early.address, bounty_id, "#object-form")
    page = _connected(site, blocker.address, bounty_id, "#object-form")
    page.click("#object-form button")
    _wait_progress(page, "index updated")
    assert client.proposal(bounty_id).state == ProposalState.BLOCKED
    page.wait_for_selector("#escalate-form")
    assert page.locator("#proposal-state").text_content() == "blocked"
    assert "paying its arbitration fee in ETH" in page.locator("#escalate-form").inner_text()
    page.close()
    nonce = client.w3.eth.get_transaction_count(early.address)
    stale.click("#object-form button")
    stale.wait_for_selector("#progress li.failed")
    assert (f"WrongProposalState (the proposal of bounty {bounty_id} is blocked, waiting for escalation)"
            in stale.locator("#progress li.failed").inner_text())
    assert client.w3.eth.get_transaction_count(early.address) == nonce  # nothing was sent
    stale.close()

    # Anyone escalates, paying the arbitrator's arbitrationCost("") in ETH.
    page = _connected(site, keeper.address, bounty_id, "#escalate-form")
    held = client.balance_of(arbitrator.address)
    page.click("#escalate-form button")
    _wait_progress(page, "index updated")
    assert "escalate to the arbiter, paying 0.01 ETH: confirmed" in page.locator("#progress").inner_text()
    assert client.balance_of(arbitrator.address) == held + cost
    proposal = client.proposal(bounty_id)
    assert (proposal.state, proposal.dispute_id) == (ProposalState.ESCALATED, 0)
    page.wait_for_selector("#dispute-id")
    assert page.locator("#proposal-state").text_content() == "escalated"
    assert page.locator("#escalate-form, #lapse-form, #finalize-form").count() == 0
    page.screenshot(path=str(SCREENSHOTS / "bounty-escalated.png"), full_page=True)
    _check(page)
    page.close()

    # The arbitrator never rules: past decide-by anyone lapses the dispute, rejecting the proposal.
    node.set_next_block_timestamp(proposal.decide_by)
    node._rpc("evm_mine", [])
    app.sync()
    page = _connected(site, keeper.address, bounty_id, "#lapse-form")
    page.click("#lapse-form button")
    _wait_progress(page, "index updated")
    assert client.proposal(bounty_id).state == ProposalState.NONE
    page.wait_for_selector("#proposal >> text=was rejected")
    assert queries.bounty(app.reader(), bounty_id).bounty.proposal_state == "none"
    _check(page)
    page.close()


def test_page_assets_are_local_and_the_server_refuses_paths_outside_static(site: dict[str, Any]) -> None:
    base = site["url"]
    html = requests.get(base + "/", timeout=10)
    assert "default-src 'self'" in html.headers["Content-Security-Policy"]
    assert "http" not in html.text.replace('content="width', "")  # no external asset
    assert requests.get(base + "/static/vendor/ethers.min.js", timeout=10).headers["Content-Type"].startswith("text/javascript")
    assert requests.get(base + "/static/%2e%2e/server.py", timeout=10).status_code == 404
    assert requests.get(base + "/api/bounties/999", timeout=10).status_code == 404
    assert requests.get(base + "/api/bounties?status=bogus", timeout=10).status_code == 400
    info = requests.get(base + "/api/info", timeout=10).json()
    assert info["chain_id"] == site["node"].chain_id and info["escrow"] == site["client"].address
    assert "BountyNotOpen" in info["errors"]
    # The review contract: where reviewed bounties' proposals, objections and decisions go.
    assert info["review"] == site["client"].review_contract.address
    assert {item.get("name") for item in info["review_abi"]} >= {
        "propose", "object", "finalize", "escalate", "lapse", "decide", "ReviewPolicySet"}
    assert any(item.get("name") == "pledge" and len(item["inputs"]) == 3 for item in info["escrow_abi"])
    story = site["story"]
    alice = requests.get(f"{base}/api/funders/{story['addresses']['alice'].lower()}", timeout=10).json()
    usdc_record = next(t for t in alice["by_token"] if t["symbol"] == "USDC")
    # 100 USDC on the awarded bounty, 25 on the other USDC bounty (awarded by an earlier test, if it ran).
    second_awarded = site["client"].bounty(story["bounties"]["open_usdc"]).status.name == "AWARDED"
    assert (usdc_record["pledged"], usdc_record["paid_out"]) == (
        str(125 * USDC), str((125 if second_awarded else 100) * USDC))
    dana = requests.get(f"{base}/api/hunters/{story['addresses']['dana']}", timeout=10).json()
    assert [(a["bounty_id"], a["paid"]) for a in dana["awards"]] == [(story["bounties"]["awarded_usdc"], str(150 * USDC))]
    assert requests.get(f"{base}/api/funders/0x123", timeout=10).status_code == 400
    listed = requests.get(f"{base}/api/bounties?repo=bountychain-demo/parser&status=awarded", timeout=10).json()
    assert [b["bounty_id"] for b in listed["bounties"]] == [story["bounties"]["awarded_usdc"]]
    assert [(s["claim_id"], s["uri"], s["paid"]) for s in listed["bounties"][0]["solutions"]] == [
        (1, "https://github.com/bountychain-demo/parser/pull/45", str(150 * USDC))]


def test_the_list_pages_through_the_api_and_the_docs_page_renders_the_openapi_offline(site: dict[str, Any]) -> None:
    """The API answers a page at a time: the page says which part of how many it shows and
    links the next and previous pages. /docs renders /openapi.json with local scripts only."""
    base = site["url"]
    total = requests.get(f"{base}/api/bounties?kind=bounty", timeout=10).json()["count"]
    assert total >= 4
    wallet = InjectedWallet(site["node"], site["funder"].address)
    page = _page(site, wallet)
    page.goto(base + "/?kind=bounty&limit=2")
    page.wait_for_selector("body[data-ready]")
    assert page.locator("#pager").inner_text().startswith(f"showing 1 to 2 of {total}")
    first_ids = page.locator("#bounties article.card").evaluate_all("cards => cards.map(c => c.dataset.bountyId)")
    page.locator("#pager a", has_text="next page").click()
    page.wait_for_selector("#pager >> text=showing 3 to 4")
    second_ids = page.locator("#bounties article.card").evaluate_all("cards => cards.map(c => c.dataset.bountyId)")
    assert len(second_ids) == 2 and not set(first_ids) & set(second_ids)
    assert page.locator("#pager a", has_text="previous page").count() == 1
    _check(page)
    page.goto(base + "/docs")
    page.wait_for_selector("body[data-ready]")
    docs = page.locator("#docs").inner_text()
    assert "GET /api/bounties" in docs and "POST /api/sync" in docs and "limit" in docs
    assert page.errors == []  # type: ignore[attr-defined]  # no script error, nothing fetched elsewhere
    page.close()


def test_the_amount_api_parses_the_pledge_form_by_the_sdks_rules(site: dict[str, Any]) -> None:
    """The page's pledge form is parsed on the server by `bountychain.amounts`: a bare number is
    the bounty's currency (the field says which), units and e notation as in the SDK and the CLI."""
    base, bounties = site["url"], site["story"]["bounties"]

    def amount(bounty_id: int, text: str) -> requests.Response:
        return requests.get(f"{base}/api/amount", params={"bounty": bounty_id, "text": text}, timeout=10)

    usdc = bounties["open_usdc"]
    assert amount(usdc, "12.5").json() == {"amount": str(12_500_000), "text": "12.5 USDC", "symbol": "USDC",
                                           "decimals": 6}
    assert amount(usdc, "1e-6 usdc").json()["amount"] == "1"
    for text, message in [("0.0000001", "more than 6 decimal places"), ("-1", "negative"),
                          ("1 ETH", "does not match 'USDC'"), ("abc", "not an amount")]:
        refused = amount(usdc, text)
        assert refused.status_code == 400 and message in refused.json()["error"], (text, refused.text)
    eth_bounty = next(b for b in site["client"].bounties() if b.token == ETH).bounty_id
    assert amount(eth_bounty, "1e-3 ETH").json()["amount"] == str(10**15)
    assert amount(eth_bounty, "2 gwei").json()["text"] == "0.000000002 ETH"
    assert amount(999_999, "1").status_code == 400
    unnamed = requests.get(f"{base}/api/amount", params={"text": "1"}, timeout=10)
    assert unnamed.status_code == 400 and unnamed.json()["error"] == (
        "bounty: give the bounty's id, e.g. /api/amount?bounty=1&text=0.5")


def test_one_unusable_token_cannot_blank_the_list_and_tokens_show_their_address(site: dict[str, Any]) -> None:
    """Issue 18, findings 5 and 7 on the page. A token reporting 255 decimals (ethers'
    formatUnits throws above 80) is indexed without usable metadata ("?", base units); a list
    response that still carries such a row (an index written before the check) shows that one
    card as a note while every other card renders; a token amount carries the token's short
    address, so a token calling itself "ETH" is told apart from ether. Runs last: it adds
    bounties to the shared chain."""
    node, client, app, base = site["node"], site["client"], site["app"], site["url"]
    issuer = node.new_account()
    huge = deploy_contract(node.w3, issuer, "TestToken", "Huge", "HUGE", 255)
    fake_eth = deploy_contract(node.w3, issuer, "TestToken", "Ether", "ETH", 18)
    as_issuer = client.as_signer(issuer)
    huge_id = as_issuer.create_bounty("https://github.com/hostile/tokens/issues/1", node.now() + 86_400 * 10,
                                      token=huge.address).bounty_id
    fake_id = as_issuer.create_bounty("https://github.com/hostile/tokens/issues/2", node.now() + 86_400 * 10,
                                      token=fake_eth.address).bounty_id
    app.sync()
    detail = requests.get(f"{base}/api/bounties/{huge_id}", timeout=10).json()["bounty"]
    assert (detail["symbol"], detail["decimals"]) == ("?", 0)

    wallet = InjectedWallet(node, site["funder"].address)
    page = _page(site, wallet)
    page.goto(base + "/?kind=bounty")
    page.wait_for_selector("body[data-ready]")
    expected = len(requests.get(f"{base}/api/bounties?kind=bounty", timeout=10).json()["bounties"])
    assert page.locator("#bounties article.card").count() == expected
    fake_card = page.locator(f"article[data-bounty-id='{fake_id}']").inner_text()
    assert f"0 ETH ({fake_eth.address[:6]}…{fake_eth.address[-4:]})" in fake_card
    usdc_tag = f" USDC ({site['usdc'].address[:6]}…{site['usdc'].address[-4:]})"  # the total varies with earlier tests
    usdc_card = page.locator(f"article[data-bounty-id='{site['story']['bounties']['open_usdc']}'] .amount")
    assert usdc_card.inner_text().endswith(usdc_tag)
    open_eth = page.locator(f"article[data-bounty-id='{site['story']['bounties']['open_eth']}'] .amount").inner_text()
    assert open_eth.strip().endswith("ETH")  # ether carries no address
    _check(page)

    def unusable(route: Any) -> None:
        response = route.fetch()
        data = response.json()
        for row in data["bounties"]:
            if row["bounty_id"] == huge_id:
                row["symbol"], row["decimals"] = "HUGE", 255
        route.fulfill(response=response, json=data)

    page.route(lambda url: "/api/bounties?" in url, unusable)
    page.goto(base + "/?kind=bounty")
    page.wait_for_selector("body[data-ready]")
    assert page.locator("#bounties article.card").count() == expected
    broken = page.locator(f"article[data-bounty-id='{huge_id}']")
    assert "cannot be shown" in broken.inner_text() and "hostile/tokens/issues/1" in broken.inner_text()
    assert usdc_card.inner_text().endswith(usdc_tag)
    _check(page)
    page.screenshot(path=str(SCREENSHOTS / "unusable-token.png"), full_page=True)
    page.close()
