"""Private security reports on the chain: a report's commitment registered as an ordinary
claim (`submitSolution`, or `submitSolutionBySig` relayed for a gasless hunter) whose URI is
the commitment, so the block time proves priority and the approver awards it like any claim;
and the check of a revealed report against that claim. The cryptography and the formats are
in `bountychain.reports`."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field, replace
from datetime import datetime

from bountychain.errors import InvalidReport, ReportNotVerified
from bountychain.reports import (
    SALT_BYTES,
    ReportBundle,
    SealedReport,
    public_key_hex,
    seal_report,
    security_contact_of,
)
from bountychain.results import SignedSolution, SolutionResult
from bountychain.sdk._bounties import BountyOperations
from bountychain.sdk._signatures import SignatureOperations
from bountychain.sdk._validation import as_bounty_id, checksum


@dataclass(frozen=True)
class ReportSubmission:
    """A committed report: its claim on the chain, the envelope to deliver to the security
    contact, and (kept by the hunter, never shown in repr) the bundle that reveals it."""

    claim: SolutionResult
    envelope: SealedReport
    bundle: ReportBundle = field(repr=False)


@dataclass(frozen=True)
class SignedReport:
    """A report's commitment signed for a relayer (no gas for the hunter) and its envelope,
    whose claim id is known once `relay_solution(signed)` is mined."""

    signed: SignedSolution
    envelope: SealedReport
    bundle: ReportBundle = field(repr=False)


@dataclass(frozen=True)
class ReportVerification:
    """A revealed report that matches its claim: registered by `hunter` at `committed_at`
    (the block's time, which proves priority)."""

    bounty_id: int
    claim_id: int
    hunter: str
    commitment: bytes
    block_number: int
    committed_at: int
    tx_hash: str


class ReportOperations(BountyOperations, SignatureOperations):
    """Commit, seal and verify private security reports."""

    def security_contact(self, bounty_id: int) -> str | None:
        """The security contact key the bounty named at creation (in its URI), or None."""
        bounty_id = as_bounty_id(bounty_id)
        created = self._events_of(self.contract, "BountyCreated", {"bountyId": bounty_id})
        if not created:
            self.bounty(bounty_id)  # raises BountyNotFound
            return None
        return security_contact_of(created[0][0]["uri"])

    def submit_report(self, bounty_id: int, report: bytes, *, contact_key: str | None = None) -> ReportSubmission:
        """Registers the commitment to `report` as the signer's claim on the bounty, and seals
        the report for the bounty's security contact. `contact_key`, if given (say, from the
        project's SECURITY.md), must be the key the bounty named; the report is only ever
        encrypted to that key. Nothing is sent if the bounty names no key."""
        signer = self._require_signer()
        bundle, envelope = self._seal(bounty_id, report, contact_key, signer)
        result = self.submit_solution(bounty_id, bundle.uri)
        return ReportSubmission(result, replace(envelope, claim_id=result.claim_id),
                                replace(bundle, claim_id=result.claim_id))

    def sign_report(self, bounty_id: int, report: bytes, *, contact_key: str | None = None,
                    expiry: int | datetime | None = None) -> SignedReport:
        """As `submit_report`, but signed off-chain for a relayer to send (`relay_solution`)."""
        signer = self._require_signer()
        bundle, envelope = self._seal(bounty_id, report, contact_key, signer)
        return SignedReport(self.sign_solution(bounty_id, bundle.uri, expiry=expiry), envelope, bundle)

    def verify_report(self, bundle: ReportBundle) -> ReportVerification:
        """Checks a revealed report against the chain: the claim registered on this escrow for
        the bundle's bounty by its hunter must carry the commitment recomputed from the
        report, salt, hunter, bounty, chain and escrow. Raises ReportNotVerified otherwise."""
        if bundle.chain_id != self.chain_id:
            raise ReportNotVerified(f"the report was committed for chain {bundle.chain_id}, this is chain "
                                    f"{self.chain_id}")
        if checksum(bundle.escrow, "escrow") != self.address:
            raise ReportNotVerified(f"the report was committed for the escrow {bundle.escrow}, not {self.address}")
        uri = bundle.uri
        claims = self._events_of(self.contract, "SolutionSubmitted",
                                 {"bountyId": as_bounty_id(bundle.bounty_id), "hunter": bundle.hunter})
        matching = [(args, log) for args, log in claims if args["uri"] == uri
                    and (bundle.claim_id is None or args["claimId"] == bundle.claim_id)]
        if not matching:
            which = f" (claim {bundle.claim_id})" if bundle.claim_id is not None else ""
            raise ReportNotVerified(
                f"no claim of bounty {bundle.bounty_id} by {bundle.hunter}{which} carries this report's commitment: "
                f"the report, salt, hunter or bounty differ from what was committed")
        args, log = matching[0]  # the earliest: priority
        block_time = int(self.w3.eth.get_block(log["blockHash"])["timestamp"])
        return ReportVerification(bundle.bounty_id, args["claimId"], args["hunter"], bundle.commitment,
                                  log["blockNumber"], block_time, "0x" + bytes(log["transactionHash"]).hex())

    def _seal(self, bounty_id: int, report: bytes, contact_key: str | None, signer: object
              ) -> tuple[ReportBundle, SealedReport]:
        if not isinstance(report, bytes | bytearray) or not report:
            raise InvalidReport("the report must be non-empty bytes")
        self._active_bounty(bounty_id)
        named = self.security_contact(bounty_id)
        if named is None:
            raise InvalidReport(f"bounty {bounty_id} names no security contact key (its URI has no "
                                f"#security-key=…): a private report cannot be sealed for it")
        if contact_key is not None and public_key_hex(contact_key) != named:
            raise InvalidReport(f"bounty {bounty_id} names the security contact key {named}, not {contact_key}: "
                                "the report is encrypted only to the bounty's own key")
        salt = secrets.token_bytes(SALT_BYTES)
        envelope = seal_report(chain_id=self.chain_id, escrow=self.address, bounty_id=bounty_id, hunter=signer,
                               contact_key=named, salt=salt, report=bytes(report))
        bundle = ReportBundle(self.chain_id, self.address, bounty_id, envelope.hunter, None, salt, bytes(report))
        return bundle, envelope


__all__ = ["ReportOperations", "ReportSubmission", "ReportVerification", "SignedReport"]
