"""The derived tables: each bounty's (or fundraiser's) summary row in `bounties`, recomputed
from the event tables for every bounty a synced range or a rollback touches, and the rollback
itself. `refresh_bounties` does a range's bounties in a few statements per 500 (the sync's and
the rollback's way); `refresh_bounty` does one at a time, the plain statement of what a
summary is, kept as the reference the other is tested against. Both feed one pure function
(`_summary_row`, with `_review_state` for a reviewed bounty's proposal), and both store the
rows' JSON for the API in `bounty_json` (`listing.store_json`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
import re
from typing import Any

from bountychain.index import listing
from bountychain.index.schema import EVENT_TABLES
from bountychain.index.store import Index, Row, parse_repo
from bountychain.sdk.constants import ARBITRATION_PERIOD, ESCALATION_PERIOD

# Event tables that name a bounty: a rollback recomputes the bounties they touched.
_BOUNTY_TABLES = ("created", "fundraisers", "pledges", "claims", "awards", "payouts", "raised_paid", "refunds",
                  "cancellations", "extensions", "review_policies", "proposals", "objections", "proposal_steps",
                  "disputes", "rulings", "milestones", "bonds", "part_proposals", "spam_marks")
# A bounty's rows: bounty ids are numbered per escrow, so the chain and escrow are part of the key.
_ONE_BOUNTY = "chain_id = :chain_id AND escrow = :escrow AND bounty_id = :bounty_id"
# The block of a bounty's latest event, whichever table it is in (one statement, not one per table).
_LAST_EVENT = ("SELECT MAX(last) FROM (" + " UNION ALL ".join(
    f"SELECT MAX(block_number) AS last FROM {table} WHERE {_ONE_BOUNTY}" for table in _BOUNTY_TABLES)
    + ") AS latest")
# A bounty's amounts (TEXT, summed in Python) and extended deadlines, tagged by table.
_AMOUNTS = " UNION ALL ".join(
    [f"SELECT '{table}' AS source, amount AS value FROM {table} WHERE {_ONE_BOUNTY}"
     for table in ("pledges", "refunds", "payouts", "raised_paid")]
    + [f"SELECT 'milestones' AS source, pool AS value FROM milestones WHERE {_ONE_BOUNTY}"]
    + [f"SELECT 'extensions' AS source, CAST(deadline AS TEXT) AS value FROM extensions WHERE {_ONE_BOUNTY}"])
# Its one-row facts: award, cancellation, the reviewed bounty's proposer, counts, last event.
_FACTS = (f"SELECT (SELECT pool FROM awards WHERE {_ONE_BOUNTY}) AS pool,"
          f" (SELECT fee FROM awards WHERE {_ONE_BOUNTY}) AS fee,"
          f" (SELECT 1 FROM cancellations WHERE {_ONE_BOUNTY}) AS cancelled,"
          f" (SELECT approver FROM review_policies WHERE {_ONE_BOUNTY}) AS proposer,"
          f" (SELECT COUNT(DISTINCT funder) FROM pledges WHERE {_ONE_BOUNTY}) AS funders,"
          f" (SELECT COUNT(*) FROM claims WHERE {_ONE_BOUNTY}) AS claims,"
          f" ({_LAST_EVENT}) AS updated")
_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")
# A bounty's proposals, each with the part of the pool it asks for (PartProposed; 0: the whole).
_PROPOSALS = ("SELECT p.*, COALESCE((SELECT pp.part_bps FROM part_proposals pp WHERE pp.chain_id = p.chain_id"
              " AND pp.escrow = p.escrow AND pp.bounty_id = p.bounty_id AND pp.nonce = p.nonce), 0) AS part_bps"
              " FROM proposals p WHERE {where}")
# Proposal states in which a bounty is under review (pledges, refunds and claims wait).
LIVE_PROPOSAL_STATES = ("pending", "blocked", "escalated", "upheld")


def _review_state(policy: Mapping[str, Any] | None, proposal: Mapping[str, Any] | None, steps: set[str],
                  dispute: tuple[str, int] | None, against: str | None) -> dict[str, object]:
    """A reviewed bounty's policy and latest proposal, derived from the review contract's
    events as it keeps them (`getReview`): a rejection sets the state back to none and leaves
    the nonce, window end and weight against as they were; a new proposal resets the weight.
    decide_by: for a blocked proposal its window end + ESCALATION_PERIOD, for an escalated one
    the escalation's time + ARBITRATION_PERIOD, else 0. A plain arbiter has no dispute id ('').

    From the bounty's ReviewPolicySet row (None: not reviewed), its latest proposal's row (with
    the part it asks for, `part_bps`: `_PROPOSALS`), that proposal's steps, its latest dispute (dispute id, escalation time) and latest objection's
    weight against."""
    summary: dict[str, object] = {
        "optimistic": 0, "review_window": 0, "quorum_bps": 0, "arbiter": "", "arbiter_is_erc792": 0,
        "proposal_state": "none", "proposal_nonce": 0, "proposed_claims": "[]", "proposed_shares": "[]",
        "proposal_total": "0", "window_end": 0, "decide_by": 0, "weight_against": "0", "dispute_id": "",
        "proposed_part_bps": 0}
    if policy is None:
        return summary
    summary.update(optimistic=1, review_window=policy["review_window"], quorum_bps=policy["quorum_bps"],
                   arbiter=policy["arbiter"], arbiter_is_erc792=policy["arbiter_is_erc792"])
    if proposal is None:
        return summary
    # Pending -> blocked -> escalated -> upheld -> executed, or rejected (none) from blocked on.
    state = ("none" if "rejected" in steps else "executed" if "finalized" in steps else "upheld" if "upheld" in steps
             else "escalated" if dispute is not None else "blocked" if "blocked" in steps else "pending")
    summary.update(proposal_state=state, proposal_nonce=proposal["nonce"], proposed_claims=proposal["claim_ids"],
                   proposed_shares=proposal["shares_bps"], proposal_total=proposal["total"],
                   window_end=proposal["window_end"], proposed_part_bps=proposal["part_bps"],
                   decide_by=(proposal["window_end"] + ESCALATION_PERIOD if state == "blocked"
                              else dispute[1] + ARBITRATION_PERIOD if state == "escalated" and dispute is not None
                              else 0),
                   weight_against=against if against is not None else "0",
                   dispute_id=dispute[0] if dispute is not None and state in ("escalated", "upheld")
                   and policy["arbiter_is_erc792"] else "")
    return summary


def review_summary(db: Index, chain_id: int, escrow: str, bounty_id: int) -> dict[str, object]:
    """One bounty's review (`_review_state`), read from its rows."""
    key: dict[str, object] = {"chain_id": chain_id, "escrow": escrow, "bounty_id": bounty_id}
    policy = db.execute(f"SELECT * FROM review_policies WHERE {_ONE_BOUNTY}", key).fetchone()
    proposal = None if policy is None else db.execute(
        _PROPOSALS.format(where=_ONE_BOUNTY) + " ORDER BY nonce DESC", key).fetchone()
    if policy is None or proposal is None:
        return _review_state(policy, proposal, set(), None, None)
    key = {**key, "nonce": proposal["nonce"]}
    steps = {row[0] for row in db.execute(f"SELECT step FROM proposal_steps WHERE {_ONE_BOUNTY} AND nonce = :nonce",
                                          key)}
    dispute = db.execute(f"SELECT dispute_id, escalated_at FROM disputes WHERE {_ONE_BOUNTY} AND nonce = :nonce"
                         " ORDER BY block_number DESC, log_index DESC", key).fetchone()
    against = db.execute(f"SELECT weight_against FROM objections WHERE {_ONE_BOUNTY} AND nonce = :nonce"
                         " ORDER BY block_number DESC, log_index DESC", key).fetchone()
    return _review_state(policy, proposal, steps, None if dispute is None else (dispute[0], dispute[1]),
                         None if against is None else against[0])


def _summary_row(chain_id: int, escrow: str, bounty_id: int, created: Mapping[str, Any] | None, fundraiser: Mapping[str, Any] | None,
                 amounts: Iterable[tuple[str, str]], facts: Mapping[str, Any],
                 review: dict[str, object]) -> dict[str, object]:
    """A bounty's (or fundraiser's) `bounties` row from what its events say: its creation row,
    its amounts and extended deadlines as (table, value) pairs, its facts (award pool and fee,
    cancelled, the reviewed bounty's proposer, funder and claim counts, the block of its latest
    event) and its review (`_review_state`)."""
    origin = created if created is not None else fundraiser
    assert origin is not None
    sums = {"pledges": 0, "refunds": 0, "payouts": 0, "raised_paid": 0, "milestones": 0}
    deadline = origin["deadline"]
    for source, value in amounts:
        if source == "extensions":
            deadline = max(deadline, int(value))
        else:
            sums[source] += int(value)
    pledged, refunded = sums["pledges"], sums["refunds"]
    paid_out = sums["payouts"] + sums["raised_paid"]
    award = {"pool": facts["pool"], "fee": facts["fee"]} if facts["pool"] is not None else None
    cancelled = facts["cancelled"]
    # What the escrow still holds for it: an award takes its pool; after a reviewed award the
    # objectors' withheld pledges stay until they refund.
    # Milestones (partial awards, issue 16) took their pools too.
    held = pledged - refunded - sums["milestones"] - (int(award["pool"]) if award else 0)
    if created is not None:
        status = ("awarded" if award else "cancelled" if cancelled
                  else "under_review" if review["proposal_state"] in LIVE_PROPOSAL_STATES else "open")
        # A reviewed bounty's approver (BountyCreated's) is the review contract, which awards;
        # the person who proposes is ReviewPolicySet's.
        kind, issuer, approver, beneficiary, goal, all_or_nothing = (
            "bounty", created["issuer"], facts["proposer"] or created["approver"], "", "0", 0)
        raised = 0
    else:
        assert fundraiser is not None
        # A paid fundraiser's Awarded event is its payout: the pool is what it raised.
        status = "paid" if award else "cancelled" if cancelled else "raising"
        kind, issuer, approver, beneficiary, goal, all_or_nothing = (
            "fundraiser", fundraiser["creator"], "", fundraiser["beneficiary"], fundraiser["goal"],
            fundraiser["all_or_nothing"])
        # What it raised: every pledge is locked until the deadline and a fundraiser takes no
        # extension, so an open one is refunded only from its deadline, once the outcome is
        # decided (failed, or lapsed): those refunds do not lower what it raised. A cancelled
        # one can be refunded at once: it has raised what it still holds.
        raised = int(award["pool"]) if award else held if cancelled else pledged
    host, repo = parse_repo(origin["uri"])
    return {
        "chain_id": chain_id, "escrow": escrow, "bounty_id": bounty_id, "kind": kind, "issuer": issuer, "approver": approver, "token": origin["token"],
        "uri": origin["uri"], "host": host, "repo": repo, "deadline": deadline, "status": status, "total": str(held),
        "pledged": str(pledged), "refunded": str(refunded), "pool": award["pool"] if award else "0",
        "fee": award["fee"] if award else "0", "paid_out": str(paid_out), "beneficiary": beneficiary, "goal": goal,
        "all_or_nothing": all_or_nothing, "raised": str(raised), "funder_count": facts["funders"],
        "claim_count": facts["claims"], **review, "created_block": origin["block_number"],
        "updated_block": facts["updated"] or 0}


def refresh_bounty(db: Index, chain_id: int, escrow: str, bounty_id: int) -> None:
    """Recomputes one bounty's (or fundraiser's) summary row from the event tables (inside
    the caller's transaction), one bounty at a time: the plain statement of what a summary is,
    kept as the reference `refresh_bounties` is tested against. An id with events but no
    creation row (a pledge of an id the index never saw created: an escrow event this version
    does not know) gets no summary."""
    key = {"chain_id": chain_id, "escrow": escrow, "bounty_id": bounty_id}
    db.execute(f"DELETE FROM bounties WHERE {_ONE_BOUNTY}", key)
    created = db.execute(f"SELECT * FROM created WHERE {_ONE_BOUNTY}", key).fetchone()
    fundraiser = None if created is not None else db.execute(
        f"SELECT * FROM fundraisers WHERE {_ONE_BOUNTY}", key).fetchone()
    if created is not None or fundraiser is not None:
        amounts = [(source, value) for source, value in db.execute(_AMOUNTS, key)]
        facts = db.execute(_FACTS, key).fetchone()
        db.insert("bounties", [_summary_row(chain_id, escrow, bounty_id, created, fundraiser, amounts, facts,
                                            review_summary(db, chain_id, escrow, bounty_id))])
    listing.store_json(db, [(chain_id, escrow, bounty_id)])  # without a row: none


# --- the set-based refresh: every bounty a range touched, in a few statements ----------------

# Bounties refreshed per round of statements (bounded parameter lists, on any database).
_REFRESH_CHUNK = 500
# Per bounty: its amounts and extended deadlines tagged by table, with the funder of a pledge
# and each row's block (the latest event's block is the largest of these and of _FACTS_OF's).
_AMOUNTS_OF = " UNION ALL ".join(
    [f"SELECT bounty_id, '{table}' AS source, amount AS value, {funder} AS funder, block_number FROM {table}"
     " WHERE {among}" for table, funder in (("pledges", "funder"), ("refunds", "''"), ("payouts", "''"),
                                           ("raised_paid", "''"))]
    + ["SELECT bounty_id, 'milestones' AS source, pool AS value, '' AS funder, block_number FROM milestones"
       " WHERE {among}"]
    + ["SELECT bounty_id, 'extensions' AS source, CAST(deadline AS TEXT) AS value, '' AS funder, block_number"
       " FROM extensions WHERE {among}"])
# Per bounty: its award, cancellation and claim count, and the latest block of each other event table.
_FACTS_OF = " UNION ALL ".join(
    ["SELECT bounty_id, 'award' AS fact, pool AS a, fee AS b, block_number AS last FROM awards WHERE {among}",
     "SELECT bounty_id, 'cancelled' AS fact, '' AS a, '' AS b, block_number AS last FROM cancellations WHERE {among}",
     "SELECT bounty_id, 'claims' AS fact, CAST(COUNT(*) AS TEXT) AS a, '' AS b, MAX(block_number) AS last"
     " FROM claims WHERE {among} GROUP BY bounty_id"]
    + [f"SELECT bounty_id, 'last' AS fact, '' AS a, '' AS b, MAX(block_number) AS last FROM {table}"
       " WHERE {among} GROUP BY bounty_id" for table in ("proposals", "objections", "proposal_steps", "disputes",
                                                         "rulings", "part_proposals", "spam_marks")])


def _among(chain_id: int, escrow: str, bounty_ids: Iterable[int]) -> str:
    """`chain_id = 5 AND escrow = '0x...' AND bounty_id IN (1, 2, ...)` with the values written
    out: integers and an address (checked), and no parameters for the driver to parse (psycopg
    rewrites a statement of thousands of parameters on every call). The chain and escrow come
    first, as in every key and index by bounty."""
    if not _ADDRESS.fullmatch(escrow):
        raise ValueError(f"not an escrow address: {escrow!r}")
    return (f"chain_id = {int(chain_id)} AND escrow = '{escrow}'"
            f" AND bounty_id IN ({', '.join(str(int(bounty_id)) for bounty_id in bounty_ids)})")


def refresh_bounties(db: Index, chain_id: int, escrow: str, bounty_ids: Iterable[int]) -> None:
    """Recomputes the summary rows of `bounty_ids` of `escrow` on `chain_id` (inside the caller's transaction): the same
    rows as `refresh_bounty` for each, read for up to 500 bounties at a time in 6 to 10
    statements instead of 4 to 8 per bounty (on a database server each is a round trip)."""
    ids = sorted(set(bounty_ids))
    for start in range(0, len(ids), _REFRESH_CHUNK):
        _refresh_chunk(db, chain_id, escrow, ids[start:start + _REFRESH_CHUNK])


def _refresh_chunk(db: Index, chain_id: int, escrow: str, ids: list[int]) -> None:
    among = _among(chain_id, escrow, ids)
    db.execute(f"DELETE FROM bounties WHERE {among}")  # noqa: S608 - ints
    created = {row["bounty_id"]: row for row in db.execute(f"SELECT * FROM created WHERE {among}")}  # noqa: S608
    fundraisers = {row["bounty_id"]: row for row in db.execute(f"SELECT * FROM fundraisers WHERE {among}")}  # noqa: S608
    policies = {row["bounty_id"]: row for row in db.execute(f"SELECT * FROM review_policies WHERE {among}")}  # noqa: S608
    amounts: dict[int, list[tuple[str, str]]] = defaultdict(list)
    funders: dict[int, set[str]] = defaultdict(set)
    last: dict[int, int] = {}
    for origin in (created, fundraisers, policies):
        for bounty_id, row in origin.items():
            last[bounty_id] = max(last.get(bounty_id, 0), row["block_number"])
    for bounty_id, source, value, funder, block in db.tuples(_AMOUNTS_OF.format(among=among)):
        amounts[bounty_id].append((source, value))
        if source == "pledges":
            funders[bounty_id].add(funder)
        last[bounty_id] = max(last.get(bounty_id, 0), block)
    awards: dict[int, tuple[str, str]] = {}
    cancelled: set[int] = set()
    claims: dict[int, int] = {}
    for bounty_id, fact, a, b, block in db.tuples(_FACTS_OF.format(among=among)):
        if fact == "award":
            awards[bounty_id] = (a, b)
        elif fact == "cancelled":
            cancelled.add(bounty_id)
        elif fact == "claims":
            claims[bounty_id] = int(a)
        last[bounty_id] = max(last.get(bounty_id, 0), block)
    reviews = _reviews_of(db, chain_id, escrow, policies)
    summaries = []
    for bounty_id in ids:
        if bounty_id not in created and bounty_id not in fundraisers:
            continue  # events of an id the index never saw created: no summary (as refresh_bounty)
        award = awards.get(bounty_id)
        policy = policies.get(bounty_id)
        facts = {"pool": award[0] if award else None, "fee": award[1] if award else None,
                 "cancelled": 1 if bounty_id in cancelled else None,
                 "proposer": policy["approver"] if policy is not None else None,
                 "funders": len(funders.get(bounty_id, ())), "claims": claims.get(bounty_id, 0),
                 "updated": last.get(bounty_id)}
        summaries.append(_summary_row(chain_id, escrow, bounty_id, created.get(bounty_id), None if bounty_id in created
                                      else fundraisers[bounty_id], amounts.get(bounty_id, ()), facts,
                                      reviews.get(bounty_id) or _review_state(None, None, set(), None, None)))
    db.insert("bounties", summaries)
    listing.store_json(db, [(chain_id, escrow, bounty_id) for bounty_id in ids])  # those without a row lose theirs


def _reviews_of(db: Index, chain_id: int, escrow: str,
                policies: Mapping[int, Mapping[str, Any]]) -> dict[int, dict[str, object]]:
    """`_review_state` of each bounty of `escrow` on `chain_id` with a review policy, in four statements."""
    if not policies:
        return {}
    among = _among(chain_id, escrow, policies)
    latest: dict[int, Row] = {}
    for row in db.execute(_PROPOSALS.format(where=among)):
        if row["bounty_id"] not in latest or row["nonce"] > latest[row["bounty_id"]]["nonce"]:
            latest[row["bounty_id"]] = row
    steps: dict[tuple[int, int], set[str]] = defaultdict(set)
    disputes: dict[tuple[int, int], tuple[str, int]] = {}
    against: dict[tuple[int, int], str] = {}
    if latest:
        for bounty_id, nonce, step in db.execute(f"SELECT bounty_id, nonce, step FROM proposal_steps WHERE {among}"):  # noqa: S608
            steps[(bounty_id, nonce)].add(step)
        # The latest of each (bounty, proposal) comes first.
        for bounty_id, nonce, dispute_id, escalated_at in db.execute(
                f"SELECT bounty_id, nonce, dispute_id, escalated_at FROM disputes WHERE {among}"  # noqa: S608
                " ORDER BY block_number DESC, log_index DESC"):
            disputes.setdefault((bounty_id, nonce), (dispute_id, escalated_at))
        for bounty_id, nonce, weight_against in db.execute(
                f"SELECT bounty_id, nonce, weight_against FROM objections WHERE {among}"  # noqa: S608
                " ORDER BY block_number DESC, log_index DESC"):
            against.setdefault((bounty_id, nonce), weight_against)
    reviews = {}
    for bounty_id, policy in policies.items():
        proposal = latest.get(bounty_id)
        key = (bounty_id, proposal["nonce"]) if proposal is not None else (bounty_id, -1)
        reviews[bounty_id] = _review_state(policy, proposal, steps.get(key, set()), disputes.get(key),
                                           against.get(key))
    return reviews


def rollback(db: Index, chain_id: int, escrow: str, fork_block: int) -> set[int]:
    """Deletes everything indexed of `escrow` on `chain_id` past `fork_block` and recomputes the
    bounties it touched (inside the caller's transaction); other escrows' and chains' rows are
    left as they are (each escrow's indexer checks its own blocks). Returns those bounty ids."""
    past = "chain_id = :chain_id AND escrow = :escrow AND block_number > :fork"
    key = {"chain_id": chain_id, "escrow": escrow, "fork": fork_block}
    touched: set[int] = set()
    for table in _BOUNTY_TABLES:
        touched.update(row[0] for row in db.execute(f"SELECT DISTINCT bounty_id FROM {table} WHERE {past}", key))  # noqa: S608
    for table in EVENT_TABLES:
        db.execute(f"DELETE FROM {table} WHERE {past}", key)  # noqa: S608
    db.execute(f"DELETE FROM blocks WHERE {past}", key)
    # Token metadata is a cache (per chain): keep only the tokens of bounties and fundraisers
    # that still exist, of any escrow on the chain.
    db.execute("DELETE FROM tokens WHERE chain_id = :chain_id"
               " AND token NOT IN (SELECT token FROM created WHERE chain_id = :chain_id)"
               " AND token NOT IN (SELECT token FROM fundraisers WHERE chain_id = :chain_id)", key)
    refresh_bounties(db, chain_id, escrow, touched)
    return touched
