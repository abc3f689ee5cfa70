"""The escrow's bounds and timings, as the contract fixes them: the SDK's one copy (the index
and the command line read them from here; tests check them against the contract)."""

BPS = 10_000
MAX_FEE_BPS = 500
MAX_DEADLINE_DURATION = 730 * 24 * 3600
# Backer review bounds, as in the contracts (BountyReview; BountyEscrow.MAX_REVIEW_HOLD).
MIN_REVIEW_WINDOW = 86_400
MAX_REVIEW_WINDOW = 30 * 86_400
ESCALATION_PERIOD = 7 * 86_400
ARBITRATION_PERIOD = 90 * 86_400
MAX_REVIEW_HOLD = MAX_REVIEW_WINDOW + ESCALATION_PERIOD + ARBITRATION_PERIOD
# How long after its deadline a fundraiser can be paid out before backers may refund.
FUNDRAISER_CLAIM_PERIOD = 365 * 86_400
# Headroom over the node's gas estimate; unused gas is not charged.
GAS_HEADROOM = 1.2
# How long a permit signed for a pledge stays valid (it is used in the next block).
PERMIT_VALIDITY = 3600
# Default validity of a signed solution registration.
SIGNED_SOLUTION_VALIDITY = 7 * 86_400

__all__ = [
    "ARBITRATION_PERIOD",
    "ESCALATION_PERIOD",
    "MAX_REVIEW_HOLD",
    "BPS",
    "FUNDRAISER_CLAIM_PERIOD",
    "GAS_HEADROOM",
    "MAX_DEADLINE_DURATION",
    "MAX_FEE_BPS",
    "MAX_REVIEW_WINDOW",
    "MIN_REVIEW_WINDOW",
    "PERMIT_VALIDITY",
    "SIGNED_SOLUTION_VALIDITY",
]
