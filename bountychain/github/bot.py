"""The bot's decisions: what a webhook delivery means and what to post, and the status
comment of each issue kept in step with the index. It reads the index and GitHub's payloads,
posts through `GitHubApi`, and keeps its memory in `BotState`; it holds no key that moves
money and never sends a transaction.

Idempotence: an answer to a comment is keyed by that comment's id and reserved in the
bot's table before it is posted. A second delivery of the same comment finds the key and
posts nothing; an attempt cut short between posting and recording is recovered by finding
the answer's hidden marker among the issue's comments. The status comment's id and the hash
of its last text are stored, so a restart edits the same comment, and only when the text
changed."""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from eth_utils import is_checksum_address, to_checksum_address

from bountychain.amounts import format_amount, parse_amount
from bountychain.chains import chain_name
from bountychain.errors import InvalidAmount
from bountychain.github import commands as cmd
from bountychain.github.links import link_signer
from bountychain.github.render import (
    STATE_WORDS,
    STATUS_MARKER,
    PageLinks,
    bounty_line,
    issue_number_of,
    reply_marker,
    status_body,
    totals_by_token,
)
from bountychain.github.rest import GitHubApi
from bountychain.github.state import BotState, Merge
from bountychain.index import Index, queries
from bountychain.index.records import BountySummary

log = logging.getLogger("bountychain.github")

MAINTAINER_ROLES = frozenset({"OWNER", "MEMBER", "COLLABORATOR"})
OPEN = ("open",)


@dataclass(frozen=True)
class Token:
    symbol: str
    address: str
    decimals: int


@dataclass
class BotConfig:
    page_url: str
    chain_id: int
    escrow: str
    tokens: dict[str, Token]  # by upper-case symbol; ETH is the zero address with 18 decimals
    maintainer_roles: frozenset[str] = MAINTAINER_ROLES
    # The web host of issues and pull requests: github.com, or a GitHub Enterprise Server's.
    web_host: str = "github.com"
    links: PageLinks = field(init=False)

    def __post_init__(self) -> None:
        self.web_host = self.web_host.lower()
        self.links = PageLinks(self.page_url, self.chain_id, self.escrow)


@dataclass(frozen=True)
class Context:
    """Where a comment was made and by whom."""

    installation_id: int
    repo: str  # owner/name as GitHub spells it (the index's is lowercase)
    number: int  # the issue's or pull request's
    url: str  # its html_url
    login: str
    role: str  # author_association
    comment_id: int
    comment_url: str
    is_pull_request: bool
    body: str  # the issue's or pull request's description
    author: str  # the issue's or pull request's author


class Bot:
    def __init__(self, config: BotConfig, index: Index, state: BotState, api: GitHubApi) -> None:
        self.config = config
        self.index = index
        self.state = state
        self.api = api
        self.before_refresh: Callable[[], object] | None = None  # e.g. an indexer's sync
        self._lock = threading.RLock()  # one post or edit at a time: the webhook and the status loop

    # --- deliveries ---
    def handle(self, event: str, payload: dict[str, Any]) -> str:
        """Acts on one verified delivery; returns what it did, in a few words."""
        installation = (payload.get("installation") or {}).get("id")
        if event == "ping":
            return "pong"
        if event in ("installation", "installation_repositories"):
            return self._installation(payload)
        if installation is None:
            return "ignored: not sent to an installation"
        repository = payload.get("repository") or {}
        if repository.get("full_name"):
            self.state.record_repository(repository["full_name"].lower(), int(installation))
        if event == "issue_comment" and payload.get("action") == "created":
            return self._comment(payload, int(installation))
        if event == "pull_request" and payload.get("action") == "closed" and (payload.get("pull_request") or {}).get("merged"):
            return self._merged(payload, int(installation))
        return f"ignored: {event} {payload.get('action', '')}".strip()

    def _installation(self, payload: dict[str, Any]) -> str:
        installation = int(payload["installation"]["id"])
        if payload.get("action") == "deleted":
            self.state.forget_installation(installation)
            return "installation removed"
        added = payload.get("repositories") or payload.get("repositories_added") or []
        for repository in added:
            self.state.record_repository(repository["full_name"].lower(), installation)
        removed = payload.get("repositories_removed") or []
        for repository in removed:
            self.state.forget_repository(repository["full_name"].lower())
        return f"installation covers {len(added)} more repositories" + (f", {len(removed)} fewer" if removed else "")

    def _comment(self, payload: dict[str, Any], installation: int) -> str:
        comment, issue = payload["comment"], payload["issue"]
        user = comment.get("user") or {}
        if user.get("type") == "Bot":  # this bot's comments among them
            return "ignored: a bot's comment"
        try:
            command = cmd.parse_command(comment.get("body") or "")
        except cmd.CommandError as exc:
            command, error = None, str(exc)
        else:
            error = None
        if command is None and error is None:
            return "ignored: no command"
        context = Context(installation, payload["repository"]["full_name"], int(issue["number"]), issue["html_url"],
                          user.get("login", ""), comment.get("author_association", "NONE"), int(comment["id"]),
                          comment.get("html_url", ""), "pull_request" in issue, issue.get("body") or "",
                          (issue.get("user") or {}).get("login", ""))
        if error is not None:
            return self._reply(context, f"@{context.login} {error}", "malformed command")
        if isinstance(command, cmd.ShowBounties):
            return self._reply(context, self._show(context), "bounties shown")
        if isinstance(command, cmd.OfferBounty):
            return self._offer(context, command)
        if isinstance(command, cmd.Claim):
            return self._claim(context, command)
        assert isinstance(command, cmd.LinkAccount)
        return self._link(context, command)

    # --- commands ---
    def issue_bounties(self, repo: str, number: int) -> list[BountySummary]:
        """The index's bounties on this GitHub issue (any spelling of its URL), oldest first."""
        # The App's own chain only: an index may follow several (bounty ids are numbered per chain).
        rows = queries.bounties(self.index, repo=repo.lower(), kind="bounty", chain=self.config.chain_id)  # newest first
        return [b for b in reversed(rows)
                if b.host == self.config.web_host and b.repo == repo.lower() and issue_number_of(b.uri) == number]

    def _show(self, context: Context) -> str:
        bounties = self.issue_bounties(context.repo, context.number)
        if not bounties:
            return f"@{context.login} No bounty on this issue yet. {cmd.BOUNTY_USAGE}"
        lines = [bounty_line(self.config.links, b) for b in bounties]
        return "\n".join([f"@{context.login} Bounties on this issue:", "", *[f"- {line}" for line in lines], "",
                          f"Held in all: {totals_by_token(bounties)}."])

    def _offer(self, context: Context, offer: cmd.OfferBounty) -> str:
        if context.role not in self.config.maintainer_roles:
            return self._reply(context, f"@{context.login} Only the repository's maintainers can open a bounty here "
                               "with `/bounty`; anyone can pledge from the bounty's page.", "ignored: role")
        token = self.config.tokens.get(offer.symbol.upper())
        if token is None:
            known = ", ".join(sorted(self.config.tokens))
            return self._reply(context, f"@{context.login} I don't know the token {offer.symbol!r} on "
                               f"{self.chain()}: the bounties here can be paid in {known}. {cmd.BOUNTY_USAGE}",
                               "unknown token")
        typed = f"{offer.amount} {token.symbol}"
        try:
            base = parse_amount(typed, symbol=token.symbol, decimals=token.decimals, token=token.address)
        except InvalidAmount as exc:
            return self._reply(context, f"@{context.login} `/bounty {typed}`: {exc}. {cmd.BOUNTY_USAGE}", "bad amount")
        amount_text = format_amount(base, token.decimals, token.symbol)
        bounties = self.issue_bounties(context.repo, context.number)
        links = self.config.links
        same_token = [b for b in bounties if b.token.lower() == token.address.lower()]
        live = [b for b in same_token if b.status in OPEN]
        if live:
            bounty = live[-1]
            text = (f"@{context.login} Pledge {amount_text} to bounty {bounty.bounty_id} on {self.chain()}:\n\n"
                    f"- [Open the bounty's page, ready to pledge]({links.pledge(bounty.bounty_id, offer.amount)})\n"
                    + self._eip681(bounty, base, amount_text)
                    + f"- {bounty_line(links, bounty)}\n\n"
                    f"Badge for the issue: `[![bounty]({links.badge(bounty.bounty_id)})]({links.bounty(bounty.bounty_id)})`")
            self.state.track_issue(context.repo.lower(), context.number, context.installation_id)
            return self._reply(context, text, "pledge link")
        closed = [b for b in same_token if b not in live]
        note = ""
        if closed:
            last = closed[-1]
            note = (f"Bounty {last.bounty_id} on this issue is {STATE_WORDS.get(last.status, last.status)}, and takes "
                    "no more pledges; the link below creates a new one.\n\n")
        text = (f"@{context.login} {note}Create a bounty of {amount_text} on this issue ({self.chain()})"
                + (f", pledges locked for {offer.lock_text}" if offer.lock_text else "") + ":\n\n"
                f"- [Open the page, ready to create it]({links.create(context.url, offer.amount, token.address, offer.lock_text)})\n"
                f"- From a terminal: `bountychain create {context.url}"
                + (f" --deadline {offer.lock_text}" if offer.lock_text else "")
                + ("" if token.address == _ZERO else f" --token {token.address}") + "`\n\n"
                "Once it is on the chain, this issue gets a status comment with its badge and pledges.")
        self.state.track_issue(context.repo.lower(), context.number, context.installation_id)
        return self._reply(context, text, "create link")

    def _eip681(self, bounty: BountySummary, amount: int, amount_text: str) -> str:
        """The reply's lines with EIP-681 links: a token is approved (exactly the amount) first."""
        from bountychain.cli.link import approve_uri, pledge_uri  # noqa: PLC0415 - the CLI's helpers, loaded with it
        config = self.config
        pledge = pledge_uri(config.escrow, config.chain_id, bounty.bounty_id, amount, bounty.deadline,
                            eth_value=bounty.token == _ZERO)
        if bounty.token == _ZERO:
            return f"- From a wallet that reads payment links (EIP-681): `{pledge}`\n"
        approve = approve_uri(bounty.token, config.chain_id, config.escrow, amount)
        return (f"- From a wallet that reads payment links (EIP-681): approve {amount_text} with `{approve}`, "
                f"then pledge with `{pledge}`\n")

    def _claim(self, context: Context, claim: cmd.Claim) -> str:
        if not context.is_pull_request:
            return self._reply(context, f"@{context.login} `/claim` goes in the pull request that fixes this issue "
                               "(with `Fixes #NUMBER` in its description).", "claim outside a pull request")
        if context.login.lower() != context.author.lower() and context.role not in self.config.maintainer_roles:
            return self._reply(context, f"@{context.login} Only the pull request's author (@{context.author}) can "
                               "claim for it.", "ignored: role")
        issues = cmd.closed_issues(context.body, context.repo, self.config.web_host)
        if not issues:
            return self._reply(context, f"@{context.login} This pull request does not say which issue it fixes: add "
                               "`Fixes #NUMBER` to its description, then comment `/claim` again.", "no issue")
        candidates = [b for repo, number in issues for b in self.issue_bounties(repo, number)]
        if claim.bounty_id is not None:
            candidates = [b for b in candidates if b.bounty_id == claim.bounty_id]
        live = [b for b in candidates if b.status in OPEN]
        if not live:
            said = ", ".join(f"#{n}" if r == context.repo.lower() else f"{r}#{n}" for r, n in issues)
            closed = "; ".join(f"bounty {b.bounty_id} is {b.status}" for b in candidates)
            return self._reply(context, f"@{context.login} No open bounty to claim on {said}"
                               + (f" ({closed})" if closed else "") + ". A bounty is opened with `/bounty 50 USDC` "
                               "on the issue.", "nothing to claim")
        links = self.config.links
        lines = [f"@{context.login} Sign your solution, without gas: your wallet signs an EIP-712 message naming this "
                 "pull request, and the relay registers it on the chain, paying the gas. The claim is yours.", ""]
        registered = queries.claims_of(self.index, [(b.chain_id, b.bounty_id) for b in live])
        for bounty in live:
            mine = [c for c in registered.get((bounty.chain_id, bounty.bounty_id), [])
                    if c.uri.rstrip("/") == context.url.rstrip("/")]
            if mine:
                lines.append(f"- Bounty {bounty.bounty_id}: this pull request is already registered as claim "
                             f"{mine[0].claim_id} (by {mine[0].hunter}); nothing more to sign.")
                continue
            lines.append(f"- Bounty {bounty.bounty_id} ({bounty_line(links, bounty).split('**: ', 1)[1]}): "
                         f"[sign the solution]({links.claim(bounty.bounty_id, context.url)}); from a terminal: "
                         f"`bountychain sign-solution {bounty.bounty_id} {context.url} --out claim.json`, then "
                         "`bountychain relay claim.json`")
        for repo, number in issues:
            self.state.track_issue(repo, number, context.installation_id)
        return self._reply(context, "\n".join(lines), "claim link")

    def _link(self, context: Context, link: cmd.LinkAccount) -> str:
        address = to_checksum_address(link.address.lower())
        signer = link_signer(context.login, address, link.signature)
        if signer != address:
            return self._reply(context, f"@{context.login} That signature is not {address}'s over the statement "
                               f"naming @{context.login}. Sign it from [the page]({self.config.links.link_account(context.login)}) "
                               f"or with `bountychain github sign-link {context.login}`, then post `/link ADDRESS "
                               "SIGNATURE` from this account.", "bad link signature")
        assert is_checksum_address(address)
        self.state.record_link(context.login, address, context.comment_url)
        return self._reply(context, f"@{context.login} Linked to {address}: the page shows your login on its "
                           "profile.", "linked")

    def chain(self) -> str:
        return chain_name(self.config.chain_id)

    # --- merged pull requests ---
    def _merged(self, payload: dict[str, Any], installation: int) -> str:
        pull = payload["pull_request"]
        repo = payload["repository"]["full_name"]
        issues = cmd.closed_issues(pull.get("body") or "", repo, self.config.web_host)
        for issue_repo, number in issues:
            self.state.record_merge(Merge(issue_repo, number, pull["html_url"], (pull.get("user") or {}).get("login", ""),
                                          pull.get("merged_at") or ""))
            self.state.track_issue(issue_repo, number, installation)
            self.refresh_issue(issue_repo, number)
        return f"merged pull request closes {len(issues)} issue(s)"

    # --- posting ---
    def _reply(self, context: Context, text: str, outcome: str) -> str:
        key = f"comment:{context.comment_id}"
        with self._lock:
            new, comment_id = self.state.reserve_reply(key, context.repo.lower(), context.number)
            if not new:
                if comment_id is not None:
                    return f"already answered ({outcome})"
                found = self._find_own(context.installation_id, context.repo, context.number, reply_marker(key))
                if found is not None:
                    self.state.record_reply(key, found)
                    return f"already answered ({outcome})"
            posted = self.api.create_comment(context.installation_id, context.repo, context.number,
                                             f"{text}\n\n{reply_marker(key)}")
            self.state.record_reply(key, posted)
        if context.is_pull_request:
            return outcome
        self.refresh_issue(context.repo.lower(), context.number)
        return outcome

    def _find_own(self, installation: int, repo: str, number: int, marker: str) -> int | None:
        for comment in self.api.comments(installation, repo, number):
            if marker in comment.body and comment.login.endswith("[bot]"):
                return comment.comment_id
        return None

    # --- status comments ---
    def refresh_all(self) -> int:
        """Brings every status comment in line with the index; returns how many were posted or
        edited. Issues with a bounty in a repository the App is installed on are tracked."""
        if self.before_refresh is not None:
            self.before_refresh()
        installed = self.state.repositories()
        for bounty in queries.bounties(self.index, kind="bounty", chain=self.config.chain_id):
            number = issue_number_of(bounty.uri)
            if bounty.host == self.config.web_host and bounty.repo in installed and number is not None:
                self.state.track_issue(bounty.repo, number, installed[bounty.repo])
        return sum(self.refresh_issue(row.repo, row.issue_number) for row in self.state.tracked_issues())

    def refresh_issue(self, repo: str, number: int) -> bool:
        """Posts or edits the issue's status comment if its text changed; True if it did."""
        with self._lock:
            row = self.state.status(repo, number)
            if row is None:
                return False
            bounties = self.issue_bounties(repo, number)
            if not bounties:
                return False  # nothing to show yet (a /bounty answered with a create link)
            details = [d for d in (queries.bounty(self.index, b.bounty_id, chain=b.chain_id) for b in bounties)
                       if d is not None]
            merges = [(m.pr_url, m.pr_author) for m in self.state.merges_of(repo, number)]
            addresses = {a for d in details for a in (d.bounty.approver, *(c.hunter for c in d.claims),
                                                      *(p.funder for p in d.pledge_events))}
            logins = {a: login for a in addresses if (login := self.state.login_of(a))}
            body = status_body(self.config.links, self.config.chain_id, details, merges, logins)
            digest = hashlib.sha256(body.encode()).hexdigest()
            if row.comment_id is not None and row.body_sha256 == digest:
                return False
            comment_id = row.comment_id
            if comment_id is None:
                comment_id = self._find_own(row.installation_id, repo, number, STATUS_MARKER)
            if comment_id is None:
                comment_id = self.api.create_comment(row.installation_id, repo, number, body)
            else:
                self.api.update_comment(row.installation_id, repo, comment_id, body)
            self.state.record_status(repo, number, comment_id, digest)
            return True


_ZERO = "0x0000000000000000000000000000000000000000"
