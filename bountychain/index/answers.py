"""A funder's pay rate and newest bounties, read for the API's funder profile without building
the index's records: the pay rate counted from the funder's pledges, and the summaries of
only the bounties shown, as the JSON the sync stored with them (`listing`).

It gives exactly what the general queries give for the same question (`queries.pay_rate` of
`queries.bounties_by_ids`, and `jsonable` of its records): the tests compare both."""

from __future__ import annotations

from typing import Any

from bountychain.index.listing import summary_text
from bountychain.index.queries import Db, bounties_by_ids, pay_rate, reads
from bountychain.index.records import FunderPledge


@reads
def funded_bounties(db: Db, pledges: list[FunderPledge], *, recent: int) -> tuple[dict[str, int], list[Any]]:
    """Of the bounties a funder's `pledges` (`queries.funder_pledges`, one per bounty) went to:
    the pay rate (`queries.pay_rate`: awarded, expired unpaid and cancelled, fundraisers left
    out), counted from the statuses the pledges were read with; and the newest `recent` as the
    API's JSON has their summaries (`listing.summary_text`), which only they are read for."""
    newest = sorted({(pledge.bounty_id, pledge.chain_id, pledge.escrow) for pledge in pledges}, reverse=True)[:recent]
    shown = bounties_by_ids(db, [(chain_id, escrow, bounty_id) for bounty_id, chain_id, escrow in newest],
                            shape=summary_text, stored=True)
    return pay_rate(pledges), shown


__all__ = ["funded_bounties"]
