"""Issue 15 on the page, in a real browser (Debian's chromium through Playwright) against a real
anvil node with the demo's bounties, the index and `bountychain serve`'s server (the fixture of
test_web.py, on a chain of this module's own).

A pledge the funder cannot pay is refused before anything is sent; a token with EIP-2612 is
pledged in one transaction with a signed permit; every page (list, bounties, fundraisers,
funder and hunter profiles) shows no "null", "undefined", "NaN" or raw base units, and fits a
390 px phone; cards say what an awarded bounty paid and no deadline once it ended; statuses are
words; the wallet is remembered across reloads; without a wallet the page explains and offers
an EIP-681 QR code; addresses and transactions link to the chain's explorer; the award form
keeps a running total; the create form refuses what is not an issue URL; several bounties on
one issue show their total. Screenshots land in build/screenshots/."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import requests
from eth_account import Account

from bountychain import deploy_contract, send_transaction
from bountychain.index import queries
from tests.test_web import (  # noqa: F401 - `site` is the module-scoped fixture
    CHROMIUM, ETHER, SCREENSHOTS, TIMEOUT, USDC, InjectedWallet, _check, _funder_txs, _page, _wait_progress, site)

pytestmark = [pytest.mark.anvil, pytest.mark.browser]

PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1200, "height": 900}
EXPLORER = "https://explorer.invalid"
# A raw amount of base units on screen: 7 or more digits in a row that are not part of an
# address, a hash, a block number label or a date (the demo's amounts are all under a million).
RAW_UNITS = re.compile(r"(?<![0-9A-Za-zx.…])\d{7,}(?![0-9A-Za-z])")


class SigningWallet(InjectedWallet):
    """The test wallet, signing EIP-712 data (a permit) with the account's key, as a wallet does."""

    def __init__(self, node: Any, account: Any) -> None:
        super().__init__(node, account.address)
        self.key = account.key
        self.signed: list[str] = []

    def __call__(self, payload: str) -> str:
        request = json.loads(payload)
        if request["method"] == "eth_signTypedData_v4":
            typed = json.loads(request["params"][1])
            self.signed.append(typed["primaryType"])
            signature = Account.sign_typed_data(self.key, full_message=typed).signature
            return json.dumps({"result": "0x" + bytes(signature).hex()})
        return super().__call__(payload)


def _open(site: dict[str, Any], wallet: InjectedWallet | None, path: str, viewport: dict[str, int] = DESKTOP) -> Any:
    if wallet is None:  # a browser without any wallet
        page = site["browser"].new_page(viewport=viewport)
        page.set_default_timeout(TIMEOUT)
        page.errors = []  # type: ignore[attr-defined]
        page.on("pageerror", lambda exc: page.errors.append(str(exc)))  # type: ignore[attr-defined]
    else:
        page = _page(site, wallet)
        page.set_viewport_size(viewport)
    page.goto(site["url"] + path)
    page.wait_for_selector("body[data-ready]")
    return page


def _connect(page: Any, ready: str) -> None:
    page.click("#connect")
    if page.locator("#chain-banner button").count() and page.locator("#chain-banner").is_visible():
        page.click("#chain-banner button")
    page.wait_for_selector(ready)


def _fits(page: Any) -> None:
    """Nothing wider than the window: no sideways scrolling on a phone."""
    width = page.evaluate("() => document.documentElement.scrollWidth")
    inner = page.evaluate("() => window.innerWidth")
    assert width <= inner, f"the page is {width} px wide in a {inner} px window"


def _shows_no_raw_units(page: Any) -> None:
    shown = page.locator("#view").inner_text()
    assert not RAW_UNITS.search(shown), RAW_UNITS.search(shown).group(0) + " in: " + shown


def test_a_token_pledge_without_the_balance_is_refused_and_nothing_is_sent(site: dict[str, Any]) -> None:
    """Problem 1: the page used to mine an approve, then fail the pledge. It now reads the
    balance first, says what is held in the token's units, and sends nothing."""
    node, client, usdc = site["node"], site["client"], site["usdc"]
    bounty_id = site["story"]["bounties"]["open_usdc"]
    broke = node.new_account()  # ETH for gas, no USDC
    wallet = InjectedWallet(node, broke.address)
    wallet.chain_id = hex(node.chain_id)
    page = _open(site, wallet, f"/bounty/{bounty_id}")
    _connect(page, "#pledge-form")
    nonce = client.w3.eth.get_transaction_count(broke.address)
    page.fill("#pledge-form input[name=amount]", "5")
    page.click("#pledge-form button")
    refused = page.locator("#pledge-refused")
    refused.wait_for()
    assert refused.inner_text() == "You hold 0 USDC, less than the 5 USDC you want to pledge: nothing was sent."
    assert wallet.sent == [] and client.w3.eth.get_transaction_count(broke.address) == nonce
    assert usdc.functions.allowance(broke.address, client.address).call() == 0  # no allowance left behind
    page.screenshot(path=str(SCREENSHOTS / "pledge-refused-balance.png"), full_page=True)
    _check(page)
    page.close()

    poor = node.new_account(ETHER // 100)  # 0.01 ETH
    wallet = InjectedWallet(node, poor.address)
    wallet.chain_id = hex(node.chain_id)
    page = _open(site, wallet, f"/bounty/{site['story']['bounties']['open_eth']}")
    _connect(page, "#pledge-form")
    page.fill("#pledge-form input[name=amount]", "1")
    page.click("#pledge-form button")
    assert page.locator("#pledge-refused").inner_text().startswith("You hold 0.01 ETH, less than the 1 ETH")
    assert wallet.sent == []
    _check(page)
    page.close()


def test_a_permit_token_is_pledged_in_one_transaction_with_a_signed_permit(site: dict[str, Any]) -> None:
    """Problem 1: with EIP-2612 the page signs a permit for exactly the amount and sends one
    transaction (pledgeWithPermit); no approve, no allowance left. Transactions link to the
    explorer when the chain has one (here the API's answer is given one)."""
    node, client = site["node"], site["client"]
    issuer, funder = node.new_account(), node.new_account()
    token = deploy_contract(node.w3, issuer, "TestPermitToken", "Permit Dollar", "PUSD", 6)
    send_transaction(node.w3, issuer, token.functions.mint(funder.address, 100 * USDC))
    bounty_id = client.as_signer(issuer).create_bounty("https://codeberg.org/acme/tool/issues/9", node.now() + 20 * 86_400,
                                                       token=token.address).bounty_id
    site["app"].sync()
    wallet = SigningWallet(node, funder)
    wallet.chain_id = hex(node.chain_id)
    page = _page(site, wallet)
    page.route(lambda url: url.endswith("/api/info"), lambda route: route.fulfill(
        response=route.fetch(), json={**route.fetch().json(), "explorer": EXPLORER}))
    page.goto(f"{site['url']}/bounty/{bounty_id}")
    page.wait_for_selector("body[data-ready]")
    _connect(page, "#pledge-form")
    escrow_held = token.functions.balanceOf(client.address).call()
    page.fill("#pledge-form input[name=amount]", "7.5")
    page.click("#pledge-form button")
    _wait_progress(page, "index updated")
    text = page.locator("#progress").inner_text()
    assert "permit signed for exactly 7.5 PUSD" in text and "pledge 7.5 PUSD with the permit: confirmed" in text
    selector = client.contract.functions.pledgeWithPermit(0, 0, 0, 0, 0, b"\0" * 32, b"\0" * 32)._encode_transaction_data()[:10]
    assert wallet.signed == ["Permit"] and wallet.sent == [selector]  # one transaction, no approve
    assert token.functions.balanceOf(funder.address).call() == 100 * USDC - 7_500_000
    assert token.functions.balanceOf(client.address).call() == escrow_held + 7_500_000
    assert token.functions.allowance(funder.address, client.address).call() == 0
    assert client.pledge_of(bounty_id, funder.address).amount == 7_500_000
    tx = _funder_txs(client, funder.address)[-1]
    assert page.locator("#progress a.tx").first.get_attribute("href") == f"{EXPLORER}/tx/0x{bytes(tx).hex()}"
    page.wait_for_selector(f"#pledges tr[data-funder='{funder.address}']")
    assert page.locator(f"#bounty-issuer a[href='{EXPLORER}/address/{issuer.address}']").count() == 1
    assert page.locator(f"#pledges a[href='/funder/{funder.address}']").count() == 1
    page.screenshot(path=str(SCREENSHOTS / "bounty-permit-pledged.png"), full_page=True)
    _check(page)
    page.close()


def _pages(site: dict[str, Any]) -> list[tuple[str, str]]:
    story = site["story"]
    pages = [("list", "/"), ("list-of-fundraisers", "/?kind=fundraiser")]
    pages += [(f"bounty-{name}", f"/bounty/{bounty_id}") for name, bounty_id in story["bounties"].items()]
    pages += [(f"fundraiser-{name}", f"/fundraiser/{fid}") for name, fid in story["fundraisers"].items()]
    pages += [("funder-alice", f"/funder/{story['addresses']['alice']}"), ("funder-bob", f"/funder/{story['addresses']['bob']}"),
              ("hunter-dana", f"/hunter/{story['addresses']['dana']}")]
    return pages


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_every_page_shows_no_placeholder_or_raw_units_and_fits_the_window(site: dict[str, Any],
                                                                          viewport: dict[str, int]) -> None:
    """Problems 2 and 13: each page the site has, connected (the approver's forms shown) and at
    a desktop's and a phone's width (the review box used to overflow 390 px)."""
    maintainer = site["story"]["addresses"]["maintainer"]
    wallet = InjectedWallet(site["node"], maintainer)
    wallet.chain_id = hex(site["node"].chain_id)
    page = _open(site, wallet, "/", viewport)
    # The list that connecting renders again, read whole before the next page (a navigation
    # cancels a request under way, and the page counts it as failed).
    with page.expect_request_finished(lambda request: "/api/bounties" in request.url):
        page.click("#connect")
    page.wait_for_selector("#account")
    width = "phone" if viewport is PHONE else "desktop"
    for name, path in _pages(site):
        page.goto(site["url"] + path)
        page.wait_for_selector("body[data-ready]")
        page.wait_for_selector("#account")  # remembered: reconnected without a click
        if name.startswith(("bounty", "fundraiser")):
            page.wait_for_selector("#funding-chart svg, #chart-empty")
        _check(page)
        _shows_no_raw_units(page)
        _fits(page)
        page.screenshot(path=str(SCREENSHOTS / f"{width}-{name}.png"), full_page=True)
    page.close()


def test_the_review_box_fits_a_phone(site: dict[str, Any]) -> None:
    """Problem 13: at 390 px the review box (proposal split, weight bar) was wider than the screen."""
    page = _open(site, InjectedWallet(site["node"], site["funder"].address),
                 f"/bounty/{site['story']['bounties']['under_review_eth']}", PHONE)
    page.wait_for_selector("#proposal")
    box = page.locator("section.review").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    _fits(page)
    _check(page)
    page.close()


def test_cards_show_what_was_paid_and_no_deadline_once_ended_and_statuses_in_words(site: dict[str, Any]) -> None:
    """Problem 10: an awarded card led with "0 USDC" (held) over a small "paid 150 USDC"; a
    cancelled one said "deadline in 7 days"."""
    bounties = site["story"]["bounties"]
    page = _open(site, InjectedWallet(site["node"], site["funder"].address), "/")
    awarded = page.locator(f"article[data-bounty-id='{bounties['awarded_usdc']}']")
    assert awarded.locator(".amount").inner_text().startswith("paid 150 USDC")
    assert "0 USDC" not in awarded.inner_text().replace("150 USDC", "") and "deadline" not in awarded.inner_text()
    cancelled = page.locator(f"article[data-bounty-id='{bounties['cancelled_eth']}']")
    assert "deadline" not in cancelled.inner_text() and cancelled.locator(".badge").inner_text().lower() == "cancelled"
    assert "deadline in" in page.locator(f"article[data-bounty-id='{bounties['open_eth']}']").inner_text()
    assert page.locator("select[name=status] option[value=under_review]").inner_text() == "under review"
    page.goto(f"{site['url']}/bounty/{bounties['cancelled_eth']}")
    page.wait_for_selector("body[data-ready]")
    assert page.locator("#bounty-deadline").inner_text().endswith("(no longer applies: cancelled)")
    _check(page)
    page.close()


def test_the_wallet_is_remembered_across_reloads_until_disconnected(site: dict[str, Any]) -> None:
    wallet = InjectedWallet(site["node"], site["funder"].address)
    wallet.chain_id = hex(site["node"].chain_id)
    page = _open(site, wallet, "/")
    assert page.locator("#account").count() == 0
    # The list that connecting renders again, read whole before the reload (a reload cancels a
    # request under way; "networkidle" was reached at the first load and is not waited for again).
    with page.expect_request_finished(lambda request: "/api/bounties" in request.url):
        page.click("#connect")
    page.wait_for_selector("#account")
    page.reload()
    page.wait_for_selector("body[data-ready]")
    assert page.locator("#account").count() == 1  # no click: reconnected from the remembered wallet
    assert page.locator("#escrow-info").inner_text().endswith("on Local dev chain")  # a name, not 31337
    with page.expect_request_finished(lambda request: "/api/bounties" in request.url):
        page.click("#disconnect")  # the list it renders again, read whole before the reload
    page.wait_for_selector("#connect")
    page.reload()
    page.wait_for_selector("body[data-ready]")
    assert page.locator("#account").count() == 0 and page.locator("#connect").count() == 1
    _check(page)
    page.close()


def test_the_wrong_chain_banner_names_the_chains(site: dict[str, Any]) -> None:
    page = _open(site, InjectedWallet(site["node"], site["funder"].address), "/")
    page.click("#connect")
    page.wait_for_selector("#wrong-chain")
    # A chain people know is named, never numbered (bountychain.chains): the wallet is on Ethereum.
    assert page.locator("#wrong-chain").inner_text() == ("Your wallet is on Ethereum; "
                                                        "the escrow is on Local dev chain.")
    assert page.locator("#chain-banner button").inner_text() == "Switch to Local dev chain"
    _check(page)
    page.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_without_a_wallet_the_page_explains_and_offers_an_eip681_qr_code(site: dict[str, Any],
                                                                        viewport: dict[str, int]) -> None:
    story, client = site["story"], site["client"]
    eth_id, usdc_id = story["bounties"]["open_eth"], story["bounties"]["open_usdc"]
    page = _open(site, None, f"/bounty/{eth_id}", viewport)
    assert "none was found" in page.locator("#no-wallet-help").inner_text()
    page.fill("#qr-form input[name=amount]", "0.5")
    page.click("#qr-form button")
    page.wait_for_selector("#qr-links figure img")
    deadline = client.bounty(eth_id).deadline
    expected = (f"ethereum:{client.address}@{client.chain_id}/pledge?uint256={eth_id}&uint256={ETHER // 2}"
                f"&uint64={deadline}&value={ETHER // 2}")
    assert page.locator("#qr-links a.eip681").inner_text() == expected
    _wait_drawn(page, "#qr-links figure img")  # the server drew it
    image = page.locator("#qr-links figure img")
    assert requests.get(site["url"] + image.get_attribute("src"), timeout=10).headers["content-type"].startswith("image/svg")
    _fits(page)
    page.screenshot(path=str(SCREENSHOTS / f"no-wallet-qr-{'phone' if viewport is PHONE else 'desktop'}.png"), full_page=True)
    # A token: approve first, then pledge, two codes; a bad amount is refused in words.
    page.goto(f"{site['url']}/bounty/{usdc_id}")
    page.wait_for_selector("body[data-ready]")
    page.fill("#qr-form input[name=amount]", "1 ETH")
    page.click("#qr-form button")
    page.wait_for_selector("#qr-links .failed")
    assert "does not match 'USDC'" in page.locator("#qr-links").inner_text()
    page.fill("#qr-form input[name=amount]", "2.5")
    page.click("#qr-form button")
    page.wait_for_selector("#qr-links figure >> nth=1")
    links = page.locator("#qr-links a.eip681").all_inner_texts()
    assert links == [f"ethereum:{site['usdc'].address}@{client.chain_id}/approve?address={client.address}&uint256=2500000",
                     f"ethereum:{client.address}@{client.chain_id}/pledge?uint256={usdc_id}&uint256=2500000"
                     f"&uint64={client.bounty(usdc_id).deadline}"]
    _check(page)
    page.close()


def test_the_award_form_keeps_a_running_total_and_sends_nothing_unless_it_is_100(site: dict[str, Any]) -> None:
    bounty_id = site["story"]["bounties"]["open_eth"]
    approver = site["story"]["addresses"]["maintainer"]
    wallet = InjectedWallet(site["node"], approver)
    wallet.chain_id = hex(site["node"].chain_id)
    page = _open(site, wallet, f"/bounty/{bounty_id}")
    _connect(page, "#award-form")
    total = page.locator("#award-total")
    pool = site["client"].bounty(bounty_id).total
    assert total.inner_text().startswith("total 0% (0 ETH)")
    page.fill("#award-form input[name=claim-1]", "70")
    assert total.inner_text().endswith("the shares must add up to 100%, 30% to go")
    page.click("#award-form button")
    page.wait_for_selector("#progress li.failed")
    assert wallet.sent == []
    page.fill("#award-form input[name=claim-2]", "40")
    assert "10% too many" in total.inner_text()
    page.fill("#award-form input[name=claim-2]", "30")
    from bountychain.amounts import format_amount

    assert total.inner_text() == f"total 100%: pays {format_amount(pool, 18, 'ETH')}"
    _check(page)
    page.close()


def test_profile_pages_show_pledged_paid_refunded_earned_pay_rate_and_recent_bounties(site: dict[str, Any]) -> None:
    story = site["story"]
    alice, bob, dana = (story["addresses"][name] for name in ("alice", "bob", "dana"))
    page = _open(site, None, f"/funder/{bob}")
    assert page.locator("h1").inner_text() == f"Funder {bob[:6]}…{bob[-4:]}"
    # Bob backed the awarded USDC bounty and the cancelled ETH one (and others still open).
    assert page.locator("#stat-pay-rate").inner_text() == "100%: 1 awarded, 0 expired unpaid (and 1 cancelled)"
    usdc = page.locator("#funder-totals tr[data-symbol='USDC']")
    assert [usdc.locator(f"td[data-key={key}]").inner_text() for key in ("pledged", "paid_out", "refunded")] == [
        "50 USDC", "50 USDC", "0 USDC"]
    eth = page.locator("#funder-totals tr[data-symbol='ETH']")
    assert eth.locator("td[data-key=refunded]").inner_text() == "0.1 ETH"
    recent = page.locator("#recent article.card").evaluate_all("cards => cards.map(c => Number(c.dataset.bountyId))")
    record = queries.sponsor_record(site["app"].reader(), bob)
    assert recent == sorted({p.bounty_id for p in record.pledges}, reverse=True)
    _check(page)
    page.goto(f"{site['url']}/hunter/{dana}")
    page.wait_for_selector("body[data-ready]")
    assert page.locator("#hunter-earned tr[data-symbol='USDC'] td[data-key=paid_out]").inner_text() == "150 USDC"
    awarded = page.locator(f"#recent article[data-bounty-id='{story['bounties']['awarded_usdc']}']")
    assert awarded.locator(".amount").inner_text().startswith("paid 150 USDC")
    assert page.locator("#hunter-claims tr").count() == 1 + len(queries.hunter_record(site["app"].reader(), dana).claims)
    page.locator(f"#hunter-claims a[href='/bounty/{story['bounties']['awarded_usdc']}']").click()
    page.wait_for_selector("h1 >> text=Bounty #")
    page.goto(f"{site['url']}/funder/{alice}")
    page.wait_for_selector("body[data-ready]")
    assert page.locator("#stat-pay-rate").inner_text().startswith("100%: 1 awarded")
    _check(page)
    page.close()


def _wait_drawn(page: Any, selector: str) -> None:
    """Waits until the image `selector` has loaded a picture (it is fetched after it is shown;
    on a slow host, after the test's next step): fails if it never does."""
    page.wait_for_function(f"() => {{ const img = document.querySelector({selector!r});"
                           " return img !== null && img.complete && img.naturalWidth > 0; }", timeout=15_000)


def test_bounty_and_fundraiser_pages_show_the_funding_chart_and_the_badge(site: dict[str, Any]) -> None:
    story = site["story"]
    page = _open(site, None, f"/bounty/{story['bounties']['open_eth']}")
    page.wait_for_selector("#funding-chart svg path.pledged")
    assert page.locator("#chart-legend").inner_text().startswith("pledged in all")
    history = requests.get(f"{site['url']}/api/bounties/{story['bounties']['open_eth']}/funding", timeout=10).json()
    assert f"{len(history['history'])} change" in page.locator("#chart-legend").inner_text()
    _wait_drawn(page, "#badge-image")
    badge_id = story["bounties"]["open_eth"]
    assert page.locator("#badge-markdown").input_value() == (
        f"[![bounty #{badge_id}]({site['url']}/badge/{badge_id}.svg)]({site['url']}/bounty/{badge_id})")
    page.goto(f"{site['url']}/fundraiser/{story['fundraisers']['raising_eth']}")
    page.wait_for_selector("#funding-chart svg path.held")
    assert "pledged in all 1.2 ETH" in page.locator("#chart-legend").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "fundraiser-chart.png"), full_page=True)
    _check(page)
    page.close()


def test_the_create_form_refuses_what_is_no_issue_and_several_bounties_on_one_issue_show_a_total(
        site: dict[str, Any]) -> None:
    """Problem 8 on the page: `javascript:`, a bare site, a pull request are refused with the
    reason and nothing is sent; an issue URL is normalised before it goes on chain. Runs late:
    it adds a bounty to the shared chain."""
    node, client, story = site["node"], site["client"], site["story"]
    creator = node.new_account()
    wallet = InjectedWallet(node, creator.address)
    wallet.chain_id = hex(node.chain_id)
    page = _open(site, wallet, "/")
    _connect(page, "#create")
    page.click("#create summary")
    for text, reason in [("javascript:alert(document.domain)", "not an https:// address"),
                         ("https://example.com", "not an issue URL"),
                         ("https://github.com/bountychain-demo/parser/pull/41", "a pull request")]:
        page.fill("#create-form input[name=uri]", text)
        assert reason in page.locator("#issue-check").inner_text()
        page.click("#create-form button")
        assert "nothing was sent" in page.locator("#create-progress li.failed").inner_text()
    assert wallet.sent == []
    page.fill("#create-form input[name=uri]", " https://GitHub.com/bountychain-demo/parser/issues/17/ ")
    assert page.locator("#issue-check").inner_text() == "GitHub issue #17 of bountychain-demo/parser"
    page.click("#create-form button")
    page.locator("#create-progress li", has_text="other bounty funds this issue too").wait_for()
    created = max(b.bounty_id for b in client.bounties())
    assert page.locator(f"#created a[href='/bounty/{created}']").count() == 1
    client.as_signer(creator).pledge(created, "0.25 ether")
    site["app"].sync()
    indexed = queries.bounty(site["app"].reader(), created).bounty
    assert (indexed.issuer, indexed.uri) == (creator.address, "https://github.com/bountychain-demo/parser/issues/17")
    page.goto(site["url"] + "/?kind=bounty")
    page.wait_for_selector("body[data-ready]")
    group = page.locator("#bounties .issue-group[data-issue='https://github.com/bountychain-demo/parser/issues/17']")
    assert group.locator("article.card").count() == 2
    held = sum(client.bounty(bounty_id).total for bounty_id in (created, story["bounties"]["open_eth"]))
    from bountychain.amounts import format_amount

    assert group.locator(".issue-total").inner_text().endswith(f": {format_amount(held, 18, 'ETH')} in all")
    page.screenshot(path=str(SCREENSHOTS / "issue-group.png"), full_page=True)
    _check(page)
    page.close()


def test_the_github_bots_links_open_the_page_with_its_forms_filled_in(site: dict[str, Any]) -> None:
    """The links the GitHub bot writes (bountychain/github/render.py, `PageLinks`): create,
    pledge, claim and award open the page's forms filled in; nothing is sent until the person
    presses the button."""
    node, story = site["node"], site["story"]
    bounty_id = story["bounties"]["open_eth"]
    maintainer = InjectedWallet(node, story["addresses"]["maintainer"])
    maintainer.chain_id = hex(node.chain_id)
    page = _open(site, maintainer, f"/bounty/{bounty_id}?pledge=0.05&claim=https://github.com/x/y/pull/1&award=2")
    page.click("#connect")
    page.wait_for_selector("#award-form")
    assert page.locator("#pledge-form input[name=amount]").input_value() == "0.05"
    assert page.locator("#submit-form input[name=url]").input_value() == "https://github.com/x/y/pull/1"
    assert page.locator("#award-form input[name=claim-2]").input_value() == "100"
    assert page.locator("#award-total").inner_text().startswith("total 100%: pays")
    assert page.url.endswith(f"/bounty/{bounty_id}")  # applied once: a later render starts empty
    assert maintainer.sent == []
    _check(page)
    page.close()

    creator = InjectedWallet(node, node.new_account().address)
    creator.chain_id = hex(node.chain_id)
    link = ("/?create=https%3A%2F%2Fgithub.com%2Facme%2Fnew%2Fissues%2F3&amount=0.1&token=0x" + "0" * 40
            + "&lock=2w")
    page = _open(site, creator, link)
    assert "Connect a wallet to post a bounty on https://github.com/acme/new/issues/3" in page.locator(
        "#create-connect").inner_text()
    page.click("#connect")
    page.wait_for_selector("#create[open]")
    form = page.locator("#create-form")
    assert [form.locator(f"input[name={name}]").input_value() for name in ("uri", "days", "token", "amount")] == [
        "https://github.com/acme/new/issues/3", "14", "", "0.1"]
    assert page.locator("#issue-check").inner_text() == "GitHub issue #3 of acme/new"
    # The link's token is the create form's, not a filter of the list.
    assert page.locator("#bounties article.card").count() == requests.get(
        f"{site['url']}/api/bounties?kind=bounty", timeout=10).json()["count"]
    assert creator.sent == []
    _check(page)
    page.close()


def test_the_github_link_statement_is_signed_on_the_page_for_the_bot_to_verify(site: dict[str, Any]) -> None:
    """/?link-github=LOGIN: the wallet signs the EIP-712 statement the bot checks; the page shows
    the /link comment to post, and the bot's own check recovers the address from it."""
    from bountychain.github.links import link_signer

    node = site["node"]
    account = node.new_account()
    wallet = SigningWallet(node, account)
    wallet.chain_id = hex(node.chain_id)
    page = _open(site, wallet, "/?link-github=Octo-Cat")
    assert "Connect the wallet" in page.locator("#link-github").inner_text()
    page.click("#connect")
    page.click("#link-github-sign")
    comment = page.locator("#link-github-comment")
    comment.wait_for()
    _, address, signature = comment.input_value().split(" ")
    assert address == account.address and wallet.signed == ["GitHubAccount"] and wallet.sent == []
    assert link_signer("Octo-Cat", address, signature) == account.address
    page.goto(site["url"] + "/?link-github=not%20a%20login")
    page.wait_for_selector("body[data-ready]")
    assert "is not a GitHub login" in page.locator("#link-github").inner_text()
    _check(page)
    page.close()
