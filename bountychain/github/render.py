"""What the bot writes: the answers to commands and the status comment, in Markdown, with
amounts in the token's units, times as UTC dates and every action as a link to the page
(`PageLinks`). Each comment ends with a hidden marker naming what it is, so the bot finds its
own comment again after losing track of it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, urlencode

from bountychain.amounts import format_amount
from bountychain.chains import chain_name
from bountychain.index.records import BountyDetail, BountySummary, ClaimRow

STATUS_MARKER = "<!-- bountychain:status -->"
_ISSUE_NUMBER = re.compile(r"/issues/(\d+)/?$")


def reply_marker(key: str) -> str:
    return f"<!-- bountychain:reply:{key} -->"


def issue_number_of(uri: str) -> int | None:
    match = _ISSUE_NUMBER.search(uri.split("?")[0].split("#")[0])
    return int(match[1]) if match else None


def utc(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M UTC")


def short(address: str) -> str:
    return f"{address[:6]}…{address[-4:]}"


def money(amount: int, bounty: BountySummary | ClaimRow) -> str:
    return format_amount(amount, bounty.decimals, bounty.symbol)


@dataclass(frozen=True)
class PageLinks:
    """Where the page is, and the addresses of its actions. The page opens each ready to go:
    `/?create=ISSUE&amount=50&token=ADDRESS&lock=30d` (create), `/bounty/ID?pledge=50`,
    `/bounty/ID?claim=PR_URL` (sign the solution), `/bounty/ID?award=CLAIM` or `?propose=CLAIM`,
    `/?link-github=LOGIN` (sign the link statement); `/badge/ID.svg` is the bounty's badge.

    Every link about a bounty or its creation names the App's chain (`chain=ID`) and escrow
    (`escrow=ADDRESS`): bounty ids are numbered per escrow, so on a page whose index follows
    several chains (or several escrows of one chain) a bare id could be another bounty, or
    ambiguous (the page's 409)."""

    page_url: str
    chain_id: int | None = None
    escrow: str | None = None

    def _at(self, path: str, **query: str) -> str:
        return f"{self.page_url.rstrip('/')}{path}" + (f"?{urlencode(query, quote_via=quote)}" if query else "")

    def _where(self) -> dict[str, str]:
        return {**({"chain": str(self.chain_id)} if self.chain_id is not None else {}),
                **({"escrow": self.escrow} if self.escrow else {})}

    def bounty(self, bounty_id: int) -> str:
        return self._at(f"/bounty/{bounty_id}", **self._where())

    def badge(self, bounty_id: int) -> str:
        return self._at(f"/badge/{bounty_id}.svg", **self._where())

    def create(self, issue_url: str, amount: str, token: str, lock: str | None) -> str:
        return self._at("/", create=issue_url, amount=amount, token=token, **({"lock": lock} if lock else {}),
                        **self._where())

    def pledge(self, bounty_id: int, amount: str) -> str:
        return self._at(f"/bounty/{bounty_id}", **self._where(), pledge=amount)

    def claim(self, bounty_id: int, pr_url: str) -> str:
        return self._at(f"/bounty/{bounty_id}", **self._where(), claim=pr_url)

    def award(self, bounty: BountySummary, claim_id: int) -> str:
        return self._at(f"/bounty/{bounty.bounty_id}", **self._where(),
                        **{"propose" if bounty.optimistic else "award": str(claim_id)})

    def link_account(self, login: str) -> str:
        return self._at("/", **{"link-github": login})


STATE_WORDS = {
    "open": "open", "expired": "past its deadline: funders may take their pledges back",
    "under_review": "an award is proposed and under review", "awarded": "awarded",
    "cancelled": "cancelled: funders may take their pledges back",
}


def bounty_line(links: PageLinks, bounty: BountySummary) -> str:
    state = STATE_WORDS.get(bounty.status, bounty.status)
    until = f" until {utc(bounty.deadline)}" if bounty.status == "open" else ""
    return (f"[![bounty {bounty.bounty_id}]({links.badge(bounty.bounty_id)})]({links.bounty(bounty.bounty_id)}) "
            f"**[Bounty {bounty.bounty_id}]({links.bounty(bounty.bounty_id)})**: {money(bounty.total, bounty)} held, "
            f"{money(bounty.pledged, bounty)} pledged by {bounty.funder_count} "
            f"funder{'s' if bounty.funder_count != 1 else ''}; {state}{until}")


def totals_by_token(bounties: list[BountySummary]) -> str:
    sums: dict[tuple[str, str, int], int] = {}
    for bounty in bounties:
        key = (bounty.token, bounty.symbol, bounty.decimals)
        sums[key] = sums.get(key, 0) + bounty.total
    return ", ".join(format_amount(total, decimals, symbol) for (_, symbol, decimals), total in sums.items())


def solution_words(claim: ClaimRow) -> str:
    """A claim's solution: its URL, or for a private security report (whose URI is only a
    commitment) the words and the time it was committed."""
    if not claim.private_report:
        return claim.uri
    return "a private security report" + (f", committed {utc(claim.committed_at)}" if claim.committed_at else "")


def who(address: str, login: str | None) -> str:
    return f"@{login} ({short(address)})" if login else short(address)


def status_body(links: PageLinks, chain_id: int, details: list[BountyDetail], merges: list[tuple[str, str]],
                logins: dict[str, str]) -> str:
    """The status comment of an issue: each bounty with its pledges, solutions, proposal,
    award and refunds; for each merged pull request that closes the issue, a request to the
    approver to award (or propose) with the pull request's claim prefilled. `merges` is
    (PR URL, author login); `logins` maps linked addresses to GitHub logins."""
    lines = [f"### Bounties on this issue ({chain_name(chain_id)})", ""]
    for detail in details:
        bounty = detail.bounty
        lines += [bounty_line(links, bounty), ""]
        for event in detail.pledge_events[-5:]:
            lines.append(f"- Pledged {money(event.amount, bounty)} by {who(event.funder, logins.get(event.funder))}")
        if len(detail.pledge_events) > 5:
            lines.append(f"- … and {len(detail.pledge_events) - 5} earlier pledges")
        for claim in detail.claims:
            lines.append(f"- Solution: claim {claim.claim_id} by {who(claim.hunter, logins.get(claim.hunter))}, "
                         f"{solution_words(claim)}")
        if bounty.proposal_state in ("pending", "blocked", "escalated"):
            share = ", ".join(f"claim {c} ({s / 100:g}%)" for c, s in zip(bounty.proposed_claims,
                                                                          bounty.proposed_shares, strict=False))
            lines.append(f"- Proposed award: {share} of {money(bounty.proposal_total, bounty)}; funders may object "
                         f"until {utc(bounty.window_end)} ({money(bounty.weight_against, bounty)} against so far"
                         + (f", {money(bounty.quorum_weight, bounty)} blocks it)" if bounty.quorum_weight else ")")
                         + ("" if bounty.proposal_state == "pending" else f"; it is {bounty.proposal_state}"))
        if bounty.status == "awarded":
            winners = [c for c in detail.claims if c.paid]
            paid = ", ".join(f"{money(c.paid, c)} to claim {c.claim_id} ({who(c.hunter, logins.get(c.hunter))})"
                             for c in winners)
            lines.append(f"- **Awarded**: {paid or money(bounty.paid_out, bounty)}; fee {money(bounty.fee, bounty)}")
        if bounty.refunded:
            lines.append(f"- Refunded to funders: {money(bounty.refunded, bounty)}")
        if bounty.status in ("open", "expired", "under_review") and merges:
            lines += _merge_requests(links, detail, merges, logins)
        lines.append("")
    lines += [f"Totals held: {totals_by_token([d.bounty for d in details]) or 'nothing'}. "
              "Comment `/bounty 50 USDC` to add to a bounty, `/claim` in the pull request that fixes this issue.",
              "", STATUS_MARKER]
    return "\n".join(lines)


def _merge_requests(links: PageLinks, detail: BountyDetail, merges: list[tuple[str, str]],
                    logins: dict[str, str]) -> list[str]:
    bounty = detail.bounty
    approver = who(bounty.approver, logins.get(bounty.approver))
    verb = "propose an award" if bounty.optimistic else "award"
    lines = []
    for pr_url, author in merges:
        claim = next((c for c in detail.claims if c.uri.rstrip("/") == pr_url.rstrip("/")), None)
        if claim is not None:
            lines.append(f"- **Merged**: {pr_url} by @{author}. Approver {approver}: please "
                         f"[{verb} to claim {claim.claim_id}]({links.award(bounty, claim.claim_id)}).")
        else:
            lines.append(f"- **Merged**: {pr_url} by @{author}, which has no claim yet: @{author}, comment `/claim` "
                         f"on the pull request. Approver {approver}: once it is registered, {verb} from "
                         f"[the bounty's page]({links.bounty(bounty.bounty_id)}).")
    return lines
