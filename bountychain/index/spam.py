"""The claims a bounty's approver called spam (issue 16), read from the index: each slashed
bond (BondSlashed, in `bonds`) with who marked it, through the review contract on a reviewed
bounty (SpamMarked, in `spam_marks`, schema 10) or on the escrow by a plain bounty's approver."""

from __future__ import annotations

from bountychain.index import store
from bountychain.index.records import SpamMark, built

# A bounty's slashed bonds, oldest first, each with the review's mark of that claim if any
# (a claim's bond is slashed at most once) and the bounty's approver (a reviewed bounty's
# is its proposer, the only one who marks).
_MARKS = ("SELECT d.claim_id, d.hunter, d.amount, s.marked_by, b.approver, d.block_number, d.tx_hash FROM bonds d"
          " JOIN bounties b ON b.chain_id = d.chain_id AND b.escrow = d.escrow AND b.bounty_id = d.bounty_id"
          " LEFT JOIN spam_marks s ON s.chain_id = d.chain_id AND s.escrow = d.escrow AND s.bounty_id = d.bounty_id"
          " AND s.claim_id = d.claim_id"
          " WHERE d.chain_id = :chain_id AND d.escrow = :escrow AND d.bounty_id = :bounty_id AND d.step = 'slashed'"
          " ORDER BY d.block_number, d.log_index")


def spam_marks(db: store.Index, chain_id: int, escrow: str, bounty_id: int) -> list[SpamMark]:
    """The bounty's claims marked spam, oldest first (`records.SpamMark`)."""
    return [built(SpamMark, bounty_id, claim_id, hunter, int(bond), marked_by or approver, marked_by is not None,
                  block_number, tx_hash)
            for claim_id, hunter, bond, marked_by, approver, block_number, tx_hash
            in db.execute(_MARKS, {"chain_id": chain_id, "escrow": escrow, "bounty_id": bounty_id})]


__all__ = ["spam_marks"]
