"""Where the deterministic deployment proxy puts the escrow: the CREATE2 arithmetic
(EIP-1014) alone, with nothing sent and nothing read from a chain, so that the registry can
look for the escrow at its usual address and `bountychain.deterministic` can deploy it there.

The proxy (Arachnid's CREATE2 factory at 0x4e59b44847b379578588920cA78FbF26c0B4956C) runs
CREATE2 with the 32-byte salt and the init code it is sent, so the address depends only on the
salt, the escrow's creation code and its constructor arguments (fee recipient and fee): never on
the deployer, its nonce or the chain.
"""

from __future__ import annotations

from eth_utils import keccak, to_checksum_address

from bountychain._artifacts import load_artifact

DEPLOYMENT_PROXY = "0x4e59b44847b379578588920cA78FbF26c0B4956C"
# The salt of official deployments; another (`salt_for("...")`) gives another address.
DEFAULT_SALT_TEXT = "bountychain BountyEscrow"
# The settings of the canonical escrow, the one every chain can have at one address: no fee
# (and so no fee recipient), the default salt.
CANONICAL_FEE_RECIPIENT = "0x0000000000000000000000000000000000000000"
CANONICAL_FEE_BPS = 0


def constructor_args(fee_recipient: str, fee_bps: int) -> str:
    """The escrow's ABI-encoded constructor arguments, 0x-hex."""
    from eth_abi import encode

    return "0x" + encode(["address", "uint256"], [fee_recipient, fee_bps]).hex()


def salt_for(text: str = DEFAULT_SALT_TEXT) -> bytes:
    """A 32-byte salt named by a text (keccak256 of it)."""
    return keccak(text=text)


def escrow_init_code(fee_recipient: str, fee_bps: int) -> bytes:
    """The escrow's creation code followed by its ABI-encoded constructor arguments."""
    bytecode = bytes.fromhex(load_artifact("BountyEscrow").bytecode.removeprefix("0x"))
    return bytecode + bytes.fromhex(constructor_args(fee_recipient, fee_bps).removeprefix("0x"))


def predicted_address(init_code: bytes, salt: bytes, deployer: str = DEPLOYMENT_PROXY) -> str:
    """Where CREATE2 puts `init_code` deployed by `deployer` with `salt` (EIP-1014)."""
    if len(salt) != 32:
        raise ValueError("a CREATE2 salt is 32 bytes")
    digest = keccak(b"\xff" + bytes.fromhex(deployer.removeprefix("0x")) + salt + keccak(init_code))
    return to_checksum_address(digest[12:])


def predicted_escrow(fee_recipient: str, fee_bps: int, salt: bytes | None = None) -> str:
    """The escrow's address on any chain for these settings."""
    return predicted_address(escrow_init_code(fee_recipient, fee_bps), salt or salt_for())


def canonical_escrow() -> str:
    """The canonical escrow's address (no fee, default salt): the same on every chain, for
    this version of the escrow's code only (another version's code gives another address)."""
    return predicted_escrow(CANONICAL_FEE_RECIPIENT, CANONICAL_FEE_BPS)


def proxy_call_data(fee_recipient: str, fee_bps: int, salt: bytes | None = None) -> bytes:
    """What a transaction to the proxy carries: the salt, then the init code."""
    return (salt or salt_for()) + escrow_init_code(fee_recipient, fee_bps)


__all__ = ["CANONICAL_FEE_BPS", "CANONICAL_FEE_RECIPIENT", "DEFAULT_SALT_TEXT", "DEPLOYMENT_PROXY",
           "canonical_escrow", "constructor_args", "escrow_init_code", "predicted_address", "predicted_escrow",
           "proxy_call_data", "salt_for"]
