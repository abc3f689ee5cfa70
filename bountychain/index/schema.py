"""The index's tables, in portable SQL.

Rules that keep a move to PostgreSQL a matter of changing the connection:

- only standard types: INTEGER/BIGINT for block numbers, times and ids that fit in 63 bits;
  TEXT for addresses, hashes, URLs and for every token amount (uint256 exceeds 64 bits, and
  SQLite's NUMERIC would turn a large value into a float). Amounts are base-10 strings of
  base units; sums are taken in Python with exact integers. On PostgreSQL they would become
  NUMERIC(78, 0) columns.
- no AUTOINCREMENT, no ROWID, no INSERT OR REPLACE, no ON CONFLICT: events are identified by
  (block_number, log_index), which the chain gives.
- addresses are stored checksummed (EIP-55) as the node returns them, compared exactly.

Several chains, and several escrows on a chain, share one index: every row carries its
`chain_id` and its `escrow`, and every key by id starts with both (bounty ids are numbered per
escrow; block numbers and token addresses collide across chains). `chains` has one row per
followed (chain, escrow) pair: its start block and cursor. A chain's escrows are usually its
deployment history (`deploy --replace` keeps the old one in `previous`, and it may still hold
pledges). Token metadata (`tokens`) is per chain: the escrows of a chain share their tokens.

Event tables hold one row per event and are the source of truth; two tables are derived,
recomputed from them for every bounty an indexed range or a rollback touches: `bounties` (a
materialised summary per bounty) and `bounty_json` (that summary and its solutions as the
API's JSON, `listing`).
"""

from __future__ import annotations

SCHEMA_VERSION = 11  # 2: fundraisers (FundraiserCreated, RaisedPaid); 3: backer governance (review events);
# 4: issue 11 (the review contract's events, the reviewed bounty's approver, credited payouts,
# recipients of refunds and withdrawals, fee withdrawals, escalation times);
# 5: issue 13 (indexes on every bounty_id that refresh_bounty and the detail read; see `migrations`);
# 6: issue 13 (the index the list's sort by amount reads in order);
# 7: issue 16 (milestones: PartAwarded; claim bonds: BondRequired, BondPosted, BondSlashed, BondReturned);
# 8: issue 13, several chains (every row carries its chain_id; `chains` holds each chain's escrow and cursor);
# 9: issues 13, 15, 16: several escrows per chain (every row carries its escrow too; `chains` has a row per
# (chain, escrow) pair), and SlashedBondsCredited (`slashed_credits`);
# 10: issue 16 through the review: PartProposed (`part_proposals`; the latest proposal's part in `bounties`) and
# SpamMarked (`spam_marks`);
# 11: issue 13, a page of the list read rather than built: each bounty's summary and solutions as the API's
# JSON (`bounty_json`, `listing`)

# Every table with a block_number column is rolled back by deleting its rows past the fork.
EVENT_TABLES = ("created", "fundraisers", "pledges", "claims", "awards", "payouts", "raised_paid", "credits",
                "withdrawals", "fee_withdrawals", "refunds", "cancellations", "extensions", "review_policies", "proposals",
                "objections", "proposal_steps", "disputes", "rulings", "milestones", "bonds", "slashed_credits",
                "part_proposals", "spam_marks")

# Where an event is in the chain: every event table ends or starts with these columns.
_CHAIN = "chain_id BIGINT NOT NULL"
_ESCROW = "escrow TEXT NOT NULL"
_POSITION = ("block_number BIGINT NOT NULL", "log_index INTEGER NOT NULL", "tx_hash TEXT NOT NULL")
_BY_POSITION = "block_number, log_index"


def _event_table(name: str, *columns: str, key: str = _BY_POSITION) -> str:
    """The CREATE TABLE of an event table: its own `columns`, the event's position and a key.

    An event that recurs is keyed by its position, and the position columns come first. An event
    that happens once per bounty, claim or proposal is keyed by that id (`key`), and the position
    columns follow its own.
    """
    lines = [*_POSITION, *columns] if key == _BY_POSITION else [*columns, *_POSITION]
    # Every table starts with its chain and escrow. The chain ends a position's key (a lookup
    # by the chain alone would otherwise look indexed to the planner, and be preferred for its
    # order; a log index is unique within its block, whichever contract emitted it); chain and
    # escrow start an id's (ids are numbered per escrow).
    primary = f"{key}, chain_id" if key == _BY_POSITION else f"chain_id, escrow, {key}"
    body = ",\n        ".join([_CHAIN, _ESCROW, *lines, f"PRIMARY KEY ({primary})"])
    return f"CREATE TABLE IF NOT EXISTS {name} (\n        {body}\n    )"


# PartAwarded, and every step of a claim bond: "required" (the bounty's bond, claim 0),
# "posted", "slashed" (to the funders) and "returned" (to the hunter). Schema 7 (issue 16).
MILESTONE_TABLES = [
    _event_table("milestones", "bounty_id BIGINT NOT NULL", "part_bps INTEGER NOT NULL", "pool TEXT NOT NULL",
                 "fee TEXT NOT NULL", "remaining TEXT NOT NULL"),
    _event_table("bonds", "bounty_id BIGINT NOT NULL", "claim_id BIGINT NOT NULL", "step TEXT NOT NULL",
                 "hunter TEXT NOT NULL", "amount TEXT NOT NULL"),
    # SlashedBondsCredited: `funder` was credited `amount` of the bonds slashed on the bounty, its
    # part for the shares it held (withdrawn with `withdraw`). Schema 9.
    _event_table("slashed_credits", "bounty_id BIGINT NOT NULL", "funder TEXT NOT NULL", "amount TEXT NOT NULL"),
    # The review contract's PartProposed: proposal `nonce` (its AwardProposed row) asks for part_bps
    # of the pool, a milestone; a proposal without one asks for the whole. Schema 10.
    _event_table("part_proposals", "bounty_id BIGINT NOT NULL", "nonce INTEGER NOT NULL", "part_bps INTEGER NOT NULL",
                 key="bounty_id, nonce"),
    # The review contract's SpamMarked: its proposer (`marked_by`) called claim `claim_id` spam,
    # which slashed the claim's bond (the escrow's BondSlashed, in `bonds`). Schema 10.
    _event_table("spam_marks", "bounty_id BIGINT NOT NULL", "claim_id BIGINT NOT NULL", "marked_by TEXT NOT NULL"),
]

DDL = [
    # key/value settings of the whole index: schema_version.
    """CREATE TABLE IF NOT EXISTS meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )""",
    # The escrows this index follows, one row per (chain, escrow): the block its indexing
    # starts from, its cursor (the last block whose events are all indexed), that block's hash
    # and time (NULL before the first range). Each escrow has its own cursor, rollback and
    # writer lock.
    """CREATE TABLE IF NOT EXISTS chains (
        chain_id BIGINT NOT NULL,
        escrow TEXT NOT NULL,
        start_block BIGINT NOT NULL,
        cursor BIGINT NOT NULL,
        cursor_hash TEXT,
        cursor_time BIGINT,
        PRIMARY KEY (chain_id, escrow)
    )""",
    # Hashes of indexed blocks, per escrow's indexer: each range's last block and every block
    # that had an event. Compared with the chain's to find a reorganisation and its fork point.
    """CREATE TABLE IF NOT EXISTS blocks (
        chain_id BIGINT NOT NULL,
        escrow TEXT NOT NULL,
        block_number BIGINT NOT NULL,
        block_hash TEXT NOT NULL,
        block_time BIGINT,
        PRIMARY KEY (chain_id, escrow, block_number)
    )""",
    """CREATE TABLE IF NOT EXISTS tokens (
        chain_id BIGINT NOT NULL,
        token TEXT NOT NULL,
        symbol TEXT NOT NULL,
        decimals INTEGER NOT NULL,
        PRIMARY KEY (chain_id, token)
    )""",
    # BountyCreated
    _event_table("created", "bounty_id BIGINT", "issuer TEXT NOT NULL", "approver TEXT NOT NULL",
                 "token TEXT NOT NULL", "deadline BIGINT NOT NULL", "uri TEXT NOT NULL", "uri_hash TEXT NOT NULL",
                 key="bounty_id"),
    # FundraiserCreated: a fundraiser shares the bounty id space (bounty_id is its id), and
    # its pledges, refunds, cancellation and payout (Awarded) are the bounties' events.
    _event_table("fundraisers", "bounty_id BIGINT", "creator TEXT NOT NULL", "beneficiary TEXT NOT NULL",
                 "token TEXT NOT NULL", "goal TEXT NOT NULL", "deadline BIGINT NOT NULL",
                 "all_or_nothing INTEGER NOT NULL", "uri TEXT NOT NULL", "uri_hash TEXT NOT NULL", key="bounty_id"),
    _event_table("pledges", "bounty_id BIGINT NOT NULL", "funder TEXT NOT NULL", "amount TEXT NOT NULL",
                 "unlocks_at BIGINT NOT NULL"),
    _event_table("claims", "bounty_id BIGINT NOT NULL", "claim_id BIGINT NOT NULL", "hunter TEXT NOT NULL",
                 "uri TEXT NOT NULL", key="bounty_id, claim_id"),
    _event_table("awards", "bounty_id BIGINT", "pool TEXT NOT NULL", "fee TEXT NOT NULL", key="bounty_id"),
    # WinnerPaid (credited 0: sent) and WinnerCredited (credited 1: the push failed, the
    # hunter withdraws it): either way the winner's share of the award, counted in its earnings.
    _event_table("payouts", "bounty_id BIGINT NOT NULL", "claim_id BIGINT NOT NULL", "hunter TEXT NOT NULL",
                 "amount TEXT NOT NULL", "credited INTEGER NOT NULL"),
    # RaisedPaid / RaisedCredited: a fundraiser's raised total, less the fee, went to its
    # beneficiary (credited 0: sent; 1: credited for `withdraw`).
    _event_table("raised_paid", "bounty_id BIGINT", "beneficiary TEXT NOT NULL", "amount TEXT NOT NULL",
                 "credited INTEGER NOT NULL", key="bounty_id"),
    _event_table("credits", "account TEXT NOT NULL", "token TEXT NOT NULL", "amount TEXT NOT NULL"),
    # Withdrawn: `account` pulled `amount` of its credit, sent to `recipient`.
    _event_table("withdrawals", "account TEXT NOT NULL", "token TEXT NOT NULL", "amount TEXT NOT NULL",
                 "recipient TEXT NOT NULL"),
    # FeesWithdrawn: the fee recipient took `amount` of the fees accrued in `token`.
    _event_table("fee_withdrawals", "token TEXT NOT NULL", "amount TEXT NOT NULL", "recipient TEXT NOT NULL"),
    # Refunded: `funder` took back `amount` of its pledge, sent to `recipient`.
    _event_table("refunds", "bounty_id BIGINT NOT NULL", "funder TEXT NOT NULL", "amount TEXT NOT NULL",
                 "recipient TEXT NOT NULL"),
    _event_table("cancellations", "bounty_id BIGINT", key="bounty_id"),
    _event_table("extensions", "bounty_id BIGINT NOT NULL", "deadline BIGINT NOT NULL"),
    # ReviewPolicySet (the review contract's): the bounty's review policy and its approver, who
    # proposes (BountyCreated names the review contract, which awards). arbiter is '' for none.
    _event_table("review_policies", "bounty_id BIGINT", "approver TEXT NOT NULL", "review_window BIGINT NOT NULL",
                 "quorum_bps INTEGER NOT NULL", "arbiter TEXT NOT NULL", "arbiter_is_erc792 INTEGER NOT NULL",
                 key="bounty_id"),
    # AwardProposed: claim_ids and shares_bps are JSON lists of integers; total is the pool
    # frozen while the proposal is live (what objections weigh against).
    _event_table("proposals", "bounty_id BIGINT NOT NULL", "nonce INTEGER NOT NULL", "claim_ids TEXT NOT NULL",
                 "shares_bps TEXT NOT NULL", "window_end BIGINT NOT NULL", "total TEXT NOT NULL",
                 key="bounty_id, nonce"),
    # Objected: weight_against is the proposal's total against after this objection.
    _event_table("objections", "bounty_id BIGINT NOT NULL", "nonce INTEGER NOT NULL", "funder TEXT NOT NULL",
                 "weight TEXT NOT NULL", "weight_against TEXT NOT NULL"),
    # ProposalBlocked, ProposalUpheld, ProposalRejected, ProposalFinalized: step is blocked,
    # upheld, rejected or finalized; reason is a rejection's (unanimous, arbiter-rejected,
    # arbiter-refused, lapsed), else ''; pool is a finalized proposal's award (ProposalFinalized),
    # else ''.
    _event_table("proposal_steps", "bounty_id BIGINT NOT NULL", "nonce INTEGER NOT NULL", "step TEXT NOT NULL",
                 "reason TEXT NOT NULL", "pool TEXT NOT NULL"),
    # DisputeRaised: dispute ids are uint256 (an ERC-792 arbitrator's own numbering): TEXT; 0
    # for a plain arbiter. escalated_at is the block's time: the arbiter decides within
    # ARBITRATION_PERIOD of it.
    _event_table("disputes", "bounty_id BIGINT NOT NULL", "nonce INTEGER NOT NULL", "arbiter TEXT NOT NULL",
                 "dispute_id TEXT NOT NULL", "escalated_at BIGINT NOT NULL"),
    # Ruling (ERC-792): names the arbiter and its dispute id; bounty_id is the one that dispute
    # was raised for (from `disputes`). ruling: 0 refused, 1 pay, 2 reject.
    _event_table("rulings", "bounty_id BIGINT NOT NULL", "arbiter TEXT NOT NULL", "dispute_id TEXT NOT NULL",
                 "ruling INTEGER NOT NULL"),
    *MILESTONE_TABLES,
    # The summary per bounty or fundraiser, derived from the tables above (see
    # `summaries.refresh_bounty`). repo is "owner/name" (lowercase) parsed from the issue URL (a
    # fundraiser's project URL); host is its host. kind is 'bounty' or 'fundraiser'; a
    # fundraiser's issuer is its creator, its approver is '' and it has a beneficiary, a goal
    # and a kind of payout (all_or_nothing 1, flexible 0); bounties have '' and '0' there.
    # An optimistic bounty (optimistic 1) has its review policy (arbiter '' for none) and its
    # latest proposal: proposal_state none, pending, blocked, escalated, upheld or executed
    # (as the chain's ProposalState; a rejected one is none again), its nonce, claims and
    # shares (JSON lists), frozen total, window end, decide-by (0 before any proposal), the
    # weight against it and, while escalated or upheld, the dispute id (else ''; '' too for a
    # plain arbiter, which has none). approver is, for a reviewed bounty, ReviewPolicySet's
    # (who proposes). total is what the escrow still holds for it: pledged - refunded - pool
    # (after a reviewed award, the objectors' withheld pledges until they refund).
    # status as stored: open, under_review (a proposal is live), awarded, cancelled (bounties); raising, paid, cancelled
    # (fundraisers). What depends on the time (expired; succeeded, failed, lapsed) is decided
    # when read, against the last indexed block's time.
    """CREATE TABLE IF NOT EXISTS bounties (
        chain_id BIGINT NOT NULL,
        escrow TEXT NOT NULL,
        bounty_id BIGINT NOT NULL,
        kind TEXT NOT NULL,
        issuer TEXT NOT NULL,
        approver TEXT NOT NULL,
        token TEXT NOT NULL,
        uri TEXT NOT NULL,
        host TEXT NOT NULL,
        repo TEXT NOT NULL,
        deadline BIGINT NOT NULL,
        status TEXT NOT NULL,
        total TEXT NOT NULL,
        pledged TEXT NOT NULL,
        refunded TEXT NOT NULL,
        pool TEXT NOT NULL,
        fee TEXT NOT NULL,
        paid_out TEXT NOT NULL,
        beneficiary TEXT NOT NULL,
        goal TEXT NOT NULL,
        all_or_nothing INTEGER NOT NULL,
        raised TEXT NOT NULL,
        funder_count INTEGER NOT NULL,
        claim_count INTEGER NOT NULL,
        optimistic INTEGER NOT NULL,
        review_window BIGINT NOT NULL,
        quorum_bps INTEGER NOT NULL,
        arbiter TEXT NOT NULL,
        arbiter_is_erc792 INTEGER NOT NULL,
        proposal_state TEXT NOT NULL,
        proposal_nonce INTEGER NOT NULL,
        proposed_claims TEXT NOT NULL,
        proposed_shares TEXT NOT NULL,
        proposal_total TEXT NOT NULL,
        window_end BIGINT NOT NULL,
        decide_by BIGINT NOT NULL,
        weight_against TEXT NOT NULL,
        dispute_id TEXT NOT NULL,
        proposed_part_bps INTEGER NOT NULL,
        created_block BIGINT NOT NULL,
        updated_block BIGINT NOT NULL,
        PRIMARY KEY (chain_id, escrow, bounty_id)
    )""",
    # Derived too (schema 11): each summary row's summary, but its status (decided when read),
    # and its solutions, as the API's JSON (`listing`), written with the row. Apart from
    # `bounties`, so that its scans and the list's offset walk read narrow rows.
    """CREATE TABLE IF NOT EXISTS bounty_json (
        chain_id BIGINT NOT NULL,
        escrow TEXT NOT NULL,
        bounty_id BIGINT NOT NULL,
        summary TEXT NOT NULL,
        solutions TEXT NOT NULL,
        PRIMARY KEY (chain_id, escrow, bounty_id)
    )""",
]

# The secondary indexes: name -> (table, columns); a column with "(" is an expression. Every lookup that refresh_bounty, a rollback
# and the queries make by bounty, funder, hunter or beneficiary has one, so that neither the
# sync nor a read slows down as the tables grow (issue 13: payouts had none on bounty_id). A
# lookup by bounty starts with its chain (schema 8) and escrow (schema 9).
INDEXES: dict[str, tuple[str, tuple[str, ...]]] = {
    "bounties_repo": ("bounties", ("repo",)),
    "bounties_uri": ("bounties", ("uri",)),
    "bounties_status": ("bounties", ("status",)),
    "bounties_token": ("bounties", ("token",)),
    "bounties_kind": ("bounties", ("kind",)),
    "bounties_beneficiary": ("bounties", ("beneficiary",)),
    "pledges_bounty": ("pledges", ("chain_id", "escrow", "bounty_id")),
    "pledges_funder": ("pledges", ("funder",)),
    "refunds_funder": ("refunds", ("funder",)),
    "claims_hunter": ("claims", ("hunter",)),
    "payouts_hunter": ("payouts", ("hunter",)),
    "objections_funder": ("objections", ("funder",)),
    "objections_bounty": ("objections", ("chain_id", "escrow", "bounty_id", "nonce")),
    "disputes_arbiter": ("disputes", ("arbiter", "dispute_id")),
    # Schema 5:
    "payouts_bounty": ("payouts", ("chain_id", "escrow", "bounty_id", "claim_id")),
    "refunds_bounty": ("refunds", ("chain_id", "escrow", "bounty_id", "funder")),
    "extensions_bounty": ("extensions", ("chain_id", "escrow", "bounty_id")),
    "proposal_steps_bounty": ("proposal_steps", ("chain_id", "escrow", "bounty_id", "nonce")),
    "disputes_bounty": ("disputes", ("chain_id", "escrow", "bounty_id", "nonce")),
    "rulings_bounty": ("rulings", ("chain_id", "escrow", "bounty_id")),
    "raised_paid_beneficiary": ("raised_paid", ("beneficiary",)),
    "bounties_deadline": ("bounties", ("deadline",)),
    # Schema 6: the list sorted by amount (LENGTH(total) DESC, total DESC, bounty_id DESC,
    # chain_id DESC, escrow DESC: see `queries._ORDER`) reads this index backwards, a page at a
    # time, instead of sorting every bounty (schema 8 adds the chain, schema 9 the escrow: the
    # order's last tie-breaks).
    "bounties_amount": ("bounties", ("LENGTH(total)", "total", "bounty_id", "chain_id", "escrow")),
    # Schema 8: a bounty asked for by its id alone (an index of one chain), and the newest first.
    "bounties_id": ("bounties", ("bounty_id", "chain_id", "escrow")),
    # Schema 9: a funder's slashed-bond credits (the funder's record), and the milestones and
    # bonds of a bounty (its refresh, the value left of its pledges).
    "slashed_credits_funder": ("slashed_credits", ("funder",)),
    "milestones_bounty": ("milestones", ("chain_id", "escrow", "bounty_id")),
    "bonds_bounty": ("bonds", ("chain_id", "escrow", "bounty_id", "claim_id")),
    # Schema 10: a bounty's spam marks (its detail; part_proposals are keyed by bounty).
    "spam_marks_bounty": ("spam_marks", ("chain_id", "escrow", "bounty_id", "claim_id")),
}

DDL += [f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({', '.join(columns)})"
        for name, (table, columns) in INDEXES.items()]
