"""A funder's profile as the API answers it, made straight from the index's rows: its pledges as
the API's JSON without a record each (`pledges.funder_pledges_where` with `pledge_json`), its
totals per token and its pay rate from the same values, and the summaries of only the newest
bounties shown, as the JSON the sync stored with them (`listing`).

It gives exactly what the general queries give for the same question (`jsonable` of
`queries.sponsor_record`, `queries.pay_rate` of `queries.bounties_by_ids`): the tests compare
both, on both backends."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from bountychain.index.listing import Ready, summary_text
from bountychain.index.pledges import funder_pledges_where
from bountychain.index.queries import Db, bounties_by_ids, only_chain, pay_rate_of, reads, sponsor_totals
from bountychain.index.records import FunderPledge, SponsorRecord

_PLEDGE_FIELDS = tuple(field.name for field in fields(FunderPledge))
# A pledge's fields that the API writes as decimal strings (`web.responses.AMOUNT_KEYS`).
_AMOUNTS = frozenset({"pledged", "refunded", "outstanding", "paid_out", "to_milestones"})


def pledge_json(values: tuple[Any, ...]) -> Ready:
    """A pledge's values (`FunderPledge`'s fields, in order) as the API's JSON has the record
    (`Ready`: not walked again)."""
    pledge = Ready(zip(_PLEDGE_FIELDS, values))
    for name in _AMOUNTS:
        pledge[name] = str(pledge[name])
    return pledge


@reads
def funder_profile(db: Db, funder: str, *, recent: int, now: int | None = None, chain: int | None = None,
                   escrow: str | None = None) -> tuple[SponsorRecord, list[Ready], dict[str, int], list[Any]]:
    """A funder's record without its pledges (`queries.sponsor_totals`), its pledges as the
    API's JSON (one per bounty, at `now`, else at the time of each bounty's escrow), its pay
    rate (`queries.pay_rate`: awarded, expired unpaid and cancelled, fundraisers left out) and
    the newest `recent` bounties it funded as the API's JSON has their summaries; on `chain`
    and `escrow`, or on every one."""
    params: dict[str, object] = {"funder": funder}
    pledges = funder_pledges_where(db, only_chain("p.funder = :funder", params, "p.chain_id", chain, escrow),
                                   only_chain("r.funder = :funder", params, "r.chain_id", chain, escrow), params, now,
                                   pledge_json)
    record = sponsor_totals(db, funder, [
        (p["chain_id"], p["token"], p["symbol"], p["decimals"], p["kind"], int(p["pledged"]), int(p["refunded"]),
         int(p["outstanding"]), int(p["paid_out"])) for p in pledges], chain=chain, escrow=escrow)
    newest = sorted({(p["bounty_id"], p["chain_id"], p["escrow"]) for p in pledges}, reverse=True)[:recent]
    shown = bounties_by_ids(db, [(chain_id, escrow_of, bounty_id) for bounty_id, chain_id, escrow_of in newest],
                            now=now, shape=summary_text, stored=True)
    rate = pay_rate_of([p["bounty_status"] for p in pledges if p["kind"] == "bounty"])
    return record, pledges, rate, shown


__all__ = ["funder_profile", "pledge_json"]
