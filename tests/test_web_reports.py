"""Private security reports on the funders' page, in a real browser (the page tests' own site:
anvil, the index, `bountychain serve`, Debian's chromium): a report claim shows as words with
the time it was committed, never as a link; the bounty tells hunters how to seal a report; and
no request the page makes, nor any answer it gets, carries the report's text."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Any

import pytest

from bountychain.index import queries
from bountychain.reports import public_key_of, with_security_contact
from tests.test_web import InjectedWallet, _check, _page, site  # noqa: F401 - `site` is the fixture

pytestmark = [pytest.mark.anvil, pytest.mark.browser]

ISSUE = "https://github.com/bountychain-demo/parser/issues/99"
REPORT = b"Path traversal: GET /static/..%2f..%2fetc/passwd returns the file.\n"


def test_a_report_claim_shows_as_a_private_report_and_the_page_never_carries_its_text(site: dict[str, Any]) -> None:
    node, client = site["node"], site["client"]
    contact, hunter = node.new_account(), node.new_account()
    bounty_id = client.create_bounty(with_security_contact(ISSUE, public_key_of(contact)),
                                     node.now() + 30 * 86_400).bounty_id
    submission = client.as_signer(hunter).submit_report(bounty_id, REPORT)
    deadline = time.monotonic() + 30
    while not (detail := queries.bounty(site["app"].reader(), bounty_id)) or not detail.claims:
        assert time.monotonic() < deadline, "the index did not pick up the report claim"
        time.sleep(0.2)
    committed = node.w3.eth.get_block(submission.claim.block_number)["timestamp"]
    words = f"private security report, committed " \
            f"{datetime.fromtimestamp(committed, timezone.utc).strftime('%Y-%m-%d %H:%M:%S UTC')}"

    wallet = InjectedWallet(node, hunter.address)
    wallet.chain_id = hex(node.chain_id)
    page = _page(site, wallet)
    traffic: list[str] = []
    page.on("request", lambda request: traffic.append(f"{request.url} {request.post_data or ''}"))
    page.on("response", lambda response: traffic.append(response.text()) if "/api/" in response.url else None)
    page.goto(f"{site['url']}/bounty/{bounty_id}")
    page.wait_for_selector("body[data-ready]")
    page.click("#connect")
    page.wait_for_selector("#report-note")
    assert "bountychain report submit" in page.locator("#report-note").inner_text()
    cell = page.locator("#claims .private-report")
    assert cell.inner_text() == words
    # A commitment is never a link (the hunter's address beside it may be).
    assert page.locator("#claims td", has=page.locator(".private-report")).locator("a").count() == 0
    page.goto(site["url"] + "/")
    page.wait_for_selector("body[data-ready]")
    card = page.locator(f"article[data-bounty-id='{bounty_id}']")
    assert card.locator(".solutions .private-report").inner_text() == words
    assert card.locator(".solutions li", has=page.locator(".private-report")).locator("a").count() == 0
    _check(page)
    page.close()
    seen = "\n".join(traffic)
    assert traffic and REPORT.decode()[:30] not in seen and REPORT.hex() not in seen
    assert submission.bundle.salt.hex() not in seen


def test_a_bounty_created_on_the_page_with_a_security_key_keeps_it_on_chain_and_offers_sealing(
        site: dict[str, Any]) -> None:
    """The create form keeps `#security-key=` as the SDK does (issue 16): it says the bounty
    accepts private reports, refuses a malformed key with nothing sent, and the URI on chain
    carries the key, so the bounty's page offers to seal a report to it."""
    node, client = site["node"], site["client"]
    creator, contact = node.new_account(), node.new_account()
    key = public_key_of(contact)
    wallet = InjectedWallet(node, creator.address)
    wallet.chain_id = hex(node.chain_id)
    page = _page(site, wallet)
    page.goto(site["url"] + "/")
    page.wait_for_selector("body[data-ready]")
    page.click("#connect")
    page.wait_for_selector("#create")
    page.click("#create summary")
    uri_field, note = page.locator("#create-form input[name=uri]"), page.locator("#issue-check")
    uri_field.fill(ISSUE + "#security-key=" + key[:-2])
    assert "#security-key= must be a compressed secp256k1 public key" in note.inner_text()
    page.click("#create-form button")
    assert "nothing was sent" in page.locator("#create-progress li.failed").inner_text()
    assert wallet.sent == []
    uri_field.fill(ISSUE.replace("bountychain-demo", "Bountychain-Demo") + "#security-key=" + key)
    assert note.inner_text() == (f"GitHub issue #99 of bountychain-demo/parser; the bounty accepts private security "
                                 f"reports, sealed to the key {key[:6]}…{key[-4:]}")
    page.click("#create-form button")
    page.locator("#created a").wait_for()
    created = int(page.locator("#created a").get_attribute("href").split("?")[0].rsplit("/", 1)[1])
    assert client.bounty(created).issue_url == with_security_contact(ISSUE, key) == f"{ISSUE}#security-key={key}"
    assert client.security_contact(created) == key
    page.locator("#created a").click()
    page.wait_for_selector("#report-form")
    assert "encrypts it to this bounty's security contact" in page.locator("#report-note").inner_text()
    _check(page)
    page.close()
