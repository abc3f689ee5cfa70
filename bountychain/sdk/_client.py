"""`BountyClient`: one object for everything a funder, hunter, issuer or approver does.

Every write is checked before it is sent (addresses, amounts, deadlines, URIs, shares,
the bounty's existence and state), then simulated by the node's gas estimate, so a call the
contract would refuse raises a decoded `ContractError` and sends nothing. Transactions are
signed locally with eth-account; keys never leave the signer object.

The class is composed of focused parts: `_bounties`, `_review`, `_fundraisers`,
`_signatures`, `_reports` and `_reads`, on `_core` (state, checks, the `_transact` path) and
`_transactions` (simulate, sign, send, wait, decode).
"""

from __future__ import annotations

from typing import Any

from eth_account.signers.local import LocalAccount
from web3.contract.contract import Contract

from bountychain._artifacts import load_artifact
from bountychain.chains import wrong_chain_message
from bountychain.errors import InvalidAddress, InvalidAmount, WrongChain
from bountychain.results import ETH, Deployment, TokenInfo
from bountychain.sdk._bounties import BountyOperations
from bountychain.sdk._core import ClientCore
from bountychain.sdk._fundraisers import FundraiserOperations
from bountychain.sdk._milestones import MilestoneOperations
from bountychain.sdk._reads import Reads
from bountychain.sdk._reports import ReportOperations
from bountychain.sdk._review import ReviewOperations
from bountychain.sdk._signatures import SignatureOperations
from bountychain.sdk._fees import FeeCaps, remember_chain_id
from bountychain.sdk._retry import RetryPolicy, install_retries
from bountychain.sdk._rpc import FunctionCodec
from bountychain.sdk._events import DEFAULT_LOG_RANGE, EventDecoder, LogScanner
from bountychain.sdk._transactions import Connection, send_and_wait, tx_fields, web3_for
from bountychain.sdk._validation import checksum
from bountychain.sdk.constants import MAX_FEE_BPS


class BountyClient(ReportOperations, BountyOperations, MilestoneOperations, ReviewOperations, FundraiserOperations,
                   SignatureOperations, Reads, ClientCore):
    """A connection to one BountyEscrow, acting as one signer (or read-only without one).

    Args:
        connection: an RPC URL, a `Web3`, or a development chain.
        escrow: the escrow's address on that chain.
        signer: the account that signs transactions; None for read-only use.
        chain_id: if given, the chain must have this id (else `WrongChain`).
        from_block: where event queries start (the escrow's deployment block).
        fee_caps: the most a transaction pays per gas, whatever the node suggests.
        log_range: the most blocks one eth_getLogs asks for (halved when the node refuses).
        retry: how long reads are retried, and a sent transaction looked for, when the
            endpoint fails (dropped connections, stalls, 429, 502).
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
        fee_caps: FeeCaps = FeeCaps(),
        log_range: int = DEFAULT_LOG_RANGE,
        retry: RetryPolicy = RetryPolicy(),
    ) -> None:
        """Connects to the escrow at `escrow` on `connection` and checks that a contract is there.

        Most callers use `BountyClient.connect(rpc_url, signer)` instead, which finds the escrow
        of the connected chain in the deployment registry.

        Args:
            connection: an RPC URL ("http://127.0.0.1:8545"), a `Web3`, or a development chain.
            escrow: the escrow's address on that chain.
            signer: the `LocalAccount` that signs transactions; None for read-only use.
            chain_id: if given, the chain must have this id, else `WrongChain`.
            from_block: the block event queries start from (the escrow's deployment block).
            poll_latency: seconds between polls for a sent transaction's receipt.
            timeout: seconds to wait for a receipt before `TransactionNotConfirmed`.
            fee_caps: the most a transaction pays per gas, whatever the node suggests.
            log_range: the most blocks one eth_getLogs asks for (halved when the node refuses).
            retry: how reads are retried, and a sent transaction looked for, when the endpoint fails.

        Raises:
            WrongChain: another chain than `chain_id`, or no contract at `escrow`.
            InvalidAddress: `escrow` is not an address.
        """
        self.w3 = web3_for(connection)
        remember_chain_id(self.w3)
        install_retries(self.w3, retry)
        self.retry = retry
        self.chain_id = int(self.w3.eth.chain_id)
        if chain_id is not None and chain_id != self.chain_id:
            raise WrongChain(wrong_chain_message(self.chain_id, chain_id))
        self.address = checksum(escrow, "escrow")
        if not self.w3.eth.get_code(self.address):
            raise WrongChain(f"no contract at {self.address} on chain {self.chain_id}")
        self.contract: Contract = self.w3.eth.contract(address=self.address, abi=load_artifact("BountyEscrow").abi)
        # The backers' review lives in its own contract, which the escrow deployed.
        self.review_contract: Contract = self.w3.eth.contract(
            address=self.contract.functions.review().call(), abi=load_artifact("BountyReview").abi)
        self._events = EventDecoder((self.contract, self.review_contract))
        self._codecs: dict[tuple[str, str], FunctionCodec] = {}  # (address, function) -> its codec
        self._logs = LogScanner(self.w3, log_range)
        self.signer = signer
        self.fee_caps = fee_caps
        self.from_block = from_block
        self._poll_latency = poll_latency
        self._timeout = timeout
        self._token_abi = load_artifact("TestToken").abi
        self._token_info: dict[str, TokenInfo] = {ETH: TokenInfo(ETH, "ETH", 18)}
        # (token, its DOMAIN_SEPARATOR) -> its EIP-2612 domain, or None
        self._permit_domains: dict[tuple[str, bytes], dict[str, Any] | None] = {}
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
        fee_caps: FeeCaps = FeeCaps(),
    ) -> BountyClient:
        """Deploys a new BountyEscrow and returns a client for it (see `.deployment`)."""
        if isinstance(fee_bps, bool) or not isinstance(fee_bps, int) or not 0 <= fee_bps <= MAX_FEE_BPS:
            raise InvalidAmount(f"fee_bps must be an integer from 0 to {MAX_FEE_BPS}, got {fee_bps!r}")
        recipient = checksum(fee_recipient, "fee_recipient") if fee_recipient else ETH
        if fee_bps and recipient == ETH:
            raise InvalidAddress("a fee needs a fee_recipient")
        w3 = web3_for(connection)
        artifact = load_artifact("BountyEscrow")
        factory = w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
        receipt, _ = send_and_wait(
            w3, signer, factory.constructor(recipient, fee_bps), poll_latency=poll_latency, timeout=timeout,
            fee_caps=fee_caps,
        )
        client = cls(
            w3, receipt["contractAddress"], signer, from_block=receipt["blockNumber"],
            poll_latency=poll_latency, timeout=timeout, fee_caps=fee_caps,
        )
        client.deployment = Deployment(
            **tx_fields(receipt), address=client.address, fee_recipient=recipient, fee_bps=fee_bps
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
        """A client for `escrow` if given, else for the escrow of the connected chain: the one
        recorded in the deployment registry (`deployments`, else $BOUNTYCHAIN_DEPLOYMENTS, else
        the official registry shipped in the package), else, with no folder named, the canonical
        escrow at the address it has on every chain if this chain holds it (its code checked).

        Raises:
            RegistryError: no escrow is known for the chain (the message says what to do).
            UnofficialEscrow: the canonical address holds something else than this version's escrow.
        """
        from bountychain import deployments as registry

        w3 = web3_for(connection)
        if escrow is not None:
            return cls(w3, escrow, signer, chain_id=chain_id, **options)
        actual_chain = int(w3.eth.chain_id)
        if chain_id is not None and chain_id != actual_chain:
            raise WrongChain(wrong_chain_message(actual_chain, chain_id))
        record = registry.locate(w3, actual_chain, deployments)
        if record.abi_sha256 != registry.abi_sha256():
            raise WrongChain(f"the escrow recorded for chain {actual_chain} speaks another ABI than this SDK")
        return cls(w3, record.address, signer, chain_id=actual_chain, from_block=record.block_number, **options)

    def as_signer(self, signer: LocalAccount) -> BountyClient:
        """The same escrow, acting as another account."""
        other = BountyClient.__new__(BountyClient)
        other.__dict__.update(self.__dict__)
        other.signer = signer
        return other


__all__ = ["BountyClient"]
