"""Reading bounties, without a signer: show and list.

    bountychain show 1
    bountychain list --repo org/repo --status open
"""

from __future__ import annotations

from typing import Any

import click
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from bountychain.chains import chain_name
from bountychain.cli._context import command, get_settings
from bountychain.cli._lookups import (awarded_pool, bounties_created, bounty_and_token, claims, is_fundraiser, issue_url,
                                      status_name)
from bountychain.cli._output import human, inert, kv_table, listed, solution_text, utc
from bountychain.cli._params import bounty_id_argument
from bountychain.cli._session import connect
from bountychain.cli.fundraise import show as show_fundraiser
from bountychain.cli.index import list_from_index
from bountychain.cli.review import review_data, review_panel
from bountychain.issue_urls import normalize_issue_url, parse_repo_filter
from bountychain.results import BountyStatus
from bountychain.sdk import checksum


@command()
@bounty_id_argument
def show(bounty_id: int) -> None:
    """Everything about one bounty: parties, currency, pool, deadline, pledges and claims (a
    fundraiser's id shows the fundraiser, as `fundraiser show` does)."""
    client = connect(signer=False)
    if is_fundraiser(client, bounty_id):  # fundraisers share the escrow's ids
        click.get_current_context().invoke(show_fundraiser, fundraiser_id=bounty_id)
        return
    bounty, info = bounty_and_token(client, bounty_id)
    funders: dict[str, int] = {}
    for log in client.contract.events.Pledged.get_logs(from_block=client.from_block,
                                                       argument_filters={"bountyId": bounty_id}):
        funder = log["args"]["funder"]
        funders[funder] = funders.get(funder, 0) + log["args"]["amount"]
    pledges = []
    for funder, pledged in funders.items():
        current = client.pledge_of(bounty_id, funder)
        outstanding = current.amount
        if bounty.status == BountyStatus.AWARDED:
            state, outstanding = "awarded", 0  # paid out to the winners
        elif current.amount == 0:
            state = "refunded"
        elif bounty.status == BountyStatus.UNDER_REVIEW:
            state = "frozen (proposal under review)"
        elif bounty.status == BountyStatus.CANCELLED or bounty.as_of >= current.unlocks_at:
            state = "refundable"
        else:
            state = "locked"
        pledges.append({"funder": funder, "pledged": pledged, "outstanding": outstanding,
                        "unlocks_at": current.unlocks_at, "state": state})
    solutions = claims(client, bounty_id)
    payouts = [dict(log["args"]) for log in client.contract.events.WinnerPaid.get_logs(
        from_block=client.from_block, argument_filters={"bountyId": bounty_id})]
    status = status_name(bounty)
    paid = awarded_pool(client, bounty_id) if bounty.status == BountyStatus.AWARDED else None
    data = {
        "bounty_id": bounty_id, "issue": issue_url(client, bounty_id), "issuer": bounty.issuer,
        "approver": bounty.approver, "token": bounty.token, "symbol": info.symbol, "decimals": info.decimals,
        "total": bounty.total, "total_text": human(bounty.total, info), "paid": paid,
        "paid_text": human(paid, info) if paid is not None else None, "deadline": bounty.deadline,
        "deadline_utc": utc(bounty.deadline), "expired": bounty.expired, "status": status,
        "claim_count": bounty.claim_count, "pledges": pledges,
        "claims": [{"claim_id": c.claim_id, "hunter": c.hunter, "uri": c.uri} for c in solutions],
        "payouts": [{"claim_id": p["claimId"], "hunter": p["hunter"], "amount": p["amount"]} for p in payouts],
        "escrow": client.address, "chain_id": client.chain_id,
        "review": review_data(client, bounty, info),
    }

    def human_view() -> None:
        ui = get_settings().ui
        currency = "ETH" if bounty.is_eth else f"{info.symbol} ({bounty.token})"
        if bounty.status == BountyStatus.AWARDED:
            deadline_text = f"{utc(bounty.deadline)} (no longer matters: awarded)"
            amount_row = ("paid", f"{listed(paid or 0, info)} to the winners and the protocol fee "
                                  f"(held now: {listed(bounty.total, info)})")
        elif bounty.status == BountyStatus.CANCELLED:
            deadline_text = "none (cancelled: every pledge is refundable)"
            amount_row = ("held", f"{listed(bounty.total, info)} not yet refunded")
        else:
            deadline_text = f"{utc(bounty.deadline)} ({'passed' if bounty.expired else 'not passed yet'})"
            amount_row = ("total", listed(bounty.total, info))
        ui.say(Panel(kv_table([
            ("issue", data["issue"] or "?"), ("status", status), ("issuer", bounty.issuer),
            ("approver", bounty.approver), ("currency", currency), amount_row,
            ("deadline", deadline_text), ("escrow", f"{client.address} on {chain_name(client.chain_id)}"),
        ]), title=Text(f"bounty {bounty_id}", style="bold"), expand=False))
        table = Table("funder", "pledged", "outstanding", "unlocks at", "state", title="pledges")
        for p in pledges:
            table.add_row(p["funder"], listed(p["pledged"], info), listed(p["outstanding"], info),
                          utc(p["unlocks_at"]) if p["unlocks_at"] else "-", p["state"])
        ui.say(table if pledges else Text("no pledges"))
        claim_table = Table("claim", "hunter", "solution", "paid", title="claims")
        paid_by_claim = {p["claimId"]: p["amount"] for p in payouts}
        for c in solutions:
            claim_table.add_row(str(c.claim_id), c.hunter, Text(inert(solution_text(c.uri)), overflow="fold"),
                                listed(paid_by_claim[c.claim_id], info) if c.claim_id in paid_by_claim else "-")
        ui.say(claim_table if solutions else Text("no claims"))
        if data["review"] is not None:
            ui.say(review_panel(data["review"]))

    get_settings().ui.emit(data, human_view)


@command("list")
@click.option("--issue", metavar="URL", help="Only bounties on this issue.")
@click.option("--repo", metavar="REPO", help="Only bounties on issues of this repository: OWNER/NAME on GitHub, "
                                             "or HOST/OWNER/NAME (gitlab.com/group/repo).")
@click.option("--status", type=click.Choice(["open", "under_review", "awarded", "cancelled", "expired"]))
@click.option("--token", metavar="ADDRESS", help="Only bounties paid in this token (0x0...0 for ETH).")
@click.option("--source", type=click.Choice(["auto", "index", "chain"]), default="auto", show_default=True,
              help="Read the local index (synced first), the chain's logs, or the index when one exists.")
@click.option("--db", metavar="URL", help="The index database, a URL or a SQLite file (see `bountychain index`).")
@click.option("--sync/--no-sync", "sync", default=True, show_default=True,
              help="Bring the index up to date with the chain before listing.")
def list_bounties(issue: str | None, repo: str | None, status: str | None, token: str | None, source: str,
                  db: str | None, sync: bool) -> None:
    """A table of bounties, optionally filtered. From an index, it says how far behind the chain it is."""
    repo_filter = parse_repo_filter(repo) if repo is not None else None
    if issue is not None:
        issue = normalize_issue_url(issue, "--issue")
    token_filter = checksum(token, "--token") if token else None
    client = connect(signer=False)
    rows = []
    indexed = None
    if source != "chain":
        indexed = list_from_index(client, db, required=source == "index", issue=issue,
                                  repo=repo_filter.repo if repo_filter else None, status=status,
                                  token=token_filter, sync=sync)
        rows = indexed["rows"] if indexed else []
    for listing in bounties_created(client, issue) if indexed is None else []:
        if token_filter is not None and listing["token"] != token_filter:
            continue
        bounty = client.bounty(listing["bountyId"])
        state = status_name(bounty)
        if status is not None and state != status:
            continue
        info = client.token_info(bounty.token)
        paid = awarded_pool(client, bounty.bounty_id) if bounty.status == BountyStatus.AWARDED else None
        rows.append({"bounty_id": listing["bountyId"], "issue": listing["uri"], "token": bounty.token,
                     "symbol": info.symbol, "total": bounty.total, "total_text": listed(bounty.total, info),
                     "paid": paid, "paid_text": listed(paid, info) if paid is not None else None,
                     "deadline": bounty.deadline, "deadline_utc": utc(bounty.deadline), "status": state,
                     "claims": bounty.claim_count, "issuer": bounty.issuer, "approver": bounty.approver})
    if repo_filter is not None:  # host, owner and name: never a look-alike on another forge
        rows = [row for row in rows if repo_filter.matches(row["issue"])]

    def human_view() -> None:
        ui = get_settings().ui
        if indexed is not None:
            ui.note(index_freshness(indexed))
        if not rows:
            ui.say("no bounties match" + (" (the index is behind: try --source chain)"
                                          if indexed is not None and indexed["behind"] else ""))
            return
        table = Table("id", "issue", "amount", "deadline", "status", "claims")
        table.columns[1].overflow = "fold"
        for row in rows:
            table.add_row(str(row["bounty_id"]), row["issue"], amount_cell(row), deadline_cell(row),
                          row["status"], str(row["claims"]))
        ui.say(table)

    source_data = {"source": "index", "index": indexed["index"], "indexed_block": indexed["cursor"],
                   "head_block": indexed["head"], "blocks_behind": indexed["behind"], "synced": sync} if indexed \
        else {"source": "chain"}
    get_settings().ui.emit({"bounties": rows, "escrow": client.address, "chain_id": client.chain_id, **source_data},
                           human_view)


def amount_cell(row: dict[str, Any]) -> str:
    """What a listing shows as a bounty's amount: what is held, or what an award paid out."""
    if row["status"] == "awarded" and row.get("paid_text"):
        return f"paid {row['paid_text']}"
    if row["status"] == "cancelled":
        return f"{row['total_text']} (refundable)"
    return row["total_text"]


def deadline_cell(row: dict[str, Any]) -> str:
    """A deadline only matters while a bounty can still be funded or awarded."""
    if row["status"] in ("awarded", "cancelled"):
        return "-"
    return row["deadline_utc"]


def index_freshness(indexed: dict[str, Any]) -> str:
    """"index synced to block 120 of 120", or how many blocks it lags and why."""
    where = f"index {indexed['index']}: at block {indexed['cursor']} of {indexed['head']}"
    if not indexed["behind"]:
        return f"{where} (up to date)"
    why = "not synced (--no-sync)" if not indexed["synced"] else \
        f"the newest {indexed['behind']} are not final yet (its confirmations setting)"
    return f"{where}, {indexed['behind']} blocks behind: {why}"


COMMANDS = [show, list_bounties]

__all__ = ["COMMANDS"]
