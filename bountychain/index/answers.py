"""A funder's profile as the API answers it, read rather than built: its pledges from the JSON
the sync stores for each (`pledges.store_pledges`), with the state each is in at the moment
read written in; its totals per token from the same rows; its pay rate from their states; and
the summaries of only the newest bounties shown, as the JSON the sync stored with them
(`listing`).

It gives exactly what the general queries give for the same question (`jsonable` of
`queries.sponsor_record`, `queries.pay_rate` of `queries.bounties_by_ids`): the tests compare
both, on both backends."""

from __future__ import annotations

from typing import Any

import msgspec

from bountychain.index import cursors
from bountychain.index.listing import summary_text
from bountychain.index.pledges import pledge_state
from bountychain.index.queries import Db, only_chain, bounties_by_ids, pay_rate_of, reads, sponsor_totals
from bountychain.index.records import SponsorRecord

# A funder's stored pledges (one per bounty), in the order of their first pledge, each with
# what decides its state at a moment (but the escrow's time): one table, read by its index.
_STORED_PLEDGES = (
    "SELECT chain_id, escrow, bounty_id, pledged, refunded, outstanding, paid_out, unlocks_at, withheld, pledge,"
    " token, symbol, decimals, kind, status, deadline, all_or_nothing, raised, goal FROM funder_pledges f"
    " WHERE {condition} ORDER BY block_number, log_index, chain_id")


@reads
def funder_profile(db: Db, funder: str, *, recent: int, now: int | None = None, chain: int | None = None,
                   escrow: str | None = None) -> tuple[SponsorRecord, list[msgspec.Raw], dict[str, int], list[Any]]:
    """A funder's record without its pledges (`queries.sponsor_totals`), its pledges as the
    API's JSON (one per bounty, at `now`, else at the time of each bounty's escrow), its pay
    rate (`queries.pay_rate`: awarded, expired unpaid and cancelled, fundraisers left out) and
    the newest `recent` bounties it funded as the API's JSON has their summaries; on `chain`
    and `escrow`, or on every one."""
    params: dict[str, object] = {"funder": funder}
    condition = only_chain("f.funder = :funder", params, "f.chain_id", chain, escrow)
    rows = db.tuples(_STORED_PLEDGES.format(condition=condition), params)
    times = {(row["chain_id"], row["escrow"]): row["cursor_time"] or 0 for row in cursors.chains(db)}
    texts, amounts, statuses, funded = [], [], [], set()
    for (chain_id, escrow_of, bounty_id, pledged, refunded, outstanding, paid_out, unlocks_at, withheld, text,
         token, symbol, decimals, kind, status, deadline, all_or_nothing, raised, goal) in rows:
        bounty = {"status": status, "kind": kind, "deadline": deadline, "all_or_nothing": all_or_nothing,
                  "raised": raised, "goal": goal}
        moment = times.get((chain_id, escrow_of), 0) if now is None else now
        state, bounty_status = pledge_state(bounty, moment, int(outstanding), unlocks_at, bool(withheld))
        texts.append(msgspec.Raw(f'{{"state":"{state}","bounty_status":"{bounty_status}",{text[1:]}'))
        amounts.append((chain_id, token, symbol, decimals, kind, int(pledged), int(refunded), int(outstanding),
                        int(paid_out)))
        if kind == "bounty":
            statuses.append(bounty_status)
        funded.add((bounty_id, chain_id, escrow_of))
    record = sponsor_totals(db, funder, amounts, chain=chain, escrow=escrow)
    newest = sorted(funded, reverse=True)[:recent]
    shown = bounties_by_ids(db, [(chain_id, escrow_of, bounty_id) for bounty_id, chain_id, escrow_of in newest],
                            now=now, shape=summary_text, stored=True)
    return record, texts, pay_rate_of(statuses), shown


__all__ = ["funder_profile"]
