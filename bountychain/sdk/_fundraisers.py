"""Fundraisers: create one, pay it out to its beneficiary, read it."""

from __future__ import annotations

from datetime import datetime

from bountychain.errors import ContractError, InvalidAddress, InvalidInput, translating_reverts
from bountychain.results import ETH, BountyStatus, Fundraiser, FundraiserCreation, RaisedWithdrawal
from bountychain.sdk._core import ClientCore
from bountychain.sdk._transactions import one_event, tx_fields
from bountychain.sdk._validation import as_bounty_id, check_uri, checksum


class FundraiserOperations(ClientCore):
    """Goal-based fundraisers held by the escrow."""

    def create_fundraiser(
        self,
        project_url: str,
        beneficiary: str,
        goal: int | str,
        deadline: int | datetime,
        *,
        token: str = ETH,
        all_or_nothing: bool = True,
    ) -> FundraiserCreation:
        """Creates a fundraiser for `beneficiary` in ETH or an ERC-20. All-or-nothing (the
        default) pays out only if `goal` is reached by `deadline`, else backers refund;
        flexible (`all_or_nothing=False`) pays out whatever was raised. Kind, goal, deadline
        and beneficiary are fixed. `goal` is base units or a string like "10 ether"."""
        check_uri(project_url, "project_url")
        beneficiary = checksum(beneficiary, "beneficiary")
        if beneficiary == ETH:
            raise InvalidAddress("beneficiary: the zero address cannot receive the raised funds")
        token = checksum(token, "token")
        if token != ETH:
            self.token_info(token)
        if not isinstance(all_or_nothing, bool):
            raise InvalidInput(f"all_or_nothing must be True or False, got {all_or_nothing!r}")
        if all_or_nothing or goal not in (0, "0"):
            goal_units = self._amount(goal, token)
        else:
            goal_units = 0
        deadline_ts = self._check_future_deadline(deadline)
        fn = self.contract.functions.createFundraiser(beneficiary, token, goal_units, deadline_ts, all_or_nothing,
                                                      project_url)
        receipt, events = self._transact(fn)
        created = one_event(events, "FundraiserCreated")
        return FundraiserCreation(
            **tx_fields(receipt),
            fundraiser_id=created["id"],
            creator=created["creator"],
            beneficiary=created["beneficiary"],
            token=created["token"],
            goal=created["goal"],
            deadline=created["deadline"],
            all_or_nothing=created["allOrNothing"],
            uri=created["uri"],
        )

    def withdraw_raised(self, fundraiser_id: int) -> RaisedWithdrawal:
        """Pays a fundraiser's raised total, less the fee, to its beneficiary (from the
        deadline, within the claim period, if flexible or the goal was reached). Anyone may
        send it; the money goes only to the beneficiary."""
        fundraiser = self.fundraiser(fundraiser_id)
        if fundraiser.status != BountyStatus.OPEN:
            raise self._refusal("BountyNotOpen", fundraiser_id, status=int(fundraiser.status))
        if fundraiser.raised == 0 and fundraiser.as_of >= fundraiser.deadline:
            raise self._refusal("NothingToAward", fundraiser_id)
        # Whether the deadline or the claim period has passed depends on the next block's
        # time: the simulation decides.
        receipt, events = self._transact(self.contract.functions.withdrawRaised(fundraiser_id),
                                         bounty_id=fundraiser_id)
        awarded = one_event(events, "Awarded")
        outcome = [(name, args) for name, args in events if name in ("RaisedPaid", "RaisedCredited")]
        if len(outcome) != 1:
            raise ContractError("expected one RaisedPaid or RaisedCredited event", error_name="UnexpectedReceipt")
        credited, paid = outcome[0][0] == "RaisedCredited", outcome[0][1]
        return RaisedWithdrawal(
            **tx_fields(receipt), fundraiser_id=fundraiser_id, beneficiary=paid["beneficiary"],
            pool=awarded["pool"], fee=awarded["fee"], amount=paid["amount"], credited=credited,
        )

    def fundraiser(self, fundraiser_id: int) -> Fundraiser:
        """A fundraiser's terms and state (see `Fundraiser.state`); raises BountyNotFound for
        an unknown id and RejectedInput (NotAFundraiser) for a bounty."""
        fundraiser_id = as_bounty_id(fundraiser_id)
        block = self.w3.eth.get_block("latest")
        with translating_reverts(fundraiser_id):
            info = self.contract.functions.getFundraiser(fundraiser_id).call(block_identifier=block["number"])
        creator, beneficiary, token, goal, raised, deadline, claim_deadline, all_or_nothing, status = info
        return Fundraiser(fundraiser_id, creator, beneficiary, token, goal, raised, deadline, claim_deadline,
                          all_or_nothing, BountyStatus(status), as_of=int(block["timestamp"]))


__all__ = ["FundraiserOperations"]
