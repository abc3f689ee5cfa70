"""The SDK: `BountyClient` and the transaction helpers it is built on.

    from bountychain.sdk import BountyClient, deploy_contract, send_transaction
    from bountychain.sdk.constants import MAX_REVIEW_HOLD

Its parts live in private modules (`_client` composes `_bounties`, `_review`,
`_fundraisers`, `_signatures`, `_reports` (private security reports, on
`bountychain.reports`) and `_reads` on `_core` and `_transactions`, which stand on
`_fees`, `_events`, `_rpc` and `_retry`; `_async` runs the same client over AsyncWeb3); the
names below are the public surface (those that existed before issue 12 also importable
from `bountychain`).
"""

from bountychain.sdk._async import AsyncBountyClient
from bountychain.sdk._client import BountyClient
from bountychain.sdk._events import DEFAULT_LOG_RANGE, LogRangeRefused
from bountychain.sdk._fees import FeeCaps, max_gas_price
from bountychain.reports import ReportBundle, SealedReport, decrypt_report, with_security_contact
from bountychain.sdk._reports import ReportSubmission, ReportVerification, SignedReport
from bountychain.sdk._retry import (
    EndpointUnavailable,
    NonceTaken,
    PledgeIncomplete,
    RetryPolicy,
    TransactionNotConfirmed,
)
from bountychain.sdk._transactions import Connection, deploy_contract, send_transaction
from bountychain.sdk._validation import checksum

__all__ = ["DEFAULT_LOG_RANGE", "AsyncBountyClient", "BountyClient", "Connection", "EndpointUnavailable", "FeeCaps",
           "LogRangeRefused", "NonceTaken", "PledgeIncomplete", "ReportBundle", "ReportSubmission",
           "ReportVerification", "RetryPolicy", "SealedReport", "SignedReport", "TransactionNotConfirmed", "checksum",
           "decrypt_report", "deploy_contract", "max_gas_price", "send_transaction", "with_security_contact"]
