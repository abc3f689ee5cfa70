"""bountychain: crowdfunded bounties on open-source issues, held by an escrow contract.

Quick start::

    from bountychain import BountyClient, InProcessChain

    chain = InProcessChain()
    issuer = chain.new_account()
    client = BountyClient.deploy(chain, issuer)
    bounty = client.create_bounty("https://github.com/org/repo/issues/1", chain.now() + 86_400)
    client.pledge(bounty.bounty_id, "0.5 ether")
"""

from bountychain.amounts import format_amount, parse_amount, to_base_units
from bountychain.client import BountyClient
from bountychain.deployments import DeploymentRecord, RegistryError
from bountychain.devchain import AnvilNode, DevChain, InProcessChain
from bountychain.errors import (
    BountychainError,
    BountyClosed,
    BountyNotFound,
    ContractError,
    InsufficientFunds,
    InvalidAddress,
    InvalidAmount,
    InvalidAward,
    InvalidDeadline,
    InvalidInput,
    InvalidShares,
    InvalidSignature,
    InvalidURI,
    NoSigner,
    NotAuthorized,
    NothingToPay,
    PledgeLocked,
    FundraiserRefused,
    RejectedInput,
    SignatureRejected,
    TransferFailed,
    WrongChain,
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
    Fundraiser,
    FundraiserCreation,
    FundraiserState,
    Payout,
    Pledge,
    PledgeResult,
    RaisedWithdrawal,
    RefundResult,
    SignedSolution,
    SolutionResult,
    TokenInfo,
    TxResult,
    WithdrawalResult,
)
from bountychain.signers import from_keystore, from_private_key

__all__ = [
    "ETH",
    "AnvilNode",
    "AwardResult",
    "Bounty",
    "BountyClient",
    "BountyClosed",
    "BountyCreation",
    "BountyListing",
    "BountyNotFound",
    "BountyStatus",
    "BountychainError",
    "CancelResult",
    "Claim",
    "ContractError",
    "DeadlineExtension",
    "Deployment",
    "DeploymentRecord",
    "DevChain",
    "Fundraiser",
    "FundraiserCreation",
    "FundraiserRefused",
    "FundraiserState",
    "InProcessChain",
    "InsufficientFunds",
    "InvalidAddress",
    "InvalidAmount",
    "InvalidAward",
    "InvalidDeadline",
    "InvalidInput",
    "InvalidShares",
    "InvalidSignature",
    "InvalidURI",
    "NoSigner",
    "NotAuthorized",
    "NothingToPay",
    "Payout",
    "Pledge",
    "PledgeLocked",
    "PledgeResult",
    "RaisedWithdrawal",
    "RefundResult",
    "RegistryError",
    "RejectedInput",
    "SignedSolution",
    "SignatureRejected",
    "SolutionResult",
    "TokenInfo",
    "TransferFailed",
    "TxResult",
    "WithdrawalResult",
    "WrongChain",
    "format_amount",
    "from_keystore",
    "from_private_key",
    "parse_amount",
    "to_base_units",
]
