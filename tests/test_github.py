"""`bountychain github serve`: the GitHub App's webhook service, run for real (uvicorn on a
socket) against real payloads from the pinned npm package `@octokit/webhooks-examples` and a
local HTTP fake of GitHub's REST API (tests/github_fake.py) that checks the App's JWT and
tokens, keeps comments and answers rate limits and errors. The whole loop runs on anvil: a
`/bounty` comment, a pledge from the link, a `/claim` with a signed solution relayed, a merged
pull request, the award, and the one status comment edited at each step."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from eth_account import Account
from hypothesis import given, settings
from hypothesis import strategies as st

from bountychain import ETH, AnvilNode, BountyClient, ReviewTerms, deploy_contract, send_transaction
from bountychain.cli import cli
from bountychain.github import (Bot, BotConfig, BotState, GitHubApi, GitHubError, Token, app_manifest,
                                create_github_app, read_secret, sign_link)
from bountychain.github.commands import (Claim, CommandError, LinkAccount, OfferBounty, ShowBounties, closed_issues,
                                         parse_command)
from bountychain.github.server import WebhookServer
from bountychain.index import Indexer, open_index
from tests.github_fake import FakeGitHub

EXAMPLES = Path(__file__).resolve().parents[1] / "node_modules/@octokit/webhooks-examples/api.github.com/index.json"
SECRET = "whsec-7f3a9c1e55d04b8e-not-a-real-one"
APP_ID = "424242"
PAGE = "https://bounties.example.org"
USDC_ADDRESS = "0x1c7D4B196Cb0C7B01d743Fbc6116a902379C7238"
REPO, ISSUE = "Codertocat/Hello-World", 1
USDC = 10**6


def examples(event: str, action: str) -> list[dict[str, Any]]:
    found = next(e for e in json.loads(EXAMPLES.read_text()) if e["name"] == event)
    return [copy.deepcopy(x) for x in found["examples"] if x.get("action") == action]


def comment_payload(body: str, *, comment_id: int, login: str = "Codertocat", role: str = "OWNER",
                    pull: dict[str, Any] | None = None) -> dict[str, Any]:
    """A real issue_comment.created delivery (the example sent to an installation), with the
    comment's text, author and role, and for `pull` the issue turned into that pull request."""
    payload = next(x for x in examples("issue_comment", "created") if x.get("installation"))
    payload["comment"].update(body=body, id=comment_id, author_association=role,
                              html_url=f"{payload['issue']['html_url']}#issuecomment-{comment_id}")
    payload["comment"]["user"]["login"] = login
    if pull is not None:
        payload["issue"].update(number=pull["number"], html_url=pull["html_url"], body=pull["body"],
                                pull_request={"html_url": pull["html_url"]})
        payload["issue"]["user"]["login"] = pull["author"]
    return payload


def merged_payload(number: int, body: str, author: str) -> dict[str, Any]:
    payload = next(x for x in examples("pull_request", "closed") if x.get("installation"))
    pull = payload["pull_request"]
    pull.update(merged=True, merged_at="2026-11-30T02:00:00Z", body=body, number=number,
                html_url=f"https://github.com/{REPO}/pull/{number}")
    pull["user"]["login"] = author
    return payload


def sign(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Delivered:
    status: int  # the webhook's answer
    text: str
    outcome: str | None  # what the bot did with it (None: refused at the door)


class Service:
    """The bot on a real socket, its fake GitHub, and a way to deliver events."""

    def __init__(self, tmp_path: Path, chain_id: int = 31337, escrow: str = ETH,
                 tokens: dict[str, Token] | None = None, index: Any = None) -> None:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption()).decode()
        self.fake = FakeGitHub(APP_ID, key.public_key()).start()
        self.index = index if index is not None else open_index(f"sqlite:///{tmp_path / 'index.sqlite3'}")
        self.tokens = tokens or {"ETH": Token("ETH", ETH, 18), "USDC": Token("USDC", USDC_ADDRESS, 6)}
        self.config = BotConfig(PAGE, chain_id, escrow, self.tokens)
        self.start()

    def start(self) -> None:
        self.slept: list[float] = []
        self.api = GitHubApi(APP_ID, self.pem, base_url=self.fake.url, sleep=self.slept.append)
        self.bot = Bot(self.config, self.index, BotState(self.index.engine), self.api)
        app = create_github_app(self.bot, SECRET)
        self.deliveries = app.state.deliveries
        self.server = WebhookServer(app, port=0)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        deadline = time.monotonic() + 10
        while self.server.uvicorn is None or not self.server.uvicorn.started:
            assert time.monotonic() < deadline, "the webhook server did not start"
            time.sleep(0.01)

    def restart(self) -> None:
        """A new process: a new bot, client and server over the same database and GitHub."""
        self.stop_server()
        self.start()

    def stop_server(self) -> None:
        self.deliveries.stop()
        self.server.shutdown()
        self.server.server_close()
        self.api.close()

    def close(self) -> None:
        self.stop_server()
        self.fake.stop()

    def deliver(self, event: str, payload: dict[str, Any], *, delivery: str | None = None,
                signature: str | None | bool = True) -> Delivered:
        """Posts a delivery and, once it is queued, waits for the bot to have acted on it."""
        body = json.dumps(payload).encode()
        headers = {"x-github-event": event, "x-github-delivery": delivery or f"d-{time.monotonic_ns()}",
                   "content-type": "application/json"}
        if signature is True:
            headers["x-hub-signature-256"] = sign(body)
        elif isinstance(signature, str):
            headers["x-hub-signature-256"] = signature
        answer = httpx.post(f"{self.url}/webhook", content=body, headers=headers, timeout=30)
        if answer.status_code != 202:
            return Delivered(answer.status_code, answer.text, None)
        self.deliveries.join()
        return Delivered(answer.status_code, answer.text, self.deliveries.outcomes[headers["x-github-delivery"]])

    def replies(self) -> list[str]:
        return [c.body["body"] for c in self.fake.posted() if "bountychain:reply" in c.body["body"]]

    def status_comments(self) -> list[dict[str, Any]]:
        return [c for c in self.fake.on_issue(REPO, ISSUE) if "bountychain:status" in c["body"]]


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Service]:
    running = Service(tmp_path)
    try:
        yield running
    finally:
        running.close()


# --- authenticity -------------------------------------------------------------------------

def test_unsigned_and_forged_deliveries_get_401_and_nothing_happens(service: Service) -> None:
    payload = comment_payload("/bounty 50 USDC", comment_id=11)
    assert service.deliver("issue_comment", payload, signature=None).status == 401
    assert service.deliver("issue_comment", payload, signature=sign(b"other body")).status == 401
    assert service.deliver("issue_comment", payload, signature=sign(json.dumps(payload).encode(), "guess")).status == 401
    assert service.deliver("issue_comment", payload, signature="sha256=").status == 401
    assert service.fake.calls == []  # not even a token was asked for
    # The refused deliveries' ids were not taken: the genuine one is.
    answer = service.deliver("issue_comment", payload, delivery="d-genuine")
    assert answer.status == 202 and answer.outcome == "create link", answer.text
    assert len(service.replies()) == 1


def test_a_replayed_delivery_gets_409_and_posts_nothing(service: Service) -> None:
    payload = comment_payload("/bounty 50 USDC", comment_id=12)
    assert service.deliver("issue_comment", payload, delivery="d-1").outcome == "create link"
    calls = len(service.fake.calls)
    replayed = service.deliver("issue_comment", payload, delivery="d-1")
    assert replayed.status == 409 and replayed.outcome is None
    assert "already received" in json.loads(replayed.text)["error"]
    assert len(service.fake.calls) == calls
    # A redelivery under a new id (GitHub's retry after a timeout) answers nothing twice.
    again = service.deliver("issue_comment", payload, delivery="d-2")
    assert again.outcome.startswith("already answered")
    assert len(service.replies()) == 1


def test_secrets_are_read_from_the_environment_or_a_file(tmp_path: Path) -> None:
    assert read_secret("S", {"S": "value"}) == "value"
    (tmp_path / "s").write_text("from-file\n")
    assert read_secret("S", {"S_FILE": str(tmp_path / "s")}) == "from-file"
    with pytest.raises(Exception, match=r"set \$S, or \$S_FILE"):
        read_secret("S", {})
    with pytest.raises(Exception, match="is empty"):
        (tmp_path / "e").write_text("")
        read_secret("S", {"S_FILE": str(tmp_path / "e")})


def test_neither_the_secret_nor_the_key_nor_a_token_is_ever_logged(service: Service,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    answers = [service.deliver("issue_comment", comment_payload("/bounty 5 USDC", comment_id=21), signature="sha256=00")]
    answers.append(service.deliver("issue_comment", comment_payload("/bounty 5 USDC", comment_id=21)))
    # GitHub failing on every attempt: the delivery fails (500), and says why without credentials.
    service.fake.failures = [(502, {}, {"message": "Bad Gateway"})] * 5
    answers.append(service.deliver("issue_comment", comment_payload("/bounty 6 USDC", comment_id=22)))
    assert answers[-1].outcome.startswith("failed: GitHubError: GitHub refused POST"), answers[-1].outcome
    # A broken key: the error names the problem, never the key.
    broken = GitHubApi(APP_ID, service.pem[:200] + "garbage" + service.pem[-100:], base_url=service.fake.url)
    with pytest.raises(GitHubError) as raised:
        broken.installation_token(1)
    texts = [caplog.text, str(raised.value), repr(service.api), *(f"{a.text} {a.outcome}" for a in answers)]
    key_body = "".join(service.pem.splitlines()[1:-1])
    for text in texts:
        assert SECRET not in text
        assert not any(line in text for line in service.pem.splitlines()[1:-1]), "a line of the private key leaked"
        assert key_body[:40] not in text
        assert not any(token in text for token in service.fake.tokens)
    assert "GitHub answered 502" in caplog.text  # the log did say what happened


def test_the_bots_tables_keep_their_promises_on_sqlite_and_postgresql(index_db: Any) -> None:
    """The bot's own tables beside the index, on each backend: a delivery is taken once (and
    released if the process stopped before handling it), an answer reserved once, links read
    back by address in any case; reopening keeps them all."""
    index = open_index(index_db())
    state = BotState(index.engine)
    assert state.take_delivery("d-1", "issue_comment") and not state.take_delivery("d-1", "issue_comment")
    state.release_delivery("d-1")
    assert state.take_delivery("d-1", "issue_comment")
    state.delivery_handled("d-1")
    assert state.take_delivery("d-2", "issue_comment")  # queued when the process stopped
    assert state.reserve_reply("comment:5", "o/r", 1) == (True, None)
    assert state.reserve_reply("comment:5", "o/r", 1) == (False, None)  # cut short: the marker decides
    state.record_reply("comment:5", 77)
    hunter = Account.create().address
    assert state.record_link("Hunter-Jo", hunter, "https://github.com/o/r/issues/1#c")
    assert not state.record_link("hunter-jo", hunter, "https://github.com/o/r/issues/1#c")
    state.track_issue("o/r", 1, 9)
    state.record_status("o/r", 1, 1234, "ab" * 32)
    index.engine.dispose()
    reopened = BotState(open_index(index_db()).engine)  # a restart
    assert reopened.reserve_reply("comment:5", "o/r", 1) == (False, 77)
    assert reopened.release_unhandled() == 1
    assert not reopened.take_delivery("d-1", "issue_comment")
    assert reopened.take_delivery("d-2", "issue_comment")  # GitHub's redelivery of the lost one is taken
    assert [link["login"] for link in reopened.links_of_address(hunter.lower())] == ["hunter-jo"]
    assert reopened.status("o/r", 1).comment_id == 1234
    assert reopened.login_of(hunter) == "hunter-jo"


# --- commands ----------------------------------------------------------------------------

def test_commands_parse_as_people_type_them() -> None:
    assert parse_command("thanks!\n/bounty 50 USDC") == OfferBounty("50", "USDC", None, None)
    assert parse_command("/BOUNTY 0.1 eth 30d") == OfferBounty("0.1", "eth", 30 * 86400, "30d")
    assert parse_command("/bounty") == ShowBounties()
    assert parse_command("/claim") == Claim(None)
    assert parse_command("/claim #7") == Claim(7)
    assert parse_command("we use /bounty-like bots") is None
    assert parse_command("no command here") is None
    assert isinstance(parse_command(f"/link 0x{'ab' * 20} 0x{'cd' * 65}"), LinkAccount)
    for text, words in [("/bounty fifty USDC", "'fifty' is not an amount"), ("/bounty 50USDC", "put a space"),
                        ("/bounty 0 ETH", "more than zero"), ("/bounty 5 ETH 30x", "not a lock time"),
                        ("/bounty 5 ETH 900d", "out of range"), ("/claim me", "give a bounty number"),
                        ("/link 0x12", "takes your address")]:
        with pytest.raises(CommandError, match=words):
            parse_command(text)
    assert closed_issues("Fixes #1, closes org/other#2 and resolves https://github.com/Org/X/issues/3; "
                         "fixes #1 again", "Codertocat/Hello-World") == [
        ("codertocat/hello-world", 1), ("org/other", 2), ("org/x", 3)]


@given(st.text(max_size=200))
@settings(max_examples=300, deadline=None)
def test_any_comment_parses_to_a_command_nothing_or_a_command_error(text: str) -> None:
    try:
        parse_command(text)
    except CommandError as exc:
        assert "Type `/" in str(exc)  # every refusal says what to type instead


def test_bad_input_gets_a_reply_that_says_what_is_wrong_and_what_to_type(service: Service) -> None:
    cases = [("/bounty fifty USDC", "OWNER", "'fifty' is not an amount"),
             ("/bounty 50 DOGE", "OWNER", "I don't know the token 'DOGE' on Local dev chain: the bounties here can be "
                                          "paid in ETH, USDC"),
             ("/bounty 0.0000001 USDC", "OWNER", "USDC"),  # more decimals than USDC has
             ("/bounty 50 USDC", "NONE", "Only the repository's maintainers can open a bounty"),
             ("/bounty", "NONE", "No bounty on this issue yet"),
             ("/claim", "OWNER", "`/claim` goes in the pull request")]
    for number, (body, role, words) in enumerate(cases):
        answer = service.deliver("issue_comment", comment_payload(body, comment_id=100 + number, login="pat", role=role))
        assert answer.status == 202 and answer.outcome, answer.text
    replies = service.replies()
    assert len(replies) == len(cases)
    for reply, (_, _, words) in zip(replies, cases, strict=True):
        assert words in reply
        assert reply.startswith("@pat ")
        assert "None" not in reply and "NaN" not in reply
    assert "Type `/bounty 50 USDC`" in replies[0] and "Type `/bounty 50 USDC`" in replies[1]
    assert "decimal" in replies[2]
    assert service.status_comments() == []  # nothing to show: no bounty yet


def test_a_claim_is_refused_with_what_to_do(service: Service) -> None:
    pr = {"number": 2, "html_url": f"https://github.com/{REPO}/pull/2", "author": "hunter-jo"}
    service.deliver("issue_comment", comment_payload("/claim", comment_id=71, login="mallory", role="NONE",
                                                     pull={**pr, "body": "Fixes #1"}))
    service.deliver("issue_comment", comment_payload("/claim", comment_id=72, login="hunter-jo", role="CONTRIBUTOR",
                                                     pull={**pr, "body": "A pretty simple change"}))
    service.deliver("issue_comment", comment_payload("/claim", comment_id=73, login="hunter-jo", role="CONTRIBUTOR",
                                                     pull={**pr, "body": "Fixes #1"}))
    refused_role, no_issue, nothing = service.replies()
    assert "@mallory Only the pull request's author (@hunter-jo) can claim for it." in refused_role
    assert "add `Fixes #NUMBER` to its description, then comment `/claim` again" in no_issue
    assert "No open bounty to claim on #1. A bounty is opened with `/bounty 50 USDC` on the issue." in nothing


def test_a_bounty_command_answers_with_a_link_that_opens_the_page_ready_to_create(service: Service) -> None:
    service.deliver("issue_comment", comment_payload("/bounty 0.1 ETH 30d", comment_id=31))
    (reply,) = service.replies()
    link = re.search(r"\[Open the page, ready to create it\]\((\S+)\)", reply)[1]
    query = parse_qs(urlparse(link).query)
    assert link.startswith(PAGE + "/?")
    # The App's chain and escrow are named, so a page over several chains creates on the right one.
    assert query == {"create": [f"https://github.com/{REPO}/issues/1"], "amount": ["0.1"], "token": [ETH],
                     "lock": ["30d"], "chain": ["31337"], "escrow": [ETH]}
    assert f"`bountychain create https://github.com/{REPO}/issues/1 --deadline 30d`" in reply
    assert "0.1 ETH" in reply


def test_rate_limits_are_waited_out_as_github_asks(service: Service) -> None:
    reset = int(time.time()) + 5
    service.fake.failures = [(429, {"retry-after": "3"}, {"message": "slow down"}),
                             (403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset)},
                              {"message": "API rate limit exceeded"}),
                             (403, {}, {"message": "You have exceeded a secondary rate limit"})]
    answer = service.deliver("issue_comment", comment_payload("/bounty", comment_id=41))
    assert answer.outcome == "bounties shown", answer.outcome
    assert len(service.replies()) == 1
    assert service.slept[0] == 3
    assert 4 <= service.slept[1] <= 7  # until the reset, and a second
    assert service.slept[2] == 60
    # A wait beyond what the bot sleeps fails the delivery and forgets it; the redelivery posts once.
    service.fake.failures = [(429, {"retry-after": "3600"}, {"message": "slow down"})]
    failed = service.deliver("issue_comment", comment_payload("/bounty", comment_id=42), delivery="d-42")
    assert failed.outcome.startswith("failed: RateLimited: GitHub's rate limit asks to wait 3600 s")
    assert len(service.replies()) == 1
    again = service.deliver("issue_comment", comment_payload("/bounty", comment_id=42), delivery="d-42")
    assert again.outcome == "bounties shown", again.outcome
    assert len(service.replies()) == 2


def test_an_answer_cut_short_after_posting_is_found_by_its_marker_not_posted_again(service: Service) -> None:
    payload = comment_payload("/bounty", comment_id=51)
    # A crash between posting and recording: the key is reserved, the comment is on GitHub.
    service.bot.state.reserve_reply("comment:51", REPO.lower(), ISSUE)
    service.api.create_comment(1, REPO, ISSUE, "@Codertocat No bounty ...\n\n<!-- bountychain:reply:comment:51 -->")
    answer = service.deliver("issue_comment", payload)
    assert answer.outcome.startswith("already answered")
    assert len(service.fake.posted()) == 1


def test_a_github_login_is_linked_by_a_signed_statement(service: Service) -> None:
    hunter, other = Account.create(), Account.create()
    signature = sign_link(hunter, "Hunter-Jo")
    # Posted by someone else: the statement names hunter-jo, so it links nobody.
    service.deliver("issue_comment", comment_payload(f"/link {hunter.address} {signature}", comment_id=61,
                                                     login="mallory", role="NONE"))
    forged = sign_link(other, "hunter-jo")
    service.deliver("issue_comment", comment_payload(f"/link {hunter.address} {forged}", comment_id=62,
                                                     login="hunter-jo", role="NONE"))
    service.deliver("issue_comment", comment_payload(f"/link {hunter.address} {signature}", comment_id=63,
                                                     login="hunter-jo", role="NONE"))
    replies = service.replies()
    assert f"That signature is not {hunter.address}'s over the statement naming @mallory" in replies[0]
    assert "That signature is not" in replies[1]
    assert f"Linked to {hunter.address}" in replies[2]
    answer = httpx.get(f"{service.url}/api/github/links/{hunter.address.lower()}").json()
    assert answer["address"] == hunter.address
    assert [(link["login"], link["address"]) for link in answer["links"]] == [("hunter-jo", hunter.address)]
    assert httpx.get(f"{service.url}/api/github/links/{other.address}").json()["links"] == []
    assert httpx.get(f"{service.url}/api/github/links/nope").status_code == 400


def test_installations_say_which_repositories_the_status_loop_follows(service: Service) -> None:
    created = examples("installation", "created")[0]
    assert service.deliver("installation", created).outcome == "installation covers 1 more repositories"
    assert service.bot.state.repositories() == {"codertocat/hello-world": created["installation"]["id"]}
    removed = {"action": "removed", "installation": created["installation"], "repositories_added": [],
               "repositories_removed": [{"full_name": "Codertocat/Hello-World"}]}
    assert service.deliver("installation_repositories", removed).outcome.endswith("1 fewer")
    assert service.bot.state.repositories() == {}
    deleted = examples("installation", "deleted")[0]
    deleted["installation"]["id"] = created["installation"]["id"]  # the same App installation, uninstalled
    service.deliver("installation", created, delivery="d-again")
    assert service.deliver("installation", deleted).outcome == "installation removed"
    assert service.bot.state.repositories() == {}
    assert service.fake.calls == []


def test_the_manifest_asks_for_the_least_permissions() -> None:
    manifest = app_manifest("https://bot.example.org")
    assert manifest["default_permissions"] == {"issues": "write", "pull_requests": "read", "metadata": "read"}
    assert manifest["hook_attributes"]["url"] == "https://bot.example.org/webhook"
    assert set(manifest["default_events"]) == {"issue_comment", "pull_request"}
    printed = CliRunner().invoke(cli, ["github", "manifest", "https://bot.example.org"])
    assert printed.exit_code == 0, printed.output
    assert json.loads(printed.output) == manifest
    unset = {name: None for name in ("BOUNTYCHAIN_GITHUB_WEBHOOK_SECRET", "BOUNTYCHAIN_GITHUB_WEBHOOK_SECRET_FILE")}
    refused = CliRunner().invoke(cli, ["github", "serve", "--page", PAGE, "--app-id", APP_ID], env=unset)
    assert refused.exit_code == 1
    assert "set $BOUNTYCHAIN_GITHUB_WEBHOOK_SECRET, or $BOUNTYCHAIN_GITHUB_WEBHOOK_SECRET_FILE" in refused.output


# --- the whole loop on anvil -------------------------------------------------------------

def _link(reply: str, text: str) -> str:
    return re.search(re.escape(f"[{text}](") + r"(\S+?)\)", reply)[1]


def _eip681(reply: str) -> tuple[str, int, int, int]:
    """(escrow, chain id, bounty id, amount) of the EIP-681 pledge link in a reply."""
    match = re.search(r"`ethereum:(0x[0-9a-fA-F]{40})@(\d+)/pledge\?uint256=(\d+)&uint256=(\d+)[^`]*`", reply)
    return match[1], int(match[2]), int(match[3]), int(match[4])


def _clean(body: str) -> None:
    for stray in ("None", "NaN", "undefined", "null"):
        assert stray not in body, f"{stray!r} in {body}"


@pytest.mark.anvil
def test_the_whole_loop_on_anvil(tmp_path: Path) -> None:
    with AnvilNode() as chain:
        issuer, treasury, relayer = chain.new_account(), chain.new_account(), chain.new_account()
        funders = [chain.new_account(), chain.new_account()]
        hunter = chain.new_account()
        escrow = BountyClient.deploy(chain, issuer, fee_recipient=treasury.address, fee_bps=100, poll_latency=0.005)
        usdc = deploy_contract(chain.w3, issuer, "TestToken", "USD Coin", "USDC", 6)
        for funder in funders:
            send_transaction(chain.w3, issuer, usdc.functions.mint(funder.address, 1_000 * USDC))
        indexer = Indexer.for_client(escrow, tmp_path / "index.sqlite3", confirmations=0)
        service = Service(tmp_path, chain.chain_id, escrow.address,
                          {"ETH": Token("ETH", ETH, 18), "USDC": Token("USDC", usdc.address, 6)}, index=indexer.db)
        try:
            _loop(service, chain, escrow, usdc, indexer, issuer, funders, hunter, relayer)
        finally:
            service.close()


def _loop(service: Service, chain: Any, escrow: BountyClient, usdc: Any, indexer: Indexer, issuer: Any,
          funders: list[Any], hunter: Any, relayer: Any) -> None:
    fake = service.fake

    def step() -> str:
        indexer.sync()
        service.bot.refresh_all()
        (status,) = service.status_comments()
        _clean(status["body"])
        return status["body"]

    # 1. A maintainer asks for a bounty: the link opens the page ready to create it.
    service.deliver("issue_comment", comment_payload("/bounty 50 USDC 30d", comment_id=1001))
    create = parse_qs(urlparse(_link(service.replies()[-1], "Open the page, ready to create it")).query)
    assert service.status_comments() == []
    # The page creates it as the link says, and the funder pledges the amount.
    lock = {"30d": 30 * 86400}[create["lock"][0]]
    now = chain.w3.eth.get_block("latest")["timestamp"]
    bounty_id = escrow.as_signer(issuer).create_bounty(create["create"][0], now + lock, token=create["token"][0]).bounty_id
    escrow.as_signer(funders[0]).pledge(bounty_id, f"{create['amount'][0]} USDC")
    body = step()
    (status,) = service.status_comments()
    status_id = status["id"]
    assert "Bounty 1" in body and "50 USDC held" in body and "Pledged 50 USDC by" in body
    # Every link names the chain and the escrow: a page over several chains finds this bounty.
    where = f"chain={chain.chain_id}&escrow={escrow.address}"
    assert create["chain"] == [str(chain.chain_id)] and create["escrow"] == [escrow.address]
    assert f"{PAGE}/badge/{bounty_id}.svg?{where}" in body

    # 2. Another /bounty: now a pledge link, the EIP-681 link and the badge; the second funder pledges from it.
    service.deliver("issue_comment", comment_payload("/bounty 25 USDC", comment_id=1002))
    reply = service.replies()[-1]
    assert f"{PAGE}/bounty/{bounty_id}?{where}&pledge=25" in reply and f"{PAGE}/badge/{bounty_id}.svg?{where}" in reply
    to, chain_id, pledge_to, amount = _eip681(reply)
    assert (to, chain_id, pledge_to, amount) == (escrow.address, chain.chain_id, bounty_id, 25 * USDC)
    assert f"&uint64={escrow.bounty(bounty_id).deadline}`" in reply  # pledge's third argument, maxUnlocksAt
    assert f"approve 25 USDC with `ethereum:{usdc.address}@{chain.chain_id}/approve?address={escrow.address}" \
           f"&uint256={25 * USDC}`" in reply
    escrow.as_signer(funders[1]).pledge(pledge_to, amount)
    body = step()
    assert "75 USDC held" in body and "Pledged 25 USDC" in body and "75000000" not in body

    # 3. The hunter's pull request fixes the issue; /claim links to signing the solution.
    pr_url = f"https://github.com/{REPO}/pull/2"
    pull = {"number": 2, "html_url": pr_url, "body": "Fixes #1", "author": "hunter-jo"}
    service.deliver("issue_comment", comment_payload("/claim", comment_id=1003, login="hunter-jo",
                                                     role="CONTRIBUTOR", pull=pull))
    claim_link = _link(service.replies()[-1], "sign the solution")
    assert claim_link == (f"{PAGE}/bounty/{bounty_id}?{where}&claim=https%3A%2F%2Fgithub.com%2F"
                          f"{REPO.replace('/', '%2F')}%2Fpull%2F2")
    signed = escrow.as_signer(hunter).sign_solution(bounty_id, parse_qs(urlparse(claim_link).query)["claim"][0])
    hunter_eth = chain.w3.eth.get_balance(hunter.address)
    claim_id = escrow.as_signer(relayer).relay_solution(signed.to_json()).claim_id
    assert chain.w3.eth.get_balance(hunter.address) == hunter_eth  # the hunter paid no gas
    body = step()
    assert f"Solution: claim {claim_id} by" in body and pr_url in body
    service.deliver("issue_comment", comment_payload("/claim", comment_id=1005, login="hunter-jo",
                                                     role="CONTRIBUTOR", pull=pull))
    assert f"already registered as claim {claim_id} (by {hunter.address}); nothing more to sign" in service.replies()[-1]

    # 4. The pull request is merged: the approver is asked to award, the claim prefilled.
    service.deliver("pull_request", merged_payload(2, "Fixes #1", "hunter-jo"))
    body = service.status_comments()[0]["body"]
    award_link = f"{PAGE}/bounty/{bounty_id}?{where}&award={claim_id}"
    assert f"**Merged**: {pr_url} by @hunter-jo" in body and f"award to claim {claim_id}]({award_link})" in body

    # 5. The approver awards from the link: the hunter is paid the pool less the fee.
    before = usdc.functions.balanceOf(hunter.address).call()
    escrow_before = usdc.functions.balanceOf(escrow.address).call()
    awarded_claim = int(parse_qs(urlparse(award_link).query)["award"][0])
    escrow.as_signer(issuer).award(bounty_id, {awarded_claim: 10_000})
    assert usdc.functions.balanceOf(hunter.address).call() - before == 75 * USDC * 99 // 100
    assert escrow_before - usdc.functions.balanceOf(escrow.address).call() == 75 * USDC * 99 // 100
    body = step()
    assert "**Awarded**: 74.25 USDC to claim 1" in body and "fee 0.75 USDC" in body
    assert "award to claim" not in body  # nothing left to ask

    # One status comment, posted once and edited at each step.
    statuses = [c for c in fake.posted() if "bountychain:status" in c.body["body"]]
    assert len(statuses) == 1
    edits = [c for c in fake.edits() if c.path.endswith(f"/comments/{status_id}")]
    assert len(edits) == 4  # the second pledge, the solution, the merge, the award

    # 6. A restart and GitHub's redeliveries post nothing more and edit nothing.
    calls = len(fake.calls)
    service.restart()
    assert service.bot.refresh_all() == 0
    assert service.deliver("issue_comment", comment_payload("/bounty 50 USDC 30d", comment_id=1001)).outcome.startswith(
        "already answered")
    service.deliver("pull_request", merged_payload(2, "Fixes #1", "hunter-jo"))
    assert [c for c in fake.calls[calls:] if c.method in ("POST", "PATCH") and "/comments" in c.path] == []

    # 7. A closed bounty: /bounty says so and what to do.
    service.deliver("issue_comment", comment_payload("/bounty 10 USDC", comment_id=1004))
    assert "Bounty 1 on this issue is awarded, and takes no more pledges" in service.replies()[-1]


# --- the command, as an operator runs it -------------------------------------------------

@pytest.mark.anvil
def test_bountychain_github_serve_runs_as_a_command_and_keeps_its_secrets(tmp_path: Path) -> None:
    """`bountychain github serve` in its own process: secrets from the environment and a file,
    the index synced from anvil (--sync), a status comment posted by its background loop, a
    command answered; nothing it prints holds a secret."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                            serialization.NoEncryption()).decode()
    (tmp_path / "app.pem").write_text(pem)
    fake = FakeGitHub(APP_ID, key.public_key()).start()
    with AnvilNode() as chain:
        issuer, funder = chain.new_account(), chain.new_account()
        escrow = BountyClient.deploy(chain, issuer, poll_latency=0.005)
        env = {**os.environ, "BOUNTYCHAIN_GITHUB_APP_ID": APP_ID, "BOUNTYCHAIN_GITHUB_WEBHOOK_SECRET": SECRET,
               "BOUNTYCHAIN_GITHUB_PRIVATE_KEY_FILE": str(tmp_path / "app.pem"), "BOUNTYCHAIN_GITHUB_API": fake.url}
        env.pop("BOUNTYCHAIN_GITHUB_PRIVATE_KEY", None)
        command = [sys.executable, "-m", "bountychain.cli", "--rpc", chain.url, "--escrow", escrow.address, "--json",
                   "github", "serve", "--db", f"sqlite:///{tmp_path / 'index.sqlite3'}", "--page", PAGE, "--port", "0",
                   "--interval", "1", "--sync"]
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            started = json.loads(process.stdout.readline())
            # One bot process per database: a second one on the same --db refuses, in one line.
            second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
            assert second.returncode == 1 and json.loads(second.stdout)["error_type"] == "BotBusy", second.stderr
            assert second.stderr.startswith("error: another bot process (`bountychain github serve`) already "
                                            f"handles the deliveries of {tmp_path / 'index.sqlite3'}"), second.stderr
            assert len(second.stderr.strip().splitlines()) == 1, second.stderr
            webhook = started["webhook"]
            assert started["tokens"] == ["ETH"]
            install = examples("installation", "created")[0]
            body = json.dumps(install).encode()
            answer = httpx.post(webhook, content=body, headers={"x-github-event": "installation",
                                                                "x-github-delivery": "d-install",
                                                                "x-hub-signature-256": sign(body)})
            assert answer.status_code == 202, answer.text
            # A bounty on an issue of an installed repository gets a status comment from the loop.
            issue = f"https://github.com/{install['repositories'][0]['full_name']}/issues/7"
            bounty_id = escrow.as_signer(issuer).create_bounty(issue, chain.now() + 86_400).bounty_id
            escrow.as_signer(funder).pledge(bounty_id, "0.5 ETH")
            deadline = time.monotonic() + 60
            while not [c for c in fake.comments.values() if "bountychain:status" in c["body"]]:
                assert process.poll() is None, process.stderr.read()
                assert time.monotonic() < deadline, "no status comment was posted"
                time.sleep(0.2)
            (status,) = fake.comments.values()
            assert "0.5 ETH held" in status["body"] and "Pledged 0.5 ETH by" in status["body"]
            # A hunter signs the link statement with the CLI and posts the line it prints.
            hunter = Account.create()
            signed = subprocess.run(
                [sys.executable, "-m", "bountychain.cli", "--rpc", chain.url, "--escrow", escrow.address, "--json",
                 "github", "sign-link", "Hunter-Jo"], env={**env, "BOUNTYCHAIN_PRIVATE_KEY": hunter.key.hex()},
                capture_output=True, text=True, check=True)
            line = json.loads(signed.stdout)["comment"]
            assert line.startswith(f"/link {hunter.address} 0x")
            comment = json.dumps(comment_payload(line, comment_id=801, login="hunter-jo", role="NONE")).encode()
            answer = httpx.post(webhook, content=comment, headers={"x-github-event": "issue_comment",
                                                                   "x-github-delivery": "d-link",
                                                                   "x-hub-signature-256": sign(comment)})
            assert answer.status_code == 202, answer.text
            route = webhook.replace("/webhook", f"/api/github/links/{hunter.address}")
            while not (links := httpx.get(route).json()["links"]):
                assert time.monotonic() < deadline, "the link was not recorded"
                time.sleep(0.1)
            assert [link["login"] for link in links] == ["hunter-jo"]
            forged = httpx.post(webhook, content=body, headers={"x-github-event": "installation",
                                                                "x-github-delivery": "d-forged",
                                                                "x-hub-signature-256": sign(body, "wrong")})
            assert forged.status_code == 401
        finally:
            process.send_signal(signal.SIGTERM)
            out, err = process.communicate(timeout=30)
            fake.stop()
    assert "delivery d-install (installation): installation covers 1 more repositories" in err
    assert "refused a delivery without a valid signature" in err
    for text in (out, err):
        assert SECRET not in text
        assert not any(line in text for line in pem.splitlines()[1:-1])
        assert not any(token in text for token in fake.tokens)


@pytest.mark.anvil
def test_the_status_comment_shows_a_proposal_under_review_and_refunds(tmp_path: Path) -> None:
    ether = 10**18
    with AnvilNode() as chain:
        issuer, funder, other_funder, hunter = (chain.new_account() for _ in range(4))
        escrow = BountyClient.deploy(chain, issuer, poll_latency=0.005)
        indexer = Indexer.for_client(escrow, tmp_path / "index.sqlite3", confirmations=0)
        service = Service(tmp_path, chain.chain_id, escrow.address, {"ETH": Token("ETH", ETH, 18)}, index=indexer.db)
        try:
            install = examples("installation", "created")[0]
            install["repositories"] = [{"full_name": REPO}]
            assert service.deliver("installation", install).outcome == "installation covers 1 more repositories"
            issue = f"https://github.com/{REPO}/issues/{ISSUE}"
            # An optimistic bounty with a proposal in its review window.
            reviewed = escrow.as_signer(issuer).create_bounty(issue, chain.now() + 10 * 86_400,
                                                              review=ReviewTerms(review_window=3 * 86_400)).bounty_id
            escrow.as_signer(funder).pledge(reviewed, "1 ETH")
            claim = escrow.as_signer(hunter).submit_solution(reviewed, f"https://github.com/{REPO}/pull/9").claim_id
            proposal = escrow.as_signer(issuer).propose(reviewed, {claim: 10_000})
            window_end = chain.w3.eth.get_block(proposal.block_number)["timestamp"] + 3 * 86_400
            # A plain bounty whose deadline passes, and a funder who takes the pledge back.
            deadline = chain.now() + 3_600
            plain = escrow.as_signer(issuer).create_bounty(issue, deadline).bounty_id
            escrow.as_signer(other_funder).pledge(plain, "0.2 ETH")
            indexer.sync()
            assert service.bot.refresh_all() == 1
            (status,) = service.status_comments()
            body = status["body"]
            _clean(body)
            assert f"Bounty {reviewed}" in body and "an award is proposed and under review" in body
            assert (f"- Proposed award: claim {claim} (100%) of 1 ETH; funders may object until "
                    f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(window_end))} (0 ETH against so far)") in body
            assert "Refunded" not in body

            chain.set_next_block_timestamp(deadline + 1)
            held = chain.w3.eth.get_balance(escrow.address)
            before = chain.w3.eth.get_balance(other_funder.address)
            refund = escrow.as_signer(other_funder).refund(plain)
            assert chain.w3.eth.get_balance(other_funder.address) - before == ether // 5 - refund.gas_cost_wei
            assert held - chain.w3.eth.get_balance(escrow.address) == ether // 5
            indexer.sync()
            assert service.bot.refresh_all() == 1
            (status,) = service.status_comments()
            body = status["body"]
            _clean(body)
            assert "- Refunded to funders: 0.2 ETH" in body
            where = f"chain={chain.chain_id}&escrow={escrow.address}"
            assert (f"[Bounty {plain}]({PAGE}/bounty/{plain}?{where})**: 0 ETH held, 0.2 ETH pledged by 1 funder; "
                    "past its deadline") in body
            assert len(service.fake.posted()) == 1 and len(service.fake.edits()) == 1
        finally:
            service.close()
