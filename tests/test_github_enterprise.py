"""The GitHub App beyond one github.com bot (issue 17): links that name the App's chain and
escrow (tests/test_github.py checks them in the whole loop), a GitHub Enterprise Server's web
host and API, and one bot process per database. On the local GitHub fake (tests/github_fake.py)
and real payloads, as tests/test_github.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bountychain import AnvilNode, BountyClient
from bountychain.cli.github import github_endpoints
from bountychain.errors import InvalidURI
from bountychain.github import Bot, BotBusy, BotConfig, BotState, Token, create_github_app
from bountychain.github.commands import closed_issues
from bountychain.index import Indexer, open_index
from bountychain.issue_urls import normalize_issue_url, parse_repo_filter
from tests.test_github import ETH, PAGE, REPO, SECRET, Service, comment_payload, merged_payload

GHE = "ghe.example.com"


# --- GitHub Enterprise Server -------------------------------------------------------------------

def test_the_api_and_the_web_host_are_configurable_as_in_github_actions() -> None:
    assert github_endpoints(None, None) == ("github.com", "https://api.github.com")
    assert github_endpoints(f"https://{GHE.upper()}/", None) == (GHE, f"https://{GHE}/api/v3")
    assert github_endpoints(f"https://{GHE}", "https://api.ghe.example.com/") == (GHE, "https://api.ghe.example.com")
    for bad in ("ghe.example.com", f"https://{GHE}/org", f"https://{GHE}:8443", "javascript:alert(1)"):
        with pytest.raises(InvalidURI, match="is not a GitHub server's address: write https://HOST"):
            github_endpoints(bad, None)


def test_issue_urls_on_the_servers_host_are_accepted_when_it_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    issue = f"https://{GHE}/Org/Repo/issues/7"
    monkeypatch.delenv("GITHUB_SERVER_URL", raising=False)
    monkeypatch.delenv("BOUNTYCHAIN_ISSUE_HOSTS", raising=False)
    with pytest.raises(InvalidURI, match="is not on a known forge"):
        normalize_issue_url(issue)
    monkeypatch.setenv("GITHUB_SERVER_URL", f"https://{GHE}")  # as GitHub Actions sets it
    assert normalize_issue_url(issue) == f"https://{GHE}/org/repo/issues/7"
    with pytest.raises(InvalidURI, match="is a pull request, not an issue"):
        normalize_issue_url(f"https://{GHE}/org/repo/pull/8")
    assert parse_repo_filter(f"{GHE}/org/repo").matches(issue)
    monkeypatch.setenv("GITHUB_SERVER_URL", "ghe.example.com")
    with pytest.raises(InvalidURI, match=r"^\$GITHUB_SERVER_URL: 'ghe.example.com' is not a GitHub server's address"):
        normalize_issue_url(issue)


def test_closing_keywords_name_issues_on_the_apps_host_only() -> None:
    text = (f"Fixes https://{GHE}/org/repo/issues/3, closes https://github.com/other/repo/issues/4, "
            "resolves #5 and fixes team/tool#6")
    assert closed_issues(text, "org/repo", GHE) == [("org/repo", 3), ("org/repo", 5), ("team/tool", 6)]
    assert closed_issues(text, "org/repo") == [("other/repo", 4), ("org/repo", 5), ("team/tool", 6)]


def _on_ghe(payload: dict[str, Any]) -> dict[str, Any]:
    """A delivery from a GitHub Enterprise Server: its issue and pull request URLs on its host."""
    for holder in (payload.get("issue"), payload.get("pull_request"), payload.get("comment")):
        if holder and holder.get("html_url"):
            holder["html_url"] = holder["html_url"].replace("https://github.com/", f"https://{GHE}/")
    return payload


@pytest.mark.anvil
def test_a_bot_on_an_enterprise_server_matches_its_hosts_issues_and_not_github_coms(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_SERVER_URL", f"https://{GHE}")
    with AnvilNode() as chain:
        issuer = chain.new_account()
        escrow = BountyClient.deploy(chain, issuer, poll_latency=0.005)
        deadline = chain.now() + 30 * 86_400
        # The same owner, name and number on github.com and on the server: two different issues.
        on_github = escrow.create_bounty(f"https://github.com/{REPO}/issues/1", deadline).bounty_id
        on_ghe = escrow.create_bounty(f"https://{GHE}/{REPO}/issues/1", deadline).bounty_id
        escrow.as_signer(chain.new_account()).pledge(on_ghe, "0.3 ETH")
        indexer = Indexer.for_client(escrow, tmp_path / "index.sqlite3", confirmations=0)
        indexer.sync()
        service = Service(tmp_path, chain.chain_id, escrow.address, index=indexer.db)
        try:
            service.config = BotConfig(PAGE, chain.chain_id, escrow.address, service.tokens, web_host=GHE.upper())
            service.restart()
            service.deliver("issue_comment", _on_ghe(comment_payload("/bounty 0.1 ETH", comment_id=71)))
            reply = service.replies()[-1]
            assert f"Pledge 0.1 ETH to bounty {on_ghe}" in reply and f"bounty {on_github}" not in reply
            service.deliver("issue_comment", _on_ghe(comment_payload("/bounty", comment_id=72)))
            shown = service.replies()[-1]
            assert f"Bounty {on_ghe}" in shown and f"Bounty {on_github}]" not in shown and "0.3 ETH held" in shown
            # A merged pull request naming the issue by its full URL on the server closes it.
            merged = _on_ghe(merged_payload(2, f"Fixes https://{GHE}/{REPO}/issues/1", "hunter-jo"))
            assert service.deliver("pull_request", merged).outcome == "merged pull request closes 1 issue(s)"
            (status,) = service.status_comments()
            assert f"[Bounty {on_ghe}]" in status["body"] and f"[Bounty {on_github}]" not in status["body"]
            assert f"**Merged**: https://{GHE}/{REPO}/pull/2 by @hunter-jo" in status["body"]
        finally:
            service.close()


# --- one bot process per database -------------------------------------------------------------

def _bot(target: str) -> Bot:
    index = open_index(target)  # an engine of its own, as another process would have
    config = BotConfig(PAGE, 31337, ETH, {"ETH": Token("ETH", ETH, 18)})
    return Bot(config, index, BotState(index.engine), api=None)  # type: ignore[arg-type] # never reaches GitHub


def test_a_second_bot_process_on_the_same_database_refuses_to_start(index_db: Any) -> None:
    """Two bots on one database would both take deliveries, and the second, starting, would
    forget the first one's queued deliveries as unhandled: it refuses at once instead, on
    SQLite (a file lock) and PostgreSQL (an advisory lock). Once the first stops, it starts."""
    first = create_github_app(_bot(index_db()), SECRET)
    try:
        assert first.state.deliveries.bot.state.take_delivery("d-queued", "issue_comment")
        with pytest.raises(BotBusy) as busy:
            create_github_app(_bot(index_db()), SECRET)
        assert "another bot process (`bountychain github serve`) already handles the deliveries of" in str(busy.value)
        assert "run one bot per database; stop the other one first, or give this one its own --db" in str(busy.value)
        assert "password" not in str(busy.value).lower()
        # The refused process forgot nothing: the first one's queued delivery is still taken.
        assert not first.state.deliveries.bot.state.take_delivery("d-queued", "issue_comment")
        other = create_github_app(_bot(index_db("other")), SECRET)  # another database: no conflict
        other.state.deliveries.stop()
    finally:
        first.state.deliveries.stop()
    second = create_github_app(_bot(index_db()), SECRET)
    try:
        # The new process took over: the stopped one's unhandled delivery is released for GitHub's redelivery.
        assert second.state.deliveries.bot.state.take_delivery("d-queued", "issue_comment")
    finally:
        second.state.deliveries.stop()
