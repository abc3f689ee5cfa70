// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title ISignedActions
/// @notice One-transaction token pledges (EIP-2612 permit) and solutions registered from an
/// off-chain EIP-712 signature, which anyone may relay: the claim belongs to the signer.
/// @dev The EIP-712 domain is name "BountyEscrow", version "1", the chain id and this
/// contract's address (EIP-5267 `eip712Domain()` describes it). A signature also binds a
/// nonce and an expiry. Nonces are unordered (a bitmap per hunter, as Uniswap's permit2): each
/// is used once, in any order, so a signature that expires or fails never blocks another.
interface ISignedActions {
    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice The bounty is paid in ETH: there is no token to permit.
    error NotATokenBounty(uint256 bountyId);
    /// @notice The permit failed and the allowance it would have set is not in place either.
    error PermitFailed(address token, address owner, uint256 allowance, uint256 needed);
    /// @notice The signed action expired at `expiry`.
    error SignatureExpired(uint256 expiry, uint256 currentTime);
    /// @notice The signature was not made by `hunter` over this action (another signer, or
    /// another bounty, URI, nonce, expiry, chain or escrow).
    error WrongSigner(address hunter, address signer);
    /// @notice The hunter already used (or cancelled) this nonce.
    error NonceUsed(address hunter, uint256 nonce);

    /// @notice `hunter` used or cancelled `nonce`.
    event NonceInvalidated(address indexed hunter, uint256 nonce);

    /*//////////////////////////////////////////////////////////////
                               FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @notice Pledges `amount` of the bounty's token after an EIP-2612 permit from the caller
    /// to the escrow for `amount`. If the permit fails (for instance someone front-ran it) the
    /// pledge goes on when the allowance is already sufficient.
    /// @param bountyId The bounty or fundraiser.
    /// @param amount The amount to transfer from the caller (and the permit's value).
    /// @param permitDeadline The permit's deadline.
    /// @return received The amount credited (less for fee-on-transfer tokens).
    /// @param maxUnlocksAt The latest unlock time the funder accepts, as for `pledge`.
    function pledgeWithPermit(
        uint256 bountyId,
        uint256 amount,
        uint64 maxUnlocksAt,
        uint256 permitDeadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external returns (uint256 received);

    /// @notice Registers a solution signed off-chain by `hunter` (EIP-712
    /// `SubmitSolution(uint256 bountyId,string uri,address hunter,uint256 nonce,uint256 expiry)`);
    /// anyone may send it. Signatures of contract wallets are checked with ERC-1271.
    /// @param bountyId The bounty.
    /// @param uri The solution; emitted, not stored.
    /// @param hunter The signer, paid if the claim wins.
    /// @param nonce Any number the hunter has not used yet (unordered, see `nonceUsed`).
    /// @param expiry The last second at which the signature is valid.
    /// @param signature The 65-byte signature (r, s, v), or an ERC-1271 wallet's signature.
    /// @return claimId The claim's id within the bounty.
    function submitSolutionBySig(
        uint256 bountyId,
        string calldata uri,
        address hunter,
        uint256 nonce,
        uint256 expiry,
        bytes calldata signature
    ) external returns (uint256 claimId);

    /// @notice Cancels one of the caller's unused solution nonces, voiding any signature made with it.
    function invalidateNonce(uint256 nonce) external;

    /// @notice Whether `hunter` used or cancelled `nonce`.
    function nonceUsed(address hunter, uint256 nonce) external view returns (bool);

    /// @notice The EIP-712 domain separator of this escrow on this chain.
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32);
}
