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

from bountychain.index.listing import summary_text
from bountychain.index.pledges import pledge_state
from bountychain.index.queries import Db, only_chain, bounties_by_ids, pay_rate_of, reads, sponsor_totals
from bountychain.index.records import SponsorRecord

# A funder's stored pledges (one per bounty), in the order of their first pledge, each with
# what decides its state at a moment (its bounty's `pledges.BOUNTY_COLUMNS`).
_STORED_PLEDGES = (
    "SELECT f.chain_id, f.escrow, f.bounty_id, f.pledged, f.refunded, f.outstanding, f.paid_out, f.unlocks_at,"
    " f.withheld, f.pledge, b.token, b.status, b.kind, b.deadline, b.all_or_nothing, b.raised, b.goal,"
    " COALESCE(t.symbol, '?') AS symbol, COALESCE(t.decimals, 0) AS decimals,"
    " COALESCE(c.cursor_time, 0) AS chain_time"
    " FROM funder_pledges f JOIN bounties b ON b.chain_id = f.chain_id AND b.escrow = f.escrow"
    " AND b.bounty_id = f.bounty_id"
    " LEFT JOIN tokens t ON t.chain_id = b.chain_id AND t.token = b.token"
    " LEFT JOIN chains c ON c.chain_id = b.chain_id AND c.escrow = b.escrow"
    " WHERE {condition} ORDER BY f.block_number, f.log_index, f.chain_id")


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
    texts, amounts, statuses, funded = [], [], [], set()
    for (chain_id, escrow_of, bounty_id, pledged, refunded, outstanding, paid_out, unlocks_at, withheld, text,
         token, status, kind, deadline, all_or_nothing, raised, goal, symbol, decimals, chain_time) in rows:
        bounty = {"status": status, "kind": kind, "deadline": deadline, "all_or_nothing": all_or_nothing,
                  "raised": raised, "goal": goal}
        state, bounty_status = pledge_state(bounty, int(chain_time) if now is None else now, int(outstanding),
                                            unlocks_at, bool(withheld))
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
