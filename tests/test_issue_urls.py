"""Issue URLs (issue 15, problem 8): what a bounty may point at, one function for the SDK and
the command line, checked against the shared vectors in tests/data/issue_urls.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bountychain.errors import InvalidURI
from bountychain.issue_urls import normalize_issue_url, parse_issue_url, parse_repo_filter

VECTORS = json.loads((Path(__file__).parent / "data" / "issue_urls.json").read_text())


@pytest.mark.parametrize("url, canonical", sorted(VECTORS["accept"].items()))
def test_accepted_issue_urls_normalise_to_one_spelling(url: str, canonical: str) -> None:
    assert normalize_issue_url(url) == canonical
    assert normalize_issue_url(canonical) == canonical  # idempotent


@pytest.mark.parametrize("url, reason", sorted(VECTORS["refuse"].items()))
def test_refused_urls_say_why(url: str, reason: str) -> None:
    with pytest.raises(InvalidURI) as refused:
        parse_issue_url(url, "issue_url")
    assert reason in str(refused.value) and str(refused.value).startswith("issue_url: ")


@pytest.mark.parametrize("repo, url, matches", VECTORS["repo_filters"])
def test_repo_filters_match_host_owner_and_name(repo: str, url: str, matches: bool) -> None:
    assert parse_repo_filter(repo).matches(url) is matches


@pytest.mark.parametrize("repo", VECTORS["bad_repo_filters"])
def test_bad_repo_filters_are_refused(repo: str) -> None:
    with pytest.raises(InvalidURI, match="OWNER/NAME"):
        parse_repo_filter(repo)


def test_a_self_hosted_forge_is_accepted_only_when_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    url = "https://git.example.org/team/app/issues/12"
    with pytest.raises(InvalidURI, match="BOUNTYCHAIN_ISSUE_HOSTS"):
        parse_issue_url(url)
    monkeypatch.setenv("BOUNTYCHAIN_ISSUE_HOSTS", "git.example.org=gitea, gitlab.example.com=gitlab")
    assert normalize_issue_url(url) == url
    assert normalize_issue_url("https://gitlab.example.com/a/b/issues/1") == "https://gitlab.example.com/a/b/-/issues/1"
    monkeypatch.setenv("BOUNTYCHAIN_ISSUE_HOSTS", "git.example.org=svn")
    with pytest.raises(InvalidURI, match="HOST=KIND"):
        parse_issue_url(url)
