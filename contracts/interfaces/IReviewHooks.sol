// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IReviewHooks
/// @notice What the escrow lets its review contract (and nothing else) do with a reviewed
/// bounty. The review contract decides; the escrow keeps the money rules: it refuses these
/// calls from anyone else, and it alone counts each funder's pledge and which pledges an award
/// may take. A funder who objects withholds its own pledge from the proposal: an award takes
/// it only when the review contract says the bounty's arbiter overruled the objections.
interface IReviewHooks {
    /// @notice Only a funder with an outstanding pledge on the bounty may object.
    error NoWeight(uint256 bountyId, address funder);
    /// @notice A funder objects at most once per proposal.
    error AlreadyObjected(uint256 bountyId, address funder);

    /// @notice Creates a bounty whose approver is the review contract, for `issuer`; each claim
    /// posts a bond of `bond` (0: none).
    function createReviewedBounty(address issuer, address token, uint64 deadline, string calldata uri, uint96 bond)
        external
        returns (uint256 bountyId);

    /// @notice Checks a proposed award against an open, unexpired reviewed bounty and puts the
    /// bounty under review: pledges, solutions, cancel and extensions wait; pledges locked now
    /// are held for this proposal.
    /// @return round The proposal's number on this bounty, counting from 1.
    /// @return total The pool when proposed.
    function openReview(uint256 bountyId, uint256[] calldata claimIds, uint256[] calldata sharesBps)
        external
        returns (uint32 round, uint256 total);

    /// @notice Withholds `funder`'s pledge from the current proposal.
    /// @return weight What the pledge withheld is worth.
    function withhold(uint256 bountyId, address funder) external returns (uint256 weight);

    /// @notice Ends the review without an award: the bounty is open again.
    function closeReview(uint256 bountyId) external;

    /// @notice Awards the proposal: `partBps` / 10,000 of the pool less the withheld pledges,
    /// or of the whole pool if `overruled` (the arbiter ruled for it). A whole award (10,000)
    /// closes the bounty; a part leaves it open, the withheld pledges worth what they were.
    /// If nothing would be paid, the bounty is open again instead.
    /// @return pool What the award took (0: nothing was paid).
    function settleReview(
        uint256 bountyId,
        uint256 partBps,
        uint256[] calldata claimIds,
        uint256[] calldata sharesBps,
        bool overruled
    ) external returns (uint256 pool);

    /// @notice Marks a bonded claim as spam for `judge`, the bounty's proposer, whose own
    /// pledge (and the issuer's) takes no part of the bond.
    function markSpamFor(uint256 bountyId, uint256 claimId, address judge) external;

    /// @notice The round `funder` last objected in (0 if never) and the current round.
    function objection(uint256 bountyId, address funder) external view returns (uint32 objectedIn, uint32 round);
}
