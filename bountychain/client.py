"""Compatibility: `bountychain.client` was the SDK's one 1,238-line module. Its code now lives
in the `bountychain.sdk` package (see CHANGELOG.md); these names stay importable from here
for scripts written against it. New code imports from `bountychain` or `bountychain.sdk`."""

from bountychain.sdk import BountyClient, checksum, deploy_contract, send_transaction
from bountychain.sdk.constants import (
    ARBITRATION_PERIOD,
    ESCALATION_PERIOD,
    MAX_REVIEW_HOLD,
    BPS,
    FUNDRAISER_CLAIM_PERIOD,
    MAX_DEADLINE_DURATION,
    MAX_FEE_BPS,
    MAX_REVIEW_WINDOW,
    MIN_REVIEW_WINDOW,
)

__all__ = [
    "ARBITRATION_PERIOD",
    "ESCALATION_PERIOD",
    "MAX_REVIEW_HOLD",
    "BPS",
    "FUNDRAISER_CLAIM_PERIOD",
    "MAX_DEADLINE_DURATION",
    "MAX_FEE_BPS",
    "MAX_REVIEW_WINDOW",
    "MIN_REVIEW_WINDOW",
    "BountyClient",
    "checksum",
    "deploy_contract",
    "send_transaction",
]
