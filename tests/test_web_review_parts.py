"""The rest of issues 16 and 17 on the page, in a real browser (Debian's chromium through
Playwright) against a real anvil node, the index and `bountychain serve`'s server (the fixture of
test_web.py, on a chain of this module's own), and the page's rules run by node:

- the proposer of a reviewed bounty proposes a milestone (`proposePart`) from the page, after the
  command line's checks (a part of 0%, of more than 100% or of three decimals, shares that do not
  add up to 100%, a part that comes to nothing: each refused in a sentence, nothing sent); the
  pending proposal says what part it pays, to whom, and until when backers may object; once its
  window ended anyone finalizes it, the hunter is paid that part and the rest stays open;
- a funder owed part of the slashed claim bonds takes it from beside its pledge (`claimSlashed`,
  then `withdraw`), balances checked on chain;
- the create form accepts issues on the server's GitHub Enterprise host ($GITHUB_SERVER_URL), which
  /api/info serves as `issue_hosts`.

Every page is checked for "null", "undefined", "NaN", raw base units and sideways scrolling at
1200 and 390 px. Screenshots land in build/screenshots/."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from bountychain import ETH, ReviewTerms
from bountychain.amounts import format_amount
from bountychain.signers import from_private_key
from bountychain.words import utc
from bountychain.web.server import static_dir
from tests.test_web import ETHER, InjectedWallet, site  # noqa: F401 - `site` is the module-scoped fixture
from tests.test_web_frontdoor import _connect, _open
from tests.test_web_milestones import _both_widths, _indexed

GHE = "ghe.example.com"
ISSUE = "https://github.com/bountychain-demo/parser/issues/{}"
fmt = lambda value: format_amount(value, 18, "ETH")  # noqa: E731


@pytest.fixture(scope="module", autouse=True)
def enterprise_host() -> Iterator[None]:
    """The server runs beside a GitHub Enterprise Server, as in GitHub Actions there (autouse and
    module-scoped: set before `site` builds the server, undone after the module)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GITHUB_SERVER_URL", f"https://{GHE}")
        yield


def _on_chain(wallet: InjectedWallet) -> InjectedWallet:
    """A wallet already on the escrow's chain (the chain switch is test_web.py's)."""
    wallet.chain_id = hex(wallet.node.chain_id)
    return wallet


def _node(script: str, *args: str) -> Any:
    done = subprocess.run(["node", "--input-type=module", "-e", script, *args], capture_output=True, text=True,
                          timeout=60, check=True)
    return json.loads(done.stdout)


needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="node is missing (make setup installs it)")


@needs_node
def test_the_award_forms_rules_are_the_command_lines() -> None:
    script = """
const rules = await import(process.argv[1]);
const run = (fn) => { try { const out = fn(); return { ok: typeof out === "object" ? JSON.parse(JSON.stringify(out,
  (k, v) => typeof v === "bigint" ? v.toString() : v)) : out }; } catch (e) { return { error: e.message }; } };
const fmt = (v) => `${v} wei`;
console.log(JSON.stringify({
  parts: ["30", "30%", "12.5", "0.01", "100", "0", "100.01", "12.345", "-5", "abc", ""].map((t) => run(() => rules.checkPart(t))),
  splits: [{ 1: "70", 2: "30" }, { 1: "70", 2: "" }, { 1: "70", 2: "40" }, { 1: "110", 2: "-10" }, { 1: "33.333", 2: "66.667" }]
    .map((s) => run(() => rules.checkSplit(s))),
  paid: [["1000", 3000], ["3", 3000], ["0", 10000], ["4", 2500]].map(([pool, part]) => run(() => rules.checkSomethingPaid(pool, part, fmt))),
  words: rules.proposalWords({ partBps: 3000, total: "1000", claimIds: [1, 2], sharesBps: [7000, 3000],
    claims: { 1: "0xAAAA", 2: "0xBBBB" }, fmt, short: (a) => a.slice(0, 4), windowEnd: 86400, pending: true,
    utc: (s) => new Date(s * 1000).toISOString().slice(0, 10) }),
  whole: rules.proposalWords({ partBps: 0, total: "1000", claimIds: [1], sharesBps: [10000], claims: {}, fmt,
    short: (a) => a, windowEnd: 0, pending: false, utc: String }),
}));
"""
    out = _node(script, (static_dir() / "review_parts.js").as_uri())
    assert [part.get("ok") for part in out["parts"][:5]] == [3000, 3000, 1250, 1, 10_000]
    refused = [part["error"] for part in out["parts"][5:]]
    assert refused[:2] == ["The part of the pool paid now must be more than 0% and at most 100%, not 0%",
                           "The part of the pool paid now must be more than 0% and at most 100%, not 100.01%"]
    for text, error in zip(["12.345", "-5", "abc", ""], refused[2:]):
        assert error == f'The part of the pool paid now ("{text}") is not a percentage with at most two decimals (e.g. 30 or 12.5)'
    assert out["splits"][0] == {"ok": {"ids": ["1", "2"], "bps": ["7000", "3000"]}}
    assert out["splits"][1] == {"error": "The shares add up to 70%, not 100%: 30% to go"}
    assert out["splits"][2] == {"error": "The shares add up to 110%, not 100%: 10% too many"}
    # A negative share cannot make the others add up: it is no percentage.
    assert out["splits"][3]["error"].startswith('The share of claim 2 ("-10") is not a percentage')
    assert out["splits"][4]["error"].startswith('The share of claim 1 ("33.333") is not a percentage')
    assert out["paid"] == [{}, {"error": "30% of the 3 wei held comes to less than the smallest unit: it would pay nothing"},
                           {"error": "Nothing is pledged on this bounty yet: there is nothing to pay"}, {}]
    assert out["words"] == (
        "It pays a milestone: 30% of the pool, at most 300 wei of the 1000 wei held (the rest stays open under the same "
        "deadline and locks): 70% to claim 1 (0xAA), 30% to claim 2 (0xBB). Backers may object until 1970-01-02: a "
        "pledge withheld by an objection pays nothing of it and keeps its worth for the next milestone.")
    assert out["whole"] == "It pays the whole pool, at most 1000 wei: 100% to claim 1."


@needs_node
def test_the_create_form_accepts_the_issue_hosts_the_server_names() -> None:
    script = """
const { normaliseIssueUrl, acceptedForges } = await import(process.argv[1]);
const hosts = JSON.parse(process.argv[2]);
const run = (text, map) => { try { const r = normaliseIssueUrl(text, map); return [r.url, r.kind, r.configured]; }
  catch (e) { return e.message; } };
console.log(JSON.stringify({
  ghe: run("https://GHE.example.com/Org/Tool/issues/7/", hosts),
  gheUnknown: run("https://ghe.example.com/Org/Tool/issues/7", {}),
  ghePull: run("https://ghe.example.com/org/tool/pull/8", hosts),
  gheBare: run("https://ghe.example.com/org/tool", hosts),
  ghePort: run("https://ghe.example.com:8443/org/tool/issues/7", hosts),
  giteaPort: run("https://git.other.example:3000/org/tool/issues/7", hosts),
  gitlab: run("https://git.example.org/group/sub/tool/issues/3", hosts),
  github: run("https://github.com/Org/Tool/issues/1", hosts),
  words: acceptedForges(hosts), plain: acceptedForges({}),
}));
"""
    hosts = {"github.com": "github", GHE: "github", "git.example.org": "gitlab", "evil.example": "svn"}
    out = _node(script, (static_dir() / "issue_url.js").as_uri(), json.dumps(hosts))
    assert out["ghe"] == [f"https://{GHE}/org/tool/issues/7", "GitHub", True]
    # Without the server's list the host is only a guess at a self-hosted Gitea.
    assert out["gheUnknown"] == [f"https://{GHE}/org/tool/issues/7", "Gitea", False]
    assert out["ghePull"] == f"https://{GHE}/org/tool/pull/8 is a pull request, not an issue: give the issue it solves"
    assert out["gheBare"].endswith(f"is not an issue on GitHub: it should look like https://{GHE}/owner/repo/issues/12")
    # A port: refused on a forge the SDK knows (it refuses it too), kept on a guessed Gitea.
    assert out["ghePort"] == f'"https://{GHE}:8443/org/tool/issues/7" carries a port: give the issue\'s plain address on {GHE}'
    assert out["giteaPort"] == ["https://git.other.example:3000/org/tool/issues/7", "Gitea", False]
    assert out["gitlab"] == ["https://git.example.org/group/sub/tool/-/issues/3", "GitLab", True]
    assert out["github"] == ["https://github.com/org/tool/issues/1", "GitHub", False]  # the SDK's spelling
    assert out["words"] == f"GitHub, GitLab, Codeberg or Gitea, or {GHE} (GitHub), git.example.org (GitLab)"
    assert out["plain"] == "GitHub, GitLab, Codeberg or Gitea"


def test_the_servers_issue_hosts_are_the_sdks_and_the_known_forges_when_a_variable_is_malformed(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from bountychain.issue_urls import KNOWN_FORGES
    from bountychain.web.app import _issue_hosts

    monkeypatch.setenv("BOUNTYCHAIN_ISSUE_HOSTS", "git.example.org=gitlab")
    assert _issue_hosts() == {**KNOWN_FORGES, GHE: "github", "git.example.org": "gitlab"}
    monkeypatch.setenv("GITHUB_SERVER_URL", "ghe.example.com")  # no scheme: the SDK refuses every issue URL
    assert _issue_hosts() == KNOWN_FORGES


def test_the_proposer_proposes_a_milestone_the_page_says_what_it_pays_and_anyone_finalizes_it(
        site: dict[str, Any]) -> None:
    node, client, app = site["node"], site["client"], site["app"]
    maintainer = from_private_key(site["story"]["keys"]["maintainer"])
    backer, hunter, keeper = (node.new_account() for _ in range(3))
    bounty_id = client.as_signer(maintainer).create_bounty(ISSUE.format(190), node.now() + 30 * 86_400,
                                                           review=ReviewTerms(86_400)).bounty_id
    client.as_signer(backer).pledge(bounty_id, "1 ether")
    claim = client.as_signer(hunter).submit_solution(bounty_id, "https://github.com/bountychain-demo/parser/pull/191")
    _indexed(site, bounty_id, lambda d: len(d.claims) == 1)

    wallet = _on_chain(InjectedWallet(node, maintainer.address))
    page = _open(site, wallet, f"/bounty/{bounty_id}")
    _connect(page, "#propose-form")
    share, part = f"#propose-form input[name=claim-{claim.claim_id}]", "#propose-form input[name=part]"
    # Bad input: each refused in words, before anything is sent.
    for part_text, share_text, words in (
            ("0", "100", "The part of the pool paid now must be more than 0% and at most 100%, not 0%"),
            ("150", "100", "must be more than 0% and at most 100%, not 150%"),
            ("12.345", "100", 'The part of the pool paid now ("12.345") is not a percentage with at most two decimals'),
            ("30", "70", "The shares add up to 70%, not 100%: 30% to go")):
        page.fill(part, part_text)
        page.fill(share, share_text)
        page.click("#propose-form button")
        refused = page.locator("#award-refused")
        refused.wait_for()
        assert words in refused.inner_text() and refused.inner_text().endswith(": nothing was sent.")
    assert wallet.sent == []
    _both_widths(page, "bounty-propose-part-refused")

    # A milestone of 30%, all to the one claim: proposePart on the review contract.
    page.fill(part, "30")
    page.fill(share, "100")
    page.click("#propose-form button")
    page.locator("#progress li.done", has_text="propose a milestone of 30% of the pool: confirmed").wait_for()
    assert wallet.sent == [client.review_contract.functions.proposePart(0, 1, [], [])._encode_transaction_data()[:10]]
    proposal = client.proposal(bounty_id)
    assert (proposal.part_bps, proposal.claim_ids, proposal.shares_bps) == (3000, (claim.claim_id,), (10_000,))
    words = page.locator("#proposal-words[data-part='3000']")
    words.wait_for()
    window_end = utc(proposal.window_end)  # as the page writes a time
    said = (
        f"It pays a milestone: 30% of the pool, at most 0.3 ETH of the 1 ETH held (the rest stays open under the same "
        f"deadline and locks): 100% to claim {claim.claim_id} ({hunter.address[:6]}…{hunter.address[-4:]}). Backers may "
        f"object until {window_end}: a pledge withheld by an objection pays nothing of it and keeps its worth for the "
        "next milestone.")
    assert words.inner_text() == said
    assert page.locator("#proposed-split").inner_text().split("\n")[-1].endswith("0.3 ETH")
    assert page.locator("#weight-against").inner_text() == (
        "0 ETH of 1 ETH withheld by objections: the milestone would pay at most 0.3 ETH.")
    _both_widths(page, "bounty-part-proposed")
    page.close()
    # A backer is told what an objection to a milestone does: it keeps its pledge for the next one.
    page = _open(site, _on_chain(InjectedWallet(node, backer.address)), f"/bounty/{bounty_id}")
    _connect(page, "#object-form")
    page.locator("#object-form", has_text="milestone").wait_for()
    assert page.locator("#object-form span").inner_text() == (
        "Object: your pledge of 1 ETH is withheld from this milestone of 30% only (it pays the others' pledges): your "
        "pledge keeps its worth and its lock, and pays the next milestone unless you object to that one too.")
    assert page.locator("#proposal-words").inner_text() == said
    page.close()
    # Without a wallet the page reads the part from the index when it records it (PartProposed,
    # `proposed_part_bps`); an index that does not cannot tell, and the page says so.
    page = _open(site, None, f"/bounty/{bounty_id}")
    indexed = requests.get(f"{site['url']}/api/bounties/{bounty_id}", timeout=30).json()["bounty"]
    if "proposed_part_bps" in indexed:
        assert indexed["proposed_part_bps"] == 3000
        assert page.locator("#proposal-words").inner_text() == said
    else:
        assert page.locator("#proposal-words").inner_text().startswith("Connect a wallet on this bounty's chain to read")
        assert page.locator("#proposed-split").inner_text().split("\n")[-1].endswith("at most 1 ETH")
    _both_widths(page, "bounty-part-proposed-no-wallet")
    page.close()

    # Past the window anyone finalizes: the hunter is paid 30% (no fee on this escrow), 70% stays open.
    node.set_next_block_timestamp(proposal.window_end)
    node._rpc("evm_mine", [])
    app.sync()
    page = _open(site, _on_chain(InjectedWallet(node, keeper.address)), f"/bounty/{bounty_id}")
    _connect(page, "#finalize-form")
    paid_before, escrow_before = client.balance_of(hunter.address), client.w3.eth.get_balance(client.address)
    page.click("#finalize-form button")
    page.locator("#progress li", has_text="index updated").wait_for()
    assert client.balance_of(hunter.address) - paid_before == 3 * ETHER // 10
    assert escrow_before - client.w3.eth.get_balance(client.address) == 3 * ETHER // 10
    assert client.bounty(bounty_id).total == 7 * ETHER // 10
    assert client.pledge_of(bounty_id, backer.address).amount == 7 * ETHER // 10
    page.locator("h1 .badge.open").wait_for()
    row = page.locator("#milestones tr[data-milestone='1']")
    row.wait_for()
    assert "30%: 0.3 ETH" in row.inner_text() and f"0.3 ETH to {hunter.address}" in row.inner_text()
    assert page.locator("#milestones-left").inner_text().startswith("Left open for the next milestone: 0.7 ETH")
    _both_widths(page, "bounty-part-finalized")
    page.close()


def test_a_funder_takes_its_part_of_the_slashed_claim_bonds_from_beside_its_pledge(site: dict[str, Any]) -> None:
    node, client = site["node"], site["client"]
    small, large, spammer = (node.new_account() for _ in range(3))
    bond = ETHER // 100
    bounty_id = client.create_bonded_bounty(ISSUE.format(195), node.now() + 30 * 86_400, "0.01 ether").bounty_id
    client.as_signer(small).pledge(bounty_id, "1 ether")
    client.as_signer(large).pledge(bounty_id, "3 ether")
    spam = client.as_signer(spammer).submit_bonded_solution(bounty_id, "https://github.com/bountychain-demo/parser/pull/2")
    client.mark_spam(bounty_id, spam.claim_id)
    owed = client.slashed_owed(bounty_id, small.address)
    assert owed == bond // 4 and client.slashed_owed(bounty_id, large.address) == 3 * bond // 4
    _indexed(site, bounty_id, lambda d: len(d.claims) == 1)

    wallet = _on_chain(InjectedWallet(node, small.address))
    page = _open(site, wallet, f"/bounty/{bounty_id}")
    _connect(page, "#claim-slashed")
    assert page.locator("#slashed-owed").inner_text() == (
        "Claim bonds marked as spam on this bounty owe you 0.0025 ETH, your pledge's part of them. Take 0.0025 ETH")
    _both_widths(page, "bounty-slashed-owed")
    held_before, escrow_before = client.w3.eth.get_balance(small.address), client.w3.eth.get_balance(client.address)
    nonce = client.w3.eth.get_transaction_count(small.address)
    page.click("#claim-slashed")
    page.locator("#progress li.done", has_text="withdraw 0.0025 ETH to your wallet: confirmed").wait_for()
    assert "credit your part of the slashed claim bonds, 0.0025 ETH: confirmed" in page.locator("#progress").inner_text()
    # Two transactions, claimSlashed then withdraw(ETH): the escrow paid exactly what was owed.
    assert wallet.sent == [client.contract.functions.claimSlashed(0)._encode_transaction_data()[:10],
                           client.contract.functions.withdraw(ETH)._encode_transaction_data()[:10]]
    assert escrow_before - client.w3.eth.get_balance(client.address) == owed
    gas = sum(_fee_of(client, small.address, n) for n in range(nonce, nonce + 2))
    assert client.w3.eth.get_balance(small.address) - held_before == owed - gas
    assert client.slashed_owed(bounty_id, small.address) == 0 and client.credit_of(small.address) == 0
    # The other funder's part is untouched, and the pledges keep their worth.
    assert client.slashed_owed(bounty_id, large.address) == 3 * bond // 4
    assert client.pledge_of(bounty_id, small.address).amount == ETHER
    # Nothing more is owed: the page, drawn again once both are confirmed, offers no button.
    # (Waited for: "#pledges" is there before the page is drawn again, so waiting for it did not
    # wait, and a slow host still showed the old, disabled button.)
    page.locator("#claim-slashed").wait_for(state="detached")
    page.locator("#pledges").wait_for()
    _both_widths(page, "bounty-slashed-taken")
    page.close()

    # Its profile counts the credit apart from its pledge; the other funder, credited nothing
    # yet (its part is still owed on the bounty), has no such column.
    _indexed(site, bounty_id, lambda d: d.bounty.total == 4 * ETHER)
    page = _open(site, None, f"/funder/{small.address}")
    row = page.locator("#funder-totals tr[data-symbol='ETH']")
    assert [row.locator(f"td[data-key={key}]").inner_text() for key in ("pledged", "outstanding", "slashed_credit")
            ] == ["1 ETH", "1 ETH", "0.0025 ETH"]
    assert page.locator("#funder-totals th").all_inner_texts()[-1] == "credited from slashed bonds"
    _both_widths(page, "funder-slashed-credit")
    page.goto(f"{site['url']}/funder/{large.address}")
    page.wait_for_selector("body[data-ready]")
    assert "slashed" not in page.locator("#funder-totals").inner_text()
    page.close()



def _fee_of(client: Any, sender: str, nonce: int) -> int:
    """What the transaction `sender` sent with `nonce` paid for gas (found in the recent blocks)."""
    for number in range(client.w3.eth.block_number, -1, -1):
        for tx in client.w3.eth.get_block(number, full_transactions=True)["transactions"]:
            if tx["from"] == sender and tx["nonce"] == nonce:
                receipt = client.w3.eth.get_transaction_receipt(tx["hash"])
                return receipt["gasUsed"] * receipt["effectiveGasPrice"]
    raise AssertionError(f"no transaction {nonce} from {sender}")


def test_the_create_form_accepts_an_issue_on_the_servers_github_enterprise_host(site: dict[str, Any]) -> None:
    node, client = site["node"], site["client"]
    info = requests.get(f"{site['url']}/api/info", timeout=30).json()
    assert info["issue_hosts"][GHE] == "github" and info["issue_hosts"]["github.com"] == "github"
    creator = node.new_account()
    wallet = _on_chain(InjectedWallet(node, creator.address))
    page = _open(site, wallet, "/")
    _connect(page, "#create")
    page.click("#create summary")
    assert page.locator("#issue-check").inner_text() == f"An issue on GitHub, GitLab, Codeberg or Gitea, or {GHE} (GitHub)."
    page.fill("#create-form input[name=uri]", f"https://{GHE}/org/repo/pull/8")
    assert "is a pull request, not an issue" in page.locator("#issue-check").inner_text()
    page.fill("#create-form input[name=uri]", f"https://{GHE.upper()}/Org/Tool/issues/7/")
    assert page.locator("#issue-check").inner_text() == f"GitHub issue #7 of org/tool on {GHE}"
    page.click("#create-form button")
    page.locator("#created").wait_for()
    created = max(b.bounty_id for b in client.bounties())
    # On chain in the SDK's spelling, which the SDK (with $GITHUB_SERVER_URL) accepts as it is.
    from bountychain.issue_urls import normalize_issue_url

    uri = client.bounty(created).issue_url
    assert uri == f"https://{GHE}/org/tool/issues/7" == normalize_issue_url(uri)
    assert wallet.sent == [client.contract.functions.createBounty(ETH, 0, ETH, "")
                           ._encode_transaction_data()[:10]]
    _both_widths(page, "create-enterprise-issue")
    page.close()
