// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IMilestones
/// @notice Paying a bounty in parts, and refundable claim bonds against floods of claims.
/// @dev Pledges are shares of a bounty's pool (as in an ERC-4626 vault): a partial award takes
/// a fraction of the pool and every funder's remaining pledge falls by that fraction, with no
/// loop over funders; a later pledge buys shares at the current ratio. Values round down for
/// whoever takes money out and the last shares out take what is left, so no dust is stranded.
/// A bonded bounty asks every claim for a bond in its currency, fixed at creation: the hunter
/// pulls it back once the bounty is awarded, cancelled or expired, unless the approver marked
/// the claim as spam while the bounty was open. A slashed bond goes to the bounty's funders,
/// pro-rata to their shares, never to the approver or the issuer.
interface IMilestones {
    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice A partial award must take more than nothing and less than the whole pool
    /// (`award` pays the whole): `partBps` is out of 10,000.
    error InvalidPart(uint256 partBps);
    /// @notice The claim holds no bond: the bounty asks none, or it was returned or slashed.
    error NoBond(uint256 bountyId, uint256 claimId);
    /// @notice Only the claim's hunter pulls its bond.
    error NotClaimant(uint256 bountyId, uint256 claimId, address caller);
    /// @notice Bonds stay while the bounty is open and before its deadline.
    error BondLocked(uint256 bountyId, uint64 deadline);
    /// @notice Nobody but the approver and the issuer funds the bounty, so a slashed bond would
    /// have nobody to go to (they never take one).
    error NoFundersToPay(uint256 bountyId);
    /// @notice A relayed claim on a bounty whose bond is in ETH: the hunter's ETH cannot be
    /// pulled, so the hunter sends its claim itself.
    error RelayedBondNeedsToken(uint256 bountyId);

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice A milestone: `pool` of the bounty went to winners (`fee` of it to the fee
    /// recipient); `remaining` stays pledged for the next one, under the same deadline and locks.
    event PartAwarded(uint256 indexed bountyId, uint256 partBps, uint256 pool, uint256 fee, uint256 remaining);
    /// @notice The bounty asks every claim for a bond of `bond` in its currency.
    event BondRequired(uint256 indexed bountyId, uint256 bond);
    /// @notice A claim's bond arrived (`amount` is what arrived, less for fee-on-transfer tokens).
    event BondPosted(uint256 indexed bountyId, uint256 indexed claimId, address indexed hunter, uint256 amount);
    /// @notice The approver marked the claim as spam: its bond now belongs to the funders.
    event BondSlashed(uint256 indexed bountyId, uint256 indexed claimId, address indexed hunter, uint256 amount);
    /// @notice `funder` was credited `amount` of the bonds slashed on the bounty, its part for
    /// the shares it held (withdrawn with `withdraw`, in the bounty's currency).
    event SlashedBondsCredited(uint256 indexed bountyId, address indexed funder, uint256 amount);
    /// @notice The hunter pulled its bond back.
    event BondReturned(uint256 indexed bountyId, uint256 indexed claimId, address indexed hunter, uint256 amount);

    /*//////////////////////////////////////////////////////////////
                               FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @notice Creates a bounty, as `createBounty`, whose claims each post a bond of `bond`.
    function createBondedBounty(address token, uint64 deadline, address approver, string calldata uri, uint96 bond)
        external
        returns (uint256 bountyId);

    /// @notice The approver pays `partBps` / 10,000 of the pool (rounded down) to the winners,
    /// split as in `award`; the rest stays open. Every funder's pledge falls by the same fraction.
    function awardPart(uint256 bountyId, uint256 partBps, uint256[] calldata claimIds, uint256[] calldata sharesBps)
        external;

    /// @notice The approver marks a bonded claim as spam while the bounty is open: its bond goes
    /// to the funders, each credited pro-rata (see `slashedOwed`), the approver and issuer excepted.
    function markSpam(uint256 bountyId, uint256 claimId) external;

    /// @notice The claim's hunter pulls its bond once the bounty is awarded, cancelled or expired.
    function withdrawBond(uint256 bountyId, uint256 claimId) external returns (uint256 amount);

    /// @notice Credits the caller its part of the bonds slashed on the bounty (then `withdraw`).
    function claimSlashed(uint256 bountyId) external returns (uint256 amount);

    /// @notice The bond every claim on the bounty posts (0: none).
    function bondOf(uint256 bountyId) external view returns (uint256);

    /// @notice The bond a claim still holds (0 once returned or slashed, or if none was asked).
    function claimBond(uint256 bountyId, uint256 claimId) external view returns (uint256);

    /// @notice What `claimSlashed` would credit `funder` now.
    function slashedOwed(uint256 bountyId, address funder) external view returns (uint256);

    /// @notice A funder's shares of the pool and all the shares: the pledge is worth
    /// `total * shares / supply` (`pledgeOf` gives that value).
    function sharesOf(uint256 bountyId, address funder) external view returns (uint256 shares, uint256 supply);
}
