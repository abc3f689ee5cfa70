"""Issue 16 (and the rest of 15 and 17) on the page, in a real browser (Debian's chromium through
Playwright) against a real anvil node, the index and `bountychain serve`'s server (the fixture of
test_web.py, on a chain of this module's own):

- a bounty paid in parts shows each milestone (when, what share, who was paid what) and what is
  left open, and the approver pays a milestone from the page; a bonded bounty shows its claim
  bond before a hunter submits and posts it with the claim (ETH with the call; a token approved
  for exactly the bond once the balance is checked, else nothing is sent), shows each claim's
  bond held, slashed or returned, and the page marks spam and withdraws a bond (balances
  checked on chain);
- a hunter's second claim of the same solution is refused before anything is sent;
- a private security report is sealed in the browser (eciesjs) and committed: the security
  contact opens the envelope with `bountychain report decrypt`, which checks it against the
  commitment on chain, and no request the page makes carries the report; a report sealed by
  Python opens with the page's eciesjs too;
- profiles and the API show the GitHub logins the GitHub App linked.

Every page is checked at 1200 and 390 px for "null", "undefined", "NaN", raw base units and
sideways scrolling. Screenshots land in build/screenshots/."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests
from eth_account import Account
from eth_account.messages import encode_defunct

from bountychain import deployments as registry
from bountychain import send_transaction
from bountychain.amounts import format_amount
from bountychain.index import queries
from bountychain.reports import ReportBundle, SealedReport, decrypt_report, public_key_of, seal, with_security_contact
from tests.test_web import ETHER, SCREENSHOTS, USDC, _check, site  # noqa: F401 - `site` is the module-scoped fixture
from tests.test_web_frontdoor import DESKTOP, PHONE, SigningWallet, _connect, _fits, _open, _shows_no_raw_units

pytestmark = [pytest.mark.anvil, pytest.mark.browser]

REPO = Path(__file__).resolve().parents[1]
ISSUE = "https://github.com/bountychain-demo/parser/issues/{}"
REPORT = "SQL injection: ?sort=amount;DROP TABLE bounties-- runs as written on /api/bounties.\n"


class Wallet(SigningWallet):
    """The signing test wallet, which also signs plain messages (personal_sign), as a wallet does,
    and keeps every payload it was asked to handle."""

    def __init__(self, node: Any, account: Any) -> None:
        super().__init__(node, account)
        self.chain_id = hex(node.chain_id)
        self.payloads: list[str] = []

    def __call__(self, payload: str) -> str:
        self.payloads.append(payload)
        request = json.loads(payload)
        if request["method"] == "personal_sign":
            signed = Account.sign_message(encode_defunct(hexstr=request["params"][0]), self.key)
            return json.dumps({"result": "0x" + bytes(signed.signature).hex()})
        return super().__call__(payload)


def _indexed(site: dict[str, Any], bounty_id: int, ready: Any) -> Any:
    """The bounty's detail once the index shows what `ready(detail)` waits for."""
    site["app"].sync()
    detail = queries.bounty(site["app"].reader(), bounty_id)
    assert detail is not None and ready(detail), "the index did not catch up"
    return detail


def _both_widths(page: Any, name: str) -> None:
    for viewport, suffix in ((DESKTOP, ""), (PHONE, "-phone")):
        page.set_viewport_size(viewport)
        _check(page)
        _shows_no_raw_units(page)
        _fits(page)
        page.screenshot(path=str(SCREENSHOTS / f"{name}{suffix}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def test_milestones_bonds_and_a_second_claim_of_the_same_solution(site: dict[str, Any]) -> None:
    node, client = site["node"], site["client"]
    funder, winner, spammer, hunter = (node.new_account() for _ in range(4))
    bond = ETHER // 100
    bounty_id = client.create_bonded_bounty(ISSUE.format(160), node.now() + 30 * 86_400, "0.01 ether").bounty_id
    client.as_signer(funder).pledge(bounty_id, "1 ether")
    first = client.as_signer(winner).submit_bonded_solution(bounty_id, "https://github.com/bountychain-demo/parser/pull/161")
    spam = client.as_signer(spammer).submit_bonded_solution(bounty_id, "https://github.com/bountychain-demo/parser/pull/1")
    marked = client.mark_spam(bounty_id, spam.claim_id)
    part = client.award_part(bounty_id, 3000, {first.claim_id: 10_000})
    detail = _indexed(site, bounty_id, lambda d: len(d.claims) == 2)
    fmt = lambda value: format_amount(value, 18, "ETH")  # noqa: E731
    # The API: amounts as decimal strings, the winners of each milestone, each claim's bond.
    answer = requests.get(f"{site['url']}/api/bounties/{bounty_id}", timeout=30).json()
    assert [(m["part_bps"], m["pool"], m["fee"], m["remaining"], m["tx_hash"]) for m in answer["milestones"]] == [
        (3000, str(part.pool), str(part.fee), str(part.remaining), part.tx_hash)]
    assert answer["milestones"][0]["winners"] == [{"claim_id": first.claim_id, "hunter": winner.address,
                                                   "amount": str(part.payouts[0].amount), "credited": False}]
    assert answer["bond"] == str(bond) and answer["claim_bonds"] == {
        str(first.claim_id): {"state": "held", "amount": str(bond)},
        str(spam.claim_id): {"state": "slashed", "amount": str(bond)}}
    # Who marked the claim as spam (a plain bounty: its approver, on the escrow) and when.
    approver = client.signer.address
    assert answer["spam_marks"] == [{
        "bounty_id": bounty_id, "claim_id": spam.claim_id, "hunter": spammer.address, "bond": str(bond),
        "marked_by": approver, "through_review": False, "block_number": marked.block_number,
        "tx_hash": marked.tx_hash}]
    short = lambda text: f"{text[:6]}…{text[-4:]}"  # noqa: E731 - the page's short form

    wallet = Wallet(node, hunter)
    page = _open(site, wallet, f"/bounty/{bounty_id}")
    _connect(page, "#submit-form")
    # The milestone: its share and pool, the winner and what it got, and what is left open.
    row = page.locator("#milestones tr[data-milestone='1']")
    assert f"30%: {fmt(part.pool)}" in row.inner_text()
    assert f"{fmt(part.payouts[0].amount)} to {winner.address} (claim {first.claim_id})" in row.inner_text()
    assert row.locator(f"a[href='/hunter/{winner.address}']").count() == 1
    assert part.remaining == detail.bounty.total
    assert page.locator("#milestones-left").inner_text().startswith(
        f"Left open for the next milestone: {fmt(part.remaining)}, under the same deadline")
    # Each pledge after the milestone is shown at what it is worth now (the index replays the
    # shares as the escrow counts them): 70% of what was pledged, rounded down, never more.
    for pledge in detail.pledges:
        assert pledge.outstanding == client.pledge_of(bounty_id, pledge.funder).amount
    assert page.locator("#pledges-note").count() == 0
    # The bond, before anything is sent, and each claim's.
    assert page.locator("#bounty-claim-bond").inner_text() == "0.01 ETH per claim"
    assert page.locator("#bond-note").inner_text().startswith("Claim bond: 0.01 ETH, posted with your claim.")
    assert page.locator(f"#claims tr[data-claim='{first.claim_id}'] .bond").inner_text() == "0.01 ETH held"
    assert page.locator(f"#claims tr[data-claim='{spam.claim_id}'] .bond").inner_text() == (
        f"0.01 ETH slashed (to the funders)\nmarked as spam by {short(approver)} (the approver) in block "
        f"{marked.block_number} (tx {short(marked.tx_hash)}): bond 0.01 ETH went to the funders")
    _both_widths(page, "bounty-milestones")

    # The hunter claims through the page: the bond goes with the claim, and nothing else.
    solution = "https://github.com/bountychain-demo/parser/pull/162"
    held_before, escrow_before = client.w3.eth.get_balance(hunter.address), client.w3.eth.get_balance(client.address)
    page.fill("#submit-form input[name=url]", solution)
    page.click("#submit-form button")
    page.locator("#progress li.done", has_text="submit the solution with its claim bond of 0.01 ETH").wait_for()
    claim = client.claims(bounty_id)[-1]
    assert (claim.hunter, claim.uri) == (hunter.address, solution)
    assert client.claim_bond(bounty_id, claim.claim_id) == bond
    assert client.w3.eth.get_balance(client.address) - escrow_before == bond
    spent = held_before - client.w3.eth.get_balance(hunter.address)
    assert bond < spent < bond + ETHER // 1000  # the bond and the gas
    page.locator(f"#claims tr[data-claim='{claim.claim_id}'] .bond", has_text="0.01 ETH held").wait_for()

    # The same solution again (a trailing slash changes nothing): refused, nothing sent.
    nonce, sent = client.w3.eth.get_transaction_count(hunter.address), list(wallet.sent)
    page.fill("#submit-form input[name=url]", solution + "/")
    page.click("#submit-form button")
    refused = page.locator("#submit-refused")
    refused.wait_for()
    assert refused.inner_text() == (f"You already submitted {solution}/ to this bounty as claim {claim.claim_id}: "
                                    "it counts once, so nothing was sent.")
    assert wallet.sent == sent and client.w3.eth.get_transaction_count(hunter.address) == nonce
    _both_widths(page, "bounty-duplicate-claim-refused")

    # The bounty's issue given as the solution: an issue is not a solution; refused, nothing sent.
    issue = ISSUE.format(160)
    page.fill("#submit-form input[name=url]", issue)
    page.click("#submit-form button")
    page.locator("#submit-refused", has_text="is an issue").wait_for()
    assert page.locator("#submit-refused").inner_text() == (
        f"{issue} is an issue, not a solution: link the pull request or commit that solves it; nothing was sent.")
    assert wallet.sent == sent and client.w3.eth.get_transaction_count(hunter.address) == nonce
    page.close()

    # The approver pays the next milestone through the page: half of what is left, to claim 1.
    page = _open(site, Wallet(node, client.signer), f"/bounty/{bounty_id}")
    _connect(page, "#award-form")
    left, before = client.bounty(bounty_id).total, client.w3.eth.get_balance(winner.address)
    page.fill("#award-form input[name=part]", "50")
    page.fill(f"#award-form input[name=claim-{first.claim_id}]", "100")
    assert page.locator("#award-total").inner_text() == f"total 100%: pays {fmt(left // 2)}"
    page.click("#award-form button")
    page.locator("#progress li.done", has_text="pay 50% of the pool now (a milestone)").wait_for()
    paid = client.w3.eth.get_balance(winner.address) - before
    assert 0 < paid <= left // 2 and client.bounty(bounty_id).total == left - left // 2
    second = page.locator("#milestones tr[data-milestone='2']")
    second.wait_for()
    assert f"50%: {fmt(left // 2)}" in second.inner_text()
    assert f"{fmt(paid)} to {winner.address} (claim {first.claim_id})" in second.inner_text()
    assert page.locator("#milestones-left").inner_text().startswith(
        f"Left open for the next milestone: {fmt(left - left // 2)}")
    _both_widths(page, "bounty-second-milestone")

    # The approver marks the page's claim as spam: its bond goes to the funders.
    page.click(f"#claims tr[data-claim='{claim.claim_id}'] button.mark-spam")
    page.locator(f"#claims tr[data-claim='{claim.claim_id}'] .bond", has_text="0.01 ETH slashed (to the funders)").wait_for()
    assert page.locator(f"#claims tr[data-claim='{claim.claim_id}'] .spam-mark").inner_text().startswith(
        f"marked as spam by {short(approver)} (the approver) in block ")
    assert client.claim_bond(bounty_id, claim.claim_id) == 0
    # Then awards the rest in full, and the winner takes its bond back from the page.
    page.fill("#award-form input[name=part]", "100")
    page.fill(f"#award-form input[name=claim-{first.claim_id}]", "100")
    page.click("#award-form button")
    page.locator("#progress li.done", has_text="award: confirmed").wait_for()
    page.close()
    page = _open(site, Wallet(node, winner), f"/bounty/{bounty_id}")
    _connect(page, f"#claims tr[data-claim='{first.claim_id}'] button.withdraw-bond")
    assert page.locator("#milestones-left").inner_text() == "The rest was then awarded in full."
    before = client.w3.eth.get_balance(winner.address)
    page.click(f"#claims tr[data-claim='{first.claim_id}'] button.withdraw-bond")
    page.locator(f"#claims tr[data-claim='{first.claim_id}'] .bond", has_text="0.01 ETH returned to the hunter").wait_for()
    assert client.claim_bond(bounty_id, first.claim_id) == 0
    assert bond - ETHER // 1000 < client.w3.eth.get_balance(winner.address) - before < bond  # less the gas
    _both_widths(page, "bounty-bond-returned")
    page.close()


def test_a_report_sealed_in_the_browser_opens_with_the_command_line_and_matches_its_commitment(
        site: dict[str, Any], tmp_path: Path) -> None:
    node, client = site["node"], site["client"]
    contact, hunter = Account.create(), node.new_account()
    # A bonded bounty: the commitment is a claim like any other, and posts the bond.
    bounty_id = client.create_bonded_bounty(with_security_contact(ISSUE.format(170), public_key_of(contact)),
                                            node.now() + 30 * 86_400, "0.02 ether").bounty_id
    _indexed(site, bounty_id, lambda d: True)
    wallet = Wallet(node, hunter)
    page = _open(site, wallet, f"/bounty/{bounty_id}")
    traffic: list[str] = []
    page.on("request", lambda request: traffic.append(f"{request.url} {request.post_data or ''}"))
    _connect(page, "#report-form")
    assert "your browser encrypts it to this bounty's security contact" in page.locator("#report-note").inner_text()
    page.fill("#report-form textarea[name=report]", REPORT)
    page.click("#report-form button")
    page.locator("#sealed").wait_for()
    assert page.locator("#progress li.done",
                        has_text="submit the report's commitment with its claim bond of 0.02 ETH: confirmed").count() == 1
    envelope_text = page.locator("#sealed-envelope").input_value()
    assert page.locator("#report-form textarea[name=report]").input_value() == ""  # the text left the form
    _both_widths(page, "bounty-report-sealed")

    # The commitment on chain is the hunter's claim; the envelope holds no plain text.
    envelope = SealedReport.from_json(envelope_text)
    claim = client.claims(bounty_id)[-1]
    assert (claim.claim_id, claim.hunter, claim.uri) == (envelope.claim_id, hunter.address, envelope.uri)
    assert client.claim_bond(bounty_id, claim.claim_id) == 2 * ETHER // 100
    assert REPORT[:20] not in envelope_text and REPORT.encode().hex()[:40] not in envelope_text
    # The security contact opens it with the command line, which checks it against the chain.
    deployments = tmp_path / "deployments"
    registry.save(registry.record_for(node.chain_id, client.deployment, client.signer.address), deployments)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("BOUNTYCHAIN_", "XDG_CONFIG_HOME"))}
    env.update({"BOUNTYCHAIN_RPC": node.url, "BOUNTYCHAIN_DEPLOYMENTS": str(deployments),
                "BOUNTYCHAIN_PRIVATE_KEY": "0x" + bytes(contact.key).hex(), "XDG_CONFIG_HOME": str(tmp_path / "config"),
                "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))})
    (tmp_path / "envelope.json").write_text(envelope_text)
    opened = subprocess.run([sys.executable, "-m", "bountychain.cli", "--json", "report", "decrypt",
                             str(tmp_path / "envelope.json"), "--out", str(tmp_path / "report.txt")],
                            capture_output=True, text=True, env=env, cwd=tmp_path, timeout=180)
    assert opened.returncode == 0, opened.stderr
    assert json.loads(opened.stdout)["verified"] is True and json.loads(opened.stdout)["claim_id"] == claim.claim_id
    assert (tmp_path / "report.txt").read_text() == REPORT
    # The hunter's own copy opens with the hunter's key: the reveal that proves the claim.
    bundle = decrypt_report(envelope, hunter)
    assert bundle.report.decode() == REPORT and client.verify_report(bundle).claim_id == claim.claim_id
    assert ReportBundle.from_json(bundle.to_json()).uri == claim.uri
    # Neither the page's requests nor what it asked of the wallet carried the report or its salt.
    seen = "\n".join(traffic + wallet.payloads)
    assert traffic and REPORT[:20] not in seen and REPORT.encode().hex()[:40] not in seen
    assert bundle.salt.hex() not in seen

    # And the other way: what Python seals, the page's eciesjs opens.
    sealed = seal(public_key_of(hunter), b"sealed by eciespy")
    opened_in_page = page.evaluate("""async ([key, sealed]) => {
        const { decrypt } = await import("/static/vendor/ecies.min.js");
        const bytes = (hex) => Uint8Array.from(hex.match(/../g), (pair) => parseInt(pair, 16));
        return new TextDecoder().decode(decrypt(bytes(key), bytes(sealed)));
    }""", [bytes(hunter.key).hex(), sealed.hex()])
    assert opened_in_page == "sealed by eciespy"
    page.close()


def test_profiles_and_the_api_show_the_github_logins_linked_to_an_address(site: dict[str, Any]) -> None:
    node, app = site["node"], site["app"]
    hunter = queries.bounty(app.reader(), site["story"]["bounties"]["open_eth"]).claims[0].hunter
    funder = queries.bounty(app.reader(), site["story"]["bounties"]["open_eth"]).pledges[0].funder
    comment = "https://github.com/bountychain-demo/parser/issues/17#issuecomment-42"
    wallet = Wallet(node, site["funder"])
    # Before any link, the profile shows none; the link then shows without a new block.
    page = _open(site, wallet, f"/hunter/{hunter}")
    assert page.locator("#github-logins").count() == 0
    assert requests.get(f"{site['url']}/api/hunters/{hunter}", timeout=30).json()["github"] == []
    assert app.github.record_link("Octo-Hunter", hunter, comment)
    assert app.github.record_link("octo-funder", funder, comment)
    page.reload()
    page.wait_for_selector("body[data-ready]")
    logins = page.locator("#github-logins")
    assert logins.inner_text().startswith("GitHub: @octo-hunter (linked ")
    assert logins.locator("a[href='https://github.com/octo-hunter']").count() == 1
    assert logins.locator(f"a[href='{comment}']").count() == 1
    _both_widths(page, "hunter-github")
    page.goto(f"{site['url']}/funder/{funder}")
    page.wait_for_selector("#github-logins")
    assert page.locator("#github-logins").inner_text().startswith("GitHub: @octo-funder")
    _both_widths(page, "funder-github")
    page.close()
    for route, address, login in (("hunters", hunter, "octo-hunter"), ("funders", funder, "octo-funder")):
        answer = requests.get(f"{site['url']}/api/{route}/{address}", timeout=30).json()
        assert [(link["login"], link["comment_url"]) for link in answer["github"]] == [(login, comment)]
    links = requests.get(f"{site['url']}/api/github/links/{hunter.lower()}", timeout=30)
    assert links.status_code == 200 and links.json()["address"] == hunter
    assert [link["login"] for link in links.json()["links"]] == ["octo-hunter"]
    assert requests.get(f"{site['url']}/api/github/links/0x1234", timeout=30).status_code == 400


def test_a_token_bond_is_checked_then_approved_exactly_and_posted_with_the_claim(site: dict[str, Any]) -> None:
    node, client, usdc = site["node"], site["client"], site["usdc"]
    hunter = node.new_account()
    bounty_id = client.create_bonded_bounty(ISSUE.format(180), node.now() + 30 * 86_400, "5 USDC",
                                            token=usdc.address).bounty_id
    _indexed(site, bounty_id, lambda d: True)
    wallet = Wallet(node, hunter)
    page = _open(site, wallet, f"/bounty/{bounty_id}")
    _connect(page, "#submit-form")
    assert page.locator("#bond-note").inner_text().startswith("Claim bond: 5 USDC, posted with your claim.")
    # Without the bond in hand: refused, nothing sent, no allowance left behind.
    nonce = client.w3.eth.get_transaction_count(hunter.address)
    page.fill("#submit-form input[name=url]", "https://github.com/bountychain-demo/parser/pull/181")
    page.click("#submit-form button")
    refused = page.locator("#submit-refused")
    refused.wait_for()
    assert refused.inner_text() == "You hold 0 USDC, less than the claim bond of 5 USDC: nothing was sent."
    assert wallet.sent == [] and client.w3.eth.get_transaction_count(hunter.address) == nonce
    assert usdc.functions.allowance(hunter.address, client.address).call() == 0
    _both_widths(page, "bounty-token-bond-refused")

    # With it: the escrow is approved for exactly the bond, which goes with the claim.
    send_transaction(node.w3, client.signer, usdc.functions.mint(hunter.address, 12 * USDC))
    escrow_before = usdc.functions.balanceOf(client.address).call()
    page.click("#submit-form button")
    page.locator("#progress li.done", has_text="submit the solution with its claim bond of 5 USDC").wait_for()
    # Two transactions: approve (0x095ea7b3) exactly the bond, then the claim.
    assert len(wallet.sent) == 2 and wallet.sent[0] == "0x095ea7b3"
    assert usdc.functions.balanceOf(hunter.address).call() == 7 * USDC
    assert usdc.functions.balanceOf(client.address).call() - escrow_before == 5 * USDC
    assert usdc.functions.allowance(hunter.address, client.address).call() == 0  # exactly the bond was allowed
    claim = client.claims(bounty_id)[-1]
    assert client.claim_bond(bounty_id, claim.claim_id) == 5 * USDC
    page.locator(f"#claims tr[data-claim='{claim.claim_id}'] .bond", has_text="5 USDC held").wait_for()
    _both_widths(page, "bounty-token-bond-posted")
    page.close()
