"""Issue 15 on the API side of the page: the embeddable badge (/badge/<id>.svg), funding over
time (/api/bounties/<id>/funding), the payment QR code (/qr.svg), the funder's pay rate and
recent bounties, the hunter's recent bounties, and the chain's name and explorer in /api/info.
A real uvicorn server on loopback over an index synced from an in-process chain; the create
form's issue URL rules (static/issue_url.js) run under node with tests/data/issue_urls_page.json."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import threading
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bountychain import BountyClient, InProcessChain, deploy_contract, send_transaction
from bountychain.errors import InvalidURI
from bountychain.index import Indexer
from bountychain.issue_urls import normalize_issue_url
from bountychain.web import WebApp, make_server
from bountychain.web.server import static_dir

DAY = 86_400
ETHER = 10**18
USDC = 10**6
REPO = Path(__file__).resolve().parents[1]
HOSTILE_SYMBOL = '<script>alert("x")</script>&'


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    chain = InProcessChain()
    issuer_account, funder_account, hunter_account = chain.new_account(), chain.new_account(), chain.new_account()
    client = BountyClient.deploy(chain, issuer_account)
    issuer, funder, hunter = (client.as_signer(a) for a in (issuer_account, funder_account, hunter_account))
    usdc = deploy_contract(chain.w3, issuer_account, "TestToken", "USD Coin (test)", "USDC", 6)
    hostile = deploy_contract(chain.w3, issuer_account, "TestToken", "Hostile", HOSTILE_SYMBOL, 6)
    for token in (usdc, hostile):
        for holder in (funder_account, issuer_account):
            send_transaction(chain.w3, issuer_account, token.functions.mint(holder.address, 1_000 * USDC))
    # The index follows the chain as it goes: each sync stores the time of the block it ends at.
    db_path = tmp_path_factory.mktemp("web-pictures") / "index.sqlite3"
    indexer = Indexer.for_client(client, db_path, confirmations=0)
    start = chain.now()
    url = "https://github.com/acme/widget/issues/{}".format
    awarded = issuer.create_bounty(url(1), start + 10 * DAY, token=usdc.address).bounty_id
    funder.pledge(awarded, "100 USDC")
    issuer.pledge(awarded, "50 USDC")
    chain.set_next_block_timestamp(start + DAY)
    hunter.submit_solution(awarded, "https://github.com/acme/widget/pull/2")
    issuer.award(awarded, {1: 10_000})
    expired = issuer.create_bounty(url(3), start + 3 * DAY).bounty_id
    funder.pledge(expired, "0.5 ether")
    cancelled = issuer.create_bounty(url(4), start + 30 * DAY).bounty_id
    funder.pledge(cancelled, "0.2 ether")
    issuer.cancel(cancelled)
    refunded_part = issuer.create_bounty(url(5), start + 30 * DAY).bounty_id
    funder.pledge(refunded_part, "1 ether")
    indexer.sync()
    chain.set_next_block_timestamp(start + 2 * DAY)
    issuer.pledge(refunded_part, "0.5 ether")
    indexer.sync()
    hostile_id = issuer.create_bounty(url(6), start + 30 * DAY, token=hostile.address).bounty_id
    funder.pledge(hostile_id, 5 * USDC)
    chain.set_next_block_timestamp(start + 5 * DAY)  # the ETH bounty's deadline passed unpaid
    funder.refund(expired)
    indexer.sync()
    web = WebApp(indexer, db_path)
    server = make_server(web, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with httpx.Client(base_url=base, timeout=10) as http:
            for _ in range(200):  # until uvicorn answers
                try:
                    http.get("/api/status")
                    break
                except httpx.TransportError:
                    threading.Event().wait(0.05)
            yield {"http": http, "chain": chain, "start": start, "funder": funder_account.address,
                   "issuer": issuer_account.address, "hunter": hunter_account.address,
                   "ids": {"awarded": awarded, "expired": expired, "cancelled": cancelled,
                           "refunded_part": refunded_part, "hostile": hostile_id}}
    finally:
        server.shutdown()
        server.server_close()


def _badge(http: httpx.Client, bounty_id: int) -> tuple[httpx.Response, ElementTree.Element]:
    response = http.get(f"/badge/{bounty_id}.svg")
    assert response.status_code == 200, response.text
    return response, ElementTree.fromstring(response.text)  # well-formed XML, or this raises


def _texts(svg: ElementTree.Element) -> list[str]:
    return [element.text or "" for element in svg.iter("{http://www.w3.org/2000/svg}text")]


def test_a_badge_shows_what_an_awarded_bounty_paid_and_its_status_in_words(site: dict[str, Any]) -> None:
    http, ids = site["http"], site["ids"]
    response, svg = _badge(http, ids["awarded"])
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert _texts(svg) == ["bounty", "150 USDC · awarded"]  # what was paid, not the 0 USDC held
    assert _texts(_badge(http, ids["expired"])[1]) == ["bounty", "0 ETH · expired"]
    assert _texts(_badge(http, ids["refunded_part"])[1]) == ["bounty", "1.5 ETH · open"]
    assert http.get("/badge/999.svg").status_code == 404
    assert http.get(f"/badge/{2**70}.svg").status_code == 404
    assert http.get("/badge/abc.svg").status_code == 404


def test_a_badge_escapes_a_hostile_token_symbol(site: dict[str, Any]) -> None:
    response, svg = _badge(site["http"], site["ids"]["hostile"])
    assert "<script" not in response.text and "&lt;script&gt;" in response.text
    # The symbol is cut to 12 characters, and what is shown is the text, not markup.
    assert _texts(svg)[1] == f"5 {HOSTILE_SYMBOL[:11]}… · open"
    assert not list(svg.iter("{http://www.w3.org/2000/svg}script"))


def test_funding_history_gives_each_change_with_its_time_and_running_totals(site: dict[str, Any]) -> None:
    http, ids, start = site["http"], site["ids"], site["start"]
    history = http.get(f"/api/bounties/{ids['refunded_part']}/funding").json()["history"]
    assert [(p["kind"], p["amount"], p["pledged"], p["total"]) for p in history] == [
        ("pledge", str(ETHER), str(ETHER), str(ETHER)),
        ("pledge", str(ETHER // 2), str(3 * ETHER // 2), str(3 * ETHER // 2))]
    assert history[1]["time"] == start + 2 * DAY and 0 < history[0]["time"] < history[1]["time"]
    awarded = http.get(f"/api/bounties/{ids['awarded']}/funding").json()["history"]
    assert [(p["kind"], p["pledged"], p["total"]) for p in awarded] == [
        ("pledge", str(100 * USDC), str(100 * USDC)), ("pledge", str(150 * USDC), str(150 * USDC)),
        ("award", str(150 * USDC), "0")]
    refunded = http.get(f"/api/bounties/{ids['expired']}/funding").json()["history"]
    assert [(p["kind"], p["total"]) for p in refunded] == [("pledge", str(ETHER // 2)), ("refund", "0")]
    assert http.get("/api/bounties/999/funding").status_code == 404
    assert http.get("/api/bounties/abc/funding").status_code == 400


def test_a_funders_profile_has_its_pay_rate_and_recent_bounties(site: dict[str, Any]) -> None:
    http, ids = site["http"], site["ids"]
    record = http.get(f"/api/funders/{site['funder']}").json()
    # Backed: awarded (paid), expired unpaid (refunded), cancelled, and two open ones.
    assert record["pay_rate"] == {"awarded": 1, "expired_unpaid": 1, "cancelled": 1}
    assert [b["bounty_id"] for b in record["recent"]] == sorted(
        [ids["awarded"], ids["expired"], ids["cancelled"], ids["refunded_part"], ids["hostile"]], reverse=True)
    usdc = next(t for t in record["by_token"] if t["symbol"] == "USDC")
    assert (usdc["pledged"], usdc["paid_out"]) == (str(100 * USDC), str(100 * USDC))
    hunter = http.get(f"/api/hunters/{site['hunter']}").json()
    assert [b["bounty_id"] for b in hunter["recent"]] == [ids["awarded"]]
    assert [(t["symbol"], t["paid_out"]) for t in hunter["earned"]] == [("USDC", str(150 * USDC))]


def test_the_info_names_the_chain_and_its_explorer_and_the_status_words(site: dict[str, Any]) -> None:
    info = site["http"].get("/api/info").json()
    assert info["chain_id"] == site["chain"].w3.eth.chain_id
    assert info["chain_name"] in ("Local dev chain", f"chain {info['chain_id']}")
    assert info["explorer"] is None  # a dev chain has none: the page then links nothing
    assert info["status_words"]["under_review"] == "under review"


def test_the_payment_qr_code_draws_eip681_links_only(site: dict[str, Any]) -> None:
    http = site["http"]
    link = f"ethereum:{'0x' + '1' * 40}@31337/pledge?uint256=1&uint256=5&uint64=9&value=5"
    response = http.get("/qr.svg", params={"uri": link})
    assert response.status_code == 200 and response.headers["content-type"].startswith("image/svg+xml")
    from bountychain import qr

    assert response.text == qr.to_svg(link, scale=4)  # the same encoder as the CLI's `link`
    for bad in ("https://example.com", "", "ethereum:" + "1" * 700):
        refused = http.get("/qr.svg", params={"uri": bad})
        assert refused.status_code == 400 and "EIP-681" in refused.json()["error"]


@pytest.mark.skipif(shutil.which("node") is None, reason="node is missing (make setup installs it)")
def test_the_create_forms_issue_url_rules_accept_forge_issues_and_refuse_the_rest() -> None:
    """The page's rules, run by node on the file the browser loads. On the security contact key
    (`#security-key=`, kept, refused when malformed, other fragments dropped) the SDK's
    normaliser must give the same answers: a bounty created on the page accepts private reports
    exactly when one created with the SDK would."""
    vectors = json.loads((REPO / "tests" / "data" / "issue_urls_page.json").read_text())
    keyed = vectors["security_key"]
    script = ("const { normaliseIssueUrl } = await import(process.argv[1]);"
              "const out = JSON.parse(process.argv[2]).map((text) => {"
              " try { const r = normaliseIssueUrl(text); return { url: r.url, kind: r.kind }; }"
              " catch (e) { return { error: e.message }; } });"
              "console.log(JSON.stringify(out));")
    accepted_rows, refused_rows = vectors["accepted"] + keyed["accepted"], vectors["refused"] + keyed["refused"]
    inputs = [row[0] for row in accepted_rows] + [row[0] for row in refused_rows]
    done = subprocess.run(["node", "--input-type=module", "-e", script, (static_dir() / "issue_url.js").as_uri(),
                           json.dumps(inputs)], capture_output=True, text=True, timeout=60, check=True)
    results = json.loads(done.stdout)
    accepted, refused = results[:len(accepted_rows)], results[len(accepted_rows):]
    for (text, url, kind), result in zip(accepted_rows, accepted):
        assert result == {"url": url, "kind": kind}, text
    for (text, words), result in zip(refused_rows, refused):
        assert words in result.get("error", ""), (text, result)
    for text, url, _kind in keyed["accepted"]:
        assert normalize_issue_url(text) == url, text
    for text, words in keyed["refused"]:
        with pytest.raises(InvalidURI, match=re.escape(words)):
            normalize_issue_url(text)


def test_the_page_and_the_sdk_refuse_the_same_issue_urls_as_solutions() -> None:
    """A solution that is an issue on a known forge is refused by both, before anything is
    sent; a pull request, a commit, a patch elsewhere and an issue-shaped page on an unknown
    host are solutions to both."""
    from bountychain.sdk._validation import check_solution_url

    cases = {"https://github.com/org/repo/issues/2": True, "https://www.github.com/Org/Repo/issues/2": True,
             "https://gitlab.com/group/sub/app/-/issues/7": True, "https://codeberg.org/org/repo/issues/3": True,
             "https://github.com/org/repo/pull/2": False, "https://github.com/org/repo/commit/0123abc": False,
             "https://gitlab.com/group/app/-/merge_requests/4": False, "https://lists.example.org/patch/2": False,
             "https://git.example.org/org/repo/issues/5": False}
    script = ("const { isIssueUrl } = await import(process.argv[1]);"
              "console.log(JSON.stringify(JSON.parse(process.argv[2]).map((text) => isIssueUrl(text))));")
    done = subprocess.run(["node", "--input-type=module", "-e", script, (static_dir() / "issue_url.js").as_uri(),
                           json.dumps(list(cases))], capture_output=True, text=True, timeout=60, check=True)
    assert dict(zip(cases, json.loads(done.stdout))) == cases
    for url, is_issue in cases.items():
        if is_issue:
            with pytest.raises(InvalidURI, match="is an issue"):
                check_solution_url(url)
        else:
            assert check_solution_url(url) == url
