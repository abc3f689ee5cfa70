"""`bountychain github serve`: a GitHub App that brings bounties into issue comments.

It answers `/bounty`, `/claim` and `/link` commands with links to the page and the wallet
actions, keeps one status comment per issue in step with the index, and asks the approver to
award when a pull request that closes the issue is merged. It reads the index (any database
URL the index takes) and keeps its own tables beside it; it never holds a key that moves money
and never sends a transaction.

Modules: `commands` (parsing comments), `render` (what it writes), `bot` (what a delivery
means), `state` (its tables), `rest` (GitHub's REST API as an App), `links` (EIP-712 account
links), `app` (the webhook service), `server` (it on uvicorn); `app-manifest.json` is the App's manifest.
"""

import json
from importlib import resources
from typing import Any

from bountychain.github.app import StatusLoop, create_github_app, links_routes, read_secret, signature_ok
from bountychain.github.bot import Bot, BotConfig, Token
from bountychain.github.links import link_signer, link_typed_data, sign_link
from bountychain.github.rest import GitHubApi, GitHubError, RateLimited
from bountychain.github.state import BotBusy, BotState, ServiceLock


def app_manifest(url: str, webhook_url: str | None = None) -> dict[str, Any]:
    """The App's manifest (least permissions: issues write, pull requests and metadata read),
    for the service at `url`."""
    manifest = json.loads(resources.files("bountychain.github").joinpath("app-manifest.json").read_text())
    manifest["url"] = url
    manifest["hook_attributes"]["url"] = webhook_url or url.rstrip("/") + "/webhook"
    return manifest


__all__ = ["Bot", "BotBusy", "BotConfig", "BotState", "GitHubApi", "GitHubError", "RateLimited", "ServiceLock",
           "StatusLoop", "Token", "app_manifest", "create_github_app", "link_signer", "link_typed_data", "links_routes",
           "read_secret", "sign_link", "signature_ok"]
