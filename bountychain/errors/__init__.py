"""One exception hierarchy for everything the SDK refuses or the escrow reverts.

Two families share the root `BountychainError`:

- `InvalidInput` (also a `ValueError`): the SDK caught the problem before sending anything.
- `ContractError`: the escrow (or the token it called) refused. The custom error is decoded
  here, in one place, into a subclass that says in words what was refused, and carries the
  decoded arguments, the bounty id and, when a transaction was mined, its hash.

The classes are in `exceptions`, what each custom error means in words in `meanings`, and the
decoding of revert data from any provider in `decoding`; every name is imported from here.
"""

from bountychain.errors.decoding import (
    decode_revert, error_names_without_meaning, from_tester_error, from_web3_error, translating_reverts,
)
from bountychain.errors.exceptions import (
    BountyClosed, BountyNotFound, BountychainError, ContractError, DuplicateSolution, FundraiserRefused,
    InsufficientFunds, InvalidAddress, InvalidAmount, InvalidAward, InvalidDeadline, InvalidInput,
    InvalidReport, InvalidShares, InvalidSignature, InvalidURI, NetworkFeeTooHigh, NoSigner,
    NotAuthorized, NothingToPay, PledgeLocked, ProposalPending, ProposalRefused, RejectedInput,
    ReportNotVerified, SignatureRejected, TransferFailed, WrongChain,
)
from bountychain.errors.meanings import error_from_name, error_meanings

__all__ = [
    "BountyClosed", "BountyNotFound", "BountychainError", "ContractError", "DuplicateSolution",
    "FundraiserRefused", "InsufficientFunds", "InvalidAddress", "InvalidAmount", "InvalidAward",
    "InvalidDeadline", "InvalidInput", "InvalidReport", "InvalidShares", "InvalidSignature",
    "InvalidURI", "NetworkFeeTooHigh", "NoSigner", "NotAuthorized", "NothingToPay", "PledgeLocked",
    "ProposalPending", "ProposalRefused", "RejectedInput", "ReportNotVerified", "SignatureRejected",
    "TransferFailed", "WrongChain", "decode_revert", "error_from_name", "error_meanings",
    "error_names_without_meaning", "from_tester_error", "from_web3_error", "translating_reverts",
]
