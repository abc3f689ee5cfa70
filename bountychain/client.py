"""`BountyClient`: one object for everything a funder, hunter, issuer or approver does.

Every write is checked before it is sent (addresses, amounts, deadlines, URIs, shares,
the bounty's existence and state), then simulated by the node's gas estimate, so a call the
contract would refuse raises a decoded `ContractError` and sends nothing. Transactions are
signed locally with eth-account; keys never leave the signer object.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any
from urllib.parse import urlparse

from eth_abi import encode
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount
from eth_utils import ValidationError as EthValidationError
from eth_utils import keccak
from web3 import Web3
from web3.contract.contract import Contract, ContractFunction
from web3.types import TxReceipt

from bountychain._artifacts import load_artifact
from bountychain.amounts import parse_amount
from bountychain.devchain import DevChain
from bountychain.errors import (
    ContractError,
    InsufficientFunds,
    InvalidAddress,
    InvalidInput,
    InvalidAmount,
    InvalidDeadline,
    InvalidShares,
    InvalidSignature,
    InvalidURI,
    NoSigner,
    WrongChain,
    decode_revert,
    error_from_name,
    translating_reverts,
)
from bountychain.results import (
    ETH,
    AwardResult,
    Bounty,
    BountyCreation,
    BountyListing,
    BountyStatus,
    CancelResult,
    Claim,
    DeadlineExtension,
    Deployment,
    EscalationResult,
    Fundraiser,
    FundraiserCreation,
    ObjectionResult,
    Payout,
    Pledge,
    PledgeResult,
    Proposal,
    ProposalResult,
    ProposalState,
    RaisedWithdrawal,
    RefundResult,
    RejectionResult,
    ReviewTerms,
    Ruling,
    RulingResult,
    SignedSolution,
    SolutionResult,
    TokenInfo,
    TxResult,
    WithdrawalResult,
)

BPS = 10_000
MAX_FEE_BPS = 500
MAX_DEADLINE_DURATION = 730 * 24 * 3600
# Backer review bounds, as in the contracts (BountyReview, BountyEscrow.MAX_REVIEW_HOLD).
MIN_REVIEW_WINDOW = 86_400
MAX_REVIEW_WINDOW = 30 * 86_400
ESCALATION_PERIOD = 7 * 86_400
ARBITRATION_PERIOD = 90 * 86_400
MAX_REVIEW_HOLD = MAX_REVIEW_WINDOW + ESCALATION_PERIOD + ARBITRATION_PERIOD
# How long after its deadline a fundraiser can be paid out before backers may refund.
FUNDRAISER_CLAIM_PERIOD = 365 * 86_400
_REJECT_REASONS = ("unanimous", "arbiter-rejected", "arbiter-refused", "lapsed")
# Headroom over the node's gas estimate; unused gas is not charged.
GAS_HEADROOM = 1.2
# How long a permit signed for a pledge stays valid (it is used in the next block).
PERMIT_VALIDITY = 3600
# Default validity of a signed solution registration.
SIGNED_SOLUTION_VALIDITY = 7 * 86_400
# secp256k1's group order: a signature with s above half of it is malleable (EIP-2).
_SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
_EIP712_DOMAIN_TYPE = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]
_SUBMIT_SOLUTION_TYPE = [
    {"name": "bountyId", "type": "uint256"},
    {"name": "uri", "type": "string"},
    {"name": "hunter", "type": "address"},
    {"name": "nonce", "type": "uint256"},
    {"name": "expiry", "type": "uint256"},
]
_PERMIT_TYPE = [
    {"name": "owner", "type": "address"},
    {"name": "spender", "type": "address"},
    {"name": "value", "type": "uint256"},
    {"name": "nonce", "type": "uint256"},
    {"name": "deadline", "type": "uint256"},
]

Connection = str | Web3 | DevChain


def _web3(connection: Connection) -> Web3:
    if isinstance(connection, Web3):
        return connection
    if isinstance(connection, str):
        return Web3(Web3.HTTPProvider(connection, request_kwargs={"timeout": 60}))
    return connection.w3


def checksum(value: Any, what: str) -> str:
    """Validates an address and returns its checksummed form; raises InvalidAddress."""
    if not isinstance(value, str) or not Web3.is_address(value):
        raise InvalidAddress(f"{what}: {value!r} is not a 20-byte hex address")
    if value != value.lower() and not Web3.is_checksum_address(value):
        raise InvalidAddress(f"{what}: {value!r} has a bad checksum (mistyped?)")
    return Web3.to_checksum_address(value)


def _check_uri(uri: Any, what: str) -> str:
    parsed = urlparse(uri) if isinstance(uri, str) else None
    if not parsed or not parsed.scheme or not (parsed.netloc or parsed.path) or uri != uri.strip():
        raise InvalidURI(f"{what}: {uri!r} is not a URL")
    return uri


def _timestamp(deadline: int | datetime) -> int:
    if isinstance(deadline, datetime):
        if deadline.tzinfo is None:
            raise InvalidDeadline(f"deadline {deadline} has no time zone")
        return int(deadline.timestamp())
    if isinstance(deadline, bool) or not isinstance(deadline, int):
        raise InvalidDeadline(f"deadline {deadline!r} is not a unix timestamp or an aware datetime")
    return deadline


class BountyClient:
    """A connection to one BountyEscrow, acting as one signer (or read-only without one).

    Args:
        connection: an RPC URL, a `Web3`, or a development chain.
        escrow: the escrow's address on that chain.
        signer: the account that signs transactions; None for read-only use.
        chain_id: if given, the chain must have this id (else `WrongChain`).
        from_block: where event queries start (the escrow's deployment block).
    """

    def __init__(
        self,
        connection: Connection,
        escrow: str,
        signer: LocalAccount | None = None,
        *,
        chain_id: int | None = None,
        from_block: int = 0,
        poll_latency: float = 0.05,
        timeout: float = 120.0,
    ) -> None:
        self.w3 = _web3(connection)
        self.chain_id = int(self.w3.eth.chain_id)
        if chain_id is not None and chain_id != self.chain_id:
            raise WrongChain(f"connected to chain {self.chain_id}, expected chain {chain_id}")
        self.address = checksum(escrow, "escrow")
        if not self.w3.eth.get_code(self.address):
            raise WrongChain(f"no contract at {self.address} on chain {self.chain_id}")
        self.contract: Contract = self.w3.eth.contract(address=self.address, abi=load_artifact("BountyEscrow").abi)
        # The backers' review lives in its own contract, which the escrow deployed.
        self.review_contract: Contract = self.w3.eth.contract(
            address=self.contract.functions.review().call(), abi=load_artifact("BountyReview").abi)
        self.signer = signer
        self.from_block = from_block
        self._poll_latency = poll_latency
        self._timeout = timeout
        self._token_abi = load_artifact("TestToken").abi
        self._token_info: dict[str, TokenInfo] = {ETH: TokenInfo(ETH, "ETH", 18)}
        # A proposal's hash (keccak of its claims and shares, stored by the escrow) -> the claims
        # and shares, read once from AwardProposed, since that read scans logs from the
        # deployment block. Keyed by the hash, an entry cannot go stale across a reorg.
        self._proposed_splits: dict[bytes, tuple[tuple[int, ...], tuple[int, ...]]] = {}
        self.deployment: Deployment | None = None  # set by `deploy`

    def __repr__(self) -> str:
        who = self.signer.address if self.signer else "read-only"
        return f"BountyClient(escrow={self.address}, chain={self.chain_id}, signer={who})"

    # --- construction ---------------------------------------------------------------------

    @classmethod
    def deploy(
        cls,
        connection: Connection,
        signer: LocalAccount,
        *,
        fee_recipient: str | None = None,
        fee_bps: int = 0,
        poll_latency: float = 0.05,
        timeout: float = 120.0,
    ) -> BountyClient:
        """Deploys a new BountyEscrow and returns a client for it (see `.deployment`)."""
        if isinstance(fee_bps, bool) or not isinstance(fee_bps, int) or not 0 <= fee_bps <= MAX_FEE_BPS:
            raise InvalidAmount(f"fee_bps must be an integer from 0 to {MAX_FEE_BPS}, got {fee_bps!r}")
        recipient = checksum(fee_recipient, "fee_recipient") if fee_recipient else ETH
        if fee_bps and recipient == ETH:
            raise InvalidAddress("a fee needs a fee_recipient")
        w3 = _web3(connection)
        artifact = load_artifact("BountyEscrow")
        factory = w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
        receipt, _ = _send(
            w3, signer, factory.constructor(recipient, fee_bps), poll_latency=poll_latency, timeout=timeout
        )
        client = cls(
            w3, receipt["contractAddress"], signer, from_block=receipt["blockNumber"],
            poll_latency=poll_latency, timeout=timeout,
        )
        client.deployment = Deployment(
            **_tx_fields(receipt), address=client.address, fee_recipient=recipient, fee_bps=fee_bps
        )
        return client

    @classmethod
    def connect(
        cls,
        connection: Connection,
        signer: LocalAccount | None = None,
        *,
        escrow: str | None = None,
        chain_id: int | None = None,
        deployments: str | None = None,
        **options: Any,
    ) -> BountyClient:
        """A client for the escrow recorded for the connected chain in the deployment
        registry (`deployments/<chain id>.json`), or for `escrow` if given."""
        from bountychain import deployments as registry

        w3 = _web3(connection)
        if escrow is not None:
            return cls(w3, escrow, signer, chain_id=chain_id, **options)
        actual_chain = int(w3.eth.chain_id)
        if chain_id is not None and chain_id != actual_chain:
            raise WrongChain(f"connected to chain {actual_chain}, expected chain {chain_id}")
        record = registry.load(actual_chain, deployments)
        if record.abi_sha256 != registry.abi_sha256():
            raise WrongChain(f"the escrow recorded for chain {actual_chain} speaks another ABI than this SDK")
        return cls(w3, record.address, signer, chain_id=actual_chain, from_block=record.block_number, **options)

    def as_signer(self, signer: LocalAccount) -> BountyClient:
        """The same escrow, acting as another account."""
        other = BountyClient.__new__(BountyClient)
        other.__dict__.update(self.__dict__)
        other.signer = signer
        return other

    # --- amounts and tokens ---------------------------------------------------------------

    def token_info(self, token: str) -> TokenInfo:
        """Symbol and decimals of an ERC-20 (or of ETH for the zero address)."""
        token = checksum(token, "token")
        if token not in self._token_info:
            erc20 = self._erc20(token)
            try:
                info = TokenInfo(token, erc20.functions.symbol().call(), erc20.functions.decimals().call())
            except Exception as exc:  # no code, or not an ERC-20
                raise InvalidAddress(f"token {token} does not answer symbol() and decimals(): {exc}") from None
            self._token_info[token] = info
        return self._token_info[token]

    def parse_amount(self, text: str, token: str = ETH) -> int:
        """"0.5 ether" for ETH, "100 USDC" for a token (the unit must be its symbol)."""
        info = self.token_info(token)
        return parse_amount(text, symbol=info.symbol, decimals=info.decimals)

    def balance_of(self, account: str, token: str = ETH) -> int:
        """An account's balance in ETH or a token, in base units."""
        account = checksum(account, "account")
        if checksum(token, "token") == ETH:
            return int(self.w3.eth.get_balance(account))
        return int(self._erc20(token).functions.balanceOf(account).call())

    # --- writes ---------------------------------------------------------------------------

    def create_bounty(
        self,
        issue_url: str,
        deadline: int | datetime,
        *,
        token: str = ETH,
        approver: str | None = None,
        review: ReviewTerms | None = None,
    ) -> BountyCreation:
        """Creates a bounty for an issue; `token` is ETH or an ERC-20's address. With
        `review`, awards go through optimistic backer review (`propose`, `object`,
        `finalize`) instead of the approver's direct `award`; the policy is fixed for good."""
        _check_uri(issue_url, "issue_url")
        token = checksum(token, "token")
        if token != ETH:
            self.token_info(token)
        approver_address = checksum(approver, "approver") if approver is not None else ETH
        deadline_ts = self._check_future_deadline(_timestamp(deadline))
        if approver_address in (self.address, self.review_contract.address):
            raise InvalidAddress(f"the approver cannot be the escrow or its review contract ({approver_address})")
        if review is None:
            fn = self.contract.functions.createBounty(token, deadline_ts, approver_address, issue_url)
        else:
            terms = self._check_review_terms(review)
            fn = self.review_contract.functions.createBountyWithReview(
                token, deadline_ts, approver_address, issue_url, terms)
        receipt, events = self._transact(fn)
        created = _one(events, "BountyCreated")
        policy = [args for name, args in events if name == "ReviewPolicySet"]
        return BountyCreation(
            **_tx_fields(receipt),
            bounty_id=created["bountyId"],
            issuer=created["issuer"],
            approver=policy[0]["approver"] if policy else created["approver"],
            token=created["token"],
            deadline=created["deadline"],
            uri=created["uri"],
        )

    def pledge(self, bounty_id: int, amount: int | str, *, permit: bool | None = None,
               max_unlocks_at: int | datetime | None = None) -> PledgeResult:
        """Pledges ETH or the token of a bounty or fundraiser. An int is base units; a string
        such as "0.5 ether" or "25 USDC" is converted with the token's decimals. For a token
        that supports EIP-2612, one transaction carries a permit for exactly this amount;
        otherwise the escrow is approved for exactly this amount first. Never an unlimited
        allowance. `permit=False` forces the approve path, `permit=True` requires a permit.

        The pledge (the whole of it, with earlier top-ups) locks until the bounty's deadline.
        `max_unlocks_at` is the latest lock accepted, by default the deadline read here (the
        one the caller saw): an extension mined first makes the escrow refuse the pledge
        (`LockTooLong`) instead of locking it longer."""
        bounty = self._active_bounty(bounty_id)
        value = self._amount(amount, bounty.token)
        latest_unlock = bounty.deadline if max_unlocks_at is None else _timestamp(max_unlocks_at)
        if bounty.deadline > latest_unlock:
            raise self._refusal("LockTooLong", bounty_id, unlocksAt=bounty.deadline, maxUnlocksAt=latest_unlock)
        signer = self._require_signer()
        approval = None
        used_permit = False
        if bounty.is_eth:
            if permit:
                raise InvalidInput(f"bounty {bounty_id} is paid in ETH: there is no token to permit")
            self._check_balance(signer.address, ETH, value)
            receipt, events = self._transact(self.contract.functions.pledge(bounty_id, value, latest_unlock),
                                             value=value, bounty_id=bounty_id)
        else:
            self._check_balance(signer.address, bounty.token, value)
            domain = self._permit_domain(bounty.token) if permit is not False else None
            if permit and domain is None:
                raise InvalidInput(f"token {bounty.token} does not support EIP-2612 permit")
            if domain is not None:
                deadline = self._pending_time() + PERMIT_VALIDITY
                v, r, s = self.sign_permit(bounty.token, value, deadline, domain=domain)
                fn = self.contract.functions.pledgeWithPermit(bounty_id, value, latest_unlock, deadline, v, r, s)
                try:
                    receipt, events = self._transact(fn, bounty_id=bounty_id)
                    used_permit = True
                except ContractError as exc:
                    # A token with an EIP-712 domain and nonces but another permit (DAI's, say)
                    # refuses it in the simulation: nothing was sent, approve instead.
                    if permit or exc.tx_hash is not None or exc.error_name != "PermitFailed":
                        raise
        if not bounty.is_eth and not used_permit:
            approval = self._approve_exactly(bounty.token, value)
            receipt, events = self._transact(self.contract.functions.pledge(bounty_id, value, latest_unlock),
                                             bounty_id=bounty_id)
        pledged = _one(events, "Pledged")
        return PledgeResult(
            **_tx_fields(receipt),
            bounty_id=bounty_id,
            funder=pledged["funder"],
            amount=pledged["amount"],
            unlocks_at=pledged["unlocksAt"],
            approval=approval,
            permit=used_permit,
        )

    def submit_solution(self, bounty_id: int, solution_url: str) -> SolutionResult:
        """Registers a solution (pull request or commit URL); the signer is paid if it wins."""
        _check_uri(solution_url, "solution_url")
        self._active_bounty(bounty_id)
        receipt, events = self._transact(self.contract.functions.submitSolution(bounty_id, solution_url),
                                         bounty_id=bounty_id)
        submitted = _one(events, "SolutionSubmitted")
        return SolutionResult(
            **_tx_fields(receipt),
            bounty_id=bounty_id,
            claim_id=submitted["claimId"],
            hunter=submitted["hunter"],
            uri=submitted["uri"],
        )

    def award(self, bounty_id: int, shares: Mapping[int, int] | Iterable[tuple[int, int]]) -> AwardResult:
        """Awards the whole pool: `shares` maps claim id -> basis points, summing to 10,000
        (e.g. {1: 7000, 2: 3000}). Approver only."""
        pairs = list(shares.items() if isinstance(shares, Mapping) else shares)
        bounty = self._active_bounty(bounty_id)
        claim_ids, shares_bps = self._check_shares(bounty, pairs)
        signer = self._require_signer()
        if bounty.optimistic:
            raise self._refusal("ReviewRequired", bounty_id)
        if signer.address != bounty.approver:
            raise self._refusal("NotApprover", bounty_id, caller=signer.address)
        if bounty.total == 0:
            raise self._refusal("NothingToAward", bounty_id)
        receipt, events = self._transact(self.contract.functions.award(bounty_id, claim_ids, shares_bps),
                                         bounty_id=bounty_id)
        return self._award_result(bounty_id, receipt, events)

    def _award_result(self, bounty_id: int, receipt: TxReceipt, events: list[tuple[str, Any]]) -> AwardResult:
        awarded = _one(events, "Awarded")
        payouts = tuple(
            Payout(args["claimId"], args["hunter"], args["amount"], credited=name == "WinnerCredited")
            for name, args in events if name in ("WinnerPaid", "WinnerCredited")
        )
        return AwardResult(
            **_tx_fields(receipt), bounty_id=bounty_id, pool=awarded["pool"], fee=awarded["fee"],
            payouts=payouts,
        )

    def refund(self, bounty_id: int, *, amount: int | str | None = None, to: str | None = None) -> RefundResult:
        """Takes back the signer's pledge (after its lock, at once if cancelled, and at once
        after an award it objected to): all of it, or `amount` of it (the rest keeps its
        lock), sent to the signer or to `to` (a funder contract that cannot receive ETH, a
        token that caps each transfer)."""
        bounty = self.bounty(bounty_id)
        signer = self._require_signer()
        pledge = self.pledge_of(bounty_id, signer.address)
        if pledge.amount == 0:
            if bounty.status == BountyStatus.AWARDED:
                raise self._refusal("AlreadyAwarded", bounty_id)
            raise self._refusal("NothingToRefund", bounty_id, funder=signer.address)
        recipient = self._recipient(to, signer.address)
        value = pledge.amount if amount is None else self._amount(amount, bounty.token)
        if value > pledge.amount:
            raise self._refusal("AmountNotAvailable", bounty_id, requested=value, available=pledge.amount)
        # Whether the lock, or a proposal's hold, has ended depends on the next block's time:
        # the simulation decides.
        fn = (self.contract.functions.refund(bounty_id) if amount is None and to is None
              else self.contract.functions.refundTo(bounty_id, value, recipient))
        receipt, events = self._transact(fn, bounty_id=bounty_id)
        refunded = _one(events, "Refunded")
        return RefundResult(**_tx_fields(receipt), bounty_id=bounty_id, funder=refunded["funder"],
                            amount=refunded["amount"], to=refunded["to"])

    def withdraw(self, token: str = ETH, *, amount: int | str | None = None, to: str | None = None
                 ) -> WithdrawalResult:
        """Pulls the signer's credit (an award or payout that could not be pushed): all of it,
        or `amount`, sent to the signer or to `to`."""
        token = checksum(token, "token")
        signer = self._require_signer()
        credit = self.credit_of(signer.address, token)
        if credit == 0:
            raise self._refusal("NothingToWithdraw", None, account=signer.address, token=token)
        recipient = self._recipient(to, signer.address)
        value = credit if amount is None else self._amount(amount, token)
        if value > credit:
            raise self._refusal("AmountNotAvailable", None, requested=value, available=credit)
        fn = (self.contract.functions.withdraw(token) if amount is None and to is None
              else self.contract.functions.withdrawTo(token, value, recipient))
        receipt, events = self._transact(fn)
        withdrawn = _one(events, "Withdrawn")
        return WithdrawalResult(**_tx_fields(receipt), account=withdrawn["account"], token=token,
                                amount=withdrawn["amount"], to=withdrawn["to"])

    def withdraw_fees(self, token: str = ETH, *, amount: int | str | None = None, to: str | None = None
                      ) -> WithdrawalResult:
        """Sends accrued fees (all, or `amount`) to the fee recipient or to `to`. Fee recipient only."""
        token = checksum(token, "token")
        signer = self._require_signer()
        fee_recipient, _ = self.fee()
        if signer.address != fee_recipient:
            raise self._refusal("NotFeeRecipient", None, caller=signer.address)
        accrued = self.fees_accrued(token)
        value = accrued if amount is None else self._amount(amount, token)
        if value == 0 or value > accrued:
            raise self._refusal("AmountNotAvailable", None, requested=value, available=accrued)
        recipient = self._recipient(to, signer.address)
        receipt, events = self._transact(self.contract.functions.withdrawFees(token, value, recipient))
        withdrawn = _one(events, "FeesWithdrawn")
        return WithdrawalResult(**_tx_fields(receipt), account=signer.address, token=token,
                                amount=withdrawn["amount"], to=withdrawn["to"])

    def fees_accrued(self, token: str = ETH) -> int:
        """Fees accrued in a currency, which the fee recipient can withdraw."""
        return int(self.contract.functions.feesAccrued(checksum(token, "token")).call())

    def _recipient(self, to: str | None, default: str) -> str:
        recipient = default if to is None else checksum(to, "to")
        if recipient in (ETH, self.address, self.review_contract.address):
            raise self._refusal("InvalidRecipient", None, recipient=recipient)
        return recipient

    def cancel(self, bounty_id: int) -> CancelResult:
        """Cancels an open bounty: every pledge becomes refundable at once. Issuer only."""
        bounty = self.bounty(bounty_id)
        self._check_issuer(bounty)
        if bounty.status != BountyStatus.OPEN:
            raise self._refusal("BountyNotOpen", bounty_id, status=int(bounty.status))
        receipt, _ = self._transact(self.contract.functions.cancel(bounty_id), bounty_id=bounty_id)
        return CancelResult(**_tx_fields(receipt), bounty_id=bounty_id)

    def extend_deadline(self, bounty_id: int, new_deadline: int | datetime) -> DeadlineExtension:
        """Moves the deadline later; pledges already made keep their lock. Issuer only."""
        bounty = self._active_bounty(bounty_id)
        self._check_issuer(bounty)
        deadline_ts = _timestamp(new_deadline)
        if deadline_ts <= bounty.deadline:
            raise InvalidDeadline(f"new deadline {deadline_ts} is not after the current one, {bounty.deadline}")
        self._check_future_deadline(deadline_ts)
        receipt, _ = self._transact(self.contract.functions.extendDeadline(bounty_id, deadline_ts),
                                    bounty_id=bounty_id)
        return DeadlineExtension(**_tx_fields(receipt), bounty_id=bounty_id, deadline=deadline_ts)

    # --- fundraisers -----------------------------------------------------------------------

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
        _check_uri(project_url, "project_url")
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
        deadline_ts = self._check_future_deadline(_timestamp(deadline))
        fn = self.contract.functions.createFundraiser(beneficiary, token, goal_units, deadline_ts, all_or_nothing,
                                                      project_url)
        receipt, events = self._transact(fn)
        created = _one(events, "FundraiserCreated")
        return FundraiserCreation(
            **_tx_fields(receipt),
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
        awarded = _one(events, "Awarded")
        outcome = [(name, args) for name, args in events if name in ("RaisedPaid", "RaisedCredited")]
        if len(outcome) != 1:
            raise ContractError("expected one RaisedPaid or RaisedCredited event", error_name="UnexpectedReceipt")
        credited, paid = outcome[0][0] == "RaisedCredited", outcome[0][1]
        return RaisedWithdrawal(
            **_tx_fields(receipt), fundraiser_id=fundraiser_id, beneficiary=paid["beneficiary"],
            pool=awarded["pool"], fee=awarded["fee"], amount=paid["amount"], credited=credited,
        )

    def fundraiser(self, fundraiser_id: int) -> Fundraiser:
        """A fundraiser's terms and state (see `Fundraiser.state`); raises BountyNotFound for
        an unknown id and RejectedInput (NotAFundraiser) for a bounty."""
        fundraiser_id = _bounty_id(fundraiser_id)
        block = self.w3.eth.get_block("latest")
        with translating_reverts(fundraiser_id):
            info = self.contract.functions.getFundraiser(fundraiser_id).call(block_identifier=block["number"])
        creator, beneficiary, token, goal, raised, deadline, claim_deadline, all_or_nothing, status = info
        return Fundraiser(fundraiser_id, creator, beneficiary, token, goal, raised, deadline, claim_deadline,
                          all_or_nothing, BountyStatus(status), as_of=int(block["timestamp"]))

    # --- permits and signed actions --------------------------------------------------------

    def eip712_domain(self) -> dict[str, Any]:
        """The escrow's EIP-712 domain (EIP-5267), as eth-account's typed data takes it."""
        _, name, version, chain_id, verifying_contract, _, _ = self.contract.functions.eip712Domain().call()
        return {"name": name, "version": version, "chainId": chain_id, "verifyingContract": verifying_contract}

    def sign_solution(
        self,
        bounty_id: int,
        solution_url: str,
        *,
        expiry: int | datetime | None = None,
        nonce: int | None = None,
    ) -> SignedSolution:
        """Signs, off-chain and without gas, the registration of a solution by the signer;
        anyone can relay the result with `relay_solution`. The signature binds this chain,
        this escrow, the bounty, the URL, a nonce (random unless given: nonces are unordered,
        so an expired or failed signature never blocks another) and an expiry (default: in
        7 days)."""
        _check_uri(solution_url, "solution_url")
        self._active_bounty(bounty_id)
        signer = self._require_signer()
        now = self._pending_time()
        expiry_ts = now + SIGNED_SOLUTION_VALIDITY if expiry is None else _timestamp(expiry)
        if expiry_ts < now:
            raise InvalidDeadline(f"expiry {expiry_ts} is in the past (chain time is {now - 1})")
        if nonce is None:
            nonce = secrets.randbits(248)
        elif isinstance(nonce, bool) or not isinstance(nonce, int) or nonce < 0:
            raise InvalidInput(f"nonce must be a non-negative integer, got {nonce!r}")
        payload = SignedSolution(self.chain_id, self.address, bounty_id, solution_url, signer.address, nonce,
                                 expiry_ts, "")
        signed = signer.sign_message(encode_typed_data(full_message=self._solution_typed_data(payload)))
        return SignedSolution(**{**payload.__dict__, "signature": "0x" + bytes(signed.signature).hex()})

    def relay_solution(self, payload: SignedSolution | str | dict[str, Any]) -> SolutionResult:
        """Sends a solution registration signed by a hunter (`sign_solution`), paying the gas
        from this client's signer; the claim belongs to the hunter. Refuses, before sending,
        a payload for another chain or escrow, expired, with a used nonce, or whose
        signature is not the hunter's."""
        try:
            signed = payload if isinstance(payload, SignedSolution) else SignedSolution.from_json(payload)
        except (ValueError, TypeError) as exc:
            raise InvalidSignature(f"not a signed solution: {exc}") from None
        self.check_signed_solution(signed)
        fn = self.contract.functions.submitSolutionBySig(
            signed.bounty_id, signed.uri, signed.hunter, signed.nonce, signed.expiry,
            bytes.fromhex(signed.signature.removeprefix("0x")),
        )
        receipt, events = self._transact(fn, bounty_id=signed.bounty_id)
        submitted = _one(events, "SolutionSubmitted")
        return SolutionResult(**_tx_fields(receipt), bounty_id=signed.bounty_id, claim_id=submitted["claimId"],
                              hunter=submitted["hunter"], uri=submitted["uri"])

    def check_signed_solution(self, signed: SignedSolution) -> None:
        """Raises InvalidSignature if the escrow would refuse this signed registration."""
        if signed.chain_id != self.chain_id:
            raise InvalidSignature(f"signed for chain {signed.chain_id}, but this is chain {self.chain_id}")
        if checksum(signed.escrow, "escrow") != self.address:
            raise InvalidSignature(f"signed for the escrow at {signed.escrow}, not {self.address}")
        hunter = checksum(signed.hunter, "hunter")
        _check_uri(signed.uri, "solution uri")
        for value, what in ((signed.nonce, "nonce"), (signed.expiry, "expiry")):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise InvalidSignature(f"{what} {value!r} is not a non-negative integer")
        now = self._pending_time()
        if signed.expiry < now:
            raise InvalidSignature(f"the signature expired at {signed.expiry} (chain time is {now - 1})")
        if self.contract.functions.nonceUsed(hunter, signed.nonce).call():
            raise self._refusal("NonceUsed", signed.bounty_id, hunter=hunter, nonce=signed.nonce)
        try:
            signature = bytes.fromhex(signed.signature.removeprefix("0x"))
        except (ValueError, AttributeError):
            raise InvalidSignature("the signature is not hex") from None
        code = bytes(self.w3.eth.get_code(hunter))
        # Contract wallets are checked by the escrow (ERC-1271); an EIP-7702 delegated account
        # (code 0xef0100 + address) still signs with its key.
        if not code or code.startswith(b"\xef\x01\x00"):
            if len(signature) != 65:
                raise InvalidSignature(f"the signature has {len(signature)} bytes instead of 65")
            if int.from_bytes(signature[32:64], "big") > _SECP256K1_N // 2:
                raise InvalidSignature("the signature is malleable (high s): the escrow refuses it")
            message = encode_typed_data(full_message=self._solution_typed_data(signed))
            try:
                recovered = Account.recover_message(message, signature=signature)
            except Exception:
                raise InvalidSignature("the signature does not recover to any address") from None
            if recovered != hunter:
                raise InvalidSignature(f"the signature is by {recovered}, not the hunter {hunter}")
        self._active_bounty(signed.bounty_id)

    def _solution_typed_data(self, signed: SignedSolution) -> dict[str, Any]:
        domain = {**self.eip712_domain(), "chainId": signed.chain_id, "verifyingContract": signed.escrow}
        return {
            "types": {"EIP712Domain": _EIP712_DOMAIN_TYPE, "SubmitSolution": _SUBMIT_SOLUTION_TYPE},
            "primaryType": "SubmitSolution",
            "domain": domain,
            "message": {"bountyId": signed.bounty_id, "uri": signed.uri, "hunter": signed.hunter,
                        "nonce": signed.nonce, "expiry": signed.expiry},
        }

    def supports_permit(self, token: str) -> bool:
        """True if the token implements EIP-2612 permit (`DOMAIN_SEPARATOR()`, `nonces()`,
        and a domain the SDK can reproduce)."""
        return self._permit_domain(checksum(token, "token")) is not None

    def sign_permit(self, token: str, value: int, deadline: int, *,
                    domain: dict[str, Any] | None = None) -> tuple[int, bytes, bytes]:
        """Signs an EIP-2612 permit for the escrow to pull exactly `value` of `token` from the
        signer until `deadline`; returns (v, r, s)."""
        signer = self._require_signer()
        domain = domain or self._permit_domain(token)
        if domain is None:
            raise InvalidInput(f"token {token} does not support EIP-2612 permit")
        nonce = int(self.w3.eth.contract(address=token, abi=_permit_abi()).functions.nonces(signer.address).call())
        typed = {
            "types": {"EIP712Domain": _EIP712_DOMAIN_TYPE, "Permit": _PERMIT_TYPE},
            "primaryType": "Permit",
            "domain": domain,
            "message": {"owner": signer.address, "spender": self.address, "value": value, "nonce": nonce,
                        "deadline": deadline},
        }
        signed = signer.sign_message(encode_typed_data(full_message=typed))
        return signed.v, signed.r.to_bytes(32, "big"), signed.s.to_bytes(32, "big")

    def _permit_domain(self, token: str) -> dict[str, Any] | None:
        """The token's EIP-712 domain if it supports EIP-2612 and the domain read from it
        (EIP-5267 `eip712Domain()`, else its name and version "1") hashes to its
        `DOMAIN_SEPARATOR()`; None otherwise."""
        contract = self.w3.eth.contract(address=token, abi=_permit_abi())
        try:
            separator = bytes(contract.functions.DOMAIN_SEPARATOR().call())
            contract.functions.nonces(self.address).call()
        except Exception:  # not EIP-2612
            return None
        try:
            _, name, version, chain_id, verifying_contract, _, _ = contract.functions.eip712Domain().call()
            domain = {"name": name, "version": version, "chainId": chain_id, "verifyingContract": verifying_contract}
        except Exception:
            try:
                domain = {"name": contract.functions.name().call(), "version": "1", "chainId": self.chain_id,
                          "verifyingContract": token}
            except Exception:
                return None
        probe = {"types": {"EIP712Domain": _EIP712_DOMAIN_TYPE, "Permit": _PERMIT_TYPE}, "primaryType": "Permit",
                 "domain": domain, "message": {"owner": token, "spender": token, "value": 0, "nonce": 0,
                                               "deadline": 0}}
        if bytes(encode_typed_data(full_message=probe).header) != separator:
            return None  # a domain we cannot reproduce: approve instead
        return domain

    # --- backer governance: optimistic review -------------------------------------------

    def propose(self, bounty_id: int, shares: Mapping[int, int] | Iterable[tuple[int, int]]) -> ProposalResult:
        """Proposes an award of a reviewed bounty (claim id -> basis points, summing to
        10,000). Approver only. Opens the review window; pledges wait, and pledges still
        locked now are held, until the proposal is finalized or rejected."""
        pairs = list(shares.items() if isinstance(shares, Mapping) else shares)
        bounty = self._active_bounty(bounty_id)
        claim_ids, shares_bps = self._check_shares(bounty, pairs)
        signer = self._require_signer()
        if not bounty.optimistic:
            raise self._refusal("NotOptimistic", bounty_id)
        if signer.address != bounty.approver:
            raise self._refusal("NotProposer", bounty_id, caller=signer.address)
        if bounty.total == 0:
            raise self._refusal("NothingToAward", bounty_id)
        receipt, events = self._transact(self.review_contract.functions.propose(bounty_id, claim_ids, shares_bps),
                                         bounty_id=bounty_id)
        proposed = _one(events, "AwardProposed")
        return ProposalResult(
            **_tx_fields(receipt), bounty_id=bounty_id, nonce=proposed["nonce"],
            claim_ids=tuple(proposed["claimIds"]), shares_bps=tuple(proposed["sharesBps"]),
            window_end=proposed["windowEnd"], total=proposed["total"],
        )

    def object(self, bounty_id: int) -> ObjectionResult:
        """Objects to the pending proposal, withholding the signer's pledge from it (once per
        proposal, during the review window): the award then takes the pool without it, and
        the signer refunds it at once, unless the bounty's arbiter overrules the objections
        (only when they reach the quorum)."""
        signer = self._require_signer()
        proposal = self.proposal(bounty_id)
        if proposal.state != ProposalState.PENDING:
            raise self._refusal("WrongProposalState", bounty_id, state=int(proposal.state))
        if self._pending_time() >= proposal.window_end:
            raise self._refusal("ReviewWindowClosed", bounty_id, windowEnd=proposal.window_end)
        if self.pledge_of(bounty_id, signer.address).amount == 0:
            raise self._refusal("NoWeight", bounty_id, funder=signer.address)
        if self.has_objected(bounty_id, signer.address, proposal.nonce):
            raise self._refusal("AlreadyObjected", bounty_id, funder=signer.address)
        receipt, events = self._transact(self.review_contract.functions.object(bounty_id), bounty_id=bounty_id)
        objected = _one(events, "Objected")
        outcome = "blocked" if any(name == "ProposalBlocked" for name, _ in events) else "withheld"
        return ObjectionResult(
            **_tx_fields(receipt), bounty_id=bounty_id, nonce=objected["nonce"], funder=objected["funder"],
            weight=objected["weight"], weight_against=objected["weightAgainst"], outcome=outcome,
        )

    def finalize(self, bounty_id: int) -> AwardResult:
        """Pays the bounty's proposal once its window ended unblocked (the pool less the
        pledges withheld by objections), or once the arbiter upheld it (the whole pool).
        Anyone may call it; the claims and shares come from the proposal's event. If every
        pledge was withheld nothing is paid: the result has pool 0 and `rejected`
        "unanimous", and the bounty is open again."""
        self._require_signer()
        proposal = self.proposal(bounty_id)
        if proposal.state == ProposalState.PENDING:
            if self._pending_time() < proposal.window_end:
                raise self._refusal("ReviewWindowOpen", bounty_id, windowEnd=proposal.window_end)
        elif proposal.state != ProposalState.UPHELD:
            raise self._refusal("WrongProposalState", bounty_id, state=int(proposal.state))
        fn = self.review_contract.functions.finalize(bounty_id, list(proposal.claim_ids), list(proposal.shares_bps))
        receipt, events = self._transact(fn, bounty_id=bounty_id)
        rejected = [args for name, args in events if name == "ProposalRejected"]
        if rejected:
            return AwardResult(**_tx_fields(receipt), bounty_id=bounty_id, pool=0, fee=0, payouts=(),
                               rejected=_REJECT_REASONS[rejected[0]["reason"]])
        return self._award_result(bounty_id, receipt, events)

    def escalate(self, bounty_id: int, *, fee: int | None = None) -> EscalationResult:
        """Sends a blocked proposal to the bounty's arbiter (until 7 days after its window);
        for an ERC-792 arbitrator, pays its arbitration fee from the signer: `fee` wei, by
        default the fee read from the arbitrator now (the escrow returns what exceeds the fee
        in force when mined). Anyone may call it."""
        signer = self._require_signer()
        proposal = self.proposal(bounty_id)
        if proposal.state != ProposalState.BLOCKED:
            raise self._refusal("WrongProposalState", bounty_id, state=int(proposal.state))
        if self._pending_time() >= proposal.decide_by:
            raise self._refusal("ArbitrationLapsed", bounty_id, decideBy=proposal.decide_by)
        cost = self.arbitration_fee(proposal)
        sent = cost if fee is None else fee
        if sent < cost:
            raise self._refusal("WrongArbitrationFee", bounty_id, expected=cost, sent=sent)
        if not proposal.arbiter_is_erc792:
            sent = 0
        self._check_balance(signer.address, ETH, sent)
        receipt, events = self._transact(self.review_contract.functions.escalate(bounty_id), value=sent,
                                         bounty_id=bounty_id)
        raised = _one(events, "DisputeRaised")
        return EscalationResult(
            **_tx_fields(receipt), bounty_id=bounty_id, nonce=raised["nonce"], arbiter=raised["arbiter"],
            dispute_id=raised["disputeId"] if proposal.arbiter_is_erc792 else None, fee_paid=cost,
        )

    def rule(self, bounty_id: int, ruling: Ruling | int | str) -> RulingResult:
        """The decision of a plain-address arbiter (a Safe, an account) on a bounty's blocked
        or escalated proposal: "pay" (1; the award takes the whole pool, objectors' pledges
        included), "reject" (2) or "refuse" (0). An ERC-792 arbitrator contract calls the
        review contract's `rule` itself."""
        signer = self._require_signer()
        value = _ruling(ruling)
        proposal = self.proposal(bounty_id)
        if proposal.arbiter_is_erc792 or signer.address != proposal.arbiter:
            raise self._refusal("NotArbiter", bounty_id, caller=signer.address)
        if proposal.state not in (ProposalState.BLOCKED, ProposalState.ESCALATED):
            raise self._refusal("WrongProposalState", bounty_id, state=int(proposal.state))
        fn = self.review_contract.functions.decide(bounty_id, proposal.nonce, int(value))
        receipt, events = self._transact(fn, bounty_id=bounty_id)
        outcome = "upheld" if any(name == "ProposalUpheld" for name, _ in events) else "rejected"
        return RulingResult(**_tx_fields(receipt), bounty_id=bounty_id, dispute_id=None,
                            ruling=int(value), outcome=outcome)

    def submit_evidence(self, bounty_id: int, evidence: str) -> TxResult:
        """Submits ERC-1497 evidence (a URI) for the disputes of a bounty with an ERC-792 arbitrator."""
        _check_uri(evidence, "evidence")
        if not self.proposal(bounty_id).arbiter_is_erc792:
            raise self._refusal("NoArbitrator", bounty_id)
        receipt, _ = self._transact(self.review_contract.functions.submitEvidence(bounty_id, evidence),
                                    bounty_id=bounty_id)
        return TxResult(**_tx_fields(receipt))

    def lapse(self, bounty_id: int) -> RejectionResult:
        """Rejects a blocked proposal nobody escalated within 7 days of its window, or an
        escalated one its arbiter did not decide within 90 days; anyone may call it."""
        self._require_signer()
        proposal = self.proposal(bounty_id)
        if not proposal.blocked:
            raise self._refusal("WrongProposalState", bounty_id, state=int(proposal.state))
        if self._pending_time() < proposal.decide_by:
            raise self._refusal("ArbitrationNotLapsed", bounty_id, decideBy=proposal.decide_by)
        receipt, events = self._transact(self.review_contract.functions.lapse(bounty_id), bounty_id=bounty_id)
        rejected = _one(events, "ProposalRejected")
        return RejectionResult(**_tx_fields(receipt), bounty_id=bounty_id, nonce=rejected["nonce"],
                               reason=_REJECT_REASONS[rejected["reason"]])

    def proposal(self, bounty_id: int) -> Proposal:
        """A reviewed bounty's policy and latest proposal (claims and shares from its
        AwardProposed event). Raises InvalidInput for a bounty without a review policy."""
        bounty_id = _bounty_id(bounty_id)
        block = self.w3.eth.get_block("latest")
        with translating_reverts(bounty_id):
            self.contract.functions.getBounty(bounty_id).call(block_identifier=block["number"])  # exists?
            info = self.review_contract.functions.getReview(bounty_id).call(block_identifier=block["number"])
        (approver, window, quorum, arbiter, is_erc792, state, nonce, window_end, decide_by, against, total,
         proposal_hash, dispute) = info
        if window == 0:
            raise self._refusal("NotOptimistic", bounty_id)
        claim_ids: tuple[int, ...] = ()
        shares_bps: tuple[int, ...] = ()
        if nonce:
            split = self._proposed_splits.get(bytes(proposal_hash))
            if split is None:
                logs = self.review_contract.events.AwardProposed.get_logs(
                    from_block=self.from_block, to_block=block["number"],
                    argument_filters={"bountyId": bounty_id, "nonce": nonce})
                if logs:
                    split = tuple(logs[-1]["args"]["claimIds"]), tuple(logs[-1]["args"]["sharesBps"])
                    if keccak(encode(["uint256[]", "uint256[]"], list(split))) == bytes(proposal_hash):
                        self._proposed_splits[bytes(proposal_hash)] = split
            if split is not None:
                claim_ids, shares_bps = split
        dispute_id = dispute if is_erc792 and ProposalState(state) in (
            ProposalState.ESCALATED, ProposalState.UPHELD) else None
        return Proposal(
            bounty_id=bounty_id, approver=approver, review_window=window, quorum_bps=quorum,
            arbiter=None if arbiter == ETH else arbiter, arbiter_is_erc792=is_erc792, state=ProposalState(state),
            nonce=nonce, claim_ids=claim_ids, shares_bps=shares_bps, window_end=window_end, decide_by=decide_by,
            weight_against=against, total=total, dispute_id=dispute_id,
            as_of=int(block["timestamp"]),
        )

    def has_objected(self, bounty_id: int, funder: str, nonce: int | None = None) -> bool:
        """Whether `funder` objected to proposal `nonce` (default: the latest) of a bounty."""
        funder = checksum(funder, "funder")
        if nonce is None:
            nonce = self.proposal(bounty_id).nonce
        return bool(self.review_contract.functions.hasObjected(_bounty_id(bounty_id), nonce, funder).call())

    def arbitration_fee(self, bounty: int | Proposal) -> int:
        """What escalating the bounty's blocked proposal costs in wei (0 for a plain arbiter);
        `bounty` is its id, or its `Proposal` when already read."""
        proposal = bounty if isinstance(bounty, Proposal) else self.proposal(bounty)
        if not proposal.arbiter_is_erc792 or proposal.arbiter is None:
            return 0
        arbitrator = self.w3.eth.contract(address=proposal.arbiter, abi=_ARBITRATOR_ABI)
        extra = self.review_contract.functions.arbitratorExtraData(proposal.bounty_id).call()
        return int(arbitrator.functions.arbitrationCost(extra).call())

    def _check_review_terms(self, review: ReviewTerms) -> tuple[int, int, str, bool, bytes, str]:
        if not isinstance(review, ReviewTerms):
            raise InvalidInput(f"review must be a ReviewTerms, got {review!r}")
        window, quorum = review.review_window, review.quorum_bps
        if isinstance(window, bool) or not isinstance(window, int) or not MIN_REVIEW_WINDOW <= window <= MAX_REVIEW_WINDOW:
            raise InvalidInput(f"review_window must be from {MIN_REVIEW_WINDOW} s (1 day) to {MAX_REVIEW_WINDOW} s "
                               f"(30 days), got {window!r}")
        arbiter = checksum(review.arbiter, "arbiter") if review.arbiter is not None else ETH
        if arbiter == ETH and review.arbiter is not None:
            raise InvalidAddress("arbiter: the zero address; pass None for no arbiter")
        if arbiter in (self.address, self.review_contract.address):
            raise InvalidAddress(f"arbiter {arbiter} is the escrow or its review contract")
        if isinstance(quorum, bool) or not isinstance(quorum, int):
            raise InvalidInput(f"quorum_bps must be an integer number of basis points, got {quorum!r}")
        if arbiter == ETH:
            if quorum != 0:
                raise self._refusal("InvalidQuorum", None, quorumBps=quorum)
            if review.arbiter_is_erc792:
                raise InvalidAddress("arbiter_is_erc792 needs an arbiter")
        elif not 1 <= quorum <= BPS:
            raise InvalidInput(f"with an arbiter, quorum_bps must be from 1 to {BPS} basis points, got {quorum!r}")
        if review.arbiter_is_erc792 and not self.w3.eth.get_code(arbiter):
            raise InvalidAddress(f"arbiter {arbiter} holds no contract, so it cannot be an ERC-792 arbitrator")
        if not isinstance(review.arbitrator_extra_data, (bytes, bytearray)):
            raise InvalidInput("arbitrator_extra_data must be bytes")
        if not isinstance(review.meta_evidence, str):
            raise InvalidInput("meta_evidence must be a string (a URI)")
        return (window, quorum, arbiter, bool(review.arbiter_is_erc792), bytes(review.arbitrator_extra_data),
                review.meta_evidence)

    # --- reads ----------------------------------------------------------------------------

    def bounty(self, bounty_id: int) -> Bounty:
        """A bounty's state; raises BountyNotFound for an unknown id."""
        bounty_id = _bounty_id(bounty_id)
        block = self.w3.eth.get_block("latest")
        with translating_reverts(bounty_id):
            info = self.contract.functions.getBounty(bounty_id).call(block_identifier=block["number"])
        issuer, approver, token, deadline, status, claim_count, total = info
        # The review contract is the approver of reviewed bounties; the person who proposes is
        # in its record.
        optimistic = approver == self.review_contract.address
        if optimistic:
            approver = self.review_contract.functions.getReview(bounty_id).call(block_identifier=block["number"])[0]
        return Bounty(bounty_id, issuer, approver, token, deadline, BountyStatus(status), claim_count, total,
                      as_of=int(block["timestamp"]), optimistic=optimistic)

    def bounty_count(self) -> int:
        return int(self.contract.functions.bountyCount().call())

    def pledge_of(self, bounty_id: int, funder: str) -> Pledge:
        """A funder's outstanding pledge (amount 0 if none)."""
        funder = checksum(funder, "funder")
        amount, unlocks_at = self.contract.functions.pledgeOf(_bounty_id(bounty_id), funder).call()
        return Pledge(bounty_id, funder, amount, unlocks_at)

    def pledges(self, funder: str) -> list[Pledge]:
        """Every outstanding pledge of a funder, found from its Pledged events."""
        funder = checksum(funder, "funder")
        logs = self.contract.events.Pledged.get_logs(from_block=self.from_block, argument_filters={"funder": funder})
        bounty_ids = sorted({log["args"]["bountyId"] for log in logs})
        return [p for p in (self.pledge_of(b, funder) for b in bounty_ids) if p.amount]

    def credit_of(self, account: str, token: str = ETH) -> int:
        """What an account can withdraw in ETH or a token."""
        return int(self.contract.functions.creditOf(checksum(account, "account"), checksum(token, "token")).call())

    def claims(self, bounty_id: int) -> list[Claim]:
        """The solutions registered on a bounty, in order."""
        bounty_id = _bounty_id(bounty_id)
        logs = self.contract.events.SolutionSubmitted.get_logs(
            from_block=self.from_block, argument_filters={"bountyId": bounty_id}
        )
        return [Claim(bounty_id, log["args"]["claimId"], log["args"]["hunter"], log["args"]["uri"]) for log in logs]

    def bounties(self, issue_url: str | None = None) -> list[BountyListing]:
        """Bounties in creation order, optionally only those for one issue URL (the log
        filter matches the indexed hash of the URL, so the node does the filtering)."""
        filters = {"uriHash": keccak(text=issue_url)} if issue_url is not None else {}
        logs = self.contract.events.BountyCreated.get_logs(from_block=self.from_block, argument_filters=filters)
        return [
            BountyListing(
                bounty_id=log["args"]["bountyId"],
                issuer=log["args"]["issuer"],
                approver=log["args"]["approver"],
                token=log["args"]["token"],
                deadline=log["args"]["deadline"],
                uri=log["args"]["uri"],
                block_number=log["blockNumber"],
            )
            for log in logs
        ]

    def fee(self) -> tuple[str, int]:
        """(fee recipient, fee in basis points), fixed at deployment."""
        return self.contract.functions.feeRecipient().call(), int(self.contract.functions.feeBps().call())

    # --- internals ------------------------------------------------------------------------

    def _require_signer(self) -> LocalAccount:
        if self.signer is None:
            raise NoSigner("this client is read-only: pass a signer to send transactions")
        return self.signer

    def _erc20(self, token: str) -> Contract:
        return self.w3.eth.contract(address=token, abi=self._token_abi)

    def _pending_time(self) -> int:
        """The earliest timestamp the next block can have (the latest block's, plus one)."""
        return int(self.w3.eth.get_block("latest")["timestamp"]) + 1

    def _check_future_deadline(self, deadline: int) -> int:
        now = int(self.w3.eth.get_block("latest")["timestamp"])
        if deadline <= now + 1:
            raise InvalidDeadline(f"deadline {deadline} is not in the future (chain time is {now})")
        if deadline > now + MAX_DEADLINE_DURATION:
            raise InvalidDeadline(f"deadline {deadline} is more than two years ahead (chain time is {now})")
        return deadline

    def _active_bounty(self, bounty_id: int) -> Bounty:
        bounty = self.bounty(bounty_id)
        if bounty.status != BountyStatus.OPEN:
            raise self._refusal("BountyNotOpen", bounty.bounty_id, status=int(bounty.status))
        if self._pending_time() >= bounty.deadline:
            raise self._refusal("BountyExpired", bounty.bounty_id, deadline=bounty.deadline)
        return bounty

    def _check_issuer(self, bounty: Bounty) -> None:
        signer = self._require_signer()
        if signer.address != bounty.issuer:
            raise self._refusal("NotIssuer", bounty.bounty_id, caller=signer.address)

    def _amount(self, amount: int | str, token: str) -> int:
        if isinstance(amount, str):
            amount = self.parse_amount(amount, token)
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise InvalidAmount(f"amount {amount!r} is not an integer of base units or a string like '1 ether'")
        if amount <= 0:
            raise InvalidAmount(f"amount must be positive, got {amount}")
        return amount

    def _check_balance(self, account: str, token: str, amount: int) -> None:
        balance = self.balance_of(account, token)
        if balance < amount:
            symbol = self.token_info(token).symbol
            raise InsufficientFunds(f"{account} holds {balance} base units of {symbol}, needs {amount}")

    def _check_shares(self, bounty: Bounty, pairs: list[tuple[int, int]]) -> tuple[list[int], list[int]]:
        if not pairs:
            raise InvalidShares("an award names at least one claim")
        claim_ids, shares = [], []
        for claim_id, share in pairs:
            for value, what in ((claim_id, "claim id"), (share, "share")):
                if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                    raise InvalidShares(f"{what} {value!r} is not a positive integer")
            if claim_id > bounty.claim_count:
                raise InvalidShares(f"claim {claim_id} does not exist on bounty {bounty.bounty_id} "
                                    f"({bounty.claim_count} claims)")
            claim_ids.append(claim_id)
            shares.append(share)
        if len(set(claim_ids)) != len(claim_ids):
            raise InvalidShares(f"claim ids repeat: {claim_ids}")
        if sum(shares) != BPS:
            raise InvalidShares(f"shares sum to {sum(shares)} basis points, not {BPS}")
        return claim_ids, shares

    def _approve_exactly(self, token: str, amount: int) -> TxResult | None:
        """Sets the escrow's allowance to exactly `amount` (through 0 first if another
        allowance is set, as USDT-style tokens require)."""
        signer = self._require_signer()
        erc20 = self._erc20(token)
        current = erc20.functions.allowance(signer.address, self.address).call()
        if current == amount:
            return None
        if current != 0:
            self._transact(erc20.functions.approve(self.address, 0))
        receipt, _ = self._transact(erc20.functions.approve(self.address, amount))
        return TxResult(**_tx_fields(receipt))

    def _refusal(self, error_name: str, bounty_id: int | None, **args: Any) -> ContractError:
        """The error the contract would raise, raised before sending instead."""
        return error_from_name(error_name, bounty_id=bounty_id, **args)

    # --- extension points ---------------------------------------------------------------

    def before_send(self, fn: ContractFunction, *, value: int, bounty_id: int | None) -> None:
        """Called for every transaction after the client's own checks, before it is
        simulated, signed and sent. A subclass can show it, ask for confirmation, or raise to
        cancel (the command line does). Does nothing here."""

    @contextmanager
    def sending(self, fn: ContractFunction) -> Iterator[None]:
        """Wraps simulating, signing, sending and waiting for one transaction's receipt (the
        command line shows a progress indicator). Does nothing here."""
        yield

    def _transact(
        self, fn: ContractFunction, *, value: int = 0, bounty_id: int | None = None
    ) -> tuple[TxReceipt, list[tuple[str, Any]]]:
        signer = self._require_signer()
        self.before_send(fn, value=value, bounty_id=bounty_id)
        with self.sending(fn):
            return _send(
                self.w3, signer, fn, value=value, bounty_id=bounty_id,
                poll_latency=self._poll_latency, timeout=self._timeout,
                contracts=(self.contract, self.review_contract),
            )


def _permit_abi() -> Any:
    return load_artifact("TestPermitToken").abi


_ARBITRATOR_ABI = [{
    "type": "function", "name": "arbitrationCost", "stateMutability": "view",
    "inputs": [{"name": "extraData", "type": "bytes"}], "outputs": [{"name": "cost", "type": "uint256"}],
}]


def _ruling(ruling: Any) -> Ruling:
    if isinstance(ruling, str):
        names = {"pay": Ruling.PAY, "uphold": Ruling.PAY, "reject": Ruling.REJECT, "refuse": Ruling.REFUSE}
        if ruling.strip().lower() not in names:
            raise InvalidInput(f"ruling {ruling!r}: write pay, reject or refuse")
        return names[ruling.strip().lower()]
    if isinstance(ruling, bool) or not isinstance(ruling, int) or ruling not in (0, 1, 2):
        raise InvalidInput(f"ruling {ruling!r}: give 0 (refuse), 1 (pay) or 2 (reject)")
    return Ruling(ruling)


def _bounty_id(bounty_id: Any) -> int:
    if isinstance(bounty_id, bool) or not isinstance(bounty_id, int) or not 0 < bounty_id < 2**256:
        raise InvalidInput(f"bounty id must be a positive integer below 2**256, got {bounty_id!r}")
    return bounty_id


def _one(events: list[tuple[str, Any]], name: str) -> Any:
    matching = [args for event, args in events if event == name]
    if len(matching) != 1:
        raise ContractError(f"expected one {name} event, found {len(matching)}", error_name="UnexpectedReceipt")
    return matching[0]


def _tx_fields(receipt: TxReceipt) -> dict[str, Any]:
    return {
        "tx_hash": receipt["transactionHash"].to_0x_hex(),
        "block_number": receipt["blockNumber"],
        "gas_used": receipt["gasUsed"],
        "gas_cost_wei": receipt["gasUsed"] * receipt["effectiveGasPrice"],
    }


def send_transaction(
    w3: Web3, signer: LocalAccount, fn: Any, *, value: int = 0, gas: int | None = None
) -> TxReceipt:
    """Simulates, signs and sends any contract call or deployment; returns the receipt.
    A refusal raises a decoded `ContractError`: before sending when the simulation fails, or
    with the transaction's hash when it was mined and reverted. An explicit `gas` limit
    skips the simulation (the node's estimate runs on the latest block, whose time can
    differ from the next block's)."""
    receipt, _ = _send(w3, signer, fn, value=value, gas=gas)
    return receipt


def deploy_contract(w3: Web3, signer: LocalAccount, name: str, *args: Any, abi: Any = None,
                    bytecode: str | None = None) -> Contract:
    """Deploys a shipped contract by name (BountyEscrow, TestToken), or any given abi and
    bytecode, and returns it bound to its address."""
    if abi is None or bytecode is None:
        artifact = load_artifact(name)
        abi, bytecode = artifact.abi, artifact.bytecode
    receipt = send_transaction(w3, signer, w3.eth.contract(abi=abi, bytecode=bytecode).constructor(*args))
    return w3.eth.contract(address=receipt["contractAddress"], abi=abi)


def _send(
    w3: Web3,
    signer: LocalAccount,
    fn: Any,
    *,
    value: int = 0,
    bounty_id: int | None = None,
    poll_latency: float = 0.05,
    timeout: float = 120.0,
    contracts: tuple[Contract, ...] = (),
    gas: int | None = None,
) -> tuple[TxReceipt, list[tuple[str, Any]]]:
    """Simulates, signs, sends and waits for one transaction; decodes a refusal at any step."""
    params = {
        "from": signer.address,
        "value": value,
        "chainId": int(w3.eth.chain_id),
        "nonce": w3.eth.get_transaction_count(signer.address, "pending"),
    }
    balance = int(w3.eth.get_balance(signer.address))
    if balance < value:
        raise InsufficientFunds(f"{signer.address} holds {balance} wei, less than the {value} wei to send")
    if gas is None:
        estimate = _estimate_gas(w3, fn, params, bounty_id)
        block_limit = int(w3.eth.get_block("latest")["gasLimit"])
        if estimate > block_limit:
            raise ContractError(f"the transaction needs {estimate} gas, more than a block holds ({block_limit})",
                                error_name="GasLimit", bounty_id=bounty_id)
        gas = min(int(estimate * GAS_HEADROOM), block_limit)
    tx = fn.build_transaction({**params, "gas": gas})
    max_cost = value + gas * int(tx.get("maxFeePerGas", tx.get("gasPrice", 0)))
    if balance < max_cost:
        raise InsufficientFunds(
            f"{signer.address} holds {balance} wei; this transaction may cost up to {max_cost} wei "
            f"({value} of value plus gas)"
        )
    tx_hash = w3.eth.send_raw_transaction(signer.sign_transaction(tx).raw_transaction)
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=timeout, poll_latency=poll_latency)
    if receipt["status"] != 1:
        raise _mined_revert(w3, tx, receipt, bounty_id)
    return receipt, _decode_events(contracts, receipt)


def _is_in_process(w3: Web3) -> bool:
    return type(w3.provider).__name__ == "EthereumTesterProvider"


def _estimate_gas(w3: Web3, fn: Any, params: dict[str, Any], bounty_id: int | None) -> int:
    """The node's gas estimate, run on the pending block: the next block's time is what
    decides deadlines and locks (eth-tester has no pending estimate; its latest state
    already carries the next block's time)."""
    block = None if _is_in_process(w3) else "pending"
    try:
        with translating_reverts(bounty_id):
            return int(fn.estimate_gas(params, block_identifier=block))
    except EthValidationError as exc:  # eth-tester checks the sender's balance first
        if "balance" in str(exc).lower():
            raise InsufficientFunds(f"{params['from']}: {exc}") from None
        raise


def _mined_revert(w3: Web3, tx: dict[str, Any], receipt: TxReceipt, bounty_id: int | None) -> ContractError:
    """Recovers why a mined transaction reverted: from the node's trace of it when the node
    offers one (exact), else by replaying it on the state its block left (exact unless
    another transaction in the same block changed what it depends on)."""
    tx_hash = receipt["transactionHash"].to_0x_hex()
    revert_data = _traced_revert_data(w3, tx_hash)
    if revert_data is not None:
        return decode_revert(revert_data, bounty_id=bounty_id, tx_hash=tx_hash)
    replay = {key: tx[key] for key in ("from", "to", "value", "data", "gas") if key in tx}
    try:
        with translating_reverts(bounty_id, tx_hash):
            w3.eth.call(replay, block_identifier=receipt["blockNumber"])
    except ContractError as exc:
        return exc
    if receipt["gasUsed"] >= tx["gas"]:
        reason = f"the transaction ran out of gas ({tx['gas']})"
    else:
        reason = "the transaction reverted; replaying it did not reproduce the reason"
    return ContractError(reason, error_name="Revert", bounty_id=bounty_id, tx_hash=tx_hash)


def _traced_revert_data(w3: Web3, tx_hash: str) -> str | None:
    """The revert data of a mined transaction from `debug_traceTransaction` (geth's and
    anvil's callTracer), or None where the node has no debug API."""
    if _is_in_process(w3):
        return None
    try:
        response = w3.provider.make_request("debug_traceTransaction", [tx_hash, {"tracer": "callTracer"}])
    except Exception:  # the method is often disabled on public endpoints
        return None
    trace = response.get("result") if isinstance(response, dict) else None
    if not isinstance(trace, dict) or "error" not in trace:
        return None
    return trace.get("output") or "0x"


def _decode_events(contracts: tuple[Contract, ...], receipt: TxReceipt) -> list[tuple[str, Any]]:
    """The events of the given contracts (the escrow and its review contract) in the
    receipt, in log order, as (name, args)."""
    by_topic = {(contract.address, bytes.fromhex(event.topic[2:])): event
                for contract in contracts for event in contract.all_events()}
    decoded = []
    for log in receipt["logs"]:
        if not log["topics"]:
            continue
        event = by_topic.get((log["address"], bytes(log["topics"][0])))
        if event is not None:
            decoded.append((event.event_name, event.process_log(log)["args"]))
    return decoded


__all__ = ["BountyClient", "checksum", "deploy_contract", "send_transaction"]
