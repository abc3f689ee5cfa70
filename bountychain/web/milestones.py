"""What the bounty page shows of issue 16's events, read from the index's `milestones` and
`bonds` tables (schema 7): each partial award (when, what share of the pool, who was paid what)
and the claim bond a bounty asks, with the state of each claim's bond."""

from __future__ import annotations

from typing import Any

from bountychain.index import queries
from bountychain.index.store import Index

# A claim's bond after each step the index records: the last one tells its state.
BOND_STATES = {"posted": "held", "returned": "returned", "slashed": "slashed"}


def milestone_history(db: Index, chain_id: int, bounty_id: int) -> list[dict[str, Any]]:
    """The bounty's partial awards, oldest first: share of the pool (basis points), the pool
    it took (fee included), the fee, what stayed pledged after it, the winners paid in that
    transaction, and its time (the funding history's, which times each payout's block)."""
    key = {"chain_id": chain_id, "bounty_id": bounty_id}
    parts = db.execute("SELECT block_number, tx_hash, part_bps, pool, fee, remaining FROM milestones"
                       " WHERE chain_id = :chain_id AND bounty_id = :bounty_id ORDER BY block_number, log_index",
                       key).fetchall()
    if not parts:
        return []
    paid: dict[str, list[dict[str, Any]]] = {}
    for row in db.execute("SELECT tx_hash, claim_id, hunter, amount, credited FROM payouts"
                          " WHERE chain_id = :chain_id AND bounty_id = :bounty_id ORDER BY block_number, log_index",
                          key):
        paid.setdefault(row[0], []).append({"claim_id": int(row[1]), "hunter": row[2], "amount": int(row[3]),
                                            "credited": bool(row[4])})
    times = {entry["block_number"]: entry["time"]
             for entry in queries.funding_history(db, bounty_id, chain=chain_id)}
    return [{"block_number": int(block), "tx_hash": tx, "time": times.get(block), "part_bps": int(part_bps),
             "pool": int(pool), "fee": int(fee), "remaining": int(remaining), "winners": paid.get(tx, [])}
            for block, tx, part_bps, pool, fee, remaining in parts]


def bonds_of(db: Index, chain_id: int, bounty_id: int) -> dict[str, Any]:
    """The bond every claim on the bounty posts (0: none asked) and, per claim id, what its
    bond is: held, returned or slashed, with the amount that arrived."""
    required, claims = 0, {}
    for claim_id, step, amount in db.execute(
            "SELECT claim_id, step, amount FROM bonds WHERE chain_id = :chain_id AND bounty_id = :bounty_id"
            " ORDER BY block_number, log_index", {"chain_id": chain_id, "bounty_id": bounty_id}):
        if step == "required":
            required = int(amount)
        elif step in BOND_STATES:
            claims[str(claim_id)] = {"state": BOND_STATES[step], "amount": int(amount)}
    return {"bond": required, "claim_bonds": claims}


__all__ = ["BOND_STATES", "bonds_of", "milestone_history"]
