"""Reads: a bounty, pledges, credits, claims, listings and the fee, from the escrow's state
and its events."""

from __future__ import annotations

from dataclasses import replace

from eth_account.signers.local import LocalAccount
from eth_utils import keccak

from bountychain.results import ETH, Bounty, BountyListing, BountyStatus, Claim, Pledge
from bountychain.sdk._core import ClientCore
from bountychain.sdk._validation import address_of, as_bounty_id, checksum


class Reads(ClientCore):
    """The escrow's state, read without a signer."""

    def bounty(self, bounty_id: int) -> Bounty:
        """A bounty's state and the issue it funds (`issue_url`); raises BountyNotFound for an
        unknown id."""
        state = self._bounty_state(bounty_id)
        created = self._events_of(self.contract, "BountyCreated", {"bountyId": state.bounty_id})
        return replace(state, issue_url=created[0][0]["uri"] if created else None)

    def _bounty_state(self, bounty_id: int) -> Bounty:
        """The escrow's record of a bounty, without its issue URL (one call, for the checks
        before every write)."""
        bounty_id = as_bounty_id(bounty_id)
        info, block_number, block_time = self._view_with_block(self.contract.abi, self.address, "getBounty", bounty_id,
                                                               bounty_id=bounty_id)
        issuer, approver, token, deadline, status, claim_count, total = info
        # The review contract is the approver of reviewed bounties; the person who proposes is
        # in its record.
        optimistic = approver == self.review_contract.address
        if optimistic:
            approver = self.review_contract.functions.getReview(bounty_id).call(block_identifier=block_number)[0]
        return Bounty(bounty_id, issuer, approver, token, deadline, BountyStatus(status), claim_count, total,
                      as_of=block_time, optimistic=optimistic)

    def bounty_count(self) -> int:
        return int(self.contract.functions.bountyCount().call())

    def pledge_of(self, bounty_id: int, funder: str | LocalAccount) -> Pledge:
        """A funder's outstanding pledge (amount 0 if none); `funder` is an address or an account."""
        funder = address_of(funder, "funder")
        amount, unlocks_at = self._view(self.contract.abi, self.address, "pledgeOf", as_bounty_id(bounty_id), funder)
        return Pledge(bounty_id, funder, amount, unlocks_at)

    def pledges(self, funder: str | LocalAccount) -> list[Pledge]:
        """Every outstanding pledge of a funder, found from its Pledged events."""
        funder = address_of(funder, "funder")
        bounty_ids = sorted({args["bountyId"] for args, _ in self._events_of(self.contract, "Pledged",
                                                                               {"funder": funder})})
        return [p for p in (self.pledge_of(b, funder) for b in bounty_ids) if p.amount]

    def credit_of(self, account: str | LocalAccount, token: str = ETH) -> int:
        """What an account can withdraw in ETH or a token."""
        return int(self._view(self.contract.abi, self.address, "creditOf", address_of(account, "account"),
                              checksum(token, "token")))

    def claims(self, bounty_id: int) -> list[Claim]:
        """The solutions registered on a bounty, in order. A URI that is not valid UTF-8
        carries U+FFFD where its bytes were invalid (see `bountychain.chainstrings`)."""
        bounty_id = as_bounty_id(bounty_id)
        events = self._events_of(self.contract, "SolutionSubmitted", {"bountyId": bounty_id})
        return [Claim(bounty_id, args["claimId"], args["hunter"], args["uri"]) for args, _ in events]

    def bounties(self, issue_url: str | None = None) -> list[BountyListing]:
        """Bounties in creation order, optionally only those for one issue URL (the log
        filter matches the indexed hash of the URL, so the node does the filtering)."""
        filters = {"uriHash": keccak(text=issue_url)} if issue_url is not None else {}
        return [
            BountyListing(
                bounty_id=args["bountyId"],
                issuer=args["issuer"],
                approver=args["approver"],
                token=args["token"],
                deadline=args["deadline"],
                uri=args["uri"],
                block_number=log["blockNumber"],
            )
            for args, log in self._events_of(self.contract, "BountyCreated", filters)
        ]

    def fee(self) -> tuple[str, int]:
        """(fee recipient, fee in basis points), fixed at deployment."""
        return self.contract.functions.feeRecipient().call(), int(self.contract.functions.feeBps().call())


__all__ = ["Reads"]
