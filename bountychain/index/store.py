"""The index database: opening it, its settings, the per-bounty summary and rollbacks."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

from bountychain.sdk.constants import ARBITRATION_PERIOD, ESCALATION_PERIOD
from bountychain.errors import BountychainError
from bountychain.index.schema import DDL, EVENT_TABLES, SCHEMA_VERSION

# Event tables that name a bounty: a rollback recomputes the bounties they touched.
_BOUNTY_TABLES = ("created", "fundraisers", "pledges", "claims", "awards", "payouts", "raised_paid", "refunds",
                  "cancellations", "extensions", "review_policies", "proposals", "objections", "proposal_steps",
                  "disputes", "rulings")
# Proposal states in which a bounty is under review (pledges, refunds and claims wait).
LIVE_PROPOSAL_STATES = ("pending", "blocked", "escalated", "upheld")
# Path segments that end the repository part of an issue URL (GitHub, GitLab, Gitea, ...).
_REPO_END = {"-", "issues", "issue", "pull", "pulls", "merge_requests", "discussions"}


class IndexMismatch(BountychainError):
    """The index database belongs to another escrow or chain, or has an unknown schema."""


def connect(path: str | Path) -> sqlite3.Connection:
    """Opens (creating if needed) the index database. Transactions are explicit (`transaction`)."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=30)
    db.row_factory = sqlite3.Row
    # Readers (the web server's requests) never wait for the writer (the sync) with WAL.
    if str(path) != ":memory:":
        db.execute("PRAGMA journal_mode=WAL")
    with transaction(db):
        for statement in DDL:
            db.execute(statement)
        version = get_meta(db, "schema_version")
        if version is None:
            set_meta(db, "schema_version", SCHEMA_VERSION)
        elif int(version) != SCHEMA_VERSION:
            raise IndexMismatch(f"{path}: index schema {version}, this version reads {SCHEMA_VERSION}: delete it and re-index")
    return db


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    db.execute("BEGIN")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def get_meta(db: sqlite3.Connection, key: str) -> str | None:
    row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else row[0]


def set_meta(db: sqlite3.Connection, key: str, value: object) -> None:
    db.execute("DELETE FROM meta WHERE key = ?", (key,))
    if value is not None:
        db.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (key, str(value)))


def parse_repo(uri: str) -> tuple[str, str]:
    """(host, "owner/name") of an issue URL, lowercase: github.com/Org/Repo/issues/7 ->
    ("github.com", "org/repo"); a GitLab group path keeps its subgroups. A URI that
    urllib refuses (an unclosed "[" in the host, characters that NFKC folds into "/" or
    "@") names no repository: ("", ""). It comes from the chain, so it must never raise."""
    try:
        parsed = urlparse(uri)
        hostname = parsed.hostname
    except ValueError:
        return "", ""
    parts = [part for part in parsed.path.split("/") if part]
    for index, part in enumerate(parts):
        if part.lower() in _REPO_END:
            parts = parts[:index]
            break
    else:
        parts = parts[:2]
    return (hostname or "").lower(), "/".join(parts).lower()


def _sum(db: sqlite3.Connection, sql: str, bounty_id: int) -> int:
    return sum(int(row[0]) for row in db.execute(sql, (bounty_id,)))


def review_summary(db: sqlite3.Connection, bounty_id: int) -> dict[str, object]:
    """A reviewed bounty's policy and latest proposal, derived from the review contract's
    events as it keeps them (`getReview`): a rejection sets the state back to none and leaves
    the nonce, window end and weight against as they were; a new proposal resets the weight.
    decide_by: for a blocked proposal its window end + ESCALATION_PERIOD, for an escalated one
    the escalation's time + ARBITRATION_PERIOD, else 0. A plain arbiter has no dispute id ('')."""
    policy = db.execute("SELECT * FROM review_policies WHERE bounty_id = ?", (bounty_id,)).fetchone()
    summary: dict[str, object] = {
        "optimistic": 0, "review_window": 0, "quorum_bps": 0, "arbiter": "", "arbiter_is_erc792": 0,
        "proposal_state": "none", "proposal_nonce": 0, "proposed_claims": "[]", "proposed_shares": "[]",
        "proposal_total": "0", "window_end": 0, "decide_by": 0, "weight_against": "0", "dispute_id": ""}
    if policy is None:
        return summary
    summary.update(optimistic=1, review_window=policy["review_window"], quorum_bps=policy["quorum_bps"],
                   arbiter=policy["arbiter"], arbiter_is_erc792=policy["arbiter_is_erc792"])
    proposal = db.execute("SELECT * FROM proposals WHERE bounty_id = ? ORDER BY nonce DESC",
                          (bounty_id,)).fetchone()
    if proposal is None:
        return summary
    nonce = proposal["nonce"]
    steps = {row[0] for row in db.execute("SELECT step FROM proposal_steps WHERE bounty_id = ? AND nonce = ?",
                                           (bounty_id, nonce))}
    dispute = db.execute("SELECT dispute_id, escalated_at FROM disputes WHERE bounty_id = ? AND nonce = ?"
                         " ORDER BY block_number DESC, log_index DESC", (bounty_id, nonce)).fetchone()
    # Pending -> blocked -> escalated -> upheld -> executed, or rejected (none) from blocked on.
    state = ("none" if "rejected" in steps else "executed" if "finalized" in steps else "upheld" if "upheld" in steps
             else "escalated" if dispute is not None else "blocked" if "blocked" in steps else "pending")
    against = db.execute("SELECT weight_against FROM objections WHERE bounty_id = ? AND nonce = ?"
                         " ORDER BY block_number DESC, log_index DESC", (bounty_id, nonce)).fetchone()
    summary.update(proposal_state=state, proposal_nonce=nonce, proposed_claims=proposal["claim_ids"],
                   proposed_shares=proposal["shares_bps"], proposal_total=proposal["total"],
                   window_end=proposal["window_end"],
                   decide_by=(proposal["window_end"] + ESCALATION_PERIOD if state == "blocked"
                              else dispute[1] + ARBITRATION_PERIOD if state == "escalated" and dispute is not None
                              else 0),
                   weight_against=against[0] if against else "0",
                   dispute_id=dispute[0] if dispute is not None and state in ("escalated", "upheld")
                   and policy["arbiter_is_erc792"] else "")
    return summary


def refresh_bounty(db: sqlite3.Connection, bounty_id: int) -> None:
    """Recomputes one bounty's (or fundraiser's) summary row from the event tables (inside
    the caller's transaction). An id with events but no creation row (a pledge of an id the
    index never saw created: an escrow event this version does not know) gets no summary."""
    db.execute("DELETE FROM bounties WHERE bounty_id = ?", (bounty_id,))
    created = db.execute("SELECT * FROM created WHERE bounty_id = ?", (bounty_id,)).fetchone()
    fundraiser = None
    if created is None:
        fundraiser = db.execute("SELECT * FROM fundraisers WHERE bounty_id = ?", (bounty_id,)).fetchone()
        if fundraiser is None:
            return
    origin = created if created is not None else fundraiser
    deadline = origin["deadline"]
    for row in db.execute("SELECT deadline FROM extensions WHERE bounty_id = ?", (bounty_id,)):
        deadline = max(deadline, row[0])
    pledged = _sum(db, "SELECT amount FROM pledges WHERE bounty_id = ?", bounty_id)
    refunded = _sum(db, "SELECT amount FROM refunds WHERE bounty_id = ?", bounty_id)
    paid_out = _sum(db, "SELECT amount FROM payouts WHERE bounty_id = ?", bounty_id)
    paid_out += _sum(db, "SELECT amount FROM raised_paid WHERE bounty_id = ?", bounty_id)
    award = db.execute("SELECT pool, fee FROM awards WHERE bounty_id = ?", (bounty_id,)).fetchone()
    cancelled = db.execute("SELECT 1 FROM cancellations WHERE bounty_id = ?", (bounty_id,)).fetchone()
    # What the escrow still holds for it: an award takes its pool; after a reviewed award the
    # objectors' withheld pledges stay until they refund.
    held = pledged - refunded - (int(award["pool"]) if award else 0)
    if fundraiser is None:
        review = review_summary(db, bounty_id)
        status = ("awarded" if award else "cancelled" if cancelled
                  else "under_review" if review["proposal_state"] in LIVE_PROPOSAL_STATES else "open")
        # A reviewed bounty's approver (BountyCreated's) is the review contract, which awards;
        # the person who proposes is ReviewPolicySet's.
        policy = db.execute("SELECT approver FROM review_policies WHERE bounty_id = ?", (bounty_id,)).fetchone()
        kind, issuer, approver, beneficiary, goal, all_or_nothing = (
            "bounty", created["issuer"], policy[0] if policy else created["approver"], "", "0", 0)
        raised = 0
    else:
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
        review = review_summary(db, bounty_id)
    funders = db.execute("SELECT COUNT(DISTINCT funder) FROM pledges WHERE bounty_id = ?", (bounty_id,)).fetchone()[0]
    claims = db.execute("SELECT COUNT(*) FROM claims WHERE bounty_id = ?", (bounty_id,)).fetchone()[0]
    updated = max(db.execute(f"SELECT MAX(block_number) FROM {table} WHERE bounty_id = ?",  # noqa: S608
                             (bounty_id,)).fetchone()[0] or 0 for table in _BOUNTY_TABLES)
    host, repo = parse_repo(origin["uri"])
    db.execute(
        "INSERT INTO bounties (bounty_id, kind, issuer, approver, token, uri, host, repo, deadline, status, total,"
        " pledged, refunded, pool, fee, paid_out, beneficiary, goal, all_or_nothing, raised, funder_count,"
        " claim_count, " + ", ".join(review) + ", created_block, updated_block)"  # noqa: S608
        " VALUES (" + ", ".join("?" for _ in range(24 + len(review))) + ")",
        (bounty_id, kind, issuer, approver, origin["token"], origin["uri"], host, repo, deadline, status,
         str(held), str(pledged), str(refunded), award["pool"] if award else "0",
         award["fee"] if award else "0", str(paid_out), beneficiary, goal, all_or_nothing, str(raised), funders,
         claims, *review.values(), origin["block_number"], updated),
    )


def rollback(db: sqlite3.Connection, fork_block: int) -> set[int]:
    """Deletes everything indexed past `fork_block` and recomputes the bounties it touched
    (inside the caller's transaction). Returns those bounty ids."""
    touched: set[int] = set()
    for table in _BOUNTY_TABLES:
        touched.update(row[0] for row in db.execute(
            f"SELECT DISTINCT bounty_id FROM {table} WHERE block_number > ?", (fork_block,)))  # noqa: S608
    for table in EVENT_TABLES:
        db.execute(f"DELETE FROM {table} WHERE block_number > ?", (fork_block,))  # noqa: S608
    db.execute("DELETE FROM blocks WHERE block_number > ?", (fork_block,))
    # Token metadata is a cache: keep only the tokens of bounties and fundraisers that still exist.
    db.execute("DELETE FROM tokens WHERE token NOT IN (SELECT token FROM created)"
               " AND token NOT IN (SELECT token FROM fundraisers)")
    for bounty_id in touched:
        refresh_bounty(db, bounty_id)
    return touched
